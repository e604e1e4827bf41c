package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"portal/models"
	"portal/models/simulation"
	"portal/models/store"
	"portal/models/store/storetest"
)

// simClock fixes the store's clock at a day after the demo pricing's
// dates (2026-01-01), so the pricing in force is the seeded one.
func simClock(s *store.Store) func(time.Time) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	store.SetClock(s, func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond) // every write a later last action
		return now
	})
	return func(t time.Time) {
		mu.Lock()
		defer mu.Unlock()
		now = t
	}
}

type simWorld struct {
	ana, joao, rui, marta, admin, maria, anon context.Context
}

func newSimWorld(t *testing.T, s *store.Store) *simWorld {
	t.Helper()
	return &simWorld{ana: storetest.AsUser(t, s, anaEmail), joao: storetest.AsUser(t, s, joaoEmail), rui: storetest.AsUser(t, s, ruiEmail),
		marta: storetest.AsUser(t, s, martaEmail), admin: storetest.AsUser(t, s, adminEmail), maria: storetest.AsUser(t, s, mariaEmail),
		anon: context.Background()}
}

// fixedSimulation is the published case: 150 000 € over 360 months at a
// fixed 3.5 % (the demo fixed rate of 30 years, fixed-fixed-period 5).
func fixedSimulation() models.SimulationInput {
	bs := []models.SimulationBorrower{{Name: "Carla Mendes Rocha", TaxID: "123456789", BirthDate: "1990-03-01",
		MonthlyNetIncomeCents: 2_500_00, MonthlyInstalmentsOtherCreditCents: 100_00}}
	return models.SimulationInput{LoanAmountCents: i64p(150_000_00), LoanDurationMonths: ip(360), LoanPurposeID: ip(1),
		ProductPurposeID: ip(1), RateTypeID: ip(simulation.RateFixed), FixedFixedPeriodID: ip(5),
		PropertyValueCents: i64p(200_000_00), PropertyAcquisitionAmountCents: i64p(190_000_00), PropertyDistrictID: ip(districtLisboa),
		Borrowers: &bs}
}

func variableSimulation() models.SimulationInput {
	in := fixedSimulation()
	in.RateTypeID, in.FixedFixedPeriodID, in.IndexTypeID = ip(simulation.RateVariable), nil, ip(simulation.IndexEuribor12M)
	return in
}

