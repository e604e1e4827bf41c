package models

import (
	"testing"
	"time"
)

func TestSimulationConvertible(t *testing.T) {
	for _, c := range []struct {
		status int
		key    string // "" convertible
	}{
		{SimulationInCreation, "simulation.not_convertible"},
		{SimulationValidated, ""},
		{SimulationConverted, "simulation.already_converted"},
		{SimulationExpired, "simulation.not_convertible"},
		{SimulationCancelled, "simulation.not_convertible"},
		{SimulationRejected, "simulation.not_convertible"},
	} {
		err := SimulationConvertible(c.status)
		switch {
		case c.key == "" && err != nil:
			t.Errorf("status %d: %v, want convertible", c.status, err)
		case c.key != "":
			e, ok := err.(*Error)
			if !ok || e.Code != CodeConflict || e.Key != c.key || e.Message == "" {
				t.Errorf("status %d: %v, want conflict %s", c.status, err, c.key)
			}
		}
	}
}

func TestProcessBorrowers(t *testing.T) {
	bs, err := ProcessBorrowers([]SimulationBorrower{
		{Name: " Carla Rocha ", TaxID: "123456789", BirthDate: "1990-03-01", MonthlyNetIncomeCents: 2500_00, MonthlyInstalmentsOtherCreditCents: 100_00},
		{Name: "Bruno Rocha", BirthDate: "1988-07-10", MonthlyNetIncomeCents: 1800_00},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []Borrower{
		{BorrowerTypeID: BorrowerTypeKey, Name: "Carla Rocha", TaxID: "123456789", BirthDate: "1990-03-01",
			IncomeWagesPensionsCents: 2500_00, InstallmentOtherCents: 100_00},
		{BorrowerTypeID: BorrowerTypeOther, Name: "Bruno Rocha", BirthDate: "1988-07-10", IncomeWagesPensionsCents: 1800_00},
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Errorf("borrower %d: %+v, want %+v", i, bs[i], want[i])
		}
	}
	for _, c := range []struct {
		in     []SimulationBorrower
		fields []string
	}{
		{[]SimulationBorrower{{Name: "A"}, {Name: "  "}, {}}, []string{"borrowers[1].name", "borrowers[2].name"}},
		{[]SimulationBorrower{{}}, []string{"borrowers[0].name"}},
		{nil, []string{"borrowers"}},
	} {
		_, err := ProcessBorrowers(c.in)
		e, ok := err.(*Error)
		if !ok || e.Code != CodeInvalid || len(e.Fields) != len(c.fields) {
			t.Errorf("%+v: %v, want fields %v", c.in, err, c.fields)
			continue
		}
		for i, f := range c.fields {
			if e.Fields[i].Field != f {
				t.Errorf("%+v: field %s, want %s", c.in, e.Fields[i].Field, f)
			}
		}
	}
}

func TestSimulationExpires(t *testing.T) {
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	age := DefaultSimulationExpiry
	for _, c := range []struct {
		status int
		last   time.Time
		want   bool
	}{
		{SimulationInCreation, now.Add(-age - time.Second), true},
		{SimulationValidated, now.Add(-age - time.Second), true},
		{SimulationInCreation, now.Add(-age), false},
		{SimulationValidated, now.Add(-time.Hour), false},
		{SimulationConverted, now.Add(-2 * age), false},
		{SimulationCancelled, now.Add(-2 * age), false},
		{SimulationExpired, now.Add(-2 * age), false},
	} {
		if got := SimulationExpires(c.status, c.last, now, age); got != c.want {
			t.Errorf("status %d, last %v: %v, want %v", c.status, c.last, got, c.want)
		}
	}
}
