package ui

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components/documents"
	"portal/components/i18n"
	"portal/components/threads"
	"portal/models"
	"portal/web/session"
	"portal/web/wire"
)

// The documents of a process (components/documents): the broker's upload,
// replacement and deletion, everyone's download, the bank's requests and
// reviews. Each handler parses, makes one service call and redirects to the
// documents tab with a flash, or renders the process page with the refusal
// in the tab (422 a field, 409 a conflict, 413 a file too large).

// uploadOverhead is what a document's multipart form adds to the file: the
// boundaries, part headers and the few text fields.
const uploadOverhead = 64 << 10

// maxUploadBody bounds an upload or replacement: one document at the limit
// and the form around it. A body over it is refused with 413 before it is
// read (wire.Limit: at once when its Content-Length says so).
func (h *Handlers) maxUploadBody() int64 { return h.docLimits.MaxBytes + uploadOverhead }

// maxUploadField bounds one text field of an upload form.
const maxUploadField = 8 << 10

// maxRequestBody bounds a request for documents: MaxDocumentsPerRequest
// rows of a type, a borrower and a note, and the request's note.
const maxRequestBody = 512 << 10

// maxReviewBody bounds a review: a reason and the verdict.
const maxReviewBody = 16 << 10

// streamedForms are the routes whose multipart body the handler reads part
// by part (ReadForm leaves them alone).
var streamedForms = map[string]bool{
	"/processes/:id/documents":                      true,
	"/processes/:id/documents/:document_id/replace": true,
}

// The taxonomy's lists of document types and their categories.
const (
	docTypesList      = "document-types"
	docCategoriesList = "document-categories"
)

// docsFormKey holds a refused documents form for the re-rendered page.
const docsFormKey = "ui.documentsForm"

// docsForm is what the documents tab shows of a refused change.
type docsForm struct {
	err     string
	upload  documents.Form
	request documents.RequestForm
	review  map[string]string
	reasons map[string]string
}

// uploadFields are an upload form's text fields, read before its file.
type uploadFields map[string]string

// readUpload reads an upload form's text fields up to its file part, which
// it returns unread (nil when the form has none, or an empty one): the
// file streams from the request into the service, never buffered whole.
func readUpload(c *gin.Context) (uploadFields, *multipart.Part, error) {
	mr, err := c.Request.MultipartReader()
	if err != nil { // not a multipart form
		return nil, nil, wire.BodyError(err)
	}
	fields := uploadFields{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return fields, nil, nil
		}
		if err != nil {
			return fields, nil, wire.BodyError(err)
		}
		if p.FormName() == "file" {
			if p.FileName() == "" { // the input left empty
				_ = p.Close()
				continue
			}
			return fields, p, nil
		}
		b, err := io.ReadAll(io.LimitReader(p, maxUploadField+1))
		if err != nil {
			return fields, nil, wire.BodyError(err)
		}
		if len(b) > maxUploadField {
			return fields, nil, &http.MaxBytesError{Limit: maxUploadField}
		}
		fields[p.FormName()] = string(b)
	}
}

func (f uploadFields) values() map[string]string {
	return map[string]string{"documentTypeId": f["documentTypeId"], "borrowerId": f["borrowerId"],
		"requestItemId": f["requestItemId"], "title": f["title"]}
}

// uploadDocument is the broker's upload (POST /processes/:id/documents):
// the form's fields, then one file.
func (h *Handlers) uploadDocument(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	wire.Limit(c, h.maxUploadBody())
	fields, part, err := readUpload(c)
	form := documents.Form{Target: fields["target"], Values: fields.values()}
	if err != nil {
		h.documentRefused(c, err, form)
		return
	}
	if part == nil {
		form.Fields = map[string]string{"file": i18n.T(ctx, "documents.file_required")}
		h.documentsPage(c, http.StatusUnprocessableEntity, &docsForm{upload: form})
		return
	}
	defer part.Close()
	typeID, _ := strconv.Atoi(strings.TrimSpace(fields["documentTypeId"]))
	d, err := h.svc.Documents.CreateDocument(ctx, id, models.NewDocument{
		FileName: part.FileName(), Title: fields["title"], Observations: fields["observations"],
		DocumentTypeID: typeID, BorrowerUUID: fields["borrowerId"], RequestItemUUID: fields["requestItemId"],
		Content: part,
	})
	if err != nil {
		h.documentRefused(c, err, form)
		return
	}
	h.documentsDone(c, id, i18n.T(ctx, "documents.uploaded", map[string]any{"Name": d.FileName}))
}