func TestCreateSimulationComputesWithPricing(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		if sim.StatusID != models.SimulationInCreation || sim.SimulationNumber != 100001 || sim.FirmName == "" || sim.CreatedByName != "Ana Silva" {
			t.Fatalf("created %+v", sim)
		}
		if sim.Result.MonthlyInstalment != 673_57 || sim.Result.TAN != 35*simulation.Percent/10 {
			t.Errorf("instalment %d, TAN %d: want 673.57 € at 3.5 %%", sim.Result.MonthlyInstalment, sim.Result.TAN)
		}
		if !sim.Pricing.Demo || sim.Pricing.FixedRate != 35*simulation.Percent/10 || sim.Pricing.Date != "2026-06-15" ||
			sim.Pricing.MinAmount != 25_000_00 || len(sim.Pricing.Charges) != 4 {
			t.Errorf("pricing used %+v", sim.Pricing)
		}
		// The demo price list's charges are in the TAEG: above the TAN's
		// effective rate, and the MTIC holds them.
		if sim.Result.TAEG <= sim.Result.TAN || sim.Result.MTIC <= 150_000_00+sim.Result.TotalInterest {
			t.Errorf("TAEG %d, MTIC %d, interest %d", sim.Result.TAEG, sim.Result.MTIC, sim.Result.TotalInterest)
		}
		if len(sim.Data.Borrowers) != 1 || sim.Data.Borrowers[0].Name != "Carla Mendes Rocha" || sim.Data.ProductSchemeID != 1 {
			t.Errorf("data %+v", sim.Data)
		}
		again, err := s.GetSimulation(w.joao, sim.UUID)
		storetest.Must(t, err, "get")
		if again.Result.MonthlyInstalment != 673_57 || again.Result.MTIC != sim.Result.MTIC || len(again.Result.Schedule) == 0 {
			t.Errorf("re-read %+v", again.Result)
		}

		// Variable: Euribor 12 months plus the spread, from the pricing;
		// an admin's new index value prices the next simulation.
		storetest.Must(t, s.SetIndexValue(w.admin, models.IndexValue{IndexTypeID: simulation.IndexEuribor12M, Month: "2026-05",
			Value: 25 * simulation.Percent / 10}), "index")
		v, err := s.CreateSimulation(w.ana, variableSimulation())
		storetest.Must(t, err, "variable")
		if v.Pricing.IndexMonth != "2026-05" || v.Pricing.Spread != simulation.Percent || v.Result.MonthlyInstalment != 673_57 {
			t.Errorf("variable: pricing %+v, instalment %d", v.Pricing, v.Result.MonthlyInstalment)
		}
		if v.SimulationNumber != sim.SimulationNumber+1 {
			t.Errorf("numbers %d then %d", sim.SimulationNumber, v.SimulationNumber)
		}

		// Only brokers create; the input is checked against the taxonomy.
		_, err = s.CreateSimulation(w.marta, fixedSimulation())
		wantWork(t, err, models.CodeForbidden)
		_, err = s.CreateSimulation(w.anon, fixedSimulation())
		wantWork(t, err, models.CodeUnauthorized)
		_, err = s.CreateSimulation(w.ana, models.SimulationInput{})
		wantWork(t, err, models.CodeInvalid, "loanAmount", "loanDurationMonths", "loanPurposeId", "productPurposeId",
			"rateTypeId", "propertyValue", "borrowers")
		bad := fixedSimulation()
		bs := []models.SimulationBorrower{{BirthDate: "2020-01-01"}, {BirthDate: "1980-13-01", TaxID: "123"}}
		ins := []models.SimulationInsurance{{BankChargeTypeID: 3, MonthlyPremiumCents: 10_00}}
		bad.Borrowers, bad.Insurances, bad.PropertyDistrictID, bad.FixedFixedPeriodID, bad.IndexTypeID = &bs, &ins, ip(99), ip(8), ip(1)
		_, err = s.CreateSimulation(w.ana, bad)
		wantWork(t, err, models.CodeInvalid, "borrowers[0].birthDate", "borrowers[1].birthDate", "borrowers[1].taxId",
			"insurances[0].bankChargeTypeId", "propertyDistrictId", "fixedFixedPeriodId", "indexTypeId")
		mixed := fixedSimulation()
		mixed.RateTypeID, mixed.FixedFixedPeriodID, mixed.IndexTypeID, mixed.MixedFixedPeriodID = ip(simulation.RateMixed), nil, ip(1), ip(9)
		_, err = s.CreateSimulation(w.ana, mixed)
		wantWork(t, err, models.CodeInvalid, "mixedFixedPeriodId") // 30-year fixed period of a 30-year loan
		mixed.MixedFixedPeriodID = ip(3)
		m, err := s.CreateSimulation(w.ana, mixed)
		storetest.Must(t, err, "mixed")
		if m.Result.FixedMonths != 60 || m.Result.TAN != 3*simulation.Percent || m.Result.TANAfterFixed != 302500 {
			t.Errorf("mixed: %+v", m.Result)
		}
	})
}

