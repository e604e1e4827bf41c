package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// The mail queue (migration 00008): QueueMail writes a mail in the
// transaction of the change that causes it; MailSender delivers the
// committed ones in the background, retrying with backoff.

// mailRow is a row of mail_outbox.
type mailRow struct {
	ID            int64
	ToAddr        string
	Subject       string
	BodyText      string
	BodyHTML      string `gorm:"column:body_html"`
	Lang          string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

func (mailRow) TableName() string { return "mail_outbox" }

// mailAttachmentRow is a row of mail_attachments (migration 00020): a file
// that goes with a queued mail, written in the mail's transaction.
type mailAttachmentRow struct {
	MailID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Ordinal     int   `gorm:"primaryKey;autoIncrement:false"`
	Name        string
	ContentType string
	Data        []byte
}

func (mailAttachmentRow) TableName() string { return "mail_attachments" }

// Statuses of a queued mail.
const (
	MailPending = "pending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// QueueMail adds m to the mail queue on tx: the transaction of the change
// that causes the mail, so it is sent only if that change commits (and is
// then sent even if the process stops right after COMMIT).
func QueueMail(tx *gorm.DB, m models.Mail) error {
	return queueMail(tx, m, time.Now())
}

// queueMail is QueueMail with the store's clock (the sender compares the
// mail's next attempt with it).
func queueMail(tx *gorm.DB, m models.Mail, now time.Time) error {
	if err := m.Validate(); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	row := mailRow{ToAddr: strings.TrimSpace(m.To), Subject: m.Subject, BodyText: m.Text, BodyHTML: m.HTML,
		Lang: m.Lang, Status: MailPending, NextAttemptAt: now, CreatedAt: now}
	if err := tx.Create(&row).Error; err != nil {
		return translate(err, "mail")
	}
	for i, a := range m.Attachments {
		att := mailAttachmentRow{MailID: row.ID, Ordinal: i + 1, Name: a.Name, ContentType: a.ContentType, Data: a.Data}
		if err := tx.Create(&att).Error; err != nil {
			return translate(err, "mail")
		}
	}
	return nil
}

// mailAttachments loads the attachments of mail id, in order.
func mailAttachments(db *gorm.DB, id int64) ([]models.MailAttachment, error) {
	var rows []mailAttachmentRow
	if err := db.Where("mail_id = ?", id).Order("ordinal").Find(&rows).Error; err != nil {
		return nil, err
	}
	var out []models.MailAttachment
	for _, r := range rows {
		out = append(out, models.MailAttachment{Name: r.Name, ContentType: r.ContentType, Data: r.Data})
	}
	return out, nil
}

// QueuedMail is a row of the queue as tests and operators see it.
type QueuedMail struct {
	ID        int64
	Mail      models.Mail
	Status    string
	Attempts  int
	LastError string
}

// QueuedMails lists the queue, oldest first (tests, operators).
func (s *Store) QueuedMails(ctx context.Context) ([]QueuedMail, error) {
	var rows []mailRow
	if err := s.conn(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "mail")
	}
	out := make([]QueuedMail, len(rows))
	for i, r := range rows {
		out[i] = QueuedMail{ID: r.ID, Status: r.Status, Attempts: r.Attempts, LastError: r.LastError,
			Mail: models.Mail{To: r.ToAddr, Subject: r.Subject, Text: r.BodyText, HTML: r.BodyHTML, Lang: r.Lang}}
		atts, err := mailAttachments(s.conn(ctx), r.ID)
		if err != nil {
			return nil, translate(err, "mail")
		}
		out[i].Mail.Attachments = atts
	}
	return out, nil
}

// MailSenderOptions tune a MailSender; zero values take the defaults.
type MailSenderOptions struct {
	// Poll is how often the queue is looked at (default 2 s).
	Poll time.Duration
	// MaxAttempts is how many deliveries are tried before a mail is marked
	// failed (default 8: with the default backoff, about two hours).
	MaxAttempts int
	// Backoff is the wait after failed attempt n (1, 2, ...); the default
	// doubles from 30 s up to one hour.
	Backoff func(attempt int) time.Duration
	// Lease is how long a claimed mail is left to its sender before another
	// sender may take it again (a process that died while sending):
	// default 5 minutes, longer than any delivery attempt.
	Lease time.Duration
	// Batch is how many mails one pass claims (default 10).
	Batch int
}

// MailSender delivers the queue through a models.MailSender. Several
// instances may run against one PostgreSQL database: each pass claims due
// rows with FOR UPDATE SKIP LOCKED and leases them (next_attempt_at moves
// past the lease) in a short transaction, then delivers outside any
// transaction, so no lock is held during SMTP. A sender that dies mid-way
// leaves its rows to be taken again when the lease ends: delivery is at
// least once, and exactly once unless a process dies between the SMTP
// server's acceptance and the row's update. On SQLite (one process) the
// immediate transaction serialises claims.
type MailSender struct {
	st   *Store
	to   models.MailSender
	opts MailSenderOptions
	wake chan struct{}

	stopOnce sync.Once
	cancel   context.CancelFunc
	done     chan struct{}
}

// NewMailSender returns a sender of st's queue through to.
func (s *Store) NewMailSender(to models.MailSender, opts MailSenderOptions) *MailSender {
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultMailBackoff
	}
	if opts.Lease <= 0 {
		opts.Lease = 5 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 10
	}
	m := &MailSender{st: s, to: to, opts: opts, wake: make(chan struct{}, 1)}
	// Writes that queue a mail wake the sender right after their COMMIT
	// (the latest sender made for the store; the poll covers the rest).
	wake := m.Wake
	s.mailWake.Store(&wake)
	return m
}

