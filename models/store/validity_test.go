package store_test

import (
	"context"
	"strconv"
	"strings"
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

// procListEsis is the ESIS validity at now of process uuid's row on the
// process list of ctx's caller.
func procListEsis(t *testing.T, s *store.Store, ctx context.Context, uuid string, now time.Time) models.EsisValidity {
	t.Helper()
	d, err := s.GetProcess(ctx, uuid)
	storetest.Must(t, err, "get")
	// Found by its number: the demo bank has more processes than a page.
	page, err := s.ListProcesses(ctx, models.ProcessFilter{Limit: 50, Search: strconv.FormatInt(d.Process.ProcessNumber, 10)})
	storetest.Must(t, err, "list")
	for _, it := range page.Items {
		if strings.EqualFold(it.UUID, uuid) {
			return it.Esis(now)
		}
	}
	t.Fatalf("process %s not in the list", uuid)
	return models.EsisValidity{}
}

func TestProcessListShowsEsisValidity(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		convert := func(simUUID string) string {
			t.Helper()
			p, err := s.CreateProcess(w.ana, models.ProcessInput{SimulationUUID: simUUID})
			storetest.Must(t, err, "convert")
			return p.UUID
		}
		plain, err := s.CreateProcess(w.ana, models.ProcessInput{LoanAmountCents: 150_000_00, LoanDurationMonths: 360})
		storetest.Must(t, err, "process")

		// Issued, then converted: the process shows that ESIS.
		a, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		issue, err := s.IssueSimulationEsis(w.ana, a.UUID, models.EsisOptions{})
		storetest.Must(t, err, "issue")
		pa := convert(a.UUID)
		at := issue.IssuedAt.Add(time.Hour)

		// Issued, changed, validated, converted: changed, for good.
		b, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		_, err = s.IssueSimulationEsis(w.ana, b.UUID, models.EsisOptions{})
		storetest.Must(t, err, "issue")
		_, err = s.UpdateSimulation(w.ana, b.UUID, models.SimulationInput{LoanDurationMonths: ip(300)})
		storetest.Must(t, err, "update")
		_, err = s.ValidateSimulation(w.ana, b.UUID)
		storetest.Must(t, err, "validate")
		pb := convert(b.UUID)

		// Converted without an ESIS.
		c, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		_, err = s.ValidateSimulation(w.ana, c.UUID)
		storetest.Must(t, err, "validate")
		pc := convert(c.UUID)

		for _, ctx := range []context.Context{w.joao, w.marta} { // the firm's list and the bank's
			if e := procListEsis(t, s, ctx, plain.UUID, at); e.State != models.EsisNone {
				t.Errorf("a process without a simulation: %+v", e)
			}
			e := procListEsis(t, s, ctx, pa, at)
			if e.State != models.EsisValid || !e.ValidUntil.Equal(issue.ValidUntil) || !e.IssuedAt.Equal(issue.IssuedAt) {
				t.Errorf("converted after an issue: %+v, issue valid until %s", e, issue.ValidUntil)
			}
			if e := procListEsis(t, s, ctx, pa, issue.ValidUntil); e.State != models.EsisExpired {
				t.Errorf("at its end: %+v", e)
			}
			if e := procListEsis(t, s, ctx, pb, at); e.State != models.EsisChanged {
				t.Errorf("figures changed before the conversion: %+v", e)
			}
			if e := procListEsis(t, s, ctx, pc, at); e.State != models.EsisNone {
				t.Errorf("converted without an ESIS: %+v", e)
			}
		}
		// The list says what the process page says.
		for _, id := range []string{pa, pb, pc} {
			d, err := s.GetProcess(w.joao, id)
			storetest.Must(t, err, "get")
			if got, want := procListEsis(t, s, w.joao, id, at).State, d.Esis.State; got != want {
				t.Errorf("process %s: list %s, page %s", id, got, want)
			}
		}

		// An issue on the process: valid, for the changed one too.
		for _, id := range []string{pb, pc} {
			re, err := s.IssueProcessEsis(w.ana, id, models.EsisOptions{IgnoreRules: true})
			storetest.Must(t, err, "issue on the process")
			e := procListEsis(t, s, w.marta, id, re.IssuedAt.Add(time.Hour))
			if e.State != models.EsisValid || !e.ValidUntil.Equal(re.ValidUntil) {
				t.Errorf("after an issue on the process: %+v, valid until %s", e, re.ValidUntil)
			}
		}
	})
}