func TestSimulationKeepsPricingUsed(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, variableSimulation())
		storetest.Must(t, err, "create")
		old := sim.Result
		// The index and the spread change after the simulation was made.
		storetest.Must(t, s.SetIndexValue(w.admin, models.IndexValue{IndexTypeID: simulation.IndexEuribor12M, Month: "2026-06",
			Value: 40 * simulation.Percent / 10}), "index")
		storetest.Must(t, s.SetSpread(w.admin, models.Spread{ProductSchemeID: 1, ProductPurposeID: 1, ValidFrom: "2026-06-01",
			Spread: 2 * simulation.Percent}), "spread")
		again, err := s.GetSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "get")
		if again.Result.TAN != old.TAN || again.Result.MonthlyInstalment != old.MonthlyInstalment || again.Pricing.IndexValue != 225000 {
			t.Fatalf("re-read TAN %d instalment %d index %d, want the old %d, %d", again.Result.TAN, again.Result.MonthlyInstalment,
				again.Pricing.IndexValue, old.TAN, old.MonthlyInstalment)
		}
		// Validate runs on the stored figures too.
		val, err := s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate")
		if !val.Passed || val.Simulation.Result.TAN != old.TAN {
			t.Errorf("validated %+v", val)
		}
		// A change re-prices with today's pricing: 4 % + 2 %.
		up, err := s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{LoanDurationMonths: ip(300)})
		storetest.Must(t, err, "update")
		if up.Result.TAN != 6*simulation.Percent || up.Pricing.IndexMonth != "2026-06" {
			t.Errorf("updated TAN %d, pricing %+v", up.Result.TAN, up.Pricing)
		}
		// The pricing at an earlier date is the one in force then.
		p, err := s.PricingAt(w.ana, "2026-05-31")
		storetest.Must(t, err, "pricing")
		for _, sp := range p.Spreads {
			if sp.ProductSchemeID == 1 && sp.ProductPurposeID == 1 && (sp.Spread != simulation.Percent || !sp.Demo) {
				t.Errorf("spread on 31 May %+v", sp)
			}
		}
	})
}

func TestPricingChangesAreAdminsAndAudited(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		iv := models.IndexValue{IndexTypeID: 1, Month: "2026-06", Value: 21 * simulation.Percent / 10}
		wantWork(t, s.SetIndexValue(w.marta, iv), models.CodeForbidden)
		wantWork(t, s.SetIndexValue(w.ana, iv), models.CodeForbidden)
		wantWork(t, s.SetIndexValue(w.anon, iv), models.CodeUnauthorized)
		wantWork(t, s.SetIndexValue(w.admin, models.IndexValue{IndexTypeID: 4, Month: "2026-6", Value: 12345}),
			models.CodeInvalid, "indexTypeId", "month", "value")
		wantWork(t, s.SetCharge(w.admin, models.PriceCharge{ChargeTypeID: simulation.ChargeStampDutyLoan, ValidFrom: "2026-06-01",
			Periodicity: 3}), models.CodeInvalid, "chargeTypeId", "periodicity")
		wantWork(t, s.SetProductLimit(w.admin, models.ProductLimit{ProductSchemeID: 1, ValidFrom: "2026-06-01",
			MinAmountCents: 10, MaxAmountCents: 5}), models.CodeInvalid, "maxAmount")
		storetest.Must(t, s.SetIndexValue(w.admin, iv), "set")
		iv.Value = 22 * simulation.Percent / 10
		storetest.Must(t, s.SetIndexValue(w.admin, iv), "replace")
		pct := simulation.Percent / 2
		storetest.Must(t, s.SetCharge(w.admin, models.PriceCharge{ChargeTypeID: simulation.ChargeArrangement, ValidFrom: "2026-06-01",
			Percentage: &pct, Periodicity: simulation.Upfront, Active: true}), "charge")
		storetest.Must(t, s.SetCharge(w.admin, models.PriceCharge{ChargeTypeID: simulation.ChargeValuation, ValidFrom: "2026-06-01",
			Periodicity: simulation.Upfront, Active: false}), "charge off")
		p, err := s.PricingAt(w.rui, "")
		storetest.Must(t, err, "pricing")
		if p.Date != "2026-06-15" || p.IndexValues[0].Value != iv.Value || p.IndexValues[0].Demo {
			t.Errorf("index values %+v", p.IndexValues)
		}
		var types []int
		for _, c := range p.Charges {
			types = append(types, c.ChargeTypeID)
		}
		if fmt.Sprint(types) != "[2 3 5]" {
			t.Errorf("charges in force %v, want arrangement, formalisation, processing", types)
		}
		_, err = s.PricingAt(w.maria, "")
		wantWork(t, err, models.CodeForbidden)
		var n int64
		storetest.Must(t, s.DB().Model(&models.AuditEvent{}).Where("action = ?", models.AuditPricingChanged).Count(&n).Error, "audit")
		if n != 4 {
			t.Errorf("%d pricing audit rows, want 4", n)
		}
		// A percentage charge is priced on the loan amount: 0.5 % of 150 000 €.
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		found := false
		for _, c := range sim.Pricing.Charges {
			if c.TypeID == simulation.ChargeArrangement {
				found = c.Amount == 750_00
			}
		}
		if !found {
			t.Errorf("charges used %+v", sim.Pricing.Charges)
		}
	})
}

