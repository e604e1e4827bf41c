package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// threadClock runs the store's clock from a day after now: later than the
// demo threads' messages, so the posting limit counts only the test's.
func threadClock(s *store.Store) {
	simClock(s)(time.Now().UTC().Add(24 * time.Hour))
}

// TestSimulationThreadPostAndRead: a broker's post and the bank's answer
// come back through every read (API page, browser page, poll), numbered in
// order, with the thread summary, audit row, outbox event and last action
// written with them; read marks are per user and never move back.
func TestSimulationThreadPostAndRead(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		threadClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")

		empty, err := s.SimulationThreadPage(w.marta, sim.UUID, models.ThreadQuery{})
		storetest.Must(t, err, "empty page")
		if empty.TotalCount != 0 || len(empty.Messages) != 0 {
			t.Fatalf("empty thread %+v", empty)
		}
		m1, err := s.PostSimulationMessage(w.ana, sim.UUID, models.NewMessage{Subject: " Taxa ", Text: "  Podem rever o spread?  "})
		storetest.Must(t, err, "broker post")
		if m1.Seq != 1 || m1.AuthorKind != models.AuthorBroker || m1.Subject != "Taxa" || m1.Text != "Podem rever o spread?" ||
			m1.AuthorUsername != anaEmail || m1.ProcessID != 0 {
			t.Fatalf("posted %+v", m1)
		}
		m2, err := s.PostSimulationMessage(w.marta, sim.UUID, models.NewMessage{Text: "Sim, amanhã."})
		storetest.Must(t, err, "bank post")
		if m2.Seq != 2 || m2.AuthorKind != models.AuthorBank {
			t.Fatalf("answer %+v", m2)
		}

		list, err := s.ListSimulationMessages(w.joao, sim.UUID, models.MessagePage{PageNumber: 1, PageSize: 1})
		storetest.Must(t, err, "list")
		if list.TotalCount != 2 || list.Count != 1 || list.Messages[0].UUID != m2.UUID {
			t.Fatalf("page 1 of 1: %+v", list)
		}
		list, err = s.ListSimulationMessages(w.joao, sim.UUID, models.MessagePage{PageNumber: 2, PageSize: 1})
		storetest.Must(t, err, "list 2")
		if list.Count != 1 || list.Messages[0].UUID != m1.UUID || list.Messages[0].Text != m1.Text {
			t.Fatalf("page 2 of 1: %+v", list)
		}
		list, err = s.ListSimulationMessages(w.joao, sim.UUID, models.MessagePage{PageNumber: 3, PageSize: 1})
		storetest.Must(t, err, "list 3")
		if list.Count != 0 || list.TotalCount != 2 {
			t.Fatalf("page past the end: %+v", list)
		}
		_, err = s.ListSimulationMessages(w.joao, sim.UUID, models.MessagePage{PageNumber: 1, PageSize: 101})
		wantCode(t, err, models.CodeInvalid)

		// João has read nothing: the browser page says so, then marks it.
		page, err := s.SimulationThreadPage(w.joao, sim.UUID, models.ThreadQuery{Limit: 1, MarkRead: true})
		storetest.Must(t, err, "thread page")
		if page.TotalCount != 2 || len(page.Messages) != 1 || page.Messages[0].UUID != m2.UUID || page.OlderCursor != m2.UUID ||
			page.LastReadSeq != 0 {
			t.Fatalf("newest page %+v", page)
		}
		older, err := s.SimulationThreadPage(w.joao, sim.UUID, models.ThreadQuery{Before: page.OlderCursor})
		storetest.Must(t, err, "older page")
		if len(older.Messages) != 1 || older.Messages[0].UUID != m1.UUID || older.OlderCursor != "" || older.LastReadSeq != 2 {
			t.Fatalf("older page %+v", older)
		}
		_, err = s.SimulationThreadPage(w.joao, sim.UUID, models.ThreadQuery{Before: "00000000-0000-4000-8000-000000000000"})
		if e := wantCode(t, err, models.CodeInvalid); e.Fields[0].Field != "before" {
			t.Fatalf("unknown cursor: %v", err)
		}

		// The poll: after m1 comes m2; after m2 nothing; an unknown cursor is invalid.
		since, err := s.SimulationMessagesSince(w.ana, sim.UUID, models.SinceQuery{After: m1.UUID, MarkRead: true})
		storetest.Must(t, err, "since")
		if len(since) != 1 || since[0].UUID != m2.UUID {
			t.Fatalf("since m1: %+v", since)
		}
		since, err = s.SimulationMessagesSince(w.ana, sim.UUID, models.SinceQuery{After: m2.UUID})
		storetest.Must(t, err, "since m2")
		if len(since) != 0 {
			t.Fatalf("since the newest: %+v", since)
		}
		since, err = s.SimulationMessagesSince(w.ana, sim.UUID, models.SinceQuery{})
		storetest.Must(t, err, "since none")
		if len(since) != 2 || since[0].UUID != m1.UUID {
			t.Fatalf("since an empty thread: %+v", since)
		}
		_, err = s.SimulationMessagesSince(w.ana, sim.UUID, models.SinceQuery{After: "not-a-message"})
		if e := wantCode(t, err, models.CodeInvalid); e.Fields[0].Field != "after" {
			t.Fatalf("bad after: %v", err)
		}

		// Rui's read mark is his own; MarkRead up to m1 then "" (the newest); never back.
		storetest.Must(t, s.MarkSimulationRead(w.admin, sim.UUID, m1.UUID), "mark m1")
		if p, _ := s.SimulationThreadPage(w.admin, sim.UUID, models.ThreadQuery{}); p.LastReadSeq != 1 {
			t.Fatalf("admin read mark %d, want 1", p.LastReadSeq)
		}
		storetest.Must(t, s.MarkSimulationRead(w.admin, sim.UUID, ""), "mark all")
		storetest.Must(t, s.MarkSimulationRead(w.admin, sim.UUID, m1.UUID), "mark back")
		if p, _ := s.SimulationThreadPage(w.admin, sim.UUID, models.ThreadQuery{}); p.LastReadSeq != 2 {
			t.Fatalf("admin read mark %d, want 2 (never back)", p.LastReadSeq)
		}
		err = s.MarkSimulationRead(w.admin, sim.UUID, "00000000-0000-4000-8000-000000000000")
		if e := wantCode(t, err, models.CodeNotFound); e.Entity != "message" {
			t.Fatalf("mark an unknown message: %v", err)
		}

		// Written with the posts: thread summary, audit, outbox, last action.
		var th struct {
			MessageCount   int64
			LastAuthorKind string
			LastExcerpt    string
		}
		storetest.Must(t, s.DB().Table("simulation_threads").Take(&th).Error, "thread row")
		if th.MessageCount != 2 || th.LastAuthorKind != "bank" || th.LastExcerpt != "Sim, amanhã." {
			t.Errorf("thread summary %+v", th)
		}
		if n := count(t, s, "audit_events", "action = ? AND subject = ?", models.AuditMessagePosted, sim.UUID); n != 2 {
			t.Errorf("%d audit rows, want 2", n)
		}
		var payloads []string
		storetest.Must(t, s.DB().Table("outbox_events").Where("kind = ? AND subject_uuid = ?", models.EventSimulationMessagePosted, sim.UUID).
			Order("id").Pluck("payload", &payloads).Error, "outbox")
		if len(payloads) != 2 {
			t.Fatalf("%d outbox rows, want 2", len(payloads))
		}
		var ev models.Event
		storetest.Must(t, json.Unmarshal([]byte(payloads[1]), &ev), "payload")
		if ev.SimulationUUID != sim.UUID || ev.MessageUUID != m2.UUID || ev.Seq != 2 || ev.AuthorKind != models.AuthorBank ||
			ev.BankID != sim.BankID || ev.BrokerID != sim.BrokerID {
			t.Errorf("event %+v", ev)
		}
		after, err := s.GetSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "get")
		newest, err := s.ListSimulationMessages(w.ana, sim.UUID, models.MessagePage{PageNumber: 1, PageSize: 1})
		storetest.Must(t, err, "newest")
		if !after.LastActionAt.Equal(newest.Messages[0].CreatedAt) {
			t.Errorf("last action %v, want the last post's %v", after.LastActionAt, newest.Messages[0].CreatedAt)
		}
	})
}

