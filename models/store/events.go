package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// outboxEvent is a row of outbox_events (migration 00005).
type outboxEvent struct {
	ID           int64
	Kind         models.EventKind
	BankID       int64
	SubjectUUID  string `gorm:"column:subject_uuid"`
	Payload      string
	CreatedAt    time.Time
	DispatchedAt *time.Time
}

func (outboxEvent) TableName() string { return "outbox_events" }

// Events is the bus the store publishes committed events on; subscribe
// before serving.
func (s *core) Events() *models.EventBus { return s.bus }

// emit records ev in the transaction of ctx (transact's): with durable, it
// also writes ev's outbox row there, so the row commits with the change or
// not at all. The event is published after the outermost COMMIT.
func (s *core) emit(ctx context.Context, tx *gorm.DB, ev models.Event, durable bool) error {
	st := txFrom(ctx)
	if st == nil {
		panic("store: emit outside transact") // a programming error: events need their transaction
	}
	if durable {
		payload, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		subject := ev.ProcessUUID
		if subject == "" {
			subject = ev.CustomerUUID
		}
		if subject == "" {
			subject = ev.SimulationUUID
		}
		row := outboxEvent{Kind: ev.Kind, BankID: ev.BankID, SubjectUUID: subject, Payload: string(payload), CreatedAt: ev.OccurredAt}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		ev.OutboxID = row.ID
	}
	st.pending = append(st.pending, ev)
	return nil
}

// publish hands committed events to the bus.
func (s *core) publish(ctx context.Context, events []models.Event) {
	if len(events) == 0 || s.bus == nil {
		return
	}
	s.bus.Publish(context.WithoutCancel(ctx), events)
}
