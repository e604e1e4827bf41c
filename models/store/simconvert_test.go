package store_test

import (
	"encoding/json"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// simulationMoves is the simulation.status_changed outbox events of
// simulation uuid, oldest first, as (from, to) pairs.
func simulationMoves(t *testing.T, s *store.Store, uuid string) [][2]int {
	t.Helper()
	var payloads []string
	storetest.Must(t, s.DB().Table("outbox_events").Where("kind = ? AND subject_uuid = ?", models.EventSimulationStatusChanged, uuid).
		Order("id").Pluck("payload", &payloads).Error, "outbox")
	out := [][2]int{}
	for _, p := range payloads {
		var ev models.Event
		storetest.Must(t, json.Unmarshal([]byte(p), &ev), "payload")
		if ev.SimulationUUID != uuid || ev.BankID == 0 || ev.BrokerID == 0 {
			t.Errorf("event %+v", ev)
		}
		out = append(out, [2]int{ev.FromStatusID, ev.ToStatusID})
	}
	return out
}

func sameMoves(a, b [][2]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCreateProcessFromSimulation: a validated simulation becomes a process
// "In creation" with its loan data and borrowers (the first the key
// borrower), and the simulation is converted, naming the process, with its
// timeline row and events; a second conversion, a simulation not
// validated, a foreign one and one with a nameless borrower are refused
// and write nothing.
func TestCreateProcessFromSimulation(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		in := fixedSimulation()
		bs := append(*in.Borrowers, models.SimulationBorrower{Name: "Bruno Rocha", BirthDate: "1988-07-10",
			MonthlyNetIncomeCents: 1_800_00, MonthlyInstalmentsOtherCreditCents: 50_00})
		in.Borrowers = &bs
		sim, err := s.CreateSimulation(w.ana, in)
		storetest.Must(t, err, "create")

		// In creation: not convertible; nothing written.
		_, err = s.CreateProcess(w.ana, models.ProcessInput{SimulationUUID: sim.UUID})
		if e := wantCode(t, err, models.CodeConflict); e.Key != "simulation.not_convertible" {
			t.Fatalf("in creation: %v (key %s)", err, e.Key)
		}
		val, err := s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate")
		if !val.Passed {
			t.Fatalf("validation failed: %+v", val.Rules)
		}
		processesBefore := count(t, s, "processes", "")

		// Another firm's simulation and a missing one answer alike.
		_, foreign := s.CreateProcess(w.rui, models.ProcessInput{SimulationUUID: sim.UUID})
		_, missing := s.CreateProcess(w.rui, models.ProcessInput{SimulationUUID: "00000000-0000-4000-8000-000000000000"})
		if e := wantCode(t, foreign, models.CodeNotFound); e.Entity != "simulation" || foreign.Error() != missing.Error() {
			t.Errorf("foreign %v, missing %v", foreign, missing)
		}
		_, err = s.CreateProcess(w.marta, models.ProcessInput{SimulationUUID: sim.UUID})
		wantCode(t, err, models.CodeForbidden)

		branch := 3
		p, err := s.CreateProcess(w.joao, models.ProcessInput{SimulationUUID: sim.UUID, BranchID: &branch, HasCrossSelling: true,
			LoanAmountCents: 1}) // the simulation's loan data wins over the input's
		storetest.Must(t, err, "convert")
		if p.StatusID != models.StatusInCreation || p.LoanAmountCents != 150_000_00 || p.LoanDurationMonths != 360 ||
			p.LoanPurposeID == nil || *p.LoanPurposeID != 1 || p.ProductPurposeID == nil || *p.ProductPurposeID != 1 ||
			p.ProductSchemeID == nil || *p.ProductSchemeID != 1 || p.SimulationUUID == nil || *p.SimulationUUID != sim.UUID ||
			p.SimulationNumber == nil || *p.SimulationNumber != sim.SimulationNumber || p.BranchID == nil || *p.BranchID != 3 ||
			!p.HasCrossSelling || p.KeyBorrowerName != "Carla Mendes Rocha" {
			t.Fatalf("process %+v", p)
		}
		detail, err := s.GetProcess(w.ana, p.UUID)
		storetest.Must(t, err, "get process")
		if detail.Process.SimulationUUID == nil || *detail.Process.SimulationUUID != sim.UUID {
			t.Errorf("detail's simulation %v", detail.Process.SimulationUUID)
		}
		got, err := s.ListBorrowers(w.ana, p.UUID)
		storetest.Must(t, err, "borrowers")
		if len(got) != 2 || !got[0].IsKey() || got[0].Name != "Carla Mendes Rocha" || got[0].TaxID != "123456789" ||
			got[0].BirthDate != "1990-03-01" || got[0].IncomeWagesPensionsCents != 2_500_00 || got[0].InstallmentOtherCents != 100_00 ||
			got[1].IsKey() || got[1].Name != "Bruno Rocha" || got[1].IncomeWagesPensionsCents != 1_800_00 || got[1].InstallmentOtherCents != 50_00 {
			t.Errorf("borrowers %+v", got)
		}
		props, err := s.ListProperties(w.ana, p.UUID)
		storetest.Must(t, err, "properties")
		if len(props) != 1 {
			t.Errorf("%d properties, want the empty one", len(props))
		}
		tl, err := s.Timeline(w.ana, p.UUID)
		storetest.Must(t, err, "timeline")
		if len(tl) == 0 || tl[0].Kind != models.TimelineStatus || tl[0].ToStatus != models.StatusInCreation {
			t.Errorf("timeline %+v", tl)
		}
		if n := count(t, s, "outbox_events", "kind = ? AND subject_uuid = ?", models.EventProcessStatusChanged, p.UUID); n != 1 {
			t.Errorf("%d process events, want 1", n)
		}

		after, err := s.GetSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "get simulation")
		if after.StatusID != models.SimulationConverted || after.ProcessUUID != p.UUID || after.ProcessNumber != p.ProcessNumber {
			t.Errorf("simulation after %+v", after)
		}
		if n := count(t, s, "simulation_events", "what = ? AND from_status = ? AND to_status = ?",
			models.SimulationEventConverted, models.SimulationValidated, models.SimulationConverted); n != 1 {
			t.Errorf("%d conversion timeline rows", n)
		}
		want := [][2]int{{models.SimulationInCreation, models.SimulationValidated}, {models.SimulationValidated, models.SimulationConverted}}
		if got := simulationMoves(t, s, sim.UUID); !sameMoves(got, want) {
			t.Errorf("status events %v, want %v", got, want)
		}

		// Twice: already converted, nothing more written.
		_, err = s.CreateProcess(w.ana, models.ProcessInput{SimulationUUID: sim.UUID})
		if e := wantCode(t, err, models.CodeConflict); e.Key != "simulation.already_converted" {
			t.Errorf("second conversion: %v (key %s)", err, e.Key)
		}
		if n := count(t, s, "processes", ""); n != processesBefore+1 {
			t.Errorf("%d processes, want %d", n, processesBefore+1)
		}

		// A nameless borrower: the process needs names.
		nameless := fixedSimulation()
		nb := []models.SimulationBorrower{(*nameless.Borrowers)[0], {BirthDate: "1985-01-01", MonthlyNetIncomeCents: 1_000_00}}
		nameless.Borrowers = &nb
		sim2, err := s.CreateSimulation(w.ana, nameless)
		storetest.Must(t, err, "create nameless")
		_, err = s.ValidateSimulation(w.ana, sim2.UUID)
		storetest.Must(t, err, "validate nameless")
		_, err = s.CreateProcess(w.ana, models.ProcessInput{SimulationUUID: sim2.UUID})
		if e := wantCode(t, err, models.CodeInvalid); len(e.Fields) != 1 || e.Fields[0].Field != "borrowers[1].name" {
			t.Errorf("nameless borrower: %v", err)
		}
		if n := count(t, s, "processes", ""); n != processesBefore+1 {
			t.Errorf("%d processes after the refusal, want %d", n, processesBefore+1)
		}
		if again, _ := s.GetSimulation(w.ana, sim2.UUID); again.StatusID != models.SimulationValidated || again.ProcessUUID != "" {
			t.Errorf("refused simulation moved: %+v", again)
		}
	})
}