func TestSimulationScopeUpdateCancelValidate(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")

		// Foreign is missing, for reads and every write.
		_, err = s.GetSimulation(w.rui, sim.UUID)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.UpdateSimulation(w.rui, sim.UUID, models.SimulationInput{LoanDurationMonths: ip(-1)})
		wantWork(t, err, models.CodeNotFound)
		_, err = s.CancelSimulation(w.rui, sim.UUID)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.ValidateSimulation(w.rui, sim.UUID)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.GetSimulation(w.ana, "not-a-uuid")
		wantWork(t, err, models.CodeNotFound)
		_, err = s.GetSimulation(w.maria, sim.UUID)
		wantWork(t, err, models.CodeForbidden)
		staff, err := s.GetSimulation(w.marta, sim.UUID)
		storetest.Must(t, err, "staff read")
		if staff.UUID != sim.UUID {
			t.Errorf("staff read %s", staff.UUID)
		}
		_, err = s.ValidateSimulation(w.marta, sim.UUID)
		wantWork(t, err, models.CodeForbidden)

		// Validate: all rules pass -> validated, with the rule results.
		val, err := s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate")
		if !val.Passed || val.Simulation.StatusID != models.SimulationValidated || len(val.Rules) != 7 || val.Simulation.ValidatedAt == nil {
			t.Fatalf("validation %+v", val)
		}
		// A change sends it back to "in creation"; a failing one stays there.
		before := val.Simulation.LastActionAt
		up, err := s.UpdateSimulation(w.joao, sim.UUID, models.SimulationInput{LoanAmountCents: i64p(185_000_00)})
		storetest.Must(t, err, "update")
		if up.StatusID != models.SimulationInCreation || up.Validation != nil || !up.LastActionAt.After(before) ||
			up.Data.LoanDurationMonths != 360 || up.Data.Borrowers[0].Name != "Carla Mendes Rocha" {
			t.Fatalf("updated %+v", up)
		}
		val, err = s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate failing")
		failed := map[string]bool{}
		for _, r := range val.Rules {
			if !r.Passed {
				failed[r.Code] = true
			}
		}
		// 185 000 of min(200 000, 190 000) is above 90 %.
		if val.Passed || val.Simulation.StatusID != models.SimulationInCreation || len(failed) != 1 || !failed[simulation.RuleLTVOwnHome] {
			t.Fatalf("failing validation %+v (failed %v)", val, failed)
		}
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{})
		wantWork(t, err, models.CodeInvalid, "simulation")
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{LoanDurationMonths: ip(1000)})
		wantWork(t, err, models.CodeInvalid, "loanDurationMonths")

		// Cancel from 1 or 2 only; then nothing changes it.
		c, err := s.CancelSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "cancel")
		if c.StatusID != models.SimulationCancelled {
			t.Fatalf("cancelled %+v", c)
		}
		_, err = s.CancelSimulation(w.ana, sim.UUID)
		wantWork(t, err, models.CodeConflict)
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{LoanDurationMonths: ip(1000)})
		wantWork(t, err, models.CodeConflict) // the status before the input
		_, err = s.ValidateSimulation(w.ana, sim.UUID)
		wantWork(t, err, models.CodeConflict)

		// Every write is on the timeline.
		var whats []string
		storetest.Must(t, s.DB().Table("simulation_events").Joins("JOIN simulations ON simulations.id = simulation_events.simulation_id").
			Where("simulations.uuid = ?", sim.UUID).Order("simulation_events.id").Pluck("what", &whats).Error, "events")
		want := "[simulation.created simulation.validated simulation.updated simulation.validation_failed simulation.cancelled]"
		if fmt.Sprint(whats) != want {
			t.Errorf("events %v, want %s", whats, want)
		}
	})
}

