package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Documents of a process (models.DocumentService): uploads, their
// replacement and deletion by the process's broker firm, reads by anyone
// who sees the process. A document is looked up within its process
// (process_id in the WHERE), so a document of another process answers like
// a missing one. Every change runs in one transaction that locks the
// process row, checks that it still AcceptsDocuments, and writes the
// change, the content (database store), the timeline row, the audit row
// and the process's last action date.
//
// The order of refusals is process work's: the caller's kind
// (CodeForbidden), a missing or foreign process or document (CodeNotFound),
// the process's status or the document's state (CodeConflict), a content
// over a limit (CodeTooLarge), then the input (CodeInvalid). A borrower or
// request item that is not the process's is invalid input (fields
// borrowerUniqueId, requestItemUniqueId), not a missing document.

var _ models.DocumentService = (*Store)(nil)

// documentConfig is where contents go and how large they may be.
type documentConfig struct {
	content models.ContentStore // nil: the database (DBContent)
	limits  models.DocumentLimits
}

// SetContentStore makes the store keep document contents in cs (nil: the
// database). Call it before the store serves.
func (s *Store) SetContentStore(cs models.ContentStore) { s.docs.content = cs }

// SetDocumentLimits sets the size limits of uploads (zero fields: the
// defaults). Call it before the store serves.
func (s *Store) SetDocumentLimits(l models.DocumentLimits) { s.docs.limits = l.Limits() }

// DocumentLimits are the size limits uploads are held to.
func (s *Store) DocumentLimits() models.DocumentLimits { return s.docs.limits.Limits() }

func (s *Store) contentStore() models.ContentStore {
	if s.docs.content != nil {
		return s.docs.content
	}
	return NewDBContent(s)
}

// uploader is the caller as a document's uploader: brokers only (their
// firm's processes).
func uploader(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, models.Unauthorized("not signed in")
	case !p.IsBroker() || p.FirmID == 0:
		return nil, models.Forbidden("documents are uploaded by the process's broker firm")
	}
	return p, nil
}

// reviewer is the caller as the bank: staff request and review documents.
func reviewer(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, models.Unauthorized("not signed in")
	case !p.IsStaff():
		return nil, models.Forbidden("documents are requested and reviewed by the bank")
	}
	return p, nil
}

// content is an upload's bytes, read and checked before the transaction
// (a slow client never holds the process's lock).
type content struct {
	data   []byte
	sha256 string
	typ    string
	err    error // CodeTooLarge or CodeInvalid (field "content")
}

// readContent reads r up to max bytes and one more: more is CodeTooLarge
// (what was read is dropped). The content is then sniffed and hashed.
func readContent(r io.Reader, max int64) content {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		var me *models.Error
		if errors.As(err, &me) {
			return content{err: me}
		}
		var v models.Validation
		v.Add("content", "document.content_unreadable", nil)
		return content{err: v.Err()}
	}
	if int64(len(data)) > max {
		return content{err: models.DocumentTooLarge(max)}
	}
	typ, err := models.SniffDocument(data)
	if err != nil {
		return content{err: err}
	}
	sum := sha256.Sum256(data)
	return content{data: data, sha256: hex.EncodeToString(sum[:]), typ: typ}
}

// documentRow is a document with the public ids of its borrower and
// request item.
type documentRow struct {
	models.Document `gorm:"embedded"`
	BorrowerRef     string
	ItemRef         string
}

func (r documentRow) document() models.Document {
	d := r.Document
	d.UUID = strings.ToLower(d.UUID)
	d.BorrowerUUID, d.RequestItemUUID = strings.ToLower(r.BorrowerRef), strings.ToLower(r.ItemRef)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if d.ReviewedAt != nil {
		at := d.ReviewedAt.UTC()
		d.ReviewedAt = &at
	}
	return d
}

// documents is the query of a process's documents with their references.
func documents(db *gorm.DB) *gorm.DB {
	return db.Table("documents").
		Select(`documents.*, COALESCE(CAST(b.uuid AS text), '') AS borrower_ref, COALESCE(CAST(ri.uuid AS text), '') AS item_ref`).
		Joins("LEFT JOIN borrowers b ON b.id = documents.borrower_id").
		Joins("LEFT JOIN document_request_items ri ON ri.id = documents.request_item_id")
}

