package models

import (
	"strconv"
	"strings"
	"time"
)

// From a simulation to a process, and the expiry of simulations left
// alone. A validated simulation becomes a process "In creation" (Process
// Create with simulationUniqueId) carrying its loan data and borrowers;
// the simulation moves to "converted" and names its process. A simulation
// still open ("in creation" or "validated") whose last action is older
// than the expiry age becomes "expired".

// DefaultSimulationExpiry is the age of the last action after which an
// open simulation expires (PORTAL_SIMULATION_EXPIRY_DAYS overrides it).
const DefaultSimulationExpiry = 30 * 24 * time.Hour

// Simulation timeline events of the conversion and the expiry
// (simulation_events.what).
const (
	SimulationEventConverted = "simulation.converted"
	SimulationEventExpired   = "simulation.expired"
)

func init() {
	englishText["simulation.not_convertible"] = "Only a validated simulation can be converted into a process."
	englishText["simulation.already_converted"] = "This simulation has already been converted into a process."
}

// SimulationConvertible is nil when a simulation in status may become a
// process: validated only. A converted one says so; anything else is
// simulation.not_convertible (CodeConflict).
func SimulationConvertible(status int) error {
	switch status {
	case SimulationValidated:
		return nil
	case SimulationConverted:
		return &Error{Code: CodeConflict, Key: "simulation.already_converted", Message: English("simulation.already_converted", nil)}
	}
	return &Error{Code: CodeConflict, Key: "simulation.not_convertible", Message: English("simulation.not_convertible", nil)}
}

// ProcessBorrowers are a simulation's borrowers as a process's: the first
// is the key borrower; name, tax id, birth date, monthly net income (as
// wages and pensions) and other credit instalments (as other instalments)
// carry over. A process needs names: a borrower without one is CodeInvalid,
// field borrowers[i].name (counted from 0, as the simulation's input).
func ProcessBorrowers(bs []SimulationBorrower) ([]Borrower, error) {
	var v Validation
	out := make([]Borrower, 0, len(bs))
	for i, b := range bs {
		name := strings.TrimSpace(b.Name)
		if name == "" {
			f := "borrowers[" + strconv.Itoa(i) + "].name"
			v.Add(f, "field.required", Args{"Field": f})
		}
		typ := BorrowerTypeOther
		if i == 0 {
			typ = BorrowerTypeKey
		}
		out = append(out, Borrower{BorrowerTypeID: typ, Name: name, TaxID: b.TaxID, BirthDate: b.BirthDate,
			IncomeWagesPensionsCents: b.MonthlyNetIncomeCents, InstallmentOtherCents: b.MonthlyInstalmentsOtherCreditCents})
	}
	if len(bs) == 0 {
		v.Add("borrowers", "simulation.borrowers", Args{"Min": 1, "Max": 4})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// SimulationExpires reports whether a simulation in status whose last
// action was at lastAction has expired at now, for the expiry age age.
func SimulationExpires(status int, lastAction, now time.Time, age time.Duration) bool {
	return (status == SimulationInCreation || status == SimulationValidated) && lastAction.Before(now.Add(-age))
}
