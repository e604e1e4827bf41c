package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portal/web/webtest"
)

// unreadOf returns the unread count the process list shows c for the
// process (0 when the row has no count) and fails when the process is not
// on the list's first page.
func unreadOf(t *testing.T, c *webtest.Client, who, processUUID string) int {
	t.Helper()
	res := c.Get("/processes")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s's process list: %d", who, res.StatusCode)
	}
	row := res.Doc(t).Find(`[data-testid="process-row"]`).FilterFunction(func(_ int, r *goquery.Selection) bool {
		return r.Find(`a[href="/processes/`+processUUID+`"]`).Length() > 0
	})
	if row.Length() != 1 {
		t.Fatalf("%s's list has %d rows for %s", who, row.Length(), processUUID)
	}
	badge := row.Find(`[data-testid="unread-count"]`)
	switch badge.Length() {
	case 0:
		return 0
	case 1:
	default:
		t.Fatalf("%s's row has %d unread counts", who, badge.Length())
	}
	// The number, without the screen-reader text inside the badge.
	n := strings.TrimSpace(badge.Clone().Find(".sr-only").Remove().End().Text())
	switch n {
	case "1":
		return 1
	case "2":
		return 2
	}
	t.Fatalf("%s's unread count reads %q", who, n)
	return -1
}

func TestProcessListShowsUnreadCountPerUser(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id, _ := quietProcess(t, s)
		anaC, joao, martaC := s.Client(t), s.Client(t), s.Client(t)
		anaC.Login(ana)
		joao.Login("joao.costa@lisboa-credito.example")
		martaC.Login(marta)
		post := func(c *webtest.Client, who, text string) {
			t.Helper()
			if res := c.PostForm("/processes/"+id+"/messages", url.Values{"text": {text}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s posting: %d", who, res.StatusCode)
			}
		}

		// Ana posts to an empty thread: it is unread for João, not for her.
		post(anaC, "Ana", "Could you confirm the valuation date?")
		if n := unreadOf(t, joao, "João", id); n != 1 {
			t.Fatalf("João's unread count %d, want 1", n)
		}
		if n := unreadOf(t, anaC, "Ana", id); n != 0 {
			t.Fatalf("Ana's own message counts as unread for her: %d", n)
		}
		// Opening the process page reads the thread, for João only.
		if res := joao.Get("/processes/" + id); res.StatusCode != http.StatusOK {
			t.Fatalf("João opening the process: %d", res.StatusCode)
		}
		if n := unreadOf(t, joao, "João", id); n != 0 {
			t.Fatalf("João's count after opening the thread: %d", n)
		}

		// The bank replies twice: unread for both brokers; Ana reading it
		// leaves João's marks alone.
		post(martaC, "Marta", "Thursday at 10:00.")
		post(martaC, "Marta", "The valuer will call the seller.")
		if a, j := unreadOf(t, anaC, "Ana", id), unreadOf(t, joao, "João", id); a != 2 || j != 2 {
			t.Fatalf("after two bank replies: Ana %d, João %d, want 2 and 2", a, j)
		}
		anaC.Get("/processes/" + id)
		if a, j := unreadOf(t, anaC, "Ana", id), unreadOf(t, joao, "João", id); a != 0 || j != 2 {
			t.Fatalf("after Ana read: Ana %d, João %d, want 0 and 2", a, j)
		}
	})
}
