package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// The bank's requests for documents, its reviews and the checklist
// (models.DocumentService). A request and its thread message, a review and
// the resolution it may complete (with its message) are each one
// transaction with their timeline, audit and outbox rows.

// RequestDocuments implements models.DocumentService: staff only.
func (s *Store) RequestDocuments(ctx context.Context, processUUID string, in models.DocumentRequestInput) (*models.DocumentRequest, error) {
	who, err := reviewer(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t)
	var out *models.DocumentRequest
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.acceptingProcess(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		var bs []models.Borrower
		if err := tx.Select("id, uuid, name").Where("process_id = ?", p.ID).Find(&bs).Error; err != nil {
			return err
		}
		byUUID := map[string]models.Borrower{}
		for _, b := range bs {
			byUUID[strings.ToLower(b.UUID)] = b
		}
		var v models.Validation
		now := s.now()
		uid := who.UserID
		req := models.DocumentRequest{UUID: newUUID(), ProcessID: p.ID, Note: in.Note, RequestedByID: &uid,
			RequestedByName: who.Name, CreatedAt: now}
		items := make([]models.DocumentRequestItem, len(in.Items))
		lines := make([]models.RequestLine, len(in.Items))
		for i, it := range in.Items {
			items[i] = models.DocumentRequestItem{UUID: newUUID(), DocumentTypeID: it.DocumentTypeID, Note: it.Note}
			lines[i] = models.RequestLine{DocumentTypeID: it.DocumentTypeID, Note: it.Note}
			if it.BorrowerUUID == "" {
				continue
			}
			b, ok := byUUID[it.BorrowerUUID]
			if !ok {
				f := "items[" + strconv.Itoa(i) + "].borrowerUniqueId"
				v.Add(f, "document.borrower_unknown", models.Args{"Field": f})
				continue
			}
			id := b.ID
			items[i].BorrowerID, lines[i].BorrowerName = &id, b.Name
		}
		if err := withFields(invalid, v); err != nil {
			return err
		}
		if err := tx.Create(&req).Error; err != nil {
			return err
		}
		for i := range items {
			items[i].RequestID = req.ID
		}
		if err := tx.Create(&items).Error; err != nil {
			return err
		}
		if err := s.edited(tx, p, who, models.EditDocumentsRequested, strconv.Itoa(len(items)), nil, now); err != nil {
			return err
		}
		if err := s.audited(tx, who, models.AuditDocumentsRequested, p.UUID, "request "+req.UUID, now); err != nil {
			return err
		}
		ev := models.Event{Kind: models.EventDocumentsRequested, OccurredAt: now, BankID: p.BankID, BrokerID: p.BrokerID,
			ProcessUUID: p.UUID, DocumentRequestUUID: req.UUID}
		if err := s.emit(ctx, tx, ev, true); err != nil {
			return err
		}
		if _, err := s.PostMessage(ctx, p.UUID, models.DocumentRequestMessage(t, who.Language, req.Note, lines)); err != nil {
			return err
		}
		out = &req
		return nil
	})
	if err != nil {
		return nil, translate(err, "document request")
	}
	return out, nil
}

// requestState is an item of a request with the state of its latest
// document and its borrower's name.
type requestState struct {
	ID             int64
	RequestID      int64
	DocumentTypeID int
	BorrowerName   string
	Note           string
	State          string
}

// requestStatesSQL is every item of the open request that item ? belongs
// to, with its latest document's state ("missing" without one).
const requestStatesSQL = `SELECT i.id, i.request_id, i.document_type_id, COALESCE(b.name, '') AS borrower_name, i.note,
	COALESCE((SELECT d.state FROM documents d WHERE d.request_item_id = i.id ORDER BY d.id DESC LIMIT 1), 'missing') AS state
FROM document_request_items i
JOIN document_requests r ON r.id = i.request_id AND r.resolved_at IS NULL
LEFT JOIN borrowers b ON b.id = i.borrower_id
WHERE i.request_id = (SELECT request_id FROM document_request_items WHERE id = ?)
ORDER BY i.id`