func TestListSimulations(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		var mine []string
		for i := 0; i < 5; i++ {
			in := fixedSimulation()
			bs := []models.SimulationBorrower{{Name: fmt.Sprintf("Cliente %d", i), TaxID: "123456789", BirthDate: "1990-03-01",
				MonthlyNetIncomeCents: 3_000_00}}
			if i == 3 {
				bs[0].Name, bs[0].TaxID = "Beatriz Lopes", "286400014"
			}
			in.Borrowers = &bs
			sim, err := s.CreateSimulation(w.ana, in)
			storetest.Must(t, err, "create")
			mine = append([]string{sim.UUID}, mine...) // newest first
		}
		foreign, err := s.CreateSimulation(w.rui, fixedSimulation())
		storetest.Must(t, err, "foreign")
		if _, err := s.CancelSimulation(w.ana, mine[4]); err != nil { // the oldest moves to the top
			t.Fatal(err)
		}
		mine = append([]string{mine[4]}, mine[:4]...)

		// Paging forward and back, two at a time.
		p1, err := s.ListSimulations(w.joao, models.SimulationFilter{Limit: 2})
		storetest.Must(t, err, "page 1")
		if p1.Total != 5 || len(p1.Items) != 2 || p1.Items[0].UUID != mine[0] || p1.Items[1].UUID != mine[1] || p1.NextCursor == "" || p1.PrevCursor != "" {
			t.Fatalf("page 1 %+v", p1)
		}
		if p1.Items[0].MonthlyInstalment != 673_57 || p1.Items[0].KeyBorrowerName != "Cliente 0" || p1.Items[0].StatusID != models.SimulationCancelled {
			t.Errorf("row %+v", p1.Items[0])
		}
		p2, err := s.ListSimulations(w.joao, models.SimulationFilter{Limit: 2, After: p1.NextCursor})
		storetest.Must(t, err, "page 2")
		if len(p2.Items) != 2 || p2.Items[0].UUID != mine[2] || p2.PrevCursor == "" || p2.NextCursor == "" {
			t.Fatalf("page 2 %+v", p2)
		}
		back, err := s.ListSimulations(w.joao, models.SimulationFilter{Limit: 2, Before: p2.PrevCursor})
		storetest.Must(t, err, "back")
		if len(back.Items) != 2 || back.Items[0].UUID != mine[0] || back.PrevCursor != "" {
			t.Fatalf("back %+v", back)
		}
		p3, err := s.ListSimulations(w.joao, models.SimulationFilter{Limit: 2, After: p2.NextCursor})
		storetest.Must(t, err, "page 3")
		if len(p3.Items) != 1 || p3.Items[0].UUID != mine[4] || p3.NextCursor != "" {
			t.Fatalf("page 3 %+v", p3)
		}

		// Filters: status, search by name, tax id and number.
		for _, c := range []struct {
			f    models.SimulationFilter
			want int64
		}{
			{models.SimulationFilter{StatusID: models.SimulationCancelled}, 1},
			{models.SimulationFilter{StatusID: models.SimulationInCreation}, 4},
			{models.SimulationFilter{Search: "beatriz"}, 1},
			{models.SimulationFilter{Search: "286400014"}, 1},
			{models.SimulationFilter{Search: "100001"}, 1},
			{models.SimulationFilter{Search: "cliente"}, 4},
			{models.SimulationFilter{Search: "%"}, 0},
			{models.SimulationFilter{LastActionFrom: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, 0},
		} {
			pg, err := s.ListSimulations(w.ana, c.f)
			storetest.Must(t, err, "filter %+v", c.f)
			if pg.Total != c.want || int64(len(pg.Items)) != c.want {
				t.Errorf("filter %+v: total %d, %d items, want %d", c.f, pg.Total, len(pg.Items), c.want)
			}
		}
		// Another firm sees only its own; staff the bank's.
		other, err := s.ListSimulations(w.rui, models.SimulationFilter{})
		storetest.Must(t, err, "porto")
		if other.Total != 1 || other.Items[0].UUID != foreign.UUID {
			t.Errorf("porto's list %+v", other)
		}
		all, err := s.ListSimulations(w.marta, models.SimulationFilter{})
		storetest.Must(t, err, "staff")
		if all.Total != 6 {
			t.Errorf("staff's list total %d, want 6", all.Total)
		}
		_, err = s.ListSimulations(w.ana, models.SimulationFilter{After: "???"})
		wantWork(t, err, models.CodeInvalid, "after")
		_, err = s.ListSimulations(w.ana, models.SimulationFilter{Limit: 101})
		wantWork(t, err, models.CodeInvalid, "limit")
		_, err = s.ListSimulations(w.maria, models.SimulationFilter{})
		wantWork(t, err, models.CodeForbidden)
	})
}