// TestSimulationThreadAccess: another firm's simulation answers exactly
// like a missing one on every operation; customers are forbidden, anonymous
// callers unauthorized; an invalid post to a foreign simulation is still
// not found; nothing is written by a refused post.
func TestSimulationThreadAccess(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		threadClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		missing := "00000000-0000-4000-8000-000000000000"
		ops := map[string]func(uuid string) error{
			"post": func(u string) error {
				_, err := s.PostSimulationMessage(w.rui, u, models.NewMessage{Text: "olá"})
				return err
			},
			"post invalid": func(u string) error {
				_, err := s.PostSimulationMessage(w.rui, u, models.NewMessage{Text: " "})
				return err
			},
			"list": func(u string) error {
				_, err := s.ListSimulationMessages(w.rui, u, models.DefaultMessagePage)
				return err
			},
			"page": func(u string) error {
				_, err := s.SimulationThreadPage(w.rui, u, models.ThreadQuery{})
				return err
			},
			"since": func(u string) error {
				_, err := s.SimulationMessagesSince(w.rui, u, models.SinceQuery{})
				return err
			},
			"mark": func(u string) error { return s.MarkSimulationRead(w.rui, u, "") },
		}
		for name, op := range ops {
			foreign, absent := op(sim.UUID), op(missing)
			e := wantCode(t, foreign, models.CodeNotFound)
			if e.Entity != "simulation" || foreign.Error() != absent.Error() {
				t.Errorf("%s: foreign %q, missing %q", name, foreign, absent)
			}
		}
		_, err = s.PostSimulationMessage(w.maria, sim.UUID, models.NewMessage{Text: "olá"})
		wantCode(t, err, models.CodeForbidden)
		_, err = s.ListSimulationMessages(w.maria, sim.UUID, models.DefaultMessagePage)
		wantCode(t, err, models.CodeForbidden)
		_, err = s.PostSimulationMessage(w.anon, sim.UUID, models.NewMessage{Text: "olá"})
		wantCode(t, err, models.CodeUnauthorized)
		_, err = s.PostSimulationMessage(w.ana, sim.UUID, models.NewMessage{Text: " "})
		if e := wantCode(t, err, models.CodeInvalid); e.Fields[0].Field != "text" {
			t.Errorf("empty text: %v", err)
		}
		if n := count(t, s, "simulation_messages", ""); n != 0 {
			t.Errorf("%d messages written by refused posts", n)
		}
	})
}

