package api_test

// Simulation Validate through the API, each rule at, below and above its
// limit, with figures built from the demo pricing (Euribor 12 months plus
// the spread of the general scheme; the shock on top for the DSTI). Ages
// count from the simulation's pricing date, which the answer names.

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"portal/models/simulation"
	"portal/web/webtest"
)

// ruleCase creates the simulation body(day) priced on day (today, as the
// server sees it: retried once if the day turned between the two) and
// validates it.
func ruleCase(t *testing.T, p apiSession, body func(day time.Time) map[string]any) (simDetail, simValidated) {
	t.Helper()
	for try := 0; ; try++ {
		day := time.Now().UTC().Truncate(24 * time.Hour)
		id, _ := createSimulation(t, p, body(day))
		d := simulationOf(t, p, id)
		if d.PricingDate != day.Format(time.DateOnly) && try == 0 {
			continue
		}
		return d, validateSimulation(t, p, id)
	}
}

func born(day time.Time, years, days int) string {
	return day.AddDate(-years, 0, days).Format(time.DateOnly)
}

// wantRule checks one rule's outcome, value and limit, and that a failing
// rule names its reject reason (described in Portuguese, the default).
func wantRule(t *testing.T, what string, v simValidated, code string, passed bool, value, limit float64) {
	t.Helper()
	r := ruleOf(t, v.Validation, code)
	if r.Passed != passed || r.Value != value || r.Limit == nil || *r.Limit != limit {
		t.Errorf("%s: %s %+v (limit %v), want passed %v value %v limit %v", what, code, r, r.Limit, passed, value, limit)
	}
	if passed != (r.RejectReasonID == nil) || !passed && (r.RejectReasonDescription == nil || *r.RejectReasonDescription == "") {
		t.Errorf("%s: %s reject reason %v %v", what, code, r.RejectReasonID, r.RejectReasonDescription)
	}
	if v.Passed && !passed || !v.Passed && v.SimulationStatusID != 1 {
		t.Errorf("%s: passed %v, status %d", what, v.Passed, v.SimulationStatusID)
	}
}

func TestSimulationRulesThroughAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		ana := apiSignIn(t, s, lisboaUID, anaEmail)
		young := func(day time.Time) []any { return []any{simBorrower("Rita", born(day, 25, 0), 9000)} }

		// A cent off the base moves the loan over or under the limit: the
		// rule compares exactly, while the ratio shown (to 10⁻⁵ of a
		// point) still reads the limit.
		t.Run("LTV own permanent home 90%", func(t *testing.T) {
			for _, c := range []struct {
				base   any
				passed bool
				value  float64
			}{{200000, true, 90}, {raw("199999.99"), false, 90}, {raw("200000.01"), true, 90}} {
				_, v := ruleCase(t, ana, func(day time.Time) map[string]any {
					return simInput("loanAmount", 180000, "propertyValue", c.base, "propertyAcquisitionAmount", 250000, "borrowers", young(day))
				})
				wantRule(t, fmt.Sprint("base ", c.base), v, simulation.RuleLTVOwnHome, c.passed, c.value, 90)
			}
		})
		t.Run("LTV other purposes 80%", func(t *testing.T) {
			// The smaller of value and price is the base: here the price.
			for _, c := range []struct {
				price  any
				passed bool
				value  float64
			}{{200000, true, 80}, {raw("199999.99"), false, 80}, {raw("200000.01"), true, 80}} {
				_, v := ruleCase(t, ana, func(day time.Time) map[string]any {
					return simInput("productPurposeId", 2, "loanAmount", 160000, "propertyValue", 260000, "propertyAcquisitionAmount", c.price,
						"borrowers", young(day))
				})
				wantRule(t, fmt.Sprint("price ", c.price), v, simulation.RuleLTVOther, c.passed, c.value, 80)
				for _, r := range v.Validation {
					if r.Code == simulation.RuleLTVOwnHome {
						t.Errorf("a second home checked as an own home")
					}
				}
			}
		})
		t.Run("DSTI with the shock 50%", func(t *testing.T) {
			// The stressed instalment is the instalment at TAN + 1.5 pp
			// (a term over 10 years); the income is twice the debt exactly,
			// a cent less, a cent more.
			d, _ := ruleCase(t, ana, func(day time.Time) map[string]any { return simInput("borrowers", young(day)) })
			tan := simulation.RateFromPercent(d.Result.TAN)
			stressed := simulation.Instalment(150000_00, tan+simulation.RateShock(360), 360)
			if cents(d.Result.StressedInstalment) != stressed || d.Result.StressRate != d.Result.TAN+1.5 {
				t.Fatalf("stressed %v at %v, want %d at TAN + 1.5", d.Result.StressedInstalment, d.Result.StressRate, stressed)
			}
			other := int64(250_00)
			debt := stressed + other
			for _, c := range []struct {
				income int64
				passed bool
			}{{2 * debt, true}, {2*debt - 1, false}, {2*debt + 1, true}} {
				_, v := ruleCase(t, ana, func(day time.Time) map[string]any {
					b := simBorrower("Rita", born(day, 25, 0), 0)
					b["monthlyNetIncome"], b["monthlyInstalmentsOtherCredit"] = raw(fmt.Sprintf("%d.%02d", c.income/100, c.income%100)), 250
					return simInput("borrowers", []any{b})
				})
				r := ruleOf(t, v.Validation, simulation.RuleDSTI)
				if c.income == 2*debt && r.Value != 50 || c.income < 2*debt && r.Value <= 50 || c.income > 2*debt && r.Value >= 50 {
					t.Errorf("income %d: DSTI %v", c.income, r.Value)
				}
				wantRule(t, fmt.Sprint("income ", c.income), v, simulation.RuleDSTI, c.passed, r.Value, 50)
			}
		})
		t.Run("maturity by the oldest borrower's age", func(t *testing.T) {
			for _, c := range []struct {
				age, months int
				passed      bool
				limit       float64
			}{
				{30, 479, true, 480}, {30, 480, true, 480},
				{31, 443, true, 444}, {31, 444, true, 444}, {31, 445, false, 444},
				{35, 444, true, 444}, {35, 445, false, 444},
				{36, 419, true, 420}, {36, 420, true, 420}, {36, 421, false, 420},
			} {
				_, v := ruleCase(t, ana, func(day time.Time) map[string]any {
					// The oldest of two borrowers counts.
					return simInput("loanDurationMonths", c.months, "borrowers",
						[]any{simBorrower("Young", born(day, 20, 0), 5000), simBorrower("Old", born(day, c.age, 0), 5000)})
				})
				wantRule(t, fmt.Sprintf("age %d, %d months", c.age, c.months), v, simulation.RuleMaturityByAge, c.passed, float64(c.months), c.limit)
			}
		})
		t.Run("age at the last instalment 75", func(t *testing.T) {
			for _, c := range []struct {
				age    int
				passed bool
			}{{44, true}, {45, true}, {46, false}} {
				_, v := ruleCase(t, ana, func(day time.Time) map[string]any {
					return simInput("loanDurationMonths", 360, "borrowers", []any{simBorrower("Rui", born(day, c.age, 0), 9000)})
				})
				wantRule(t, fmt.Sprint("age ", c.age), v, simulation.RuleAgeAtLastInstalment, c.passed, float64(c.age+30), 75)
			}
		})
		t.Run("term 10 to 40 years", func(t *testing.T) {
			for _, c := range []struct {
				months int
				passed bool
			}{{119, false}, {120, true}, {121, true}, {479, true}, {480, true}} {
				_, v := ruleCase(t, ana, func(day time.Time) map[string]any {
					return simInput("loanDurationMonths", c.months, "borrowers", young(day))
				})
				r := ruleOf(t, v.Validation, simulation.RuleTerm)
				if r.Minimum == nil || *r.Minimum != 120 {
					t.Errorf("term minimum %v", r.Minimum)
				}
				wantRule(t, fmt.Sprint(c.months, " months"), v, simulation.RuleTerm, c.passed, float64(c.months), 480)
			}
			// Over 40 years is not even a simulation.
			wantEnvelope(t, "481 months", ana.do(t, http.MethodPost, "/v1/simulations",
				jsonBody(t, simInput("loanDurationMonths", 481))), 400, "060001", "loanDurationMonths")
		})
	})
}
