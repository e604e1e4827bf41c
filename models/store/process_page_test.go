package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// TestProcessPage: ProcessPage answers what GetProcess and ThreadPage of
// the same process answer (detail, thread page, cursors, errors in the
// same order), marks the thread read as ThreadPage does, and does it in
// five statements (four with an empty thread).
func TestProcessPage(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.CountQueries(), "count queries")
		ana, marta := storetest.AsUser(t, s, anaEmail), storetest.AsUser(t, s, martaEmail)
		rui, maria := storetest.AsUser(t, s, ruiEmail), storetest.AsUser(t, s, mariaEmail)
		var ids []string
		storetest.Must(t, s.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
			WHERE f.broker_uid = 'BRK-LIS-001' ORDER BY p.process_number`).Scan(&ids).Error, "processes")
		if len(ids) < 3 {
			t.Fatalf("%d Lisboa processes", len(ids))
		}

		// same checks ProcessPage(ctx, id, tq) against GetProcess and
		// ThreadPage (without marking read: the comparison must not move
		// the mark).
		same := func(t *testing.T, ctx context.Context, id string, tq models.ThreadQuery) *models.ThreadMessages {
			t.Helper()
			d, page, err := s.ProcessPage(ctx, id, tq)
			wantD, errD := s.GetProcess(ctx, id)
			var wantPage *models.ThreadMessages
			wantErr := errD
			if errD == nil {
				wantPage, wantErr = s.ThreadPage(ctx, id, tq)
			}
			if models.ErrorCode(err) != models.ErrorCode(wantErr) || (err == nil) != (wantErr == nil) {
				t.Fatalf("%s %+v: error %v, want %v", id, tq, err, wantErr)
			}
			if err != nil {
				if !reflect.DeepEqual(err, wantErr) {
					t.Fatalf("%s %+v: error\n%#v\nwant\n%#v", id, tq, err, wantErr)
				}
				return nil
			}
			// The page shows no borrower's timestamps: ProcessPage does not read them.
			for i := range wantD.Borrowers {
				wantD.Borrowers[i].CreatedAt, wantD.Borrowers[i].UpdatedAt = d.Borrowers[i].CreatedAt, d.Borrowers[i].UpdatedAt
			}
			// The timeline is ProcessPage's own (GetProcess leaves it nil).
			wantTimeline, err := s.Timeline(ctx, id)
			storetest.Must(t, err, "timeline %s", id)
			if !reflect.DeepEqual(d.Timeline, wantTimeline) {
				t.Errorf("%s: timeline\n%+v\nwant\n%+v", id, d.Timeline, wantTimeline)
			}
			wantD.Timeline = d.Timeline
			// So is the document checklist, as Checklist answers it.
			wantDocs, err := s.Checklist(ctx, id)
			storetest.Must(t, err, "checklist %s", id)
			if !reflect.DeepEqual(d.Documents, wantDocs) {
				t.Errorf("%s: documents\n%+v\nwant\n%+v", id, d.Documents, wantDocs)
			}
			wantD.Documents = d.Documents
			if !reflect.DeepEqual(d, wantD) {
				t.Errorf("%s: detail\n%+v\nwant\n%+v", id, d, wantD)
			}
			if !reflect.DeepEqual(page, wantPage) {
				t.Errorf("%s %+v: page\n%+v\nwant\n%+v", id, tq, page, wantPage)
			}
			return page
		}

		for _, ctx := range []context.Context{ana, marta} {
			for _, id := range ids {
				page := same(t, ctx, id, models.ThreadQuery{})
				if page.OlderCursor != "" {
					same(t, ctx, id, models.ThreadQuery{Before: page.OlderCursor})
					same(t, ctx, id, models.ThreadQuery{Before: page.OlderCursor, Limit: 2})
				}
				same(t, ctx, id, models.ThreadQuery{Before: uuid.NewString()}) // a message of no thread
				same(t, ctx, id, models.ThreadQuery{Before: "not-a-cursor"})
			}
		}
		for _, tc := range []struct {
			ctx context.Context
			id  string
			tq  models.ThreadQuery
		}{
			{rui, ids[0], models.ThreadQuery{}},                             // another firm's
			{rui, ids[0], models.ThreadQuery{Before: "not-a-cursor"}},       // not found wins
			{ana, uuid.NewString(), models.ThreadQuery{}},                   // missing
			{ana, "not-a-uuid", models.ThreadQuery{Before: "not-a-cursor"}}, // malformed
			{maria, ids[0], models.ThreadQuery{}},                           // a customer
			{maria, "not-a-uuid", models.ThreadQuery{}},
			{context.Background(), ids[0], models.ThreadQuery{}}, // anonymous
		} {
			same(t, tc.ctx, tc.id, tc.tq)
		}

		t.Run("marks read and counts statements", func(t *testing.T) {
			var busy string
			storetest.Must(t, s.DB().Raw(`SELECT p.uuid FROM processes p JOIN threads th ON th.process_id = p.id
				JOIN broker_firms f ON f.id = p.broker_id WHERE f.broker_uid = 'BRK-LIS-001'
				ORDER BY th.message_count DESC LIMIT 1`).Scan(&busy).Error, "busy thread")
			// The bank answers: the thread has news for Ana.
			_, err := s.PostMessage(marta, busy, models.NewMessage{Text: "news for Ana"})
			storetest.Must(t, err, "post")
			c := &store.QueryCounter{}
			ctx := store.WithQueryCounter(ana, c)
			_, page, err := s.ProcessPage(ctx, busy, models.ThreadQuery{MarkRead: true})
			storetest.Must(t, err, "process page")
			last := page.Messages[len(page.Messages)-1].Seq
			if page.LastReadSeq >= last {
				t.Fatalf("Ana had read to %d of %d already: pick an unread thread", page.LastReadSeq, last)
			}
			if n := c.Count(); n != 7 {
				t.Errorf("first view: %d statements, want 7 (process, borrowers, timeline with the history, documents, request items, messages, read mark):\n%s", n, c)
			}
			c2 := &store.QueryCounter{}
			_, again, err := s.ProcessPage(store.WithQueryCounter(ana, c2), busy, models.ThreadQuery{MarkRead: true})
			storetest.Must(t, err, "again")
			if again.LastReadSeq != last {
				t.Errorf("read mark %d after the page showed %d", again.LastReadSeq, last)
			}
			if n := c2.Count(); n != 6 {
				t.Errorf("second view: %d statements, want 6 (already read):\n%s", n, c2)
			}
		})
	})
}
