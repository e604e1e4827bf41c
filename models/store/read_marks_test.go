package store_test

import (
	"context"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// What a page shows is what it marks read, decided by the service from the
// query: the newest page and a poll move the mark, an older page does not,
// and a plain read (the partner API, MarkRead false) moves nothing.
func TestThreadReadsMarkWhatTheyShow(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newThreadWorld(t, s)
		p := w.fresh(t, w.lisboa)
		var posted []models.Message
		for _, text := range []string{"one", "two", "three"} {
			m, err := s.PostMessage(w.ana, p.UUID, models.NewMessage{Text: text})
			storetest.Must(t, err, "post")
			posted = append(posted, *m)
		}
		unread := func() int {
			t.Helper()
			n, err := s.UnreadCounts(w.marta, []string{p.UUID})
			storetest.Must(t, err, "unread counts")
			return n[p.UUID]
		}
		if n := unread(); n != 3 {
			t.Fatalf("Marta has %d unread before reading, want 3", n)
		}
		_, err := s.ThreadPage(w.marta, p.UUID, models.ThreadQuery{Limit: 2})
		storetest.Must(t, err, "page without MarkRead")
		if n := unread(); n != 3 {
			t.Fatalf("a page without MarkRead moved the mark: %d unread", n)
		}
		// An older page shown to her marks nothing.
		_, err = s.ThreadPage(w.marta, p.UUID, models.ThreadQuery{Before: posted[2].UUID, MarkRead: true})
		storetest.Must(t, err, "older page")
		if n := unread(); n != 3 {
			t.Fatalf("an older page moved the mark: %d unread", n)
		}
		// The newest page of two shows two and three: read up to three.
		pg, err := s.ThreadPage(w.marta, p.UUID, models.ThreadQuery{Limit: 2, MarkRead: true})
		storetest.Must(t, err, "newest page")
		if pg.LastReadSeq != 0 {
			t.Fatalf("the page reports the mark after reading (%d), want before (0)", pg.LastReadSeq)
		}
		if n := unread(); n != 0 {
			t.Fatalf("after the newest page %d unread, want 0", n)
		}
		// A message arrives; the poll without MarkRead leaves it unread,
		// the poll that shows it marks it.
		m4, err := s.PostMessage(w.ana, p.UUID, models.NewMessage{Text: "four"})
		storetest.Must(t, err, "post")
		got, err := s.MessagesSince(w.marta, p.UUID, models.SinceQuery{After: posted[2].UUID})
		storetest.Must(t, err, "poll")
		if len(got) != 1 || unread() != 1 {
			t.Fatalf("poll without MarkRead: %d new, %d unread; want 1 and 1", len(got), unread())
		}
		got, err = s.MessagesSince(w.marta, p.UUID, models.SinceQuery{After: posted[2].UUID, MarkRead: true})
		storetest.Must(t, err, "poll")
		if len(got) != 1 || got[0].UUID != m4.UUID || unread() != 0 {
			t.Fatalf("poll with MarkRead: %d new, %d unread; want 1 and 0", len(got), unread())
		}
		// Nothing new: nothing to mark, and the mark never moves back.
		got, err = s.MessagesSince(w.marta, p.UUID, models.SinceQuery{After: m4.UUID, MarkRead: true})
		storetest.Must(t, err, "empty poll")
		if _, err = s.ThreadPage(w.marta, p.UUID, models.ThreadQuery{Limit: 1, MarkRead: true}); err != nil || len(got) != 0 || unread() != 0 {
			t.Fatalf("empty poll: %d new, %d unread (%v)", len(got), unread(), err)
		}
	})
}

// The queue's unread mark is each staff member's own: Marta reading a
// thread (or answering it) leaves it unread for Nuno, and a new broker
// message makes it unread for both again.
func TestQueueUnreadIsPerStaffMember(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newThreadWorld(t, s)
		p := w.fresh(t, w.lisboa)
		unread := func(who string) bool {
			t.Helper()
			ctx := map[string]context.Context{"marta": w.marta, "nuno": w.nuno}[who]
			page, err := s.ReplyQueue(ctx, models.ReplyQueueFilter{Limit: 5}) // the newest activity first
			storetest.Must(t, err, "queue of %s", who)
			for _, it := range page.Items {
				if it.ProcessUUID == p.UUID {
					return it.Unread
				}
			}
			t.Fatalf("%s's queue does not show the thread first", who)
			return false
		}
		reads := func() (n int64) {
			t.Helper()
			storetest.Must(t, s.DB().Table("thread_reads").Where("process_id = ?", p.ID).Count(&n).Error, "reads")
			return n
		}
		m1 := post(t, w, w.ana, p, "", "A question for the bank.")
		if !unread("marta") || !unread("nuno") {
			t.Fatal("a new broker message is not unread for both staff members")
		}
		// Marta opens the thread (the process page's newest page marks it).
		_, err := s.ThreadPage(w.marta, p.UUID, models.ThreadQuery{MarkRead: true})
		storetest.Must(t, err, "Marta reads")
		if unread("marta") || !unread("nuno") || reads() != 2 { // Ana's own mark and Marta's
			t.Fatalf("after Marta read: marta unread %v, nuno unread %v, %d read marks", unread("marta"), unread("nuno"), reads())
		}
		if n, err := s.UnreadCounts(w.nuno, []string{p.UUID}); err != nil || n[p.UUID] != 1 {
			t.Fatalf("Nuno's unread count %v (%v)", n, err)
		}
		// Nuno marks it read himself.
		storetest.Must(t, s.MarkRead(w.nuno, p.UUID, m1.UUID), "Nuno reads")
		if unread("marta") || unread("nuno") {
			t.Fatal("read by both, still unread for one")
		}
		// Ana writes again: unread for both; Marta answers: read for her,
		// not for Nuno.
		post(t, w, w.ana, p, "", "And another.")
		if !unread("marta") || !unread("nuno") {
			t.Fatal("the second broker message is not unread for both")
		}
		post(t, w, w.marta, p, "", "Answered.")
		if unread("marta") || !unread("nuno") {
			t.Fatalf("after Marta's answer: marta unread %v, nuno unread %v", unread("marta"), unread("nuno"))
		}
	})
}