// listDocuments is process processID's documents, newest first.
func listDocuments(db *gorm.DB, processID int64) ([]models.Document, error) {
	var rows []documentRow
	if err := documents(db).Where("documents.process_id = ?", processID).Order("documents.id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Document, len(rows))
	for i, r := range rows {
		out[i] = r.document()
	}
	return out, nil
}

// documentOf is document documentUUID of process p, CodeNotFound when it
// is not one of p's.
func documentOf(db *gorm.DB, p *models.Process, documentUUID string) (*models.Document, error) {
	if !validUUID(documentUUID) {
		return nil, models.NotFound("document")
	}
	var r documentRow
	if err := documents(db).Where("documents.process_id = ? AND documents.uuid = ?", p.ID, strings.ToLower(documentUUID)).
		Take(&r).Error; err != nil {
		return nil, translate(err, "document")
	}
	d := r.document()
	return &d, nil
}

// audited writes the audit row of a document operation by who.
func (s *Store) audited(tx *gorm.DB, who *models.Principal, action, processUUID, detail string, now time.Time) error {
	uid := who.UserID
	return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &uid, Action: action, Subject: processUUID,
		Outcome: "ok", Detail: detail}).Error
}

// ListDocuments implements models.DocumentService: newest first.
func (s *Store) ListDocuments(ctx context.Context, processUUID string) ([]models.Document, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	out, err := listDocuments(db, p.ID)
	if err != nil {
		return nil, translate(err, "documents")
	}
	return out, nil
}

// GetDocument implements models.DocumentService.
func (s *Store) GetDocument(ctx context.Context, processUUID, documentUUID string) (*models.Document, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	return documentOf(db, p, documentUUID)
}

// OpenDocument implements models.DocumentService.
func (s *Store) OpenDocument(ctx context.Context, processUUID, documentUUID string) (*models.Document, io.ReadCloser, error) {
	d, err := s.GetDocument(ctx, processUUID, documentUUID)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.contentStore().Open(ctx, d.ContentSHA256)
	if err != nil {
		return nil, nil, err
	}
	return d, rc, nil
}

// acceptingProcess locks the caller's process for a document change:
// CodeNotFound, or CodeConflict once it no longer AcceptsDocuments.
func (s *Store) acceptingProcess(ctx context.Context, tx *gorm.DB, processUUID string) (*models.Process, error) {
	p, err := s.scopedProcess(ctx, tx, processUUID, true)
	if err != nil {
		return nil, err
	}
	if !models.AcceptsDocuments(p.StatusID) {
		return nil, models.NotAcceptingDocuments()
	}
	return p, nil
}

// storeContent checks c against the process's total (without the document
// except, when replacing) and stores it.
func (s *Store) storeContent(ctx context.Context, tx *gorm.DB, p *models.Process, c content, except int64) error {
	limits := s.DocumentLimits()
	var total int64
	if err := tx.Raw("SELECT COALESCE(SUM(size), 0) FROM documents WHERE process_id = ? AND id <> ?", p.ID, except).
		Row().Scan(&total); err != nil {
		return err
	}
	if total+int64(len(c.data)) > limits.MaxProcessBytes {
		return models.ProcessDocumentsTooLarge(limits.MaxProcessBytes)
	}
	return s.contentStore().Put(ctx, c.sha256, c.typ, c.data)
}

// requestItemRow is a request item with its request's state.
type requestItemRow struct {
	models.DocumentRequestItem `gorm:"embedded"`
	ProcessID                  int64
	ResolvedAt                 *time.Time
}

// requestItemOf is request item itemUUID of process p (CodeNotFound when
// it is not one of p's).
func requestItemOf(db *gorm.DB, p *models.Process, itemUUID string) (*models.DocumentRequestItem, error) {
	if !validUUID(itemUUID) {
		return nil, models.NotFound("document request")
	}
	var it models.DocumentRequestItem
	if err := db.Table("document_request_items").Select("document_request_items.*").
		Joins("JOIN document_requests r ON r.id = document_request_items.request_id").
		Where("r.process_id = ? AND document_request_items.uuid = ?", p.ID, strings.ToLower(itemUUID)).Take(&it).Error; err != nil {
		return nil, translate(err, "document request")
	}
	it.UUID = strings.ToLower(it.UUID)
	return &it, nil
}

