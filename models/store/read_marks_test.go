package store_test

import (
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