// TestSimulationThreadRateLimit: the per-user limit counts the user's
// recent posts, process and simulation messages together; the refusal
// says when to retry and writes nothing; another user is not limited.
func TestSimulationThreadRateLimit(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		threadClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		page, err := s.ListProcesses(w.ana, models.ProcessFilter{Limit: 1})
		storetest.Must(t, err, "processes")
		proc := page.Items[0].UUID
		for i := range models.MessageRateLimit {
			if i%2 == 0 {
				_, err = s.PostMessage(w.ana, proc, models.NewMessage{Text: fmt.Sprintf("processo %d", i)})
			} else {
				_, err = s.PostSimulationMessage(w.ana, sim.UUID, models.NewMessage{Text: fmt.Sprintf("simulação %d", i)})
			}
			storetest.Must(t, err, "post %d", i)
		}
		_, err = s.PostSimulationMessage(w.ana, sim.UUID, models.NewMessage{Text: "uma a mais"})
		e := wantCode(t, err, models.CodeRateLimited)
		if e.RetryAfter < 1 || e.RetryAfter > 60 {
			t.Errorf("retry after %d s", e.RetryAfter)
		}
		if n := count(t, s, "simulation_messages", ""); n != int64(models.MessageRateLimit/2) {
			t.Errorf("%d simulation messages, want %d", n, models.MessageRateLimit/2)
		}
		_, err = s.PostSimulationMessage(w.joao, sim.UUID, models.NewMessage{Text: "outro utilizador"})
		storetest.Must(t, err, "another user")
	})
}