// replaceDocument is a new file for an uploaded or rejected document
// (POST /processes/:id/documents/:document_id/replace, brokers).
func (h *Handlers) replaceDocument(c *gin.Context) {
	ctx := c.Request.Context()
	id, docID := c.Param("id"), c.Param("document_id")
	wire.Limit(c, h.maxUploadBody())
	_, part, err := readUpload(c)
	form := documents.Form{Target: docID}
	if err != nil {
		h.documentRefused(c, err, form)
		return
	}
	if part == nil {
		form.Fields = map[string]string{"file": i18n.T(ctx, "documents.file_required")}
		h.documentsPage(c, http.StatusUnprocessableEntity, &docsForm{upload: form})
		return
	}
	defer part.Close()
	d, err := h.svc.Documents.UpdateDocument(ctx, id, docID, models.DocumentUpdate{FileName: part.FileName(), Content: part})
	if err != nil {
		h.documentRefused(c, err, form)
		return
	}
	h.documentsDone(c, id, i18n.T(ctx, "documents.replaced", map[string]any{"Name": d.FileName}))
}

// deleteDocument removes a document not yet accepted
// (POST /processes/:id/documents/:document_id/delete, brokers).
func (h *Handlers) deleteDocument(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	if err := h.svc.Documents.DeleteDocument(ctx, id, c.Param("document_id")); err != nil {
		h.documentRefused(c, err, documents.Form{Target: c.Param("document_id")})
		return
	}
	h.documentsDone(c, id, i18n.T(ctx, "documents.deleted"))
}