func TestConcurrentSimulationNumbers(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		const n = 8
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			nums = map[int64]bool{}
			errs []error
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(ctx context.Context) {
				defer wg.Done()
				sim, err := s.CreateSimulation(ctx, fixedSimulation())
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				nums[sim.SimulationNumber] = true
			}([]context.Context{w.ana, w.joao, w.rui}[i%3])
		}
		wg.Wait()
		if len(errs) > 0 || len(nums) != n {
			t.Fatalf("errors %v, %d distinct numbers of %d", errs, len(nums), n)
		}
		for i := int64(100001); i < 100001+n; i++ {
			if !nums[i] {
				t.Errorf("number %d missing from %v", i, nums)
			}
		}
	})
}

func TestValidateSimulationDSTI(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		in := variableSimulation()
		bs := []models.SimulationBorrower{{BirthDate: "1990-03-01", MonthlyNetIncomeCents: 1_400_00, MonthlyInstalmentsOtherCreditCents: 50_00}}
		in.Borrowers = &bs
		sim, err := s.CreateSimulation(w.ana, in)
		storetest.Must(t, err, "create")
		val, err := s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate")
		var dsti simulation.RuleResult
		for _, r := range val.Rules {
			if r.Code == simulation.RuleDSTI {
				dsti = r
			}
		}
		// 3.25 % + the 1.5 pp shock over 30 years: about 782 € + 50 € of 1 400 €.
		if val.Passed || dsti.Passed || dsti.Value <= int64(simulation.DSTILimit) || val.Simulation.StatusID != models.SimulationInCreation {
			t.Fatalf("DSTI %+v, passed %v, status %d", dsti, val.Passed, val.Simulation.StatusID)
		}
		if val.Simulation.Result.StressRate != 325000+150000 {
			t.Errorf("stress rate %d", val.Simulation.Result.StressRate)
		}
		stored, err := s.GetSimulation(w.joao, sim.UUID)
		storetest.Must(t, err, "get")
		if len(stored.Validation) != 7 {
			t.Errorf("stored validation %+v", stored.Validation)
		}
		// More income: it passes and is validated.
		bs[0].MonthlyNetIncomeCents = 2_000_00
		_, err = s.UpdateSimulation(w.ana, sim.UUID, models.SimulationInput{Borrowers: &bs})
		storetest.Must(t, err, "update")
		val, err = s.ValidateSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "validate again")
		if !val.Passed || val.Simulation.StatusID != models.SimulationValidated {
			t.Fatalf("after more income: %+v", val.Rules)
		}
	})
}

// Concurrent creations of one bank all succeed and take consecutive
// numbers: none is refused because another read the same maximum.
func TestConcurrentCreationsTakeDistinctNumbers(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		const n = 64
		numbers := make(chan int64, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sim, err := s.CreateSimulation(w.ana, fixedSimulation())
				if err != nil {
					t.Errorf("create: %v", err)
					return
				}
				numbers <- sim.SimulationNumber
			}()
		}
		wg.Wait()
		close(numbers)
		seen := map[int64]bool{}
		for num := range numbers {
			if seen[num] || num < 100001 || num > 100000+n {
				t.Errorf("number %d twice or out of 100001..%d", num, 100000+n)
			}
			seen[num] = true
		}
		if len(seen) != n {
			t.Fatalf("%d simulations numbered, want %d", len(seen), n)
		}
	})
}
