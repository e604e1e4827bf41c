package models

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// The rules of documents (documents.go): the inputs' checks, the content's
// sniffed type, the usual documents of a process and the checklist built
// from what is stored. Pure functions of their inputs and the taxonomy,
// table-tested in documentrules_test.go. Field errors name the partner
// API's input fields.

// TaxonomyDocumentTypes is the list a document's type is a value of.
const TaxonomyDocumentTypes = "document-types"

// Document types the rules name (document-types.csv ids).
const (
	DocTypeIDDocument      = 1  // ID_DOCUMENT
	DocTypeTaxNumber       = 2  // TAX_NUMBER
	DocTypePayslips        = 6  // PAYSLIPS
	DocTypeIRSReturn       = 7  // IRS_RETURN
	DocTypePropertyTax     = 16 // PROPERTY_TAX_RECORD
	DocTypeLandRegistry    = 17 // LAND_REGISTRY_CERTIFICATE
	employmentEmployee     = 1  // employment-situations EMPLOYEE
	employmentCivilServant = 4  // employment-situations CIVIL_SERVANT
)

// Lengths of a document's texts.
const (
	MaxDocumentFileName     = 200
	MaxDocumentTitle        = 200
	MaxDocumentObservations = 1000
)

// Audit actions of documents.
const (
	AuditDocumentUploaded   = "document.uploaded"
	AuditDocumentReplaced   = "document.replaced"
	AuditDocumentUpdated    = "document.updated"
	AuditDocumentDeleted    = "document.deleted"
	AuditDocumentReviewed   = "document.reviewed"
	AuditDocumentsRequested = "documents.requested"
)

func init() {
	for k, v := range map[string]string{
		"document.file_name":          "{{.Field}} must be a file name without folders (no / or \\).",
		"document.content_required":   "The document's content is required.",
		"document.content_unreadable": "The document's content could not be read.",
		"document.content_type":       "The file must be a PDF, JPEG, PNG, HEIC or WEBP document (its content is {{.Type}}).",
		"document.too_large":          "The document is larger than {{.Max}}.",
		"document.process_too_large":  "The process's documents together would be larger than {{.Max}}.",
		"document.borrower_unknown":   "{{.Field}} is not a borrower of this process.",
		"document.item_unknown":       "{{.Field}} is not a document request of this process.",
		"document.items_range":        "Request between 1 and {{.Max}} documents.",
		"document.reason_required":    "Say why the document is rejected.",
		"document.not_accepting":      "The process no longer takes documents: the bank has decided it.",
		"document.accepted_final":     "An accepted document cannot be changed or deleted.",
		"document.not_waiting":        "The document has already been reviewed.",
	} {
		englishText[k] = v
	}
}

// NotAcceptingDocuments refuses a document change on a process that no
// longer AcceptsDocuments.
func NotAcceptingDocuments() error {
	return &Error{Code: CodeConflict, Key: "document.not_accepting", Message: English("document.not_accepting", nil)}
}

// DocumentAcceptedFinal refuses to replace or delete an accepted document.
func DocumentAcceptedFinal() error {
	return &Error{Code: CodeConflict, Key: "document.accepted_final", Message: English("document.accepted_final", nil)}
}

// DocumentNotWaiting refuses to review a document that is not waiting for
// review.
func DocumentNotWaiting() error {
	return &Error{Code: CodeConflict, Key: "document.not_waiting", Message: English("document.not_waiting", nil)}
}

// FormatBytes writes a size limit for people: whole MiB or KiB when exact,
// else bytes ("10 MiB").
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// DocumentTooLarge is the refusal of a content over max bytes.
func DocumentTooLarge(max int64) error {
	return TooLarge("document.too_large", Args{"Max": FormatBytes(max)})
}

// ProcessDocumentsTooLarge is the refusal of a content that would take the
// process's documents over max bytes together.
func ProcessDocumentsTooLarge(max int64) error {
	return TooLarge("document.process_too_large", Args{"Max": FormatBytes(max)})
}

// Limits returns l with the defaults for what is not set.
func (l DocumentLimits) Limits() DocumentLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxDocumentBytes
	}
	if l.MaxProcessBytes <= 0 {
		l.MaxProcessBytes = DefaultMaxProcessDocBytes
	}
	return l
}