// TestSimulationStatusEvents: every status change writes its event in its
// transaction (validated, back to in creation by a change, cancelled); a
// change that keeps the status writes none.
func TestSimulationStatusEvents(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		longer := 300
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{LoanDurationMonths: &longer})
		storetest.Must(t, err, "update in creation")
		_, err = s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate")
		longer = 320
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{LoanDurationMonths: &longer})
		storetest.Must(t, err, "update validated")
		_, err = s.CancelSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "cancel")
		want := [][2]int{{1, 2}, {2, 1}, {1, 5}}
		if got := simulationMoves(t, s, sim.UUID); !sameMoves(got, want) {
			t.Errorf("status events %v, want %v", got, want)
		}
	})
}

// TestExpireSimulations: open simulations (in creation, validated) whose
// last action is older than the age expire, with a timeline row and an
// event each; newer ones, and those already converted or cancelled, stay;
// a second run moves nothing.
func TestExpireSimulations(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		setClock := simClock(s)
		w := newSimWorld(t, s)
		start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		setClock(start)
		old, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "old")
		oldValid, err := s.CreateSimulation(w.rui, fixedSimulation())
		storetest.Must(t, err, "old validated")
		_, err = s.ValidateSimulation(w.rui, oldValid.UUID)
		storetest.Must(t, err, "validate")
		cancelled, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "cancelled")
		_, err = s.CancelSimulation(w.ana, cancelled.UUID)
		storetest.Must(t, err, "cancel")
		setClock(start.Add(20 * 24 * time.Hour))
		recent, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "recent")

		now := start.Add(31 * 24 * time.Hour)
		n, err := s.ExpireSimulations(t.Context(), now, models.DefaultSimulationExpiry)
		storetest.Must(t, err, "expire")
		if n != 2 {
			t.Errorf("expired %d, want 2", n)
		}
		for uuid, want := range map[string]int{old.UUID: models.SimulationExpired, oldValid.UUID: models.SimulationExpired,
			cancelled.UUID: models.SimulationCancelled, recent.UUID: models.SimulationInCreation} {
			var status int
			storetest.Must(t, s.DB().Raw("SELECT status_id FROM simulations WHERE uuid = ?", uuid).Row().Scan(&status), "status")
			if status != want {
				t.Errorf("simulation %s: status %d, want %d", uuid, status, want)
			}
		}
		if got := simulationMoves(t, s, oldValid.UUID); !sameMoves(got, [][2]int{{1, 2}, {2, 4}}) {
			t.Errorf("validated one's events %v", got)
		}
		if got := simulationMoves(t, s, old.UUID); !sameMoves(got, [][2]int{{1, 4}}) {
			t.Errorf("in creation one's events %v", got)
		}
		if c := count(t, s, "simulation_events", "what = ?", models.SimulationEventExpired); c != 2 {
			t.Errorf("%d expiry timeline rows, want 2", c)
		}
		// An expired simulation can no longer change.
		_, err = s.CancelSimulation(w.ana, old.UUID)
		wantCode(t, err, models.CodeConflict)
		if n, err := s.ExpireSimulations(t.Context(), now, models.DefaultSimulationExpiry); err != nil || n != 0 {
			t.Errorf("second run: %d, %v", n, err)
		}
	})
}

