package simulation

import "testing"

// BenchmarkCompute is one full simulation: 30-year variable rate with
// upfront and monthly charges, insurances, stamp duty on interest, the
// schedule, the TAEG and the rules.
func BenchmarkCompute(b *testing.B) {
	in := base()
	in.RateTypeID, in.IndexTypeID, in.IndexValue, in.Spread = RateVariable, IndexEuribor12M, 250_000, 100_000
	in.LoanPurposeID = LoanMultipurpose
	in.Charges = []Charge{
		{TypeID: ChargeValuation, Amount: 25_000, Periodicity: Upfront},
		{TypeID: ChargeArrangement, Amount: 30_000, Periodicity: Upfront},
		{TypeID: ChargeInstalmentProcessing, Amount: 250, Periodicity: Monthly},
	}
	in.Insurances = []Insurance{{TypeID: ChargeLifeInsurance, MonthlyPremium: 3_000, Required: true}, {TypeID: ChargeHomeInsurance, MonthlyPremium: 1_500, Required: true}}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Compute(in)
		if err != nil {
			b.Fatal(err)
		}
		_ = Rules(in, r, product)
	}
}
