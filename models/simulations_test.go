package models

import (
	"reflect"
	"sort"
	"testing"

	"portal/models/simulation"
)

func sip(n int) *int       { return &n }
func si64p(n int64) *int64 { return &n }

func simData() SimulationData {
	return SimulationData{LoanAmountCents: 150_000_00, LoanDurationMonths: 360, LoanPurposeID: 1, ProductPurposeID: 1,
		RateTypeID: simulation.RateVariable, IndexTypeID: simulation.IndexEuribor6M, PropertyValueCents: 200_000_00,
		PropertyDistrictID: 11, Borrowers: []SimulationBorrower{{BirthDate: "1990-01-01", MonthlyNetIncomeCents: 3_000_00}}}
}

func simFields(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, f := range AsError(err).Fields {
		out = append(out, f.Field)
	}
	sort.Strings(out)
	return out
}

func TestSimulationDataValidate(t *testing.T) {
	tx := taxonomy(t)
	const today = "2026-06-15"
	for _, c := range []struct {
		name   string
		change func(*SimulationData)
		want   []string
	}{
		{"valid variable", func(*SimulationData) {}, nil},
		{"fixed with its period", func(d *SimulationData) {
			d.RateTypeID, d.IndexTypeID, d.FixedFixedPeriodID = simulation.RateFixed, simulation.IndexFixedRate, 5
		}, nil},
		{"fixed without period, with an index", func(d *SimulationData) { d.RateTypeID = simulation.RateFixed }, []string{"fixedFixedPeriodId", "indexTypeId"}},
		{"variable with a fixed period", func(d *SimulationData) { d.FixedFixedPeriodID = 1 }, []string{"fixedFixedPeriodId"}},
		{"variable on no index", func(d *SimulationData) { d.IndexTypeID = simulation.IndexFixedRate }, []string{"indexTypeId"}},
		{"variable without index", func(d *SimulationData) { d.IndexTypeID = 0 }, []string{"indexTypeId"}},
		{"mixed period as long as the term", func(d *SimulationData) {
			d.RateTypeID, d.MixedFixedPeriodID, d.LoanDurationMonths = simulation.RateMixed, 3, 60
		}, []string{"mixedFixedPeriodId"}},
		{"unknown references", func(d *SimulationData) {
			d.LoanPurposeID, d.ProductPurposeID, d.ProductSchemeID, d.RateTypeID, d.PropertyDistrictID = 99, 99, 99, 9, 99
		}, []string{"loanPurposeId", "productPurposeId", "productSchemeId", "propertyDistrictId", "rateTypeId"}},
		{"amount and term bounds", func(d *SimulationData) { d.LoanAmountCents, d.LoanDurationMonths = 99, 481 }, []string{"loanAmount", "loanDurationMonths"}},
		{"no borrower", func(d *SimulationData) { d.Borrowers = nil }, []string{"borrowers"}},
		{"five borrowers", func(d *SimulationData) {
			d.Borrowers = append(d.Borrowers, d.Borrowers[0], d.Borrowers[0], d.Borrowers[0], d.Borrowers[0])
		}, []string{"borrowers"}},
		{"a minor, a bad date, money", func(d *SimulationData) {
			d.Borrowers = []SimulationBorrower{{BirthDate: "2010-01-01"}, {BirthDate: "", MonthlyNetIncomeCents: -1}}
		}, []string{"borrowers[0].birthDate", "borrowers[1].birthDate", "borrowers[1].monthlyNetIncome"}},
		{"insurances", func(d *SimulationData) {
			d.Insurances = []SimulationInsurance{{BankChargeTypeID: 14}, {BankChargeTypeID: 14}, {BankChargeTypeID: 2}}
		}, []string{"insurances[1].bankChargeTypeId", "insurances[2].bankChargeTypeId"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := simData()
			c.change(&d)
			got, err := d.Validate(tx, today)
			if f := simFields(err); !reflect.DeepEqual(f, c.want) {
				t.Fatalf("fields %v, want %v (%v)", f, c.want, err)
			}
			if err == nil && got.ProductSchemeID != 1 {
				t.Errorf("scheme %d, want the general one", got.ProductSchemeID)
			}
		})
	}
}

