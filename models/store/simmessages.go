package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// Simulation threads (models.SimulationMessageService): the process
// threads' contract on tables of their own (migration 00019), so the
// process posting path, tuned to one statement, is not touched. A post is
// one ordinary transaction: the simulation locked in the caller's scope
// (its row lock orders a thread's seqs), the posting limit, the message,
// the thread summary, the author's read mark, the simulation's last
// action, the audit row and the outbox event. The read paths share the
// process threads' page code (threadMessages, markShown).

var _ models.SimulationMessageService = (*Store)(nil)

var simulationThreads = &threadTables{messages: "simulation_messages", key: "simulation_id",
	markRead: markReadSQLFor("simulation_thread_reads", "simulation_id")}

// simMessageRow is a simulation_messages row.
type simMessageRow struct {
	ID             int64
	UUID           string `gorm:"column:uuid"`
	SimulationID   int64
	Seq            int64
	AuthorUserID   int64
	AuthorKind     models.AuthorKind
	AuthorName     string
	AuthorUsername string
	Subject        string
	Text           string
	CreatedAt      time.Time
}

func (simMessageRow) TableName() string { return "simulation_messages" }

// lookupSimulationThread resolves simulationUUID within the caller's scope
// with its thread summary and the caller's read mark, in one query; refUUID,
// when not "", names a message of that thread to resolve too (nil RefID
// when it is not one). With lock (inside a transaction) the simulation row
// is locked (PostgreSQL; SQLite's transaction holds the write lock).
func (s *Store) lookupSimulationThread(ctx context.Context, db *gorm.DB, simulationUUID, refUUID string, lock bool) (*threadProcess, error) {
	cond, arg, err := simulationScopeCond(ctx)
	if err != nil {
		return nil, err
	}
	if !validUUID(simulationUUID) {
		return nil, models.NotFound("simulation")
	}
	p := models.PrincipalFrom(ctx)
	sel := `simulations.id, simulations.bank_id, simulations.broker_id,
		COALESCE(simulation_threads.message_count, 0) AS message_count,
		COALESCE(simulation_threads.last_message_id, 0) AS last_message_id,
		COALESCE(simulation_thread_reads.last_read_seq, 0) AS last_read_seq`
	q := db.Table("simulations").Where(cond, arg).
		Joins("LEFT JOIN simulation_threads ON simulation_threads.simulation_id = simulations.id").
		Joins("LEFT JOIN simulation_thread_reads ON simulation_thread_reads.simulation_id = simulations.id AND simulation_thread_reads.user_id = ?", p.UserID)
	if refUUID != "" {
		sel += ", ref.id AS ref_id, ref.seq AS ref_seq"
		q = q.Joins("LEFT JOIN simulation_messages ref ON ref.uuid = ? AND ref.simulation_id = simulations.id", strings.ToLower(refUUID))
	}
	if lock && s.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "simulations"}})
	}
	var tp threadProcess
	if err := q.Select(sel).Where("simulations.uuid = ?", strings.ToLower(simulationUUID)).Take(&tp).Error; err != nil {
		return nil, translate(err, "simulation")
	}
	return &tp, nil
}

// postingLimit is CodeRateLimited when the author has posted
// MessageRateLimit messages in the window before now, process and
// simulation messages together (the process post counts its own table
// only: its one-statement path stays as it is).
func postingLimit(tx *gorm.DB, userID int64, now time.Time) error {
	since := now.Add(-models.MessageRateWindow)
	var recent []time.Time
	for _, table := range []string{"messages", "simulation_messages"} {
		var rows []struct{ CreatedAt time.Time }
		if err := tx.Table(table).Select("created_at").Where("author_user_id = ? AND created_at > ?", userID, since).
			Order("created_at DESC").Limit(models.MessageRateLimit).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			recent = append(recent, r.CreatedAt.UTC())
		}
	}
	if len(recent) < models.MessageRateLimit {
		return nil
	}
	slices.SortFunc(recent, func(a, b time.Time) int { return b.Compare(a) })
	return models.PostingRate(recent[models.MessageRateLimit-1], now)
}