// wakeMailSender asks the store's mail sender, if any, for a pass now: a
// mail just committed.
func (s *Store) wakeMailSender() {
	if fn := s.mailWake.Load(); fn != nil {
		(*fn)()
	}
}

// DefaultMailBackoff waits 30 s after the first failure, doubling up to an
// hour.
func DefaultMailBackoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Start runs the sender in the background until Stop.
func (m *MailSender) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go func() {
		defer close(m.done)
		m.Run(ctx)
	}()
}

// Stop ends a started sender and waits for it (a delivery in progress is
// cancelled; its mail is retried after the lease).
func (m *MailSender) Stop() {
	m.stopOnce.Do(func() {
		if m.cancel != nil {
			m.cancel()
			<-m.done
		}
	})
}

// Wake asks for a pass now rather than at the next poll.
func (m *MailSender) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run sends due mails every poll until ctx ends.
func (m *MailSender) Run(ctx context.Context) {
	t := time.NewTicker(m.opts.Poll)
	defer t.Stop()
	for {
		for {
			n, err := m.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				m.st.log.Warn("mail queue pass failed", "err", err)
			}
			if err != nil || n < m.opts.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.wake:
		}
	}
}

// SendDue claims up to a batch of due mails and tries each once, returning
// how many it claimed.
func (m *MailSender) SendDue(ctx context.Context) (int, error) {
	rows, err := m.claim(ctx)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		if ctx.Err() != nil {
			return len(rows), ctx.Err()
		}
		m.deliver(ctx, r)
	}
	return len(rows), nil
}

// claim takes due pending rows and leases them: attempts+1, and
// next_attempt_at pushed past the lease so no other sender takes them
// while this one delivers.
func (m *MailSender) claim(ctx context.Context) ([]mailRow, error) {
	var rows []mailRow
	now := m.st.now()
	err := m.st.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Where("status = ? AND next_attempt_at <= ?", MailPending, now).Order("next_attempt_at, id").Limit(m.opts.Batch)
		if m.st.dialect == Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
		}
		if err := q.Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		for i := range rows {
			ids[i] = rows[i].ID
			rows[i].Attempts++
		}
		return tx.Model(&mailRow{}).Where("id IN ?", ids).Updates(map[string]any{
			"attempts":        gorm.Expr("attempts + 1"),
			"next_attempt_at": now.Add(m.opts.Lease),
		}).Error
	})
	return rows, translate(err, "mail")
}

// deliver sends one claimed mail and records the outcome. The row is
// updated even when ctx has ended (the delivery's outcome must stick).
func (m *MailSender) deliver(ctx context.Context, r mailRow) {
	mail := models.Mail{To: r.ToAddr, Subject: r.Subject, Text: r.BodyText, HTML: r.BodyHTML, Lang: r.Lang}
	atts, err := mailAttachments(m.st.conn(ctx), r.ID)
	if err == nil {
		mail.Attachments = atts
		err = m.to.Send(ctx, mail)
	}
	db := m.st.conn(context.WithoutCancel(ctx)).Model(&mailRow{}).Where("id = ?", r.ID)
	now := m.st.now()
	var upd error
	switch {
	case err == nil:
		upd = db.Updates(map[string]any{"status": MailSent, "sent_at": now, "last_error": ""}).Error
		m.st.log.Info("mail sent", "mail_id", r.ID, "attempt", r.Attempts)
	case r.Attempts >= m.opts.MaxAttempts:
		upd = db.Updates(map[string]any{"status": MailFailed, "last_error": mailError(err)}).Error
		m.st.log.Error("mail not delivered; giving up", "mail_id", r.ID, "attempts", r.Attempts, "err", err)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// Shutting down: try again at once on the next start.
		upd = db.Updates(map[string]any{"attempts": gorm.Expr("attempts - 1"), "next_attempt_at": now}).Error
	default:
		next := now.Add(m.opts.Backoff(r.Attempts))
		upd = db.Updates(map[string]any{"next_attempt_at": next, "last_error": mailError(err)}).Error
		m.st.log.Warn("mail not delivered; will retry", "mail_id", r.ID, "attempt", r.Attempts,
			"retry_at", next.Format(time.RFC3339), "err", err)
	}
	if upd != nil {
		m.st.log.Error("record mail outcome", "mail_id", r.ID, "err", upd)
	}
}

// mailError is the error kept on the row: one line, bounded.
func mailError(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}
