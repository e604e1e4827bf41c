package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// recorder keeps what the store's bus published, and whether each event's
// change was visible from outside the transaction when it was published.
type recorder struct {
	mu        sync.Mutex
	events    []models.Event
	committed []bool
}

func record(t *testing.T, s *store.Store) *recorder {
	r := &recorder{}
	s.Events().Subscribe(func(ctx context.Context, ev models.Event) {
		// A fresh connection from the pool, outside any transaction.
		var n int64
		var model any = &models.Message{}
		if ev.Kind == models.EventCustomerMessageCreated {
			model = &models.CustomerMessage{}
		}
		err := s.DB().Model(model).Where("uuid = ?", ev.MessageUUID).Count(&n).Error
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, ev)
		r.committed = append(r.committed, err == nil && n == 1)
	})
	return r
}

func (r *recorder) take() ([]models.Event, []bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev, c := r.events, r.committed
	r.events, r.committed = nil, nil
	return ev, c
}

type outboxRow struct {
	ID          int64
	Kind        string
	SubjectUUID string
	Payload     string
}

func outboxRows(t *testing.T, s *store.Store) []outboxRow {
	t.Helper()
	var rows []outboxRow
	storetest.Must(t, s.DB().Raw("SELECT id, kind, subject_uuid, payload FROM outbox_events ORDER BY id").Scan(&rows).Error, "outbox")
	return rows
}

// A read made inside an idempotent operation sees that operation's own
// uncommitted writes: it runs on the operation's transaction, not on a
// second connection. Outside, nothing shows until COMMIT.
func TestIdempotentReadsJoinItsTransaction(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newThreadWorld(t, s)
		p := w.fresh(t, w.lisboa)
		var inside, outside int64
		_, _, err := s.Idempotent(w.ana, "join-1", "fp", func(ctx context.Context) (models.StoredResponse, error) {
			m, err := s.PostMessage(ctx, p.UUID, models.NewMessage{Text: "inside"})
			if err != nil {
				return models.StoredResponse{}, err
			}
			// Posting moved the process's last action: the process page's
			// read sees it too.
			d, err := s.GetProcess(ctx, p.UUID)
			if err != nil {
				return models.StoredResponse{}, err
			}
			if !d.Process.LastActionAt.Equal(m.CreatedAt) {
				t.Errorf("process read inside the operation has last action %v, want the message's %v", d.Process.LastActionAt, m.CreatedAt)
			}
			in, err := s.ListMessages(ctx, p.UUID, models.DefaultMessagePage)
			if err != nil {
				return models.StoredResponse{}, err
			}
			out, err := s.ListMessages(w.ana, p.UUID, models.DefaultMessagePage)
			if err != nil {
				return models.StoredResponse{}, err
			}
			inside, outside = in.TotalCount, out.TotalCount
			return models.StoredResponse{Status: 201}, nil
		})
		storetest.Must(t, err, "idempotent post")
		if inside != 1 || outside != 0 {
			t.Fatalf("inside the operation %d messages, outside %d; want 1 and 0", inside, outside)
		}
		after, err := s.ListMessages(w.ana, p.UUID, models.DefaultMessagePage)
		storetest.Must(t, err, "list after commit")
		if after.TotalCount != 1 {
			t.Fatalf("after commit %d messages, want 1", after.TotalCount)
		}
	})
}

