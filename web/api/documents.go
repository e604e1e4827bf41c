package api

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Document List / Create / Get / Update / Delete
// (/v1/processes/{processUniqueId}/documents[/{documentUniqueId}]) through
// models.DocumentService (Services.Documents). A document of another
// process, or of another firm's, answers exactly like a missing one. The
// file travels as Base64 inside JSON: in on Create and Update, out on Get
// only (List never carries it). Bodies are limited to the Base64 size of
// the per-document limit plus room for the other fields, refused with 413
// from their Content-Length before a byte is read, and streamed
// (docbody.go): only the decoded content is held.

// documentJSON is a document in answers.
type documentJSON struct {
	DocumentUniqueID        string  `json:"documentUniqueID"`
	FileName                string  `json:"fileName"`
	Title                   string  `json:"title"`
	DocumentTypeID          int     `json:"documentTypeID"`
	DocumentTypeDescription string  `json:"documentTypeDescription"`
	DocumentObservations    string  `json:"documentObservations"`
	BorrowerUniqueID        *string `json:"borrowerUniqueID"`
	RequestItemUniqueID     *string `json:"requestItemUniqueID"`
	Size                    int64   `json:"size"`
	ContentType             string  `json:"contentType"`
	SHA256                  string  `json:"sha256"`
	State                   string  `json:"state"`
	RejectReason            *string `json:"rejectReason"`
	ReviewedBy              *string `json:"reviewedBy"`
	ReviewedAt              *string `json:"reviewedAt"`
	CreationDate            string  `json:"creationDate"`
	LastUpdateDate          string  `json:"lastUpdateDate"`
}

func (d describer) document(doc models.Document) documentJSON {
	out := documentJSON{
		DocumentUniqueID: doc.UUID, FileName: doc.FileName, Title: doc.Title, DocumentTypeID: doc.DocumentTypeID,
		DocumentTypeDescription: d.tax.Description("document-types", doc.DocumentTypeID, d.lang),
		DocumentObservations:    doc.Observations, BorrowerUniqueID: nonEmpty(doc.BorrowerUUID), RequestItemUniqueID: nonEmpty(doc.RequestItemUUID),
		Size: doc.Size, ContentType: doc.ContentType, SHA256: doc.ContentSHA256, State: string(doc.State),
		RejectReason: nonEmpty(doc.RejectReason), ReviewedBy: nonEmpty(doc.ReviewedByName),
		CreationDate: wire.Timestamp(doc.CreatedAt), LastUpdateDate: wire.Timestamp(doc.UpdatedAt),
	}
	if doc.ReviewedAt != nil {
		at := wire.Timestamp(*doc.ReviewedAt)
		out.ReviewedAt = &at
	}
	return out
}

// nonEmpty is an optional text for an answer: null when empty.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type documentListJSON struct {
	Documents []documentJSON `json:"documents"`
}

// documentID is the path's document id.
func documentID(c *gin.Context) string { return strings.TrimSpace(c.Param("documentUniqueId")) }