// downloadDocument sends a document's content as an attachment of its
// stored (sniffed) type, never inline
// (GET /processes/:id/documents/:document_id/content).
func (h *Handlers) downloadDocument(c *gin.Context) {
	d, content, err := h.svc.Documents.OpenDocument(c.Request.Context(), c.Param("id"), c.Param("document_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	defer content.Close()
	ct := d.ContentType
	if !allowedType(ct) {
		ct = "application/octet-stream"
	}
	hd := c.Writer.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", attachment(d.FileName))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	if d.Size > 0 {
		hd.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	}
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(c.Writer, content); err != nil {
		h.log.Info("document download cut short", "err", err, "request_id", c.GetString("portal.request_id"))
	}
}

func allowedType(ct string) bool {
	for _, t := range models.AllowedDocumentTypes {
		if t == ct {
			return true
		}
	}
	return false
}

// attachment is a Content-Disposition that downloads under name: an ASCII
// fallback and the UTF-8 name (RFC 6266, RFC 8187).
func attachment(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r >= 0x20 && r < 0x7f && r != '"' && r != '\\' {
			ascii.WriteRune(r)
		} else {
			ascii.WriteByte('_')
		}
	}
	const hex = "0123456789ABCDEF"
	for _, b := range []byte(name) {
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0 {
			ext.WriteByte(b)
		} else {
			ext.WriteByte('%')
			ext.WriteByte(hex[b>>4])
			ext.WriteByte(hex[b&15])
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// requestItemField is a request's field error about one row.
var requestItemField = regexp.MustCompile(`^items\[(\d+)\]\.(\w+)$`)

// requestDocuments is the bank asking for documents
// (POST /processes/:id/document-requests, staff): rows of a type, the
// borrower it is about and a note; rows left empty are skipped.
func (h *Handlers) requestDocuments(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	types, borrowers, notes := c.PostFormArray("documentTypeId"), c.PostFormArray("borrowerId"), c.PostFormArray("itemNote")
	in := models.DocumentRequestInput{Note: c.PostForm("note")}
	form := documents.RequestForm{Note: in.Note}
	at := func(l []string, i int) string {
		if i < len(l) {
			return strings.TrimSpace(l[i])
		}
		return ""
	}
	for i := range types {
		t, b, n := at(types, i), at(borrowers, i), at(notes, i)
		if t == "" && n == "" {
			continue
		}
		typeID, err := strconv.Atoi(t)
		if err != nil || typeID <= 0 {
			typeID = -1 // refused by the service as an unknown type
		}
		in.Items = append(in.Items, models.DocumentRequestItemInput{DocumentTypeID: typeID, BorrowerUUID: b, Note: n})
		form.Rows = append(form.Rows, documents.RequestRow{TypeID: max(typeID, 0), BorrowerUUID: b, Note: n})
	}
	_, err := h.svc.Documents.RequestDocuments(ctx, id, in)
	if err == nil {
		h.documentsDone(c, id, i18n.N(ctx, "documents.requested", len(in.Items)))
		return
	}
	e := models.AsError(err)
	status := http.StatusUnprocessableEntity
	switch e.Code {
	case models.CodeInvalid:
		for _, fe := range e.Fields {
			msg := i18n.Field(ctx, fe)
			if m := requestItemField.FindStringSubmatch(fe.Field); m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(form.Rows) {
					r := &form.Rows[i]
					switch strings.ToLower(m[2]) {
					case "note":
						r.NoteError = msg
					case "borrowerid", "borroweruuid", "borroweruniqueid":
						r.BorrowerErr = msg
					default:
						r.TypeError = msg
					}
					continue
				}
			}
			if fe.Field == "note" {
				form.NoteError = msg
			} else if form.Error == "" {
				form.Error = msg
			}
		}
		if len(e.Fields) == 0 {
			form.Error = i18n.Refusal(ctx, e)
		}
		if len(in.Items) == 0 && form.Error == "" {
			form.Error = i18n.T(ctx, "documents.request_empty")
		}
	case models.CodeConflict:
		status = http.StatusConflict
		form.Error = i18n.Refusal(ctx, e)
	default:
		h.fail(c, err)
		return
	}
	h.documentsPage(c, status, &docsForm{request: form})
}

// reviewDocument is the bank's verdict on an upload
// (POST /processes/:id/documents/:document_id/review, staff): decision
// "accept", or "reject" with a reason.
func (h *Handlers) reviewDocument(c *gin.Context) {
	ctx := c.Request.Context()
	id, docID := c.Param("id"), c.Param("document_id")
	in := models.DocumentReview{Accept: c.PostForm("decision") == documents.DecisionAccept, Reason: c.PostForm("reason")}
	d, err := h.svc.Documents.ReviewDocument(ctx, id, docID, in)
	if err == nil {
		msg := i18n.T(ctx, "documents.rejected", map[string]any{"Name": d.FileName})
		if d.State == models.DocumentAccepted {
			msg = i18n.T(ctx, "documents.accepted", map[string]any{"Name": d.FileName})
		}
		h.documentsDone(c, id, msg)
		return
	}
	e := models.AsError(err)
	form := &docsForm{review: map[string]string{}, reasons: map[string]string{docID: in.Reason}}
	status := http.StatusUnprocessableEntity
	switch e.Code {
	case models.CodeInvalid:
		msg := i18n.Refusal(ctx, e)
		if len(e.Fields) > 0 {
			msg = i18n.Field(ctx, e.Fields[0])
		}
		form.review[docID] = msg
	case models.CodeConflict:
		status, form.err = http.StatusConflict, i18n.Refusal(ctx, e)
	default:
		h.fail(c, err)
		return
	}
	h.documentsPage(c, status, form)
}

// documentsDone ends a change: back to the documents tab with msg.
func (h *Handlers) documentsDone(c *gin.Context, id, msg string) {
	_ = session.SetFlash(c, documents.ProcessURL(id), msg)
	redirect(c, documents.SectionURL(id))
}

// documentRefused renders the documents tab with an upload's or a
// change's refusal: 413 for a file over the limit, 409 a conflict, 422 a
// field; anything else is the error page.
func (h *Handlers) documentRefused(c *gin.Context, err error, form documents.Form) {
	ctx := c.Request.Context()
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		h.documentsPage(c, http.StatusRequestEntityTooLarge, &docsForm{upload: form,
			err: i18n.T(ctx, "documents.too_large", map[string]any{"Size": documents.Size(ctx, h.docLimits.MaxBytes)})})
		return
	}
	if errors.Is(err, wire.ErrBodyCutShort) || wire.ClientGone(c, err) {
		h.fail(c, err)
		return
	}
	e := models.AsError(err)
	switch e.Code {
	case models.CodeTooLarge:
		h.documentsPage(c, http.StatusRequestEntityTooLarge, &docsForm{upload: form, err: i18n.Refusal(ctx, e)})
	case models.CodeConflict:
		h.documentsPage(c, http.StatusConflict, &docsForm{upload: form, err: i18n.Refusal(ctx, e)})
	case models.CodeInvalid:
		form.Fields = map[string]string{}
		for _, fe := range e.Fields {
			name := uploadField(fe.Field)
			if _, seen := form.Fields[name]; !seen {
				form.Fields[name] = i18n.Field(ctx, fe)
			}
		}
		if len(e.Fields) == 0 {
			form.Fields["file"] = i18n.Refusal(ctx, e)
		}
		if form.Target != "" { // a line's or a replacement's form shows one message
			for k, m := range form.Fields {
				if k != "file" {
					form.Fields["file"] = m
				}
			}
		}
		h.documentsPage(c, http.StatusUnprocessableEntity, &docsForm{upload: form})
	default:
		h.fail(c, err)
	}
}

// uploadField is the upload form's input a service field error is about.
func uploadField(f string) string {
	switch strings.ToLower(f) {
	case "documenttypeid":
		return "documentTypeId"
	case "borrowerid", "borroweruuid", "borroweruniqueid":
		return "borrowerId"
	}
	return "file" // content, fileName, title and the rest are about the file
}

// documentsPage renders the process page with form's refusal in the
// documents tab.
func (h *Handlers) documentsPage(c *gin.Context, status int, form *docsForm) {
	c.Set(docsFormKey, form)
	h.processPage(c, status, threads.ComposeView{})
}

// documentsView is the documents tab of the process page.
func (h *Handlers) documentsView(c *gin.Context, d *models.ProcessDetail, tax *models.Taxonomy) (*documents.View, error) {
	if h.svc.Documents == nil {
		return nil, nil
	}
	ctx := c.Request.Context()
	cl, err := h.svc.Documents.Checklist(ctx, d.Process.UUID)
	if err != nil {
		return nil, err
	}
	lang := descLang(ctx)
	v := &documents.View{ProcessUUID: d.Process.UUID, Viewer: models.PrincipalFrom(ctx), Checklist: cl,
		Open: models.AcceptsDocuments(d.Process.StatusID), MaxBytes: h.docLimits.MaxBytes, Types: map[int]string{}}
	for _, b := range d.Borrowers {
		v.Borrowers = append(v.Borrowers, documents.Borrower{UUID: b.UUID, Name: b.Name})
	}
	types, err := tax.List(docTypesList)
	if err != nil {
		return nil, err
	}
	cats, err := tax.List(docCategoriesList)
	if err != nil {
		return nil, err
	}
	byCat := map[int][]documents.TypeOption{}
	for _, t := range types.Items {
		label := t.Description(lang)
		v.Types[t.ID] = label
		byCat[t.ParentID] = append(byCat[t.ParentID], documents.TypeOption{ID: t.ID, Label: label})
	}
	for _, cat := range cats.Items {
		if len(byCat[cat.ID]) > 0 {
			v.Groups = append(v.Groups, documents.TypeGroup{Label: cat.Description(lang), Types: byCat[cat.ID]})
		}
	}
	if f, _ := c.Get(docsFormKey); f != nil {
		form := f.(*docsForm)
		v.Error, v.Upload, v.Request, v.Review, v.Reasons = form.err, form.upload, form.request, form.review, form.reasons
	}
	return v, nil
}