// SniffDocument is the content type of content, decided by its bytes
// alone; a CodeInvalid error on field "content" when it is none of
// AllowedDocumentTypes (an HTML page named .pdf is HTML).
func SniffDocument(content []byte) (string, error) {
	if len(content) == 0 {
		var v Validation
		v.Add("content", "document.content_required", nil)
		return "", v.Err()
	}
	m := mimetype.Detect(content)
	for _, t := range AllowedDocumentTypes {
		if m.Is(t) {
			return t, nil
		}
	}
	var v Validation
	kind, _, _ := strings.Cut(m.String(), ";")
	v.Add("content", "document.content_type", Args{"Type": kind})
	return "", v.Err()
}

// documentFileName checks a file name into v: one line of 1 to
// MaxDocumentFileName characters without a path.
func documentFileName(v *Validation, s string, required bool) string {
	n := line(v, "fileName", s, required, MaxDocumentFileName)
	if v.Has("fileName") {
		return n
	}
	if strings.ContainsAny(n, `/\`) || n == "." || n == ".." {
		v.Add("fileName", "document.file_name", Args{"Field": "fileName"})
	}
	return n
}

func documentObservations(v *Validation, s string) string {
	c, ok := CleanText(s, true)
	switch {
	case !ok:
		v.Add("documentObservations", "message.text_characters", nil)
	case runes(c) > MaxDocumentObservations:
		v.Add("documentObservations", "field.too_long", Args{"Field": "documentObservations", "Max": MaxDocumentObservations})
	}
	return c
}

func documentType(v *Validation, t *Taxonomy, field string, id int, required bool) {
	switch {
	case id == 0 && required:
		v.Add(field, "field.required", Args{"Field": field})
	case id != 0 && !t.HasItem(TaxonomyDocumentTypes, id):
		v.Add(field, "field.taxonomy", Args{"Field": field, "List": TaxonomyDocumentTypes})
	}
}

// Validate checks an upload's texts and references (not its content: see
// SniffDocument) and returns it cleaned. The type is required unless the
// upload answers a request item (whose type it then takes).
func (in NewDocument) Validate(t *Taxonomy) (NewDocument, error) {
	var v Validation
	in.FileName = documentFileName(&v, in.FileName, true)
	in.Title = line(&v, "title", in.Title, false, MaxDocumentTitle)
	in.Observations = documentObservations(&v, in.Observations)
	in.RequestItemUUID = strings.ToLower(strings.TrimSpace(in.RequestItemUUID))
	in.BorrowerUUID = strings.ToLower(strings.TrimSpace(in.BorrowerUUID))
	documentType(&v, t, "documentTypeId", in.DocumentTypeID, in.RequestItemUUID == "")
	if in.Content == nil {
		v.Add("content", "document.content_required", nil)
	}
	return in, v.Err()
}

// Validate checks a document's changes (empty and 0 keep what is stored)
// and returns them cleaned.
func (in DocumentUpdate) Validate(t *Taxonomy) (DocumentUpdate, error) {
	var v Validation
	if in.FileName != "" {
		in.FileName = documentFileName(&v, in.FileName, true)
	}
	in.Title = line(&v, "title", in.Title, false, MaxDocumentTitle)
	in.Observations = documentObservations(&v, in.Observations)
	documentType(&v, t, "documentTypeId", in.DocumentTypeID, false)
	return in, v.Err()
}

// documentNote checks a request's or item's note into v (field).
func documentNote(v *Validation, field, s string) string {
	c, ok := CleanText(s, true)
	switch {
	case !ok:
		v.Add(field, "message.text_characters", nil)
	case runes(c) > MaxDocumentNote:
		v.Add(field, "field.too_long", Args{"Field": field, "Max": MaxDocumentNote})
	}
	return c
}

// Validate checks a request for documents (1 to MaxDocumentsPerRequest
// items, each of a document type) and returns it cleaned; borrowers are
// checked against the process by the store.
func (in DocumentRequestInput) Validate(t *Taxonomy) (DocumentRequestInput, error) {
	var v Validation
	in.Note = documentNote(&v, "note", in.Note)
	if len(in.Items) == 0 || len(in.Items) > MaxDocumentsPerRequest {
		v.Add("items", "document.items_range", Args{"Max": MaxDocumentsPerRequest})
	}
	items := make([]DocumentRequestItemInput, len(in.Items))
	for i, it := range in.Items {
		f := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		documentType(&v, t, f("documentTypeId"), it.DocumentTypeID, true)
		it.BorrowerUUID = strings.ToLower(strings.TrimSpace(it.BorrowerUUID))
		it.Note = documentNote(&v, f("note"), it.Note)
		items[i] = it
	}
	in.Items = items
	return in, v.Err()
}

// Validate checks a review: a rejection needs a reason (field "reason") of
// at most MaxDocumentNote characters.
func (in DocumentReview) Validate() (DocumentReview, error) {
	var v Validation
	in.Reason = documentNote(&v, "reason", in.Reason)
	if in.Accept {
		in.Reason = ""
	} else if in.Reason == "" && !v.Has("reason") {
		v.Add("reason", "document.reason_required", nil)
	}
	return in, v.Err()
}

// Employed reports whether a borrower works for an employer (an employee
// or a civil servant): the borrowers whose payslips the bank reads.
func Employed(b Borrower) bool {
	return b.EmploymentSituationID != nil &&
		(*b.EmploymentSituationID == employmentEmployee || *b.EmploymentSituationID == employmentCivilServant)
}

// UsualDocuments are the documents every mortgage process needs, whether
// or not the bank asked: per borrower the identity document and proof of
// tax number, payslips and the IRS return for employed borrowers; for the
// property its tax record and land registry certificate. Borrowers in the
// order given (key borrower first).
func UsualDocuments(borrowers []Borrower) []ChecklistItem {
	var out []ChecklistItem
	for _, b := range borrowers {
		types := []int{DocTypeIDDocument, DocTypeTaxNumber}
		if Employed(b) {
			types = append(types, DocTypePayslips, DocTypeIRSReturn)
		}
		for _, t := range types {
			out = append(out, ChecklistItem{DocumentTypeID: t, BorrowerUUID: b.UUID, BorrowerName: b.Name, State: DocumentMissing})
		}
	}
	for _, t := range []int{DocTypePropertyTax, DocTypeLandRegistry} {
		out = append(out, ChecklistItem{DocumentTypeID: t, State: DocumentMissing})
	}
	return out
}

// ChecklistInput is what the store reads for a checklist.
type ChecklistInput struct {
	Borrowers []Borrower            // key borrower first
	Requests  []DocumentRequest     // any order
	Items     []DocumentRequestItem // of those requests, any order
	Documents []Document            // newest first, BorrowerUUID and RequestItemUUID filled
}

// BuildChecklist is the checklist of a process: its requested items
// (oldest request first, items in order) with the latest document
// answering each, then the usual documents (UsualDocuments) not already
// requested for the same borrower, each with the latest document of its
// type and borrower.
func BuildChecklist(in ChecklistInput) DocumentChecklist {
	out := DocumentChecklist{Items: []ChecklistItem{}, Requests: []DocumentRequestView{}, Documents: in.Documents}
	if out.Documents == nil {
		out.Documents = []Document{}
	}
	borrowers := map[int64]Borrower{}
	for _, b := range in.Borrowers {
		borrowers[b.ID] = b
	}
	for i := range in.Documents {
		out.TotalBytes += in.Documents[i].Size
	}
	// latest finds the newest document matching.
	latest := func(match func(d *Document) bool) *Document {
		for i := range in.Documents {
			if match(&in.Documents[i]) {
				d := in.Documents[i]
				return &d
			}
		}
		return nil
	}
	stateOf := func(d *Document) DocumentState {
		if d == nil {
			return DocumentMissing
		}
		return d.State
	}
	requests := slices.Clone(in.Requests)
	slices.SortFunc(requests, func(a, b DocumentRequest) int { return compareInt64(a.ID, b.ID) })
	items := slices.Clone(in.Items)
	slices.SortFunc(items, func(a, b DocumentRequestItem) int { return compareInt64(a.ID, b.ID) })
	type key struct {
		typ      int
		borrower int64
	}
	requested := map[key]bool{}
	for _, r := range requests {
		view := DocumentRequestView{Request: r, Items: []ChecklistItem{}, Resolved: r.ResolvedAt != nil}
		for _, it := range items {
			if it.RequestID != r.ID {
				continue
			}
			line := ChecklistItem{DocumentTypeID: it.DocumentTypeID, RequestItemUUID: it.UUID, RequestUUID: r.UUID, Note: it.Note}
			var bid int64
			if it.BorrowerID != nil {
				bid = *it.BorrowerID
				if b, ok := borrowers[bid]; ok {
					line.BorrowerUUID, line.BorrowerName = b.UUID, b.Name
				}
			}
			id := it.ID
			line.Document = latest(func(d *Document) bool { return d.RequestItemID != nil && *d.RequestItemID == id })
			line.State = stateOf(line.Document)
			requested[key{it.DocumentTypeID, bid}] = true
			view.Items = append(view.Items, line)
			out.Items = append(out.Items, line)
		}
		out.Requests = append(out.Requests, view)
	}
	slices.Reverse(out.Requests) // newest first
	for _, u := range UsualDocuments(in.Borrowers) {
		var bid int64
		for _, b := range in.Borrowers {
			if b.UUID == u.BorrowerUUID && u.BorrowerUUID != "" {
				bid = b.ID
			}
		}
		if requested[key{u.DocumentTypeID, bid}] {
			continue
		}
		typ, buid := u.DocumentTypeID, u.BorrowerUUID
		u.Document = latest(func(d *Document) bool { return d.DocumentTypeID == typ && d.BorrowerUUID == buid })
		u.State = stateOf(u.Document)
		out.Items = append(out.Items, u)
	}
	return out
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// RequestOpen reports whether a request's items are not all answered by an
// accepted document (states: each item's latest document state).
func RequestOpen(states []DocumentState) bool {
	for _, s := range states {
		if s != DocumentAccepted {
			return true
		}
	}
	return len(states) == 0
}

// documentTexts are the bank's thread messages about documents, in the
// requesting staff member's language (pt by default).
var documentTexts = map[string]map[string]string{
	LangPT: {
		"subject":  "Documentos pendentes",
		"intro":    "O banco pede os seguintes documentos:",
		"note":     "Nota",
		"resolved": "Documentos recebidos",
		"done":     "Todos os documentos pedidos foram aceites:",
	},
	LangEN: {
		"subject":  "Pending documents",
		"intro":    "The bank asks for the following documents:",
		"note":     "Note",
		"resolved": "Documents received",
		"done":     "Every requested document has been accepted:",
	},
}

func documentText(lang, key string) string {
	if lang != LangEN {
		lang = LangPT
	}
	return documentTexts[lang][key]
}

// RequestLine is one requested document as a message lists it.
type RequestLine struct {
	DocumentTypeID int
	BorrowerName   string
	Note           string
}

func requestLines(b *strings.Builder, t *Taxonomy, lang string, lines []RequestLine) {
	for _, l := range lines {
		b.WriteString("\n- ")
		b.WriteString(t.Description(TaxonomyDocumentTypes, l.DocumentTypeID, lang))
		if l.BorrowerName != "" {
			b.WriteString(" (" + l.BorrowerName + ")")
		}
		if l.Note != "" {
			b.WriteString(": " + strings.ReplaceAll(l.Note, "\n", " "))
		}
	}
}

// clip cuts text to MaxMessageText characters.
func clip(text string) string {
	r := []rune(text)
	if len(r) <= MaxMessageText {
		return text
	}
	return string(r[:MaxMessageText-1]) + "…"
}

// DocumentRequestMessage is the bank's thread message of a request: the
// types asked for (with their borrowers and notes) and the request's note.
func DocumentRequestMessage(t *Taxonomy, lang, note string, lines []RequestLine) NewMessage {
	var b strings.Builder
	b.WriteString(documentText(lang, "intro"))
	requestLines(&b, t, lang, lines)
	if note != "" {
		b.WriteString("\n\n" + documentText(lang, "note") + ": " + note)
	}
	return NewMessage{Subject: documentText(lang, "subject"), Text: clip(b.String())}
}

// DocumentsResolvedMessage is the bank's thread message when every
// document of a request has been accepted.
func DocumentsResolvedMessage(t *Taxonomy, lang string, lines []RequestLine) NewMessage {
	var b strings.Builder
	b.WriteString(documentText(lang, "done"))
	requestLines(&b, t, lang, lines)
	return NewMessage{Subject: documentText(lang, "resolved"), Text: clip(b.String())}
}
