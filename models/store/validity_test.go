package store_test

import (
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// listEsis is the ESIS validity at now of the list row of simulation uuid.
func listEsis(t *testing.T, s *store.Store, w *simWorld, uuid string, now time.Time) models.EsisValidity {
	t.Helper()
	page, err := s.ListSimulations(w.joao, models.SimulationFilter{Limit: 50})
	storetest.Must(t, err, "list")
	for _, it := range page.Items {
		if it.UUID == uuid {
			return it.Esis(now)
		}
	}
	t.Fatalf("simulation %s not in the list", uuid)
	return models.EsisValidity{}
}

func TestSimulationListShowsEsisValidity(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		none, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		issue, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{})
		storetest.Must(t, err, "issue")

		at := issue.IssuedAt.Add(time.Hour)
		if e := listEsis(t, s, w, none.UUID, at); e.State != models.EsisNone {
			t.Errorf("never issued: %+v", e)
		}
		e := listEsis(t, s, w, sim.UUID, at)
		if e.State != models.EsisValid || !e.ValidUntil.Equal(issue.ValidUntil) || !e.IssuedAt.Equal(issue.IssuedAt) {
			t.Errorf("just issued: %+v, issue valid until %s", e, issue.ValidUntil)
		}
		if e := listEsis(t, s, w, sim.UUID, issue.ValidUntil); e.State != models.EsisExpired {
			t.Errorf("at its end: %+v", e)
		}
		// As the simulation page says, whatever the list says.
		again, err := s.GetSimulation(w.joao, sim.UUID)
		storetest.Must(t, err, "get")
		if got := again.Esis(at); got.State != e.State {
			t.Errorf("page %s, list %s", got.State, e.State)
		}

		// New figures: changed, also after the validity ended.
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{LoanDurationMonths: ip(300)})
		storetest.Must(t, err, "update")
		for _, now := range []time.Time{at, issue.ValidUntil.Add(time.Hour)} {
			if e := listEsis(t, s, w, sim.UUID, now); e.State != models.EsisChanged {
				t.Errorf("after a change, at %s: %+v", now, e)
			}
		}
		again, err = s.GetSimulation(w.joao, sim.UUID)
		storetest.Must(t, err, "get")
		if again.Esis(at).State != models.EsisChanged {
			t.Errorf("the page says %s", again.Esis(at).State)
		}

		// A re-issue shows the new figures: valid again.
		re, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{IgnoreRules: true})
		storetest.Must(t, err, "reissue")
		if e := listEsis(t, s, w, sim.UUID, re.IssuedAt.Add(time.Hour)); e.State != models.EsisValid {
			t.Errorf("re-issued: %+v", e)
		}

		// A row from before figures_hash existed ('') is not called changed.
		storetest.Must(t, s.DB().Exec(`UPDATE simulations SET figures_hash = '', esis_figures_hash = 'other' WHERE uuid = ?`,
			sim.UUID).Error, "age the row")
		if e := listEsis(t, s, w, sim.UUID, re.IssuedAt.Add(time.Hour)); e.State != models.EsisValid {
			t.Errorf("unknown current figures: %+v", e)
		}
	})
}
