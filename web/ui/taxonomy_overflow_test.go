package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// A ?page= past the end, however large, shows the last page (it used to
// overflow (page-1)*size into a negative slice index: a 500).
func TestAdminTaxonomyPageOutOfRange(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(admin)
	for _, page := range []string{"9223372036854775807", "92233720368547758", "4611686018427387904", "32", "1000000"} {
		res := c.Get("/admin/taxonomies/parishes?page=" + page)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("page=%s: %d", page, res.StatusCode)
		}
		doc := res.Doc(t)
		if got := strings.TrimSpace(doc.Find(`[data-testid="taxonomy-range"]`).Text()); got != "3001–3092 of 3092" {
			t.Errorf("page=%s: range %q, want the last page", page, got)
		}
		if href := doc.Find(`a[rel="prev"]`).AttrOr("href", ""); href != "/admin/taxonomies/parishes?page=30" || doc.Find(`a[rel="next"]`).Length() != 0 {
			t.Errorf("page=%s: prev %q", page, href)
		}
	}
	// Too large to be a number, zero, negative, junk: the first page.
	for _, page := range []string{"99999999999999999999", "0", "-5", "x"} {
		res := c.Get("/admin/taxonomies/parishes?page=" + page)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("page=%s: %d", page, res.StatusCode)
		}
		if got := strings.TrimSpace(res.Doc(t).Find(`[data-testid="taxonomy-range"]`).Text()); got != "1–100 of 3092" {
			t.Errorf("page=%s: range %q", page, got)
		}
	}
}
