package simulation

import (
	"fmt"
	"math"
	"testing"
)

func TestRateRounding(t *testing.T) {
	cases := []struct {
		r        Rate
		decimals int
		want     Rate
	}{
		{355_000, 1, 360_000}, // 3.55 % shows as 3.6 % (half-up)
		{354_999, 1, 350_000},
		{403_865, 1, 400_000},
		{403_865, 3, 403_900},
		{403_865, 5, 403_865},
		{-355_000, 1, -360_000}, // halves away from zero
	}
	for _, c := range cases {
		if got := c.r.RoundPercent(c.decimals); got != c.want {
			t.Errorf("%d.RoundPercent(%d) = %d, want %d", c.r, c.decimals, got, c.want)
		}
	}
	if RateFromPercent(3.5) != 350_000 || RateFromPercent(3.456) != 345_600 || RateFromPercent(-0.512) != -51_200 {
		t.Errorf("RateFromPercent: %d %d %d", RateFromPercent(3.5), RateFromPercent(3.456), RateFromPercent(-0.512))
	}
	if p := Rate(350_000).Percent(); p != 3.5 {
		t.Errorf("Percent() = %v", p)
	}
}

func TestMulDivRound(t *testing.T) {
	cases := []struct{ a, b, d, want int64 }{
		{15_000_000, 350_000, monthlyDivisor, 43_750},
		{1, 1, 2, 1}, // half goes up
		{1, 1, 3, 0},
		{2, 1, 3, 1},
		{math.MaxInt64 / 2, 4, 4, math.MaxInt64 / 2}, // 128-bit intermediate
	}
	for _, c := range cases {
		if got := mulDivRound(c.a, c.b, c.d); got != c.want {
			t.Errorf("mulDivRound(%d, %d, %d) = %d, want %d", c.a, c.b, c.d, got, c.want)
		}
	}
	if !mulLE(math.MaxInt64, 3, math.MaxInt64, 3) || mulLE(math.MaxInt64, 3, math.MaxInt64, 2) {
		t.Error("mulLE is not exact on 128 bits")
	}
}

func ExampleCompute() {
	in := Input{
		LoanAmount: 15_000_000, Months: 360, // 150 000 € over 30 years
		RateTypeID: RateFixed, IndexTypeID: IndexFixedRate, FixedRate: RateFromPercent(3.5),
		LoanPurposeID: LoanPurchase, ProductPurposeID: ProductOwnPermanentHome,
		PropertyValue: 20_000_000, PropertyDistrictID: 11,
		Charges: []Charge{{TypeID: ChargeArrangement, Amount: 30_000, Periodicity: Upfront}},
	}
	r, err := Compute(in)
	if err != nil {
		panic(err)
	}
	fmt.Println("instalment", r.MonthlyInstalment, "TAN", r.TAN.Percent(), "TAEG", r.TAEGShown.Percent(), "MTIC", r.MTIC)
	// Output: instalment 67357 TAN 3.5 TAEG 3.6 MTIC 24369530
}