// PostSimulationMessage implements models.SimulationMessageService.
func (s *Store) PostSimulationMessage(ctx context.Context, simulationUUID string, in models.NewMessage) (*models.Message, error) {
	p := models.PrincipalFrom(ctx)
	if _, _, err := simulationScopeCond(ctx); err != nil {
		return nil, err
	}
	kind, ok := models.AuthorKindOf(p)
	if !ok {
		return nil, models.NotFound("simulation") // unreachable: the scope admits brokers and staff only
	}
	in, invalid := in.Validate()
	var msg *models.Message
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tp, err := s.lookupSimulationThread(ctx, tx, simulationUUID, "", true)
		if err != nil {
			return err // not found wins over invalid input
		}
		if invalid != nil {
			return invalid
		}
		now := s.now()
		if err := postingLimit(tx, p.UserID, now); err != nil {
			return err
		}
		// The count read under the lock, by a statement of its own: the
		// locking one may have waited for another post and still see the
		// thread as it was before that post committed.
		var counts []int64
		if err := tx.Raw("SELECT message_count FROM simulation_threads WHERE simulation_id = ?", tp.ID).Scan(&counts).Error; err != nil {
			return err
		}
		tp.MessageCount = 0
		if len(counts) == 1 {
			tp.MessageCount = counts[0]
		}
		row := simMessageRow{UUID: newUUID(), SimulationID: tp.ID, Seq: tp.MessageCount + 1, AuthorUserID: p.UserID,
			AuthorKind: kind, AuthorName: p.Name, AuthorUsername: p.Email, Subject: in.Subject, Text: in.Text, CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO simulation_threads (simulation_id, bank_id, broker_id, message_count, last_message_id,
				last_message_uuid, last_message_at, last_author_kind, last_author_name, last_excerpt)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (simulation_id) DO UPDATE SET message_count = excluded.message_count,
				last_message_id = excluded.last_message_id, last_message_uuid = excluded.last_message_uuid,
				last_message_at = excluded.last_message_at, last_author_kind = excluded.last_author_kind,
				last_author_name = excluded.last_author_name, last_excerpt = excluded.last_excerpt`,
			tp.ID, tp.BankID, tp.BrokerID, row.Seq, row.ID, row.UUID, now, string(kind), p.Name, models.Excerpt(in.Text)).Error; err != nil {
			return err
		}
		if err := tx.Exec(simulationThreads.markRead, p.UserID, tp.ID, row.ID, row.Seq, now).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE simulations SET last_action_at = ? WHERE id = ? AND last_action_at < ?", now, tp.ID, now).Error; err != nil {
			return err
		}
		sim := strings.ToLower(simulationUUID)
		if err := tx.Exec(auditOKSQL, now, p.UserID, models.AuditMessagePosted, sim, "simulation message "+row.UUID).Error; err != nil {
			return err
		}
		m := messageOf(row)
		msg = &m
		return s.emit(ctx, tx, models.Event{Kind: models.EventSimulationMessagePosted, OccurredAt: now, BankID: tp.BankID,
			BrokerID: tp.BrokerID, SimulationUUID: sim, MessageUUID: row.UUID, Seq: row.Seq, AuthorKind: kind}, true)
	})
	if err != nil {
		return nil, translate(err, "message")
	}
	return msg, nil
}

func messageOf(r simMessageRow) models.Message {
	return models.Message{ID: r.ID, UUID: strings.ToLower(r.UUID), Seq: r.Seq, AuthorUserID: r.AuthorUserID,
		AuthorKind: r.AuthorKind, AuthorName: r.AuthorName, AuthorUsername: r.AuthorUsername, Subject: r.Subject,
		Text: r.Text, CreatedAt: r.CreatedAt.UTC()}
}

// simulationMessages reads the messages of simulation id matching where,
// in order, at most limit.
func simulationMessages(db *gorm.DB, id int64, order string, limit int, where string, args ...any) ([]models.Message, error) {
	q := db.Where("simulation_id = ?", id)
	if where != "" {
		q = q.Where(where, args...)
	}
	var rows []simMessageRow
	if err := q.Order(order).Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "messages")
	}
	out := make([]models.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, messageOf(r))
	}
	return out, nil
}

// ListSimulationMessages implements models.SimulationMessageService.
func (s *Store) ListSimulationMessages(ctx context.Context, simulationUUID string, pg models.MessagePage) (*models.MessageList, error) {
	db := s.conn(ctx)
	tp, err := s.lookupSimulationThread(ctx, db, simulationUUID, "", false)
	if err != nil {
		return nil, err // not found wins over a bad page
	}
	if err := pg.Validate(); err != nil {
		return nil, err
	}
	// Seqs run 1..count without gaps: a page is a seq range.
	skip := int64(pg.PageNumber-1) * int64(pg.PageSize)
	ms, err := simulationMessages(db, tp.ID, "seq DESC", pg.PageSize, "seq <= ? AND seq > ?",
		tp.MessageCount-skip, tp.MessageCount-skip-int64(pg.PageSize))
	if err != nil {
		return nil, err
	}
	return &models.MessageList{Messages: ms, TotalCount: tp.MessageCount, Count: len(ms)}, nil
}

// SimulationThreadPage implements models.SimulationMessageService.
func (s *Store) SimulationThreadPage(ctx context.Context, simulationUUID string, tq models.ThreadQuery) (*models.ThreadMessages, error) {
	db := s.conn(ctx)
	var v models.Validation
	limit := models.PageSize(&v, "limit", tq.Limit, models.DefaultThreadPageSize, models.MaxThreadPageSize)
	ref := tq.Before
	if ref != "" && !validUUID(ref) {
		v.Add("before", "page.cursor", nil)
		ref = ""
	}
	tp, err := s.lookupSimulationThread(ctx, db, simulationUUID, ref, false)
	if err != nil {
		return nil, err // not found wins over a bad cursor
	}
	if ref != "" && tp.RefID == nil {
		v.Add("before", "page.cursor", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.threadMessages(ctx, db, simulationThreads, tp, tq, tq.Before, limit)
}

// SimulationMessagesSince implements models.SimulationMessageService.
func (s *Store) SimulationMessagesSince(ctx context.Context, simulationUUID string, sq models.SinceQuery) ([]models.Message, error) {
	db := s.conn(ctx)
	ref := sq.After
	if ref != "" && !validUUID(ref) {
		ref = ""
	}
	tp, err := s.lookupSimulationThread(ctx, db, simulationUUID, ref, false)
	if err != nil {
		return nil, err
	}
	var out []models.Message
	switch {
	case sq.After != "" && tp.RefSeq == nil:
		return nil, models.Invalid("after", "message.unknown", nil)
	case sq.After != "":
		out, err = simulationMessages(db, tp.ID, "seq", models.MaxMessagesSince, "seq > ?", *tp.RefSeq)
	default:
		// The thread was empty when shown: its newest messages.
		out, err = simulationMessages(db, tp.ID, "seq DESC", models.MaxMessagesSince, "")
		slices.Reverse(out)
	}
	if err != nil {
		return nil, err
	}
	if sq.MarkRead && len(out) > 0 {
		if err := s.markShown(ctx, db, simulationThreads, tp.ID, tp.LastReadSeq, out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkSimulationRead implements models.SimulationMessageService.
func (s *Store) MarkSimulationRead(ctx context.Context, simulationUUID, upToMessageUUID string) error {
	db := s.conn(ctx)
	ref := upToMessageUUID
	if ref != "" && !validUUID(ref) {
		ref = ""
	}
	tp, err := s.lookupSimulationThread(ctx, db, simulationUUID, ref, false)
	if err != nil {
		return err
	}
	return s.markReadUpTo(ctx, db, simulationThreads, tp, upToMessageUUID != "")
}
