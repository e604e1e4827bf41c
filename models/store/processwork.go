package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// Process work (models.ProcessWorkService): creating and editing processes,
// their borrowers and property, submitting, cancelling and the bank's
// decisions. Every change runs in one transaction (transact: a savepoint of
// ctx's when there is one, so Idempotency-Key works) that locks the process
// row first (SELECT ... FOR UPDATE on PostgreSQL; SQLite's transactions hold
// the database's write lock from BEGIN), checks its status under that lock,
// writes the change, its timeline row (process_events or
// process_status_changes) and the process's last action date.
//
// The order of refusals: the caller's kind (CodeForbidden), then a process
// or child that is missing or not the caller's (CodeNotFound), then the
// process's status (CodeConflict), then the input (CodeInvalid).

var _ models.ProcessWorkService = (*Store)(nil)

// firstProcessNumber is the number of a bank's first process (numbers have
// six digits from the start, as the bank's own do).
const firstProcessNumber = 100001

// createAttempts bounds CreateProcess's retries when two creations took the
// same next process number at once (the UNIQUE (bank_id, process_number)
// refuses the second, which reads the next one again).
const createAttempts = 8

// editor is the caller as a process's editor: brokers only (their firm's
// processes); staff decide, they do not edit.
func editor(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, models.Unauthorized("not signed in")
	case !p.IsBroker() || p.FirmID == 0:
		return nil, models.Forbidden("processes are created and edited by their broker firm")
	}
	return p, nil
}

// actor is the caller's name and side for timeline rows.
func actor(p *models.Principal) models.AuthorKind {
	kind, _ := models.AuthorKindOf(p)
	return kind
}

func (s *Store) today() string { return s.now().Format(time.DateOnly) }

// scopedProcess is the process processUUID in the caller's scope, locked
// for the transaction when lock is set; CodeNotFound when it is missing or
// not the caller's.
func (s *Store) scopedProcess(ctx context.Context, db *gorm.DB, processUUID string, lock bool) (*models.Process, error) {
	q, err := processScope(ctx, db.Table("processes"))
	if err != nil {
		return nil, err
	}
	if !validUUID(processUUID) {
		return nil, models.NotFound("process")
	}
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var p models.Process
	if err := q.Where("processes.uuid = ?", strings.ToLower(processUUID)).Take(&p).Error; err != nil {
		return nil, translate(err, "process")
	}
	utcProcess(&p)
	return &p, nil
}

func utcProcess(p *models.Process) {
	p.UUID = strings.ToLower(p.UUID)
	p.CreatedAt, p.LastActionAt, p.UpdatedAt = p.CreatedAt.UTC(), p.LastActionAt.UTC(), p.UpdatedAt.UTC()
}

// editable locks the caller's process for an edit: CodeNotFound, or
// CodeConflict when it is no longer "In creation".
func (s *Store) editable(ctx context.Context, tx *gorm.DB, processUUID string) (*models.Process, error) {
	p, err := s.scopedProcess(ctx, tx, processUUID, true)
	if err != nil {
		return nil, err
	}
	if p.StatusID != models.StatusInCreation {
		return nil, models.NotInCreation()
	}
	return p, nil
}

// edited records an edit of process p: its timeline row and its last
// action date; key, when not nil, is the key borrower as written, whose
// name and tax id the process row copies (the list shows them without a
// join).
func (s *Store) edited(tx *gorm.DB, p *models.Process, who *models.Principal, what, subject string, key *models.Borrower,
	now time.Time) error {
	uid := who.UserID
	ev := models.ProcessEvent{ProcessID: p.ID, What: what, Subject: subject, ActorUserID: &uid, ActorName: who.Name,
		ActorKind: actor(who), CreatedAt: now}
	if err := tx.Create(&ev).Error; err != nil {
		return err
	}
	p.LastActionAt, p.UpdatedAt = now, now
	if key != nil {
		p.KeyBorrowerName, p.KeyBorrowerTaxID = key.Name, key.TaxID
		return tx.Exec("UPDATE processes SET last_action_at = ?, updated_at = ?, key_borrower_name = ?, key_borrower_tax_id = ? WHERE id = ?",
			now, now, key.Name, key.TaxID, p.ID).Error
	}
	return tx.Exec("UPDATE processes SET last_action_at = ?, updated_at = ? WHERE id = ?", now, now, p.ID).Error
}