func TestMessagePostedEvent(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newThreadWorld(t, s)
		rec := record(t, s)
		p := w.fresh(t, w.lisboa)
		before := len(outboxRows(t, s))

		m, err := s.PostMessage(w.ana, p.UUID, models.NewMessage{Subject: "IRS", Text: "Secret salary details"})
		storetest.Must(t, err, "post")
		evs, committed := rec.take()
		if len(evs) != 1 || !committed[0] {
			t.Fatalf("events %+v (committed when published: %v), want one after commit", evs, committed)
		}
		ev := evs[0]
		if ev.Kind != models.EventMessagePosted || ev.ProcessUUID != p.UUID || ev.MessageUUID != m.UUID || ev.Seq != 1 ||
			ev.AuthorKind != models.AuthorBroker || ev.BrokerID != w.lisboa.ID || ev.BankID != w.lisboa.BankID || ev.OutboxID == 0 {
			t.Fatalf("event %+v does not describe message %s of process %s", ev, m.UUID, p.UUID)
		}
		rows := outboxRows(t, s)
		if len(rows) != before+1 {
			t.Fatalf("outbox has %d rows, want %d", len(rows), before+1)
		}
		last := rows[len(rows)-1]
		if last.ID != ev.OutboxID || last.Kind != string(models.EventMessagePosted) || last.SubjectUUID != p.UUID {
			t.Fatalf("outbox row %+v does not match event %+v", last, ev)
		}
		if strings.Contains(last.Payload, "Secret") || strings.Contains(last.Payload, "IRS") {
			t.Fatalf("outbox payload carries the message: %s", last.Payload)
		}
		var payload models.Event
		storetest.Must(t, json.Unmarshal([]byte(last.Payload), &payload), "payload")
		if payload.MessageUUID != m.UUID || payload.Seq != 1 {
			t.Fatalf("payload %+v", payload)
		}

		// A refused post: no event, no outbox row.
		_, err = s.PostMessage(w.ana, p.UUID, models.NewMessage{Text: "  "})
		wantCode(t, err, models.CodeInvalid)
		// A post whose operation rolls back afterwards: no event, no row.
		boom := errors.New("boom")
		_, _, err = s.Idempotent(w.ana, "rollback-1", "fp", func(ctx context.Context) (models.StoredResponse, error) {
			if _, err := s.PostMessage(ctx, p.UUID, models.NewMessage{Text: "rolled back"}); err != nil {
				return models.StoredResponse{}, err
			}
			return models.StoredResponse{}, boom
		})
		if !errors.Is(err, boom) && models.ErrorCode(err) != models.CodeInternal {
			t.Fatalf("rolled back operation: %v", err)
		}
		if evs, _ := rec.take(); len(evs) != 0 {
			t.Fatalf("events for changes that never committed: %+v", evs)
		}
		if n := len(outboxRows(t, s)); n != before+1 {
			t.Fatalf("outbox has %d rows after refusals, want %d", n, before+1)
		}

		// Inside an idempotent operation the event waits for its COMMIT; a
		// replay publishes nothing.
		for range 2 {
			_, _, err = s.Idempotent(w.ana, "once-1", "fp", func(ctx context.Context) (models.StoredResponse, error) {
				if _, err := s.PostMessage(ctx, p.UUID, models.NewMessage{Text: "once"}); err != nil {
					return models.StoredResponse{}, err
				}
				if evs, _ := rec.take(); len(evs) != 0 {
					t.Errorf("event published before COMMIT: %+v", evs)
				}
				return models.StoredResponse{Status: 201}, nil
			})
			storetest.Must(t, err, "idempotent post")
		}
		evs, committed = rec.take()
		if len(evs) != 1 || !committed[0] || evs[0].Seq != 2 {
			t.Fatalf("idempotent post and replay published %+v (committed %v), want one event for seq 2", evs, committed)
		}
	})
}

func TestCustomerMessageCreatedEvent(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newCustWorld(t, s)
		rec := record(t, s)
		m, err := s.CreateCustomerMessage(w.marta, store.DemoBankID, w.mariaC.UUID, newMsg("Your valuation is booked."))
		storetest.Must(t, err, "create")
		evs, committed := rec.take()
		if len(evs) != 1 || !committed[0] || evs[0].Kind != models.EventCustomerMessageCreated ||
			evs[0].CustomerUUID != w.mariaC.UUID || evs[0].MessageUUID != m.UUID || evs[0].OutboxID == 0 {
			t.Fatalf("events %+v (committed %v), want one for message %s", evs, committed, m.UUID)
		}
		rows := outboxRows(t, s)
		if last := rows[len(rows)-1]; last.SubjectUUID != w.mariaC.UUID || strings.Contains(last.Payload, "valuation") {
			t.Fatalf("outbox row %+v", last)
		}
		_, err = s.CreateCustomerMessage(w.marta, store.DemoBankID, w.mariaC.UUID, newMsg(""))
		wantCode(t, err, models.CodeInvalid)
		if evs, _ := rec.take(); len(evs) != 0 {
			t.Fatalf("event for a refused message: %+v", evs)
		}
	})
}