// openItemFor is the oldest item of an open request of p asking for
// documents of type typ (and borrower, nil for the process) that no
// document answers yet but a rejected one: what an upload that names no
// request item answers.
func openItemFor(db *gorm.DB, p *models.Process, typ int, borrower *int64) (*models.DocumentRequestItem, error) {
	q := db.Table("document_request_items").Select("document_request_items.*").
		Joins("JOIN document_requests r ON r.id = document_request_items.request_id").
		Where("r.process_id = ? AND r.resolved_at IS NULL AND document_request_items.document_type_id = ?", p.ID, typ).
		Where(`NOT EXISTS (SELECT 1 FROM documents d WHERE d.request_item_id = document_request_items.id AND d.state <> ?)`,
			string(models.DocumentRejected))
	if borrower != nil {
		q = q.Where("document_request_items.borrower_id = ?", *borrower)
	} else {
		q = q.Where("document_request_items.borrower_id IS NULL")
	}
	var items []models.DocumentRequestItem
	if err := q.Order("document_request_items.id").Limit(1).Find(&items).Error; err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, nil
	}
	items[0].UUID = strings.ToLower(items[0].UUID)
	return &items[0], nil
}

// CreateDocument implements models.DocumentService.
func (s *Store) CreateDocument(ctx context.Context, processUUID string, in models.NewDocument) (*models.Document, error) {
	who, err := uploader(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t)
	var c content
	if in.Content != nil {
		c = readContent(in.Content, s.DocumentLimits().MaxBytes)
	}
	var out *models.Document
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.acceptingProcess(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		if c.err != nil && models.ErrorCode(c.err) != models.CodeInvalid {
			return c.err // over the limit, or the reader's own refusal
		}
		now := s.now()
		doc := models.Document{UUID: newUUID(), ProcessID: p.ID, DocumentTypeID: in.DocumentTypeID, FileName: in.FileName,
			Title: in.Title, Observations: in.Observations, State: models.DocumentUploaded, CreatedAt: now, UpdatedAt: now}
		var v models.Validation
		if in.RequestItemUUID != "" {
			it, err := requestItemOf(tx, p, in.RequestItemUUID)
			switch {
			case models.ErrorCode(err) == models.CodeNotFound:
				v.Add("requestItemUniqueId", "document.item_unknown", models.Args{"Field": "requestItemUniqueId"})
			case err != nil:
				return err
			default:
				doc.RequestItemID, doc.RequestItemUUID = &it.ID, it.UUID
				if doc.DocumentTypeID == 0 {
					doc.DocumentTypeID = it.DocumentTypeID
				}
				if in.BorrowerUUID == "" && it.BorrowerID != nil {
					doc.BorrowerID = it.BorrowerID
				}
			}
		}
		if in.BorrowerUUID != "" {
			b, err := borrowerOf(tx, p, in.BorrowerUUID)
			switch {
			case models.ErrorCode(err) == models.CodeNotFound:
				v.Add("borrowerUniqueId", "document.borrower_unknown", models.Args{"Field": "borrowerUniqueId"})
			case err != nil:
				return err
			default:
				doc.BorrowerID, doc.BorrowerUUID = &b.ID, b.UUID
			}
		}
		if c.err != nil {
			invalid = withFields(invalid, models.Validation{Fields: models.AsError(c.err).Fields})
		}
		if err := withFields(invalid, v); err != nil {
			return err
		}
		if doc.RequestItemID == nil {
			it, err := openItemFor(tx, p, doc.DocumentTypeID, doc.BorrowerID)
			if err != nil {
				return err
			}
			if it != nil {
				doc.RequestItemID, doc.RequestItemUUID = &it.ID, it.UUID
			}
		}
		if err := s.storeContent(ctx, tx, p, c, 0); err != nil {
			return err
		}
		doc.ContentSHA256, doc.ContentType, doc.Size = c.sha256, c.typ, int64(len(c.data))
		uid := who.UserID
		doc.UploadedByID, doc.UploadedByName = &uid, who.Name
		if err := tx.Create(&doc).Error; err != nil {
			return err
		}
		if doc.BorrowerID != nil && doc.BorrowerUUID == "" {
			if err := tx.Raw("SELECT CAST(uuid AS text) FROM borrowers WHERE id = ?", *doc.BorrowerID).Row().Scan(&doc.BorrowerUUID); err != nil {
				return err
			}
			doc.BorrowerUUID = strings.ToLower(doc.BorrowerUUID)
		}
		if err := s.edited(tx, p, who, models.EditDocumentUploaded, doc.FileName, nil, now); err != nil {
			return err
		}
		if err := s.audited(tx, who, models.AuditDocumentUploaded, p.UUID, "document "+doc.UUID, now); err != nil {
			return err
		}
		out = &doc
		return nil
	})
	if err != nil {
		return nil, translate(err, "document")
	}
	return out, nil
}