// listDocuments is Document List: the process's documents, newest first,
// each with its review state and the request item it answers.
func (h *Handlers) listDocuments(c *gin.Context) {
	list, err := h.svc.Documents.ListDocuments(c.Request.Context(), processID(c))
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	out := documentListJSON{Documents: make([]documentJSON, 0, len(list))}
	for _, doc := range list {
		out.Documents = append(out.Documents, d.document(doc))
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// getDocument is Document Get: the document with its content in Base64,
// streamed from the store (the answer's length is known beforehand).
func (h *Handlers) getDocument(c *gin.Context) {
	doc, content, err := h.svc.Documents.OpenDocument(c.Request.Context(), processID(c), documentID(c))
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	defer content.Close()
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	meta := wire.Encode(d.document(*doc))
	head := append(meta[:len(meta)-1:len(meta)-1], `,"content":"`...)
	tail := []byte(`"}`)
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Header("Content-Length", strconv.FormatInt(int64(len(head))+int64(base64.StdEncoding.EncodedLen(int(doc.Size)))+int64(len(tail)), 10))
	c.Status(http.StatusOK)
	w := c.Writer
	if _, err := w.Write(head); err != nil {
		return
	}
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if n, err := io.CopyN(enc, content, doc.Size); err != nil {
		// The answer is cut short (its length says so): the client sees a
		// broken answer, never a wrong one.
		if !wire.ClientGone(c, err) {
			h.log.Error("api document content failed", "err", err, "copied", n, "size", doc.Size,
				"route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
		}
		c.Abort()
		return
	}
	if err := enc.Close(); err != nil {
		return
	}
	_, _ = w.Write(tail)
}

// documentLimits are the upload limits of the service (its configuration),
// or the defaults when it does not say.
func (h *Handlers) documentLimits() models.DocumentLimits {
	if l, ok := h.svc.Documents.(interface{ DocumentLimits() models.DocumentLimits }); ok {
		return l.DocumentLimits().Limits()
	}
	return models.DocumentLimits{}.Limits()
}

// DocumentBodyLimit is the largest body of Create or Update for a
// document limit of max bytes: its Base64 (4 characters per 3 bytes), a
// sixteenth more for encoders that escape "/" as "\/", and the other
// fields' room.
func DocumentBodyLimit(max int64) int64 {
	b64 := int64(base64.StdEncoding.EncodedLen(int(max)))
	return b64 + b64/16 + maxFieldBytes
}

// readDocument limits, hashes (for Idempotency-Key) and reads the body of
// Create or Update, decoding the fields other than content into v.
func (h *Handlers) readDocument(c *gin.Context, v any) (documentBody, *wire.BodyHash, error) {
	max := h.documentLimits().MaxBytes
	wire.Limit(c, DocumentBodyLimit(max))
	sum := wire.HashBody(c)
	body, err := readDocumentBody(c.Request.Body, max, c.Request.ContentLength)
	if models.ErrorCode(err) == models.CodeTooLarge {
		c.Header("Connection", "close") // the rest of the body is not read
	}
	if err != nil {
		return body, nil, err
	}
	return body, sum, decodeStrict(body.fields, v)
}

// newDocumentJSON is Document Create's body without its content.
type newDocumentJSON struct {
	FileName             string `json:"fileName"`
	Title                string `json:"title"`
	DocumentTypeID       int    `json:"documentTypeId"`
	DocumentObservations string `json:"documentObservations"`
	BorrowerUniqueID     string `json:"borrowerUniqueId"`
	RequestItemUniqueID  string `json:"requestItemUniqueId"`
}

type createdDocumentJSON struct {
	OperationStatus  OperationStatus `json:"operationStatus"`
	DocumentUniqueID string          `json:"documentUniqueID"`
}

// createDocument is Document Create: an upload by a broker of the
// process's firm while the process takes documents. Idempotency-Key as for
// Process Create (the key's request is identified by the whole body, read
// once).
func (h *Handlers) createDocument(c *gin.Context) {
	var in newDocumentJSON
	body, sum, err := h.readDocument(c, &in)
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	id := processID(c)
	err = wire.CreateHashed(c, h.svc.Idempotency, sum, func(ctx context.Context) (models.StoredResponse, error) {
		var content io.Reader // absent: the service says it is required
		if body.present {
			content = body.content.reader() // afresh, should the call be retried
		}
		doc, err := h.svc.Documents.CreateDocument(ctx, id, models.NewDocument{
			FileName: in.FileName, Title: in.Title, Observations: in.DocumentObservations, DocumentTypeID: in.DocumentTypeID,
			BorrowerUUID: in.BorrowerUniqueID, RequestItemUUID: in.RequestItemUniqueID, Content: content,
		})
		if err != nil {
			return models.StoredResponse{}, err
		}
		return wire.Response(http.StatusCreated, createdDocumentJSON{OperationStatus: success(CodeDocumentCreated), DocumentUniqueID: doc.UUID}), nil
	})
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
	}
}

// documentUpdateJSON is Document Update's body without its content: what
// is absent (or empty) stays as it is.
type documentUpdateJSON struct {
	FileName             string `json:"fileName"`
	Title                string `json:"title"`
	DocumentTypeID       int    `json:"documentTypeId"`
	DocumentObservations string `json:"documentObservations"`
}

// updateDocument is Document Update: names and notes changed, or the file
// replaced (then the document waits for the bank's review again). An
// accepted document cannot change (409).
func (h *Handlers) updateDocument(c *gin.Context) {
	var in documentUpdateJSON
	body, _, err := h.readDocument(c, &in)
	if err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	up := models.DocumentUpdate{FileName: in.FileName, Title: in.Title, Observations: in.DocumentObservations, DocumentTypeID: in.DocumentTypeID}
	if body.present {
		up.Content = body.content.reader()
	}
	if _, err := h.svc.Documents.UpdateDocument(c.Request.Context(), processID(c), documentID(c), up); err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeDocumentUpdated)})
}

// deleteDocument is Document Delete: not once accepted (409).
func (h *Handlers) deleteDocument(c *gin.Context) {
	if err := h.svc.Documents.DeleteDocument(c.Request.Context(), processID(c), documentID(c)); err != nil {
		fail(c, h.log, CategoryDocument, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeDocumentDeleted)})
}