// TestProcessEsisValidity: a process's ESIS is its simulation's last issue
// (the columns the ESIS service writes), the same on GetProcess and the
// process page: none before an issue, valid, changed when the figures
// differ from the issue's, expired past its date; a process opened without
// a simulation has none.
func TestProcessEsisValidity(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		setClock := simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		_, err = s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate")
		p, err := s.CreateProcess(w.ana, models.ProcessInput{SimulationUUID: sim.UUID})
		storetest.Must(t, err, "convert")
		plain, err := s.CreateProcess(w.ana, models.ProcessInput{LoanAmountCents: 100_000_00, LoanDurationMonths: 240})
		storetest.Must(t, err, "plain process")

		states := func(uuid string) (models.EsisValidity, models.EsisValidity) {
			t.Helper()
			d, err := s.GetProcess(w.marta, uuid)
			storetest.Must(t, err, "get")
			pd, _, err := s.ProcessPage(w.ana, uuid, models.ThreadQuery{})
			storetest.Must(t, err, "page")
			return d.Esis, pd.Esis
		}
		for _, uuid := range []string{p.UUID, plain.UUID} {
			if a, b := states(uuid); a.State != models.EsisNone || b.State != models.EsisNone {
				t.Errorf("before any issue: %+v, %+v", a, b)
			}
		}
		issued := time.Date(2026, 6, 16, 9, 0, 0, 0, time.UTC)
		until := issued.Add(models.DefaultEsisValidity)
		stored, err := s.GetSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "get simulation")
		hash := models.FiguresHash(stored.Input, stored.Result)
		storetest.Must(t, s.DB().Exec("UPDATE simulations SET esis_issued_at = ?, esis_valid_until = ?, esis_figures_hash = ? WHERE uuid = ?",
			issued, until, hash, sim.UUID).Error, "issue")

		setClock(issued.Add(24 * time.Hour))
		a, b := states(p.UUID)
		if a.State != models.EsisValid || b != a || !a.IssuedAt.Equal(issued) || !a.ValidUntil.Equal(until) {
			t.Errorf("valid: %+v, page %+v", a, b)
		}
		if a, _ := states(plain.UUID); a.State != models.EsisNone {
			t.Errorf("plain process: %+v", a)
		}
		setClock(until.Add(time.Hour))
		if a, b := states(p.UUID); a.State != models.EsisExpired || b.State != models.EsisExpired {
			t.Errorf("past its date: %+v, %+v", a, b)
		}
		storetest.Must(t, s.DB().Exec("UPDATE simulations SET esis_figures_hash = ? WHERE uuid = ?", "0123456789abcdef", sim.UUID).Error, "hash")
		setClock(issued.Add(24 * time.Hour))
		if a, b := states(p.UUID); a.State != models.EsisChanged || b.State != models.EsisChanged {
			t.Errorf("figures changed: %+v, %+v", a, b)
		}
	})
}
