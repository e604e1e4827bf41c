package simulation

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var conclusion = time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)

// base is 150 000 € over 30 years at a fixed 3.5 % for a home purchase,
// with no charges: the published case.
func base() Input {
	return Input{
		LoanAmount: 15_000_000, Months: 360,
		RateTypeID: RateFixed, IndexTypeID: IndexFixedRate, FixedRate: 350_000,
		LoanPurposeID: LoanPurchase, ProductPurposeID: ProductOwnPermanentHome,
		PropertyValue: 20_000_000, PropertyAcquisitionAmount: 19_000_000, PropertyDistrictID: 11,
		Borrowers:      []Borrower{{BirthDate: time.Date(1990, 5, 10, 0, 0, 0, 0, time.UTC), MonthlyNetIncome: 250_000}},
		ConclusionDate: conclusion,
	}
}

func mustCompute(t testing.TB, in Input) Result {
	t.Helper()
	r, err := Compute(in)
	if err != nil {
		t.Fatalf("Compute: %v", err)
	}
	return r
}

func TestSchedulePublishedCase(t *testing.T) {
	ms := Schedule(15_000_000, 360, 350_000)
	first, last := ms[0], ms[359]
	if first.Instalment != 67_357 || first.Interest != 43_750 || first.Capital != 23_607 || first.Balance != 15_000_000-23_607 {
		t.Errorf("month 1 = %+v, want 673.57 = 437.50 interest + 236.07 capital", first)
	}
	// the last instalment absorbs the roundings (checked independently)
	if last.Instalment != 67_167 || last.Interest != 195 || last.Balance != 0 {
		t.Errorf("month 360 = %+v, want 671.67 with 1.95 interest and nothing left", last)
	}
	var interest int64
	for _, m := range ms {
		interest += m.Interest
	}
	if interest != 9_248_330 {
		t.Errorf("total interest = %d, want 92 483.30", interest)
	}
}

func TestTAEGNoChargesIdentity(t *testing.T) {
	for _, tan := range []Rate{0, 100_000, 350_000, 412_500, 800_000} {
		in := base()
		in.FixedRate = tan
		in.StampDutyExempt = true
		r := mustCompute(t, in)
		want := EffectiveAnnual(tan)
		if d := r.TAEG - want; d < -100 || d > 100 {
			t.Errorf("TAN %v: TAEG = %v, want (1+TAN/12)^12−1 = %v within 0.001 pp", tan, r.TAEG, want)
		}
		if r.TotalCharges != 0 || len(r.Charges) != 0 || r.MTIC != in.LoanAmount+r.TotalInterest {
			t.Errorf("TAN %v: charges %d %v, MTIC %d", tan, r.TotalCharges, r.Charges, r.MTIC)
		}
	}
	if got := EffectiveAnnual(350_000); got != 355_670 { // 3.556695…%
		t.Errorf("EffectiveAnnual(3.5 %%) = %v, want 3.55670 %%", got)
	}
	in := base()
	in.StampDutyExempt = true
	if r := mustCompute(t, in); r.TAEGShown != 360_000 {
		t.Errorf("TAEG shown = %v, want 3.6 %%", r.TAEGShown)
	}
}