// TestReplyQueueWithSimulationThreads: the staff queue lists simulation
// threads beside process threads (the simulation's number, status and
// firm, unread for staff who have not read it), counted in every filter;
// walking the queue a few threads at a time lists each thread exactly
// once, the same threads as one long page; the bank's answer moves the
// simulation thread from waiting to answered.
func TestReplyQueueWithSimulationThreads(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		threadClock(s)
		w := newSimWorld(t, s)
		before, err := s.ReplyQueueCounts(w.marta, "")
		storetest.Must(t, err, "counts before")
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		m, err := s.PostSimulationMessage(w.ana, sim.UUID, models.NewMessage{Text: "Pode rever a taxa desta simulação?"})
		storetest.Must(t, err, "post")

		after, err := s.ReplyQueueCounts(w.marta, "")
		storetest.Must(t, err, "counts after")
		if after.Waiting != before.Waiting+1 || after.All != before.All+1 || after.Answered != before.Answered {
			t.Fatalf("counts %+v, before %+v", after, before)
		}
		firm, err := s.ReplyQueueCounts(w.marta, "BRK-LIS-001")
		storetest.Must(t, err, "firm counts")
		other, err := s.ReplyQueueCounts(w.marta, "BRK-POR-002")
		storetest.Must(t, err, "other firm counts")
		if firm.All+other.All != after.All {
			t.Errorf("firm counts %+v + %+v, bank %+v", firm, other, after)
		}

		all, err := s.ReplyQueue(w.marta, models.ReplyQueueFilter{Limit: 100})
		storetest.Must(t, err, "queue")
		if all.NextCursor != "" || int64(len(all.Items)) != after.All {
			t.Fatalf("one page of %d threads (next %q), counted %d", len(all.Items), all.NextCursor, after.All)
		}
		first := all.Items[0] // the newest activity
		if first.SimulationUUID != sim.UUID || first.SimulationNumber != sim.SimulationNumber || first.ProcessUUID != "" ||
			first.StatusID != models.SimulationInCreation || first.FirmUID != "BRK-LIS-001" || !first.Unread ||
			first.LastAuthorKind != models.AuthorBroker || first.MessageCount != 1 || first.LastExcerpt != m.Text {
			t.Fatalf("first item %+v", first)
		}

		for _, filter := range []models.ReplyQueueFilterKind{models.ReplyQueueAll, models.ReplyQueueWaiting, models.ReplyQueueAnswered} {
			long, err := s.ReplyQueue(w.marta, models.ReplyQueueFilter{Filter: filter, Limit: 100})
			storetest.Must(t, err, "long page")
			want := map[string]bool{}
			for _, it := range long.Items {
				want[it.ProcessUUID+it.SimulationUUID] = true
			}
			seen := map[string]bool{}
			f := models.ReplyQueueFilter{Filter: filter, Limit: 4}
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatalf("%s: the walk does not end", filter)
				}
				pg, err := s.ReplyQueue(w.marta, f)
				storetest.Must(t, err, "walk %s", filter)
				for _, it := range pg.Items {
					id := it.ProcessUUID + it.SimulationUUID
					if seen[id] {
						t.Fatalf("%s: %s listed twice", filter, id)
					}
					seen[id] = true
				}
				if pg.NextCursor == "" {
					break
				}
				f.After = pg.NextCursor
			}
			if len(seen) != len(want) {
				t.Errorf("%s: the walk listed %d threads, one page %d", filter, len(seen), len(want))
			}
			for id := range want {
				if !seen[id] {
					t.Errorf("%s: %s not in the walk", filter, id)
				}
			}
			if (filter != models.ReplyQueueAnswered) != want[sim.UUID] {
				t.Errorf("%s: simulation thread listed %v", filter, want[sim.UUID])
			}
		}
		_, err = s.ReplyQueue(w.marta, models.ReplyQueueFilter{After: "x.y"})
		wantCode(t, err, models.CodeInvalid)

		_, err = s.PostSimulationMessage(w.marta, sim.UUID, models.NewMessage{Text: "Sim."})
		storetest.Must(t, err, "answer")
		answered, err := s.ReplyQueue(w.marta, models.ReplyQueueFilter{Filter: models.ReplyQueueAnswered, Limit: 1})
		storetest.Must(t, err, "answered")
		if len(answered.Items) != 1 || answered.Items[0].SimulationUUID != sim.UUID || answered.Items[0].Unread {
			t.Errorf("answered page %+v", answered.Items)
		}
		final, err := s.ReplyQueueCounts(w.marta, "")
		storetest.Must(t, err, "final counts")
		if final.Waiting != before.Waiting || final.Answered != before.Answered+1 {
			t.Errorf("final counts %+v, before %+v", final, before)
		}
	})
}

// TestSimulationThreadConcurrentPosts: posts racing on one thread each
// get their own number, 1 to n without a gap, and the thread counts them all.
func TestSimulationThreadConcurrentPosts(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		threadClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		posters := []context.Context{w.ana, w.joao, w.marta, w.admin}
		const each = 5
		var wg sync.WaitGroup
		errs := make(chan error, len(posters)*each)
		for _, ctx := range posters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if _, err := s.PostSimulationMessage(ctx, sim.UUID, models.NewMessage{Text: fmt.Sprintf("mensagem %d", i)}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("post: %v", err)
		}
		n := int64(len(posters) * each)
		list, err := s.ListSimulationMessages(w.ana, sim.UUID, models.MessagePage{PageNumber: 1, PageSize: 100})
		storetest.Must(t, err, "list")
		if list.TotalCount != n || list.Count != int(n) {
			t.Fatalf("%d messages counted, %d listed, want %d", list.TotalCount, list.Count, n)
		}
		for i, m := range list.Messages {
			if m.Seq != n-int64(i) {
				t.Fatalf("message %d has seq %d, want %d", i, m.Seq, n-int64(i))
			}
		}
	})
}