func TestSimulationInputApply(t *testing.T) {
	d := simData()
	d.RateTypeID, d.IndexTypeID, d.MixedFixedPeriodID = simulation.RateMixed, 1, 3
	// PATCH: unset fields keep their values; a new rate type drops the
	// fields of the old one.
	got := SimulationInput{RateTypeID: sip(simulation.RateFixed), FixedFixedPeriodID: sip(5)}.Apply(d)
	if got.IndexTypeID != 0 || got.MixedFixedPeriodID != 0 || got.FixedFixedPeriodID != 5 || got.LoanAmountCents != d.LoanAmountCents {
		t.Errorf("applied %+v", got)
	}
	got = SimulationInput{LoanAmountCents: si64p(1)}.Apply(d)
	if got.LoanAmountCents != 1 || got.MixedFixedPeriodID != 3 || len(got.Borrowers) != 1 {
		t.Errorf("applied %+v", got)
	}
	if !(SimulationInput{}).Empty() || (SimulationInput{Borrowers: &[]SimulationBorrower{}}).Empty() {
		t.Error("Empty")
	}
}

func TestPricingPrice(t *testing.T) {
	pct := simulation.Percent / 2
	p := &Pricing{Date: "2026-06-15",
		IndexValues: []IndexValue{{IndexTypeID: 2, Month: "2026-04", Value: 200000}, {IndexTypeID: 2, Month: "2026-05", Value: 210000, Demo: true}},
		Spreads:     []Spread{{ProductSchemeID: 1, ProductPurposeID: 1, Spread: 90000}},
		FixedRates:  []FixedRate{{RateTypeID: simulation.RateMixed, PeriodID: 3, Rate: 300000}},
		Limits:      []ProductLimit{{ProductSchemeID: 1, MinAmountCents: 1, MaxAmountCents: 2}},
		Charges: []PriceCharge{{ChargeTypeID: 2, Percentage: &pct, AmountCents: 100_00, Periodicity: simulation.Upfront, Active: true},
			{ChargeTypeID: 1, AmountCents: 250_00, Periodicity: simulation.Upfront}},
	}
	d := simData()
	d.ProductSchemeID = 1
	u, err := p.Price(d)
	if err != nil {
		t.Fatal(err)
	}
	want := PricingUsed{Date: "2026-06-15", IndexTypeID: 2, IndexMonth: "2026-05", IndexValue: 210000, Spread: 90000, MinAmount: 1,
		MaxAmount: 2, Charges: []simulation.Charge{{TypeID: 2, Amount: 100_00 + 750_00, Periodicity: simulation.Upfront}}, Demo: true}
	if !reflect.DeepEqual(u, want) {
		t.Errorf("used %+v\nwant %+v", u, want)
	}
	// Mixed: the fixed rate of the period and the index's spread.
	d.RateTypeID, d.MixedFixedPeriodID = simulation.RateMixed, 3
	if u, err = p.Price(d); err != nil || u.FixedRate != 300000 || u.Spread != 90000 {
		t.Errorf("mixed %+v %v", u, err)
	}
	// What the pricing lacks is named on its field.
	d.IndexTypeID, d.ProductPurposeID, d.MixedFixedPeriodID, d.ProductSchemeID = 3, 2, 4, 2
	_, err = p.Price(d)
	if f := simFields(err); !reflect.DeepEqual(f, []string{"indexTypeId", "mixedFixedPeriodId", "productSchemeId", "productSchemeId"}) {
		t.Errorf("missing prices: %v", f)
	}
}

func TestPricingInputsValidate(t *testing.T) {
	tx := taxonomy(t)
	if _, err := (IndexValue{IndexTypeID: 1, Month: "2026-05", Value: -123400}).Validate(); err != nil {
		t.Errorf("a negative Euribor of three decimals: %v", err)
	}
	if f := simFields(func() error {
		_, err := (IndexValue{IndexTypeID: 1, Month: "2026-05", Value: 2123450}).Validate()
		return err
	}()); !reflect.DeepEqual(f, []string{"value"}) {
		t.Errorf("four decimals: %v", f)
	}
	if f := simFields(func() error {
		_, err := (Spread{ProductSchemeID: 4, ProductPurposeID: 1, Spread: -1}).Validate(tx)
		return err
	}()); !reflect.DeepEqual(f, []string{"productSchemeId", "spread", "validFrom"}) {
		t.Errorf("spread: %v", f)
	}
	if f := simFields(func() error {
		_, err := (FixedRate{RateTypeID: simulation.RateFixed, PeriodID: 8, ValidFrom: "2026-02-30", Rate: 1}).Validate(tx)
		return err
	}()); !reflect.DeepEqual(f, []string{"periodId", "validFrom"}) {
		t.Errorf("fixed rate: %v", f)
	}
	if _, err := (PriceCharge{ChargeTypeID: 5, ValidFrom: "2026-01-01", AmountCents: 2_50, Periodicity: simulation.Monthly, Active: true}).Validate(tx); err != nil {
		t.Errorf("charge: %v", err)
	}
}
