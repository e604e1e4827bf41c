package simulation

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Property tests: a seeded generator (the same cases on every run, so a
// failure reproduces) over realistic inputs: 10 000 € to 1 000 000 €, 10 to
// 40 years, rates 0 % to 10 %, any rate type, charges or none.

const propertyCases = 400

type gen struct{ r *rand.Rand }

func newGen(seed uint64) gen { return gen{rand.New(rand.NewPCG(seed, 14))} }

func (g gen) between(lo, hi int64) int64 { return lo + g.r.Int64N(hi-lo+1) }

// rate is 0 to 10 % with three decimals, like the pricing data.
func (g gen) rate() Rate { return Rate(g.between(0, 10_000) * 100) }

func (g gen) input(withCharges bool) Input {
	in := Input{
		LoanAmount:       g.between(1_000_000, 100_000_000),
		Months:           int(g.between(120, 480)),
		RateTypeID:       int(g.between(1, 3)),
		LoanPurposeID:    int(g.between(1, 7)),
		ProductPurposeID: int(g.between(1, 3)),
		Borrowers:        []Borrower{{BirthDate: time.Date(int(g.between(1950, 2005)), 6, 15, 0, 0, 0, 0, time.UTC), MonthlyNetIncome: g.between(50_000, 1_500_000)}},
		ConclusionDate:   conclusion,
	}
	in.PropertyValue = in.LoanAmount + g.between(0, 50_000_000)
	switch in.RateTypeID {
	case RateFixed:
		in.IndexTypeID, in.FixedRate = IndexFixedRate, g.rate()
	case RateVariable:
		in.IndexTypeID, in.IndexValue = int(g.between(1, 3)), g.rate()/2
		in.Spread = g.rate() / 2
	case RateMixed:
		in.IndexTypeID, in.IndexValue, in.Spread, in.FixedRate = int(g.between(1, 3)), g.rate()/2, g.rate()/2, g.rate()
		in.FixedPeriodMonths = []int{24, 36, 60, 84, 120, 180, 240, 300, 360}[g.r.IntN(9)]
	}
	if !withCharges {
		in.StampDutyExempt = true
		return in
	}
	in.Charges = []Charge{
		{TypeID: ChargeValuation, Amount: g.between(0, 50_000), Periodicity: Upfront},
		{TypeID: ChargeInstalmentProcessing, Amount: g.between(0, 500), Periodicity: Monthly},
	}
	in.Insurances = []Insurance{{TypeID: ChargeLifeInsurance, MonthlyPremium: g.between(0, 10_000), Required: g.r.IntN(2) == 0}}
	return in
}

func TestPropertySchedule(t *testing.T) {
	g := newGen(1)
	for k := 0; k < propertyCases; k++ {
		in := g.input(g.r.IntN(2) == 0)
		r := mustCompute(t, in)
		ms := r.Months()
		if len(ms) != in.Months {
			t.Fatalf("%+v: %d months", in, len(ms))
		}
		var capital, interest int64
		prev := in.LoanAmount
		for _, m := range ms {
			capital += m.Capital
			interest += m.Interest
			if m.Balance < 0 {
				t.Fatalf("case %d month %d: balance %d < 0", k, m.Month, m.Balance)
			}
			if m.Balance >= prev {
				t.Fatalf("case %d month %d: balance %d did not decrease from %d", k, m.Month, m.Balance, prev)
			}
			if m.Instalment != m.Capital+m.Interest || m.Interest != MonthInterest(prev, m.Rate) {
				t.Fatalf("case %d month %d: %+v after balance %d", k, m.Month, m, prev)
			}
			prev = m.Balance
		}
		if capital != in.LoanAmount || prev != 0 {
			t.Fatalf("case %d: capital sums to %d, loan %d, left %d", k, capital, in.LoanAmount, prev)
		}
		if interest != r.TotalInterest || r.MTIC != in.LoanAmount+r.TotalInterest+r.TotalCharges {
			t.Fatalf("case %d: totals interest %d/%d MTIC %d", k, interest, r.TotalInterest, r.MTIC)
		}
		total := r.Schedule[len(r.Schedule)-1]
		if total.Capital != in.LoanAmount || total.Interest != interest || total.Costs != r.TotalCharges {
			t.Fatalf("case %d: totals row %+v", k, total)
		}
	}
}

func TestPropertyTAEG(t *testing.T) {
	g := newGen(2)
	for k := 0; k < propertyCases; k++ {
		in := g.input(true)
		in.RateTypeID, in.IndexTypeID = RateFixed, IndexFixedRate
		if k%2 == 1 {
			in.RateTypeID, in.IndexTypeID = RateVariable, IndexEuribor6M
		}
		r := mustCompute(t, in)
		// with charges (stamp duty on the credit at least) the TAEG is above
		// the annual effective rate of the TAN
		if eff := EffectiveAnnual(r.TAN); r.TAEG < eff {
			t.Fatalf("case %d: TAEG %v < effective TAN %v (charges %d)", k, r.TAEG, eff, r.TotalCharges)
		}
		// without any charge it is that rate, within 0.001 pp (the interest
		// of each month is rounded to the cent)
		in.StampDutyExempt, in.Charges, in.Insurances = true, nil, nil
		r = mustCompute(t, in)
		if d := r.TAEG - EffectiveAnnual(r.TAN); d < -100 || d > 100 {
			t.Fatalf("case %d: no charges, TAEG %v, (1+TAN/12)^12−1 %v", k, r.TAEG, EffectiveAnnual(r.TAN))
		}
	}
}

// A mixed rate whose fixed period covers the term is a fixed rate.
func TestPropertyMixedCoveringTheTermIsFixed(t *testing.T) {
	g := newGen(3)
	for k := 0; k < propertyCases/4; k++ {
		in := g.input(k%2 == 0)
		in.RateTypeID, in.IndexTypeID = RateMixed, IndexEuribor12M
		in.FixedPeriodMonths = in.Months + int(g.between(0, 120))
		mixed := mustCompute(t, in)
		in.RateTypeID, in.IndexTypeID, in.FixedPeriodMonths = RateFixed, IndexFixedRate, 0
		fixed := mustCompute(t, in)
		if mixed.TAEG != fixed.TAEG || mixed.MTIC != fixed.MTIC || mixed.StressedInstalment != fixed.StressedInstalment ||
			mixed.TotalInterest != fixed.TotalInterest || mixed.TANAfterFixed != fixed.TAN || len(mixed.Schedule) != len(fixed.Schedule) {
			t.Fatalf("case %d: mixed %+v\nfixed %+v", k, mixed, fixed)
		}
		for i := range fixed.Months() {
			if mixed.Months()[i] != fixed.Months()[i] {
				t.Fatalf("case %d month %d differs", k, i+1)
			}
		}
	}
}

// The TAEG solver finds the rate a schedule was built from, for flows that
// are not a French schedule too.
func TestPropertyTAEGSolvesItsEquation(t *testing.T) {
	g := newGen(4)
	for k := 0; k < propertyCases; k++ {
		n := int(g.between(1, 480))
		pays := make([]int64, n+1)
		for m := range pays {
			pays[m] = g.between(0, 1_000_000)
		}
		pays[n] += 1
		var total int64
		for _, p := range pays {
			total += p
		}
		drawdown := g.between(1, total*2)
		x, err := solveTAEG(drawdown, pays)
		if err != nil {
			continue // a rate beyond the bracket (−99 %, 10 000 %)
		}
		f, _ := presentValue(drawdown, pays, math.Log1p(x))
		if f > 1e-6*float64(total) || f < -1e-6*float64(total) {
			t.Fatalf("case %d: residual %g at X=%g", k, f, x)
		}
	}
}
