package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/session"
	"portal/web/webtest"
)

// The reply queue speaks the client's language: Portuguese by default.
func TestReplyQueueInPortugueseAndEnglish(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	pt := s.ClientIn(t, "")
	pt.Login(marta)
	res := pt.Get("/staff/threads")
	doc := res.Doc(t)
	if htmlLang(t, res) != "pt-PT" || strings.TrimSpace(doc.Find("h1").Text()) != "Fila de resposta" ||
		strings.TrimSpace(doc.Find(`[data-testid="queue-tab-waiting"]`).Contents().First().Text()) != "À espera do banco" ||
		doc.Find(`th:contains("Última mensagem")`).Length() != 1 || doc.Find(`[data-testid="queue-row"]`).Length() == 0 {
		t.Errorf("Portuguese queue: lang %q, h1 %q, tab %q", htmlLang(t, res), doc.Find("h1").Text(), doc.Find(`[data-testid="queue-tab-waiting"]`).Text())
	}
	if got := doc.Find(`[data-testid="queue-waited"]`).First().Text(); !strings.HasPrefix(got, "à espera há ") {
		t.Errorf("Portuguese waiting time %q", got)
	}
	if got := doc.Find(`[data-testid="queue-count-waiting"] .sr-only`).Text(); !strings.HasSuffix(got, " conversas") {
		t.Errorf("Portuguese count %q", got)
	}

	en := s.Client(t)
	en.Login(marta)
	res = en.Get("/staff/threads")
	doc = res.Doc(t)
	if htmlLang(t, res) != "en" || strings.TrimSpace(doc.Find("h1").Text()) != "Reply queue" ||
		strings.TrimSpace(doc.Find(`[data-testid="queue-tab-waiting"]`).Contents().First().Text()) != "Waiting for the bank" {
		t.Errorf("English queue: lang %q, h1 %q", htmlLang(t, res), doc.Find("h1").Text())
	}
	if got := doc.Find(`[data-testid="queue-waited"]`).First().Text(); !strings.HasPrefix(got, "waiting ") {
		t.Errorf("English waiting time %q", got)
	}
}

type queueRow struct {
	process, waited string
	at              time.Time
	unread          bool
}

func queueRows(t *testing.T, doc *goquery.Selection) []queueRow {
	t.Helper()
	var out []queueRow
	doc.Find(`[data-testid="queue-row"]`).Each(func(_ int, r *goquery.Selection) {
		tm := r.Find(`[data-testid="queue-waited"]`)
		at, err := time.Parse(time.RFC3339, tm.AttrOr("datetime", ""))
		if err != nil {
			t.Fatalf("row time: %v", err)
		}
		out = append(out, queueRow{r.AttrOr("data-process", ""), strings.TrimSpace(tm.Text()), at,
			r.Find(`[data-testid="queue-unread"]`).Length() == 1})
	})
	return out
}

func tabCount(t *testing.T, doc *goquery.Selection, kind models.ReplyQueueFilterKind) int64 {
	t.Helper()
	n, err := strconv.ParseInt(doc.Find(`[data-testid="queue-count-`+string(kind)+`"] [aria-hidden="true"]`).Text(), 10, 64)
	if err != nil {
		t.Fatalf("count of %s: %v", kind, err)
	}
	return n
}

// Waiting threads: the longest wait first, each saying how long it has
// waited; every tab shows its count, within the firm chosen.
func TestReplyQueueWaitingOrderAndCounts(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(marta)
		doc := c.Get("/staff/threads").Doc(t)
		rows := queueRows(t, doc.Selection)
		if len(rows) < 3 {
			t.Fatalf("%d waiting rows", len(rows))
		}
		for i, r := range rows {
			if i > 0 && r.at.Before(rows[i-1].at) {
				t.Errorf("row %d waited less than row %d: %s after %s", i-1, i, rows[i-1].at, r.at)
			}
			if !strings.HasPrefix(r.waited, "waiting ") {
				t.Errorf("row %d says %q", i, r.waited)
			}
		}
		ctx := storetest.AsUser(t, s.Store, marta)
		for _, firm := range []string{"", "BRK-POR-002"} {
			want, err := s.Store.ReplyQueueCounts(ctx, firm)
			storetest.Must(t, err, "counts")
			doc := c.Get("/staff/threads?filter=answered&firm=" + firm).Doc(t)
			got := models.ReplyQueueCounts{Waiting: tabCount(t, doc.Selection, models.ReplyQueueWaiting),
				Answered: tabCount(t, doc.Selection, models.ReplyQueueAnswered), All: tabCount(t, doc.Selection, models.ReplyQueueAll)}
			if got != *want || want.Waiting == 0 || want.Answered == 0 {
				t.Errorf("firm %q: tabs count %+v, the store %+v", firm, got, *want)
			}
			if firm == "" && int64(len(rows)) != min(want.Waiting, models.DefaultReplyQueuePageSize) {
				t.Errorf("%d waiting rows, count %d", len(rows), want.Waiting)
			}
			// Answered threads say how long ago.
			if r := queueRows(t, doc.Selection); len(r) == 0 || !strings.HasSuffix(r[0].waited, " ago") {
				t.Errorf("answered rows %+v", r)
			}
			if href := doc.Find(`[data-testid="queue-tab-waiting"]`).AttrOr("href", ""); firm != "" && !strings.Contains(href, "firm="+firm) {
				t.Errorf("waiting tab %q loses the firm", href)
			}
		}
	})
}