// moveStatus moves p to status to, guarded: the UPDATE matches only while
// the process is still in the status read under the lock (CodeConflict
// otherwise). It writes the status change row and records the domain
// event (outbox row in the same transaction).
func (s *Store) moveStatus(ctx context.Context, tx *gorm.DB, p *models.Process, who *models.Principal, to, reasonID int,
	comment string, now time.Time) error {
	res := tx.Exec("UPDATE processes SET status_id = ?, last_action_at = ?, updated_at = ? WHERE id = ? AND status_id = ?",
		to, now, now, p.ID, p.StatusID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return models.ProcessMoved()
	}
	from := p.StatusID
	uid := who.UserID
	row := models.ProcessStatusChange{ProcessID: p.ID, FromStatus: &from, ToStatus: to, ActorUserID: &uid,
		ActorName: who.Name, ActorKind: actor(who), Comment: comment, CreatedAt: now}
	if reasonID != 0 {
		row.ReasonID = &reasonID
	}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	p.StatusID, p.LastActionAt, p.UpdatedAt = to, now, now
	return s.emit(ctx, tx, statusEvent(p, from, to, now), true)
}

func statusEvent(p *models.Process, from, to int, now time.Time) models.Event {
	return models.Event{Kind: models.EventProcessStatusChanged, OccurredAt: now, BankID: p.BankID, BrokerID: p.BrokerID,
		ProcessUUID: p.UUID, FromStatusID: from, ToStatusID: to}
}

// CreateProcess implements models.ProcessWorkService.
func (s *Store) CreateProcess(ctx context.Context, in models.ProcessInput) (*models.Process, error) {
	who, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.SimulationUUID) != "" {
		// The simulation's loan data wins over the input's (simconvert.go).
		return s.createFromSimulation(ctx, who, in)
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	if in, err = in.Validate(t); err != nil {
		return nil, err
	}
	var out *models.Process
	err = s.createWithNumber(ctx, func(ctx context.Context, tx *gorm.DB) error {
		now := s.now()
		p := models.Process{BranchID: in.BranchID, LoanAmountCents: in.LoanAmountCents, LoanDurationMonths: in.LoanDurationMonths,
			ProductSchemeID: in.ProductSchemeID, LoanPurposeID: in.LoanPurposeID, ProductPurposeID: in.ProductPurposeID,
			HasCrossSelling: in.HasCrossSelling}
		if err := s.openProcess(ctx, tx, who, &p, now); err != nil {
			return err
		}
		out = &p
		return nil
	})
	if err != nil {
		return nil, translate(err, "process")
	}
	return out, nil
}

// createWithNumber runs fn, a transaction taking the next process number,
// again when another creation took the same number at once (the UNIQUE
// (bank_id, process_number) refuses the second, which reads the next one).
func (s *Store) createWithNumber(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.transact(ctx, fn)
		if errors.Is(err, gorm.ErrDuplicatedKey) && attempt < createAttempts {
			continue
		}
		return err
	}
}

// openProcess writes p (its loan data set) as a new process "In creation"
// of who's firm in tx: the bank's next process number, an empty property,
// the creation's status row and its event.
func (s *Store) openProcess(ctx context.Context, tx *gorm.DB, who *models.Principal, p *models.Process, now time.Time) error {
	var next int64
	if err := tx.Raw("SELECT COALESCE(MAX(process_number), ?) + 1 FROM processes WHERE bank_id = ?",
		firstProcessNumber-1, who.BankID).Row().Scan(&next); err != nil {
		return err
	}
	uid := who.UserID
	p.UUID, p.BankID, p.BrokerID, p.ProcessNumber = newUUID(), who.BankID, who.FirmID, next
	p.StatusID, p.CreatedByUserID, p.CreatedAt, p.LastActionAt, p.UpdatedAt = models.StatusInCreation, &uid, now, now, now
	if err := tx.Create(p).Error; err != nil {
		return err
	}
	prop := models.Property{UUID: newUUID(), ProcessID: p.ID, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&prop).Error; err != nil {
		return err
	}
	row := models.ProcessStatusChange{ProcessID: p.ID, ToStatus: models.StatusInCreation, ActorUserID: &uid,
		ActorName: who.Name, ActorKind: actor(who), CreatedAt: now}
	if err := tx.Create(&row).Error; err != nil {
		return err
	}
	return s.emit(ctx, tx, statusEvent(p, 0, models.StatusInCreation, now), true)
}