// UpdateDocument implements models.DocumentService.
func (s *Store) UpdateDocument(ctx context.Context, processUUID, documentUUID string, in models.DocumentUpdate) (*models.Document, error) {
	who, err := uploader(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t)
	var c content
	if in.Content != nil {
		c = readContent(in.Content, s.DocumentLimits().MaxBytes)
	}
	var out *models.Document
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.acceptingProcess(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		doc, err := documentOf(tx, p, documentUUID)
		if err != nil {
			return err
		}
		if doc.State == models.DocumentAccepted {
			return models.DocumentAcceptedFinal()
		}
		if c.err != nil && models.ErrorCode(c.err) != models.CodeInvalid {
			return c.err // over the limit, or the reader's own refusal
		}
		if c.err != nil {
			invalid = withFields(invalid, models.Validation{Fields: models.AsError(c.err).Fields})
		}
		if invalid != nil {
			return invalid
		}
		now := s.now()
		if in.FileName != "" {
			doc.FileName = in.FileName
		}
		if in.Title != "" {
			doc.Title = in.Title
		}
		if in.Observations != "" {
			doc.Observations = in.Observations
		}
		if in.DocumentTypeID != 0 {
			doc.DocumentTypeID = in.DocumentTypeID
		}
		set := map[string]any{"file_name": doc.FileName, "title": doc.Title, "observations": doc.Observations,
			"document_type_id": doc.DocumentTypeID, "updated_at": now}
		what, action := "", models.AuditDocumentUpdated
		if in.Content != nil {
			if err := s.storeContent(ctx, tx, p, c, doc.ID); err != nil {
				return err
			}
			uid := who.UserID
			doc.ContentSHA256, doc.ContentType, doc.Size = c.sha256, c.typ, int64(len(c.data))
			doc.State, doc.RejectReason, doc.ReviewedByName, doc.ReviewedAt = models.DocumentUploaded, "", "", nil
			doc.UploadedByID, doc.UploadedByName = &uid, who.Name
			for k, v := range map[string]any{"content_sha256": c.sha256, "content_type": c.typ, "size": doc.Size,
				"state": string(models.DocumentUploaded), "reject_reason": "", "reviewed_by_name": "", "reviewed_at": nil,
				"uploaded_by_user_id": uid, "uploaded_by_name": who.Name} {
				set[k] = v
			}
			what, action = models.EditDocumentReplaced, models.AuditDocumentReplaced
		}
		if err := tx.Table("documents").Where("id = ?", doc.ID).Updates(set).Error; err != nil {
			return err
		}
		doc.UpdatedAt = now
		if what != "" {
			err = s.edited(tx, p, who, what, doc.FileName, nil, now)
		} else {
			err = tx.Exec("UPDATE processes SET last_action_at = ?, updated_at = ? WHERE id = ?", now, now, p.ID).Error
		}
		if err != nil {
			return err
		}
		if err := s.audited(tx, who, action, p.UUID, "document "+doc.UUID, now); err != nil {
			return err
		}
		out = doc
		return nil
	})
	if err != nil {
		return nil, translate(err, "document")
	}
	return out, nil
}

// DeleteDocument implements models.DocumentService. The content stays in
// its store (another document may have the same).
func (s *Store) DeleteDocument(ctx context.Context, processUUID, documentUUID string) error {
	who, err := uploader(ctx)
	if err != nil {
		return err
	}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.acceptingProcess(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		doc, err := documentOf(tx, p, documentUUID)
		if err != nil {
			return err
		}
		if doc.State == models.DocumentAccepted {
			return models.DocumentAcceptedFinal()
		}
		if err := tx.Exec("DELETE FROM documents WHERE id = ?", doc.ID).Error; err != nil {
			return err
		}
		now := s.now()
		if err := s.edited(tx, p, who, models.EditDocumentDeleted, doc.FileName, nil, now); err != nil {
			return err
		}
		return s.audited(tx, who, models.AuditDocumentDeleted, p.UUID, "document "+doc.UUID, now)
	})
	return translate(err, "document")
}
