package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/web/webtest"
)

// The simulation list shows each row's ESIS validity, in the reader's
// language, worded as the simulation page words it.
func TestSimulationListShowsEsisValidity(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		en := s.ClientIn(t, "en")
		en.Login(ana)
		pt := s.ClientIn(t, "pt-PT")
		pt.Login(ana)
		id := saveSimulation(t, en, simForm("35"))

		for _, tc := range []struct {
			c         *webtest.Client
			col, none string
		}{{en, "ESIS", "No ESIS issued"}, {pt, "FINE", "Nenhuma FINE emitida"}} {
			doc := tc.c.Get("/simulations").Doc(t)
			badge := doc.Find(`[data-testid="simulation-row"] [data-testid="row-esis"]`)
			if badge.Length() != 1 || badge.AttrOr("data-state", "") != "none" || strings.TrimSpace(badge.Text()) != tc.none {
				t.Errorf("before any ESIS: %d badges, %q %q", badge.Length(), badge.AttrOr("data-state", ""), badge.Text())
			}
			if cell := badge.Parent(); cell.AttrOr("data-label", "") != tc.col {
				t.Errorf("the badge's cell is labelled %q for phones, want %q", cell.AttrOr("data-label", ""), tc.col)
			}
		}

		if res := en.PostForm("/simulations/"+id+"/esis", url.Values{"ignoreRules": {"true"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("issue: %d", res.StatusCode)
		}
		for _, tc := range []struct {
			c           *webtest.Client
			validPrefix string
		}{{en, "ESIS valid until "}, {pt, "FINE válida até "}} {
			page := strings.TrimSpace(tc.c.Get("/simulations/" + id).Doc(t).Find(`[data-testid="esis-validity"]`).Text())
			badge := tc.c.Get("/simulations").Doc(t).Find(`[data-testid="simulation-row"] [data-testid="row-esis"]`)
			got := strings.TrimSpace(badge.Text())
			if badge.AttrOr("data-state", "") != "valid" || !strings.HasPrefix(got, tc.validPrefix) || got != page {
				t.Errorf("after the issue the list says %q (%s), the page %q", got, badge.AttrOr("data-state", ""), page)
			}
		}
	})
}

// A process converted from a simulation shows its ESIS validity on the
// firm's list and on the bank's, worded as the process page words it.
func TestProcessListsShowEsisValidity(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		id := saveSimulation(t, c, simForm("35"))
		if res := c.PostForm("/simulations/"+id+"/esis", url.Values{}); res.StatusCode != http.StatusOK {
			t.Fatalf("issue: %d\n%s", res.StatusCode, clip(res.Body))
		}
		res := c.PostForm("/simulations/"+id+"/convert", url.Values{})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/processes/") {
			t.Fatalf("convert: %d to %q", res.StatusCode, loc)
		}
		row := c.Get("/processes").Doc(t).Find(`[data-testid="process-row"]:has(a[href="` + loc + `"])`)
		number := strings.TrimSpace(row.Find(`a[href="` + loc + `"]`).Text())
		if row.Length() != 1 || number == "" {
			t.Fatalf("the new process is not on the firm's list")
		}

		for _, tc := range []struct{ lang, login, list, col, prefix string }{
			{"en", ana, "/processes", "ESIS", "ESIS valid until "},
			{"pt-PT", ana, "/processes", "FINE", "FINE válida até "},
			{"en", marta, "/staff/processes?q=" + number, "ESIS", "ESIS valid until "},
			{"pt-PT", marta, "/staff/processes?q=" + number, "FINE", "FINE válida até "},
		} {
			u := s.ClientIn(t, tc.lang)
			u.Login(tc.login)
			page := strings.TrimSpace(u.Get(loc).Doc(t).Find(`[data-testid="esis-validity"]`).Text())
			doc := u.Get(tc.list).Doc(t)
			badge := doc.Find(`[data-testid="process-row"]:has(a[href="` + loc + `"]) [data-testid="row-esis"]`)
			got := strings.TrimSpace(badge.Text())
			if badge.Length() != 1 || badge.AttrOr("data-state", "") != "valid" || !strings.HasPrefix(got, tc.prefix) || got != page {
				t.Errorf("%s %s: the row says %q (%s), the page %q", tc.lang, tc.list, got, badge.AttrOr("data-state", ""), page)
			}
			if l := badge.Parent().AttrOr("data-label", ""); l != tc.col {
				t.Errorf("%s %s: the badge's cell is labelled %q for phones", tc.lang, tc.list, l)
			}
		}
	})
}