// UpdateProcess implements models.ProcessWorkService.
func (s *Store) UpdateProcess(ctx context.Context, processUUID string, in models.ProcessInput) (*models.Process, error) {
	who, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t)
	var out *models.Process
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.editable(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		if invalid != nil {
			return invalid
		}
		now := s.now()
		if err := tx.Exec(`UPDATE processes SET loan_amount_cents = ?, loan_duration_months = ?, product_scheme_id = ?,
			loan_purpose_id = ?, product_purpose_id = ?, has_cross_selling = ?, branch_id = ? WHERE id = ?`,
			in.LoanAmountCents, in.LoanDurationMonths, in.ProductSchemeID, in.LoanPurposeID, in.ProductPurposeID,
			in.HasCrossSelling, in.BranchID, p.ID).Error; err != nil {
			return err
		}
		p.LoanAmountCents, p.LoanDurationMonths, p.ProductSchemeID = in.LoanAmountCents, in.LoanDurationMonths, in.ProductSchemeID
		p.LoanPurposeID, p.ProductPurposeID, p.HasCrossSelling, p.BranchID = in.LoanPurposeID, in.ProductPurposeID, in.HasCrossSelling, in.BranchID
		if err := s.edited(tx, p, who, models.EditProcessUpdated, "", nil, now); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, translate(err, "process")
	}
	return out, nil
}

// SubmitProcess implements models.ProcessWorkService.
func (s *Store) SubmitProcess(ctx context.Context, processUUID string) (*models.Process, error) {
	who, err := editor(ctx)
	if err != nil {
		return nil, err
	}
	var out *models.Process
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.editable(ctx, tx, processUUID)
		if err != nil {
			return err
		}
		check, err := s.submitCheck(tx, p)
		if err != nil {
			return err
		}
		if err := check.Err(); err != nil {
			return err
		}
		if err := s.moveStatus(ctx, tx, p, who, models.StatusSubmitted, 0, "", s.now()); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, translate(err, "process")
	}
	return out, nil
}

// submitCheck runs CheckSubmitRules on p's children.
func (s *Store) submitCheck(db *gorm.DB, p *models.Process) (models.SubmitCheck, error) {
	var bs []models.Borrower
	if err := db.Where("process_id = ?", p.ID).Order("borrower_type_id, id").Find(&bs).Error; err != nil {
		return nil, err
	}
	var props []models.Property
	if err := db.Where("process_id = ?", p.ID).Order("id").Limit(1).Find(&props).Error; err != nil {
		return nil, err
	}
	var prop *models.Property
	if len(props) > 0 {
		prop = &props[0]
	}
	return models.CheckSubmitRules(*p, bs, prop, s.today()), nil
}

// CheckSubmit implements models.ProcessWorkService: anyone who may see the
// process may ask.
func (s *Store) CheckSubmit(ctx context.Context, processUUID string) (models.SubmitCheck, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	check, err := s.submitCheck(db, p)
	if err != nil {
		return nil, translate(err, "process")
	}
	return check, nil
}

// CancelProcess implements models.ProcessWorkService.
func (s *Store) CancelProcess(ctx context.Context, processUUID string, in models.CancelInput) (*models.Process, error) {
	who := models.PrincipalFrom(ctx)
	if _, _, err := processScopeCond(ctx); err != nil {
		return nil, err
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t)
	var out *models.Process
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.scopedProcess(ctx, tx, processUUID, true)
		if err != nil {
			return err
		}
		if !models.CanMove(p.StatusID, models.StatusCancelled, who.Kind) {
			return models.MoveNotAllowed()
		}
		if invalid != nil {
			return invalid
		}
		if err := s.moveStatus(ctx, tx, p, who, models.StatusCancelled, in.ReasonID, in.Comment, s.now()); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, translate(err, "process")
	}
	return out, nil
}

// MoveProcess implements models.ProcessWorkService.
func (s *Store) MoveProcess(ctx context.Context, processUUID string, in models.ProcessTransition) (*models.Process, error) {
	who := models.PrincipalFrom(ctx)
	switch {
	case who == nil:
		return nil, models.Unauthorized("not signed in")
	case !who.IsStaff():
		return nil, models.Forbidden("the bank decides processes")
	}
	t, err := s.Taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	in, invalid := in.Validate(t)
	var out *models.Process
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		p, err := s.scopedProcess(ctx, tx, processUUID, true)
		if err != nil {
			return err
		}
		if in.FromStatusID != 0 && in.FromStatusID != p.StatusID {
			return models.ProcessMoved()
		}
		if models.ValidStatus(in.ToStatusID) && !models.CanMove(p.StatusID, in.ToStatusID, who.Kind) {
			return models.MoveNotAllowed()
		}
		if invalid != nil {
			return invalid
		}
		if err := s.moveStatus(ctx, tx, p, who, in.ToStatusID, in.ReasonID, in.Comment, s.now()); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, translate(err, "process")
	}
	return out, nil
}
