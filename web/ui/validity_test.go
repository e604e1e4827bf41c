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