func TestComputeWithCharges(t *testing.T) {
	in := base()
	in.Charges = []Charge{
		{TypeID: ChargeValuation, Amount: 25_000, Periodicity: Upfront},
		{TypeID: ChargeArrangement, Amount: 30_000, Periodicity: Upfront},
		{TypeID: ChargeInstalmentProcessing, Amount: 250, Periodicity: Monthly},
		{TypeID: ChargeEarlyRepaymentPart, Amount: 0, Periodicity: Upfront}, // shown only if priced
		{TypeID: ChargeContractChange, Amount: 15_000, Periodicity: Upfront},
		{TypeID: ChargeMortgageRegistration, Amount: 25_000, Periodicity: Upfront},
	}
	in.Insurances = []Insurance{
		{TypeID: ChargeLifeInsurance, MonthlyPremium: 3_000, Required: true},
		{TypeID: ChargeHomeInsurance, MonthlyPremium: 1_500, Required: false},
	}
	r := mustCompute(t, in)
	// Checked with an independent implementation (exact fractions, IRR by
	// bisection): TAEG 4.03865 %.
	checks := []struct {
		name      string
		got, want int64
	}{
		{"instalment", r.MonthlyInstalment, 67_357},
		{"stamp duty credit 0.6%", r.StampDutyCredit, 90_000},
		{"stamp duty commissions 4%", r.StampDutyCommissions, 2_200 + 10*360},
		{"stamp duty interest (exempt)", r.StampDutyInterest, 0},
		{"total interest", r.TotalInterest, 9_248_330},
		{"charges in TAEG", r.TotalCharges, 1_320_800},
		{"MTIC", r.MTIC, 25_569_130},
		{"TAEG", int64(r.TAEG), 403_865},
		{"TAEG shown", int64(r.TAEGShown), 400_000},
		{"LTV base = price", r.LTVBase, 19_000_000},
		{"LTV 78.947%", int64(r.LTV), 7_894_737},
		{"stressed (fixed: no shock)", r.StressedInstalment, 67_357},
		{"DSTI", int64(r.DSTI), 2_694_280},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	inTAEG := map[int]bool{}
	for _, l := range r.Charges {
		inTAEG[l.TypeID] = l.InTAEG
	}
	for id, want := range map[int]bool{ChargeStampDutyLoan: true, ChargeValuation: true, ChargeInstalmentProcessing: true,
		ChargeStampDutyFees: true, ChargeLifeInsurance: true, ChargeHomeInsurance: false, ChargeContractChange: false, ChargeMortgageRegistration: false} {
		if got, ok := inTAEG[id]; !ok || got != want {
			t.Errorf("charge %d: listed %v, in TAEG %v, want %v", id, ok, got, want)
		}
	}
	if _, ok := inTAEG[ChargeEarlyRepaymentPart]; ok {
		t.Errorf("a zero-priced contingent fee is listed")
	}
	if r.TAEG < EffectiveAnnual(r.TAN) {
		t.Errorf("TAEG %v below the effective TAN %v", r.TAEG, EffectiveAnnual(r.TAN))
	}
}

func TestComputeInterestStampDutyForOtherPurposes(t *testing.T) {
	in := base()
	in.LoanPurposeID, in.ProductPurposeID = LoanMultipurpose, ProductBuyToLet
	r := mustCompute(t, in)
	var want int64
	for _, m := range r.Months() {
		want += StampDutyInterest(m.Interest)
	}
	if r.StampDutyInterest != want || want < 369_000 || want > 370_000 { // ≈ 4 % of 92 483.30
		t.Errorf("stamp duty on interest = %d (want %d ≈ 3 699 €)", r.StampDutyInterest, want)
	}
	if r.MTIC != in.LoanAmount+r.TotalInterest+r.StampDutyCredit+r.StampDutyInterest {
		t.Errorf("MTIC %d does not include the stamp duty on interest", r.MTIC)
	}
	exempt := mustCompute(t, base())
	if r.TAEG <= exempt.TAEG {
		t.Errorf("TAEG with interest tax %v not above exempt %v", r.TAEG, exempt.TAEG)
	}
}

func TestInterestExempt(t *testing.T) {
	cases := []struct {
		loan, product int
		want          bool
	}{
		{LoanPurchase, ProductOwnPermanentHome, true},
		{LoanConstruction, ProductSecondHome, true},
		{LoanWorks, ProductOwnPermanentHome, true},
		{LoanTransfer, ProductOwnPermanentHome, true},
		{LoanPurchase, ProductBuyToLet, false},
		{LoanMultipurpose, ProductOwnPermanentHome, false},
		{0, 0, false},
	}
	for _, c := range cases {
		if got := InterestExempt(c.loan, c.product); got != c.want {
			t.Errorf("InterestExempt(%d, %d) = %v, want %v", c.loan, c.product, got, c.want)
		}
	}
}

func TestStampDutyCreditBands(t *testing.T) {
	cases := []struct {
		months int
		rate   Rate
		duty   int64 // on 100 000 €
	}{
		{1, 4_000, 4_000},    // 0.04 % for one month
		{6, 24_000, 24_000},  // 0.24 %
		{11, 44_000, 44_000}, // 0.44 %: the last month under one year
		{12, 50_000, 50_000}, // 0.5 % from one year
		{59, 50_000, 50_000}, // still under five years
		{60, 60_000, 60_000}, // 0.6 % from five years
		{480, 60_000, 60_000},
	}
	for _, c := range cases {
		if got := StampDutyCreditRate(c.months); got != c.rate {
			t.Errorf("StampDutyCreditRate(%d) = %v, want %v", c.months, got, c.rate)
		}
		if got := StampDutyCredit(10_000_000, c.months); got != c.duty {
			t.Errorf("StampDutyCredit(100 000 €, %d) = %d, want %d", c.months, got, c.duty)
		}
	}
	// half-up to the cent: 0.6 % of 2.50 € is 1.5 cents
	if got := StampDutyCredit(250, 360); got != 2 {
		t.Errorf("0.6%% of 250 cents = %d, want 2 (half-up)", got)
	}
	if got := StampDutyCredit(249, 360); got != 1 {
		t.Errorf("0.6%% of 249 cents = %d, want 1", got)
	}
	if got := StampDutyCommission(1_238); got != 50 { // 49.52
		t.Errorf("4%% of 12.38 € = %d, want 50", got)
	}
	if got := StampDutyCommission(1_237); got != 49 { // 49.48
		t.Errorf("4%% of 12.37 € = %d, want 49", got)
	}
}

func TestMixedRate(t *testing.T) {
	in := base()
	in.LoanAmount, in.Months = 12_000_000, 300
	in.RateTypeID, in.IndexTypeID = RateMixed, IndexEuribor12M
	in.FixedRate, in.FixedPeriodMonths = 300_000, 60
	in.IndexValue, in.Spread = 270_000, 50_000
	r := mustCompute(t, in)
	ms := r.Months()
	// checked independently: 569.05 for five years, then 579.38 on the
	// 102 606.80 € left over 20 years at 3.2 %
	if r.MonthlyInstalment != 56_905 || r.InstalmentAfterFixed != 57_938 || ms[59].Balance != 10_260_680 || r.TotalInterest != 5_319_510 {
		t.Errorf("mixed: P %d then %d, balance after 60 %d, interest %d", r.MonthlyInstalment, r.InstalmentAfterFixed, ms[59].Balance, r.TotalInterest)
	}
	if r.TAN != 300_000 || r.TANAfterFixed != 320_000 || r.FixedMonths != 60 {
		t.Errorf("mixed TAN %v then %v for %d months", r.TAN, r.TANAfterFixed, r.FixedMonths)
	}
	// stressed: 3.2 % + 1.5 pp on the balance after the fixed period
	if r.StressRate != 470_000 || r.StressedInstalment != 66_027 {
		t.Errorf("mixed stressed %v: %d, want 4.7 %%: 660.27", r.StressRate, r.StressedInstalment)
	}
}

func TestVariableRateStress(t *testing.T) {
	in := base()
	in.RateTypeID, in.IndexTypeID, in.IndexValue, in.Spread = RateVariable, IndexEuribor6M, 250_000, 100_000
	r := mustCompute(t, in)
	if r.TAN != 350_000 || r.MonthlyInstalment != 67_357 {
		t.Errorf("variable TAN %v instalment %d", r.TAN, r.MonthlyInstalment)
	}
	if r.StressRate != 500_000 || r.StressedInstalment != 80_523 {
		t.Errorf("stressed at %v: %d, want 5 %%: 805.23", r.StressRate, r.StressedInstalment)
	}
	// a negative Euribor (as in 2016–2021) lowers the TAN; the shock is on top
	in.IndexValue = -25_000
	if r := mustCompute(t, in); r.TAN != 75_000 || r.StressRate != 225_000 {
		t.Errorf("negative index: TAN %v stressed at %v, want 0.75 %% and 2.25 %%", r.TAN, r.StressRate)
	}
	for _, c := range []struct {
		months int
		shock  Rate
	}{{12, 50_000}, {60, 50_000}, {61, 100_000}, {120, 100_000}, {121, 150_000}, {480, 150_000}} {
		if got := RateShock(c.months); got != c.shock {
			t.Errorf("RateShock(%d) = %v, want %v", c.months, got, c.shock)
		}
	}
}

func TestScheduleSummary(t *testing.T) {
	in := base()
	in.Months = 125 // ten full years and five months
	in.Charges = []Charge{{TypeID: ChargeArrangement, Amount: 10_000, Periodicity: Upfront}, {TypeID: ChargeInstalmentProcessing, Amount: 200, Periodicity: Monthly}}
	r := mustCompute(t, in)
	rows := r.Schedule
	if len(rows) != 12+10+1 {
		t.Fatalf("rows = %d, want 12 months + 10 years + totals", len(rows))
	}
	for i := 0; i < 12; i++ {
		if rows[i].Kind != RowMonth || rows[i].Period != i+1 {
			t.Errorf("row %d = %+v, want month %d", i, rows[i], i+1)
		}
	}
	if rows[12].Kind != RowYear || rows[12].Period != 2 || rows[21].Period != 11 {
		t.Errorf("year rows from %+v to %+v", rows[12], rows[21])
	}
	total := rows[22]
	var inst, capital, costs int64
	for _, row := range rows[:22] {
		inst += row.Instalment
		capital += row.Capital
		costs += row.Costs
	}
	if total.Kind != RowTotal || total.Capital != in.LoanAmount || capital != in.LoanAmount || total.Instalment != inst || total.Costs != costs || rows[21].Balance != 0 {
		t.Errorf("totals %+v do not add up (instalments %d, costs %d)", total, inst, costs)
	}
	if total.Costs != r.TotalCharges || total.Interest != r.TotalInterest {
		t.Errorf("totals costs %d interest %d, result %d %d", total.Costs, total.Interest, r.TotalCharges, r.TotalInterest)
	}
	// first month carries the upfront costs: stamp duty 0.6 %, 100 € + 4 %, 2 € + 4 %
	if want := int64(90_000 + 10_400 + 208); rows[0].Costs != want {
		t.Errorf("month 1 costs = %d, want %d", rows[0].Costs, want)
	}
}

func TestComputeRefusesInvalidInput(t *testing.T) {
	mods := map[string]func(*Input){
		"zero amount":        func(in *Input) { in.LoanAmount = 0 },
		"zero term":          func(in *Input) { in.Months = 0 },
		"unknown rate type":  func(in *Input) { in.RateTypeID = 9 },
		"variable no index":  func(in *Input) { in.RateTypeID, in.IndexTypeID = RateVariable, 0 },
		"mixed no period":    func(in *Input) { in.RateTypeID, in.IndexTypeID = RateMixed, IndexEuribor3M },
		"negative TAN":       func(in *Input) { in.RateTypeID, in.IndexTypeID, in.IndexValue = RateVariable, IndexEuribor3M, -10_000 },
		"tax in price list":  func(in *Input) { in.Charges = []Charge{{TypeID: ChargeStampDutyLoan, Amount: 1, Periodicity: Upfront}} },
		"bad insurance type": func(in *Input) { in.Insurances = []Insurance{{TypeID: ChargeValuation, MonthlyPremium: 1}} },
		"five borrowers":     func(in *Input) { in.Borrowers = make([]Borrower, 5) },
	}
	for name, mod := range mods {
		in := base()
		mod(&in)
		if _, err := Compute(in); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
}

// A stored simulation (its input as JSON) recomputes to the same figures.
func TestInputRoundTripsThroughJSON(t *testing.T) {
	in := base()
	in.Charges = []Charge{{TypeID: ChargeValuation, Amount: 25_000, Periodicity: Upfront}}
	in.Insurances = []Insurance{{TypeID: ChargeLifeInsurance, MonthlyPremium: 3_000, Required: true}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var back Input
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	a, b := mustCompute(t, in), mustCompute(t, back)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) || a.MTIC != b.MTIC || a.TAEG != b.TAEG {
		t.Errorf("recomputed result differs:\n%s\n%s", ja, jb)
	}
	if !strings.Contains(string(ja), `"taeg":`) || !strings.Contains(string(ja), `"monthlyInstalment":67357`) {
		t.Errorf("result JSON %s", ja)
	}
}