// ReviewDocument implements models.DocumentService: staff only, on a
// document waiting for review.
func (s *Store) ReviewDocument(ctx context.Context, processUUID, documentUUID string, in models.DocumentReview) (*models.Document, error) {
	who, err := reviewer(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate()
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
		if doc.State != models.DocumentUploaded {
			return models.DocumentNotWaiting()
		}
		if invalid != nil {
			return invalid
		}
		now := s.now()
		doc.State, doc.RejectReason, doc.ReviewedByName, doc.ReviewedAt, doc.UpdatedAt = models.DocumentRejected, in.Reason, who.Name, &now, now
		what := models.EditDocumentRejected
		if in.Accept {
			doc.State, what = models.DocumentAccepted, models.EditDocumentAccepted
		}
		if err := tx.Exec("UPDATE documents SET state = ?, reject_reason = ?, reviewed_by_name = ?, reviewed_at = ?, updated_at = ? WHERE id = ?",
			string(doc.State), doc.RejectReason, doc.ReviewedByName, now, now, doc.ID).Error; err != nil {
			return err
		}
		if err := s.edited(tx, p, who, what, doc.FileName, nil, now); err != nil {
			return err
		}
		if err := s.audited(tx, who, models.AuditDocumentReviewed, p.UUID, "document "+doc.UUID+" "+string(doc.State), now); err != nil {
			return err
		}
		if in.Accept && doc.RequestItemID != nil {
			if err := s.resolveRequest(ctx, tx, t, p, who, *doc.RequestItemID, now); err != nil {
				return err
			}
		}
		out = doc
		return nil
	})
	if err != nil {
		return nil, translate(err, "document")
	}
	return out, nil
}

// resolveRequest resolves the open request of item itemID when every one
// of its items' latest document is accepted: resolved_at, the timeline row
// and the bank's thread message.
func (s *Store) resolveRequest(ctx context.Context, tx *gorm.DB, t *models.Taxonomy, p *models.Process, who *models.Principal,
	itemID int64, now time.Time) error {
	var items []requestState
	if err := tx.Raw(requestStatesSQL, itemID).Find(&items).Error; err != nil {
		return err
	}
	if len(items) == 0 {
		return nil // resolved already
	}
	lines := make([]models.RequestLine, len(items))
	for i, it := range items {
		if models.DocumentState(it.State) != models.DocumentAccepted {
			return nil
		}
		lines[i] = models.RequestLine{DocumentTypeID: it.DocumentTypeID, BorrowerName: it.BorrowerName}
	}
	res := tx.Exec("UPDATE document_requests SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL", now, items[0].RequestID)
	if res.Error != nil || res.RowsAffected != 1 {
		return res.Error
	}
	if err := s.edited(tx, p, who, models.EditDocumentsResolved, strconv.Itoa(len(items)), nil, now); err != nil {
		return err
	}
	_, err := s.PostMessage(ctx, p.UUID, models.DocumentsResolvedMessage(t, who.Language, lines))
	return err
}

// checklistRow is a request item with its request, as the checklist reads
// them in one statement.
type checklistRow struct {
	models.DocumentRequestItem `gorm:"embedded"`
	RequestUUID                string
	RequestNote                string
	RequestedByID              *int64 `gorm:"column:requested_by_user_id"`
	RequestedByName            string
	RequestCreatedAt           time.Time
	ResolvedAt                 *time.Time
}

// Checklist implements models.DocumentService: anyone who sees the
// process. Four statements: the process, its borrowers, its documents, its
// requests with their items.
func (s *Store) Checklist(ctx context.Context, processUUID string) (*models.DocumentChecklist, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	var in models.ChecklistInput
	if err := db.Where("process_id = ?", p.ID).Order("borrower_type_id, id").Find(&in.Borrowers).Error; err != nil {
		return nil, translate(err, "borrowers")
	}
	utcBorrowers(in.Borrowers)
	if in.Documents, err = listDocuments(db, p.ID); err != nil {
		return nil, translate(err, "documents")
	}
	var rows []checklistRow
	if err := db.Table("document_request_items").
		Select(`document_request_items.*, CAST(r.uuid AS text) AS request_uuid, r.note AS request_note, r.requested_by_user_id,
			r.requested_by_name, r.created_at AS request_created_at, r.resolved_at`).
		Joins("JOIN document_requests r ON r.id = document_request_items.request_id").
		Where("r.process_id = ?", p.ID).Order("document_request_items.id").Find(&rows).Error; err != nil {
		return nil, translate(err, "document requests")
	}
	seen := map[int64]bool{}
	for _, r := range rows {
		it := r.DocumentRequestItem
		it.UUID = strings.ToLower(it.UUID)
		in.Items = append(in.Items, it)
		if seen[it.RequestID] {
			continue
		}
		seen[it.RequestID] = true
		req := models.DocumentRequest{ID: it.RequestID, UUID: strings.ToLower(r.RequestUUID), ProcessID: p.ID, Note: r.RequestNote,
			RequestedByID: r.RequestedByID, RequestedByName: r.RequestedByName, CreatedAt: r.RequestCreatedAt.UTC()}
		if r.ResolvedAt != nil {
			at := r.ResolvedAt.UTC()
			req.ResolvedAt = &at
		}
		in.Requests = append(in.Requests, req)
	}
	out := models.BuildChecklist(in)
	return &out, nil
}