// The list refreshes itself: the page polls its list fragment (with the
// tabs out of band) as a background request, which neither extends the
// session nor, without htmx, shows a bare fragment.
func TestReplyQueueRefreshes(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(marta)
	doc := c.Get("/staff/threads?filter=all&firm=BRK-LIS-001").Doc(t)
	poll := doc.Find(`#queue-poll`)
	_, paused := poll.Attr("data-poll")
	if poll.AttrOr("hx-get", "") != "/staff/threads/list?filter=all&firm=BRK-LIS-001" || !paused ||
		!strings.Contains(poll.AttrOr("hx-trigger", ""), "every 30s") || !strings.Contains(poll.AttrOr("hx-headers", ""), session.BackgroundHeader) ||
		poll.AttrOr("hx-target", "") != "#queue-list" || doc.Find(`#queue-list`).Length() != 1 || doc.Find(`#queue-tabs`).Length() != 1 {
		t.Fatalf("poll %v", poll.Nodes)
	}

	// A broker writes; the next poll shows the thread first, unread, and
	// the counts moved.
	before := tabCount(t, doc.Selection, models.ReplyQueueWaiting)
	id, _ := quietProcess(t, s)
	a := s.Client(t)
	a.Login(ana)
	if res := a.PostForm("/processes/"+id+"/messages", url.Values{"text": {"A new question."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", res.StatusCode)
	}
	res := c.Get("/staff/threads/list?filter=all&firm=BRK-LIS-001", "HX-Request", "true", session.BackgroundHeader, "1")
	frag := res.Doc(t)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || frag.Find(`h1, #queue-poll`).Length() != 0 ||
		frag.Find(`#queue-tabs`).AttrOr("hx-swap-oob", "") != "true" {
		t.Fatalf("fragment %d: %s", res.StatusCode, res.Body)
	}
	rows := queueRows(t, frag.Selection)
	if len(rows) == 0 || rows[0].process != id || !rows[0].unread || rows[0].waited != "just now" ||
		tabCount(t, frag.Selection, models.ReplyQueueWaiting) != before+1 {
		t.Fatalf("after a new message: %+v, waiting %d (was %d)", rows, tabCount(t, frag.Selection, models.ReplyQueueWaiting), before)
	}
	if res := c.Get("/staff/threads/list?filter=waiting"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/threads?filter=waiting" {
		t.Errorf("list without htmx: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.Get("/staff/threads/list?filter=mine", "HX-Request", "true"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad filter: %d", res.StatusCode)
	}

	// The polls do not keep an unattended session alive.
	var tokenHash string
	s.Store.DB().Raw("SELECT token_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?", marta).Scan(&tokenHash)
	age := func(d time.Duration) {
		s.Store.DB().Model(&models.Session{}).Where("token_hash = ?", tokenHash).Update("last_seen_at", time.Now().UTC().Add(-d))
	}
	lastSeen := func() time.Time {
		var row models.Session
		s.Store.DB().Where("token_hash = ?", tokenHash).Take(&row)
		return row.LastSeenAt
	}
	age(20 * time.Minute)
	seen := lastSeen()
	if res := c.Get("/staff/threads/list?filter=waiting", "HX-Request", "true", session.BackgroundHeader, "1"); res.StatusCode != http.StatusOK || !lastSeen().Equal(seen) {
		t.Fatalf("a background refresh (%d) extended the session", res.StatusCode)
	}
	age(31 * time.Minute)
	res = c.Get("/staff/threads/list?filter=waiting", "HX-Request", "true", session.BackgroundHeader, "1",
		"HX-Current-URL", s.URL+"/staff/threads?filter=waiting")
	if res.StatusCode != http.StatusNoContent || !strings.HasPrefix(res.Header.Get("HX-Redirect"), "/login") {
		t.Fatalf("refresh after the idle timeout: %d %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}

// Unread is each staff member's own: Marta opening a thread does not mark
// it read for Nuno.
func TestReplyQueueUnreadPerStaffMember(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	a := s.Client(t)
	a.Login(ana)
	a.PostForm("/processes/"+id+"/messages", url.Values{"text": {"Is the valuation booked?"}})
	m, n := s.Client(t), s.Client(t)
	m.Login(marta)
	n.Login(nuno)
	unread := func(c *webtest.Client) bool {
		t.Helper()
		for _, r := range queueRows(t, c.Get("/staff/threads?filter=all").Doc(t).Selection) {
			if r.process == id {
				return r.unread
			}
		}
		t.Fatal("the thread is not on the queue's first page")
		return false
	}
	if !unread(m) || !unread(n) {
		t.Fatal("a new thread is not unread for both")
	}
	if res := m.Get("/processes/" + id); res.StatusCode != http.StatusOK {
		t.Fatalf("Marta opens the process: %d", res.StatusCode)
	}
	if unread(m) || !unread(n) {
		t.Fatalf("after Marta read it: unread for Marta %v, for Nuno %v", unread(m), unread(n))
	}
}
