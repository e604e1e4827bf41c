package ui

import (
	"testing"

	"portal/components/simulations"
	"portal/models"
	"portal/models/simulation"
)

// The simulator reads only the chosen rate type's own fields, leaves blank
// borrowers out, and the service's errors about the list it was sent come
// back to the inputs they are about.
func TestSimulationInputAndItsErrors(t *testing.T) {
	f := simulations.Values{"loanAmount": "150 000,00", "loanDurationMonths": "30", "loanDurationUnit": "years",
		"rateTypeId": "2", "indexTypeId": "3", "fixedFixedPeriodId": "5",
		"borrowers[0].birthDate": "1990-03-01", "borrowers[0].monthlyNetIncome": "1600",
		"borrowers[2].birthDate": "1991-01-01", "insurance.home.premium": "12,00"}
	in, names, bad := simulationInput(f)
	if bad != nil {
		t.Fatal(bad)
	}
	if *in.LoanAmountCents != 150_000_00 || *in.LoanDurationMonths != 360 || *in.IndexTypeID != 0 || *in.FixedFixedPeriodID != 5 ||
		*in.RateTypeID != simulation.RateFixed {
		t.Errorf("read %d cents, %d months, index %d, fixed period %d", *in.LoanAmountCents, *in.LoanDurationMonths, *in.IndexTypeID, *in.FixedFixedPeriodID)
	}
	if bs := *in.Borrowers; len(bs) != 2 || bs[1].BirthDate != "1991-01-01" || bs[0].MonthlyNetIncomeCents != 1600_00 {
		t.Errorf("borrowers %+v", bs)
	}
	if ins := *in.Insurances; len(ins) != 1 || ins[0].BankChargeTypeID != simulation.ChargeHomeInsurance || ins[0].MonthlyPremiumCents != 12_00 {
		t.Errorf("insurances %+v", ins)
	}
	e := names.rename(&models.Error{Code: models.CodeInvalid, Fields: []models.FieldError{
		{Field: "borrowers[1].birthDate"}, {Field: "insurances[0].monthlyPremium"}, {Field: "loanAmount"}}})
	want := []string{"borrowers[2].birthDate", "insurance.home.premium", "loanAmount"}
	for i, w := range want {
		if e.Fields[i].Field != w {
			t.Errorf("field %d renamed %q, want %q", i, e.Fields[i].Field, w)
		}
	}
	f["loanDurationUnit"], f["rateTypeId"] = "months", "3"
	in, _, _ = simulationInput(f)
	if *in.LoanDurationMonths != 30 || *in.IndexTypeID != 3 || *in.FixedFixedPeriodID != 0 {
		t.Errorf("mixed in months: %d months, index %d, fixed %d", *in.LoanDurationMonths, *in.IndexTypeID, *in.FixedFixedPeriodID)
	}
	if _, _, bad := simulationInput(simulations.Values{"loanAmount": "lots"}); bad == nil || len(bad.Fields) != 1 || bad.Fields[0].Field != "loanAmount" {
		t.Errorf("unreadable amount: %v", bad)
	}
}
