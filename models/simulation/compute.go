package simulation

import (
	"errors"
	"fmt"
	"time"
)

// ErrInput is wrapped by every error Compute returns for an input it
// cannot compute (the caller's validation should have refused it first).
var ErrInput = errors.New("simulation: invalid input")

// ChargeLine is one cost of the credit as the ESIS lists it.
type ChargeLine struct {
	TypeID      int         `json:"typeId"` // bank-charge-types id
	Periodicity Periodicity `json:"periodicity"`
	// Amount is one occurrence (for the stamp duty on interest, which
	// changes every month, the first month's).
	Amount      int64 `json:"amount"`
	Occurrences int   `json:"occurrences"` // how many times it is paid over the term (0: only if an event happens)
	Total       int64 `json:"total"`       // paid over the term
	// InTAEG: part of the total cost of credit (and so of the TAEG and the
	// MTIC). Contingent fees (early repayment, amendments, release),
	// registry fees and optional insurances are shown but not included.
	InTAEG bool `json:"inTAEG"`
}

// RowKind tells a summarised schedule row's period.
type RowKind int

const (
	RowMonth RowKind = iota + 1 // one month of the first year
	RowYear                     // one contract year (from the second on)
	RowTotal                    // the whole term, last
)

// ScheduleRow is one row of the indicative repayment table (ESIS section
// 7): the first year month by month, then one row per year, totals last.
type ScheduleRow struct {
	Kind       RowKind `json:"kind"`
	Period     int     `json:"period"` // month number (RowMonth), year number (RowYear), 0 (RowTotal)
	Instalment int64   `json:"instalment"`
	Interest   int64   `json:"interest"`
	Capital    int64   `json:"capital"`
	// Costs are the other payments in the TAEG that fall in the period:
	// recurring commissions with their stamp duty, required insurances,
	// stamp duty on interest (and, in the first month, the upfront ones).
	Costs int64 `json:"costs"`
	// Balance outstanding at the end of the period (0 on the totals row).
	Balance int64 `json:"balance"`
}

// Result is what a simulation computes: the figures of the spec's
// "result", the ESIS's sections 3–7 and the inputs of the rules.
type Result struct {
	TAN Rate `json:"tan"` // the rate at conclusion (a mixed rate's fixed rate)
	// TANAfterFixed is a mixed rate's index + spread after the fixed
	// period; equal to TAN for the other rate types.
	TANAfterFixed Rate `json:"tanAfterFixed"`
	FixedMonths   int  `json:"fixedMonths"` // a mixed rate's fixed period (0 otherwise)

	TAEG      Rate `json:"taeg"`      // computed, to the Rate unit (10⁻⁷)
	TAEGShown Rate `json:"taegShown"` // TAEG rounded half-up to one decimal, as shown

	MonthlyInstalment    int64 `json:"monthlyInstalment"`    // the first instalment
	InstalmentAfterFixed int64 `json:"instalmentAfterFixed"` // a mixed rate's instalment after the fixed period (else = MonthlyInstalment)
	InstalmentCount      int   `json:"instalmentCount"`

	TotalInterest        int64        `json:"totalInterest"`
	StampDutyCredit      int64        `json:"stampDutyCredit"`      // verba 17.1
	StampDutyCommissions int64        `json:"stampDutyCommissions"` // verba 17.3.4
	StampDutyInterest    int64        `json:"stampDutyInterest"`    // verba 17.3.1 (0 when exempt)
	Charges              []ChargeLine `json:"charges"`
	TotalCharges         int64        `json:"totalCharges"`      // Σ Charges in the TAEG
	TotalCostOfCredit    int64        `json:"totalCostOfCredit"` // TotalInterest + TotalCharges
	MTIC                 int64        `json:"mtic"`              // loan + TotalCostOfCredit

	LTVBase int64 `json:"ltvBase"` // min(property value, acquisition amount)
	LTV     Rate  `json:"ltv"`     // loan ÷ LTVBase (0 when there is no base)

	StressRate         Rate  `json:"stressRate"`         // the TAN the stressed instalment uses
	StressedInstalment int64 `json:"stressedInstalment"` // the instalment under the BdP rate shock
	OtherInstalments   int64 `json:"otherInstalments"`   // Σ borrowers' other credit instalments
	TotalIncome        int64 `json:"totalIncome"`        // Σ borrowers' monthly net income
	DSTI               Rate  `json:"dsti"`               // (stressed + other) ÷ income (0 when no income)

	Schedule []ScheduleRow `json:"schedule"`

	months []Month
}

// Months is the full month-by-month schedule the result was computed from
// (nil on a Result decoded from JSON: recompute it from the stored Input).
func (r *Result) Months() []Month { return r.months }

// RateShock is the BdP macroprudential stress on the rate for a term of
// months (Recommendation on new housing credit, shock as revised on
// 16 October 2023): +1.5 pp over ten years, +1 pp over five and up to ten,
// +0.5 pp up to five.
func RateShock(months int) Rate {
	switch {
	case months > 120:
		return 15 * Percent / 10
	case months > 60:
		return Percent
	}
	return Percent / 2
}

// TAN is the nominal yearly rate at conclusion and after a mixed rate's
// fixed period: variable = index + spread, fixed = the fixed rate, mixed =
// the fixed rate, then index + spread.
func TAN(in Input) (initial, after Rate, err error) {
	switch in.RateTypeID {
	case RateVariable:
		initial = in.IndexValue + in.Spread
		after = initial
	case RateFixed:
		initial, after = in.FixedRate, in.FixedRate
	case RateMixed:
		initial, after = in.FixedRate, in.IndexValue+in.Spread
	default:
		return 0, 0, fmt.Errorf("%w: unknown rate type %d", ErrInput, in.RateTypeID)
	}
	if initial < 0 || after < 0 {
		return 0, 0, fmt.Errorf("%w: negative TAN", ErrInput)
	}
	return initial, after, nil
}

func check(in Input) error {
	switch {
	case in.LoanAmount <= 0:
		return fmt.Errorf("%w: loan amount must be positive", ErrInput)
	case in.LoanAmount > 1_000_000_000_00:
		return fmt.Errorf("%w: loan amount too large", ErrInput)
	case in.Months <= 0 || in.Months > 600:
		return fmt.Errorf("%w: term must be 1 to 600 months", ErrInput)
	case in.RateTypeID == RateMixed && in.FixedPeriodMonths <= 0:
		return fmt.Errorf("%w: a mixed rate needs its fixed period", ErrInput)
	case (in.RateTypeID == RateVariable || in.RateTypeID == RateMixed) &&
		(in.IndexTypeID < IndexEuribor3M || in.IndexTypeID > IndexEuribor12M):
		return fmt.Errorf("%w: a variable or mixed rate needs a Euribor index", ErrInput)
	case in.RateTypeID == RateFixed && in.IndexTypeID != 0 && in.IndexTypeID != IndexFixedRate:
		return fmt.Errorf("%w: a fixed rate has no index", ErrInput)
	case len(in.Borrowers) > MaxBorrowers:
		return fmt.Errorf("%w: at most %d borrowers", ErrInput, MaxBorrowers)
	case in.PropertyValue < 0 || in.PropertyAcquisitionAmount < 0:
		return fmt.Errorf("%w: negative property amount", ErrInput)
	}
	for _, b := range in.Borrowers {
		if b.MonthlyNetIncome < 0 || b.MonthlyInstalmentsOtherCredit < 0 {
			return fmt.Errorf("%w: negative borrower amount", ErrInput)
		}
	}
	for _, s := range in.Insurances {
		if (s.TypeID != ChargeLifeInsurance && s.TypeID != ChargeHomeInsurance) || s.MonthlyPremium < 0 {
			return fmt.Errorf("%w: insurance type %d", ErrInput, s.TypeID)
		}
	}
	for _, c := range in.Charges {
		if c.Amount < 0 || (c.Periodicity != Upfront && c.Periodicity != Monthly) {
			return fmt.Errorf("%w: charge of type %d", ErrInput, c.TypeID)
		}
		switch c.TypeID {
		case ChargeValuation, ChargeArrangement, ChargeFormalisation, ChargeDeedServices,
			ChargeInstalmentProcessing, ChargeEarlyRepaymentPart, ChargeEarlyRepaymentFull,
			ChargeContractChange, ChargeMortgageRelease, ChargeMortgageRegistration:
		default:
			// taxes are computed here, insurances come in Insurances
			return fmt.Errorf("%w: charge type %d is not a price list item", ErrInput, c.TypeID)
		}
	}
	return nil
}

// contingent charges are paid only if an event happens (an early
// repayment, an amendment, the release of the mortgage): shown in the
// ESIS, never part of the TAEG.
func contingent(typeID int) bool {
	switch typeID {
	case ChargeEarlyRepaymentPart, ChargeEarlyRepaymentFull, ChargeContractChange, ChargeMortgageRelease:
		return true
	}
	return false
}

// Compute prices one simulation: TAN, schedule, taxes, charges, TAEG,
// MTIC, LTV and DSTI. The rate is assumed to stay at its level at
// conclusion for the whole term, as the TAEG's definition requires.
func Compute(in Input) (Result, error) {
	if err := check(in); err != nil {
		return Result{}, err
	}
	tan, after, err := TAN(in)
	if err != nil {
		return Result{}, err
	}
	n := in.Months
	r := Result{TAN: tan, TANAfterFixed: after, InstalmentCount: n}
	if in.RateTypeID == RateMixed && in.FixedPeriodMonths < n {
		r.FixedMonths = in.FixedPeriodMonths
		r.months = MixedSchedule(in.LoanAmount, n, tan, in.FixedPeriodMonths, after)
	} else {
		if in.RateTypeID == RateMixed {
			r.FixedMonths = in.FixedPeriodMonths
			r.TANAfterFixed = tan
		}
		r.months = Schedule(in.LoanAmount, n, tan)
	}
	r.MonthlyInstalment = r.months[0].Instalment
	r.InstalmentAfterFixed = r.MonthlyInstalment
	if r.FixedMonths > 0 && r.FixedMonths < n {
		r.InstalmentAfterFixed = r.months[r.FixedMonths].Instalment
	}

	// Payments at each month (0 = conclusion) beyond the instalments.
	costs := make([]int64, n+1)
	addLine := func(l ChargeLine) {
		if l.Total == 0 && l.Amount == 0 {
			return
		}
		r.Charges = append(r.Charges, l)
		if l.InTAEG {
			r.TotalCharges += l.Total
		}
	}
	taxed := !in.StampDutyExempt

	if taxed {
		r.StampDutyCredit = StampDutyCredit(in.LoanAmount, n)
		costs[0] += r.StampDutyCredit
		addLine(ChargeLine{TypeID: ChargeStampDutyLoan, Periodicity: Upfront, Amount: r.StampDutyCredit, Occurrences: 1, Total: r.StampDutyCredit, InTAEG: true})
	}
	var upfrontTax, monthlyTax, monthlyTaxEach int64
	for _, c := range in.Charges {
		switch {
		case contingent(c.TypeID):
			addLine(ChargeLine{TypeID: c.TypeID, Periodicity: c.Periodicity, Amount: c.Amount})
		case c.TypeID == ChargeMortgageRegistration:
			// a registry fee: a cost of the purchase, not of the credit
			addLine(ChargeLine{TypeID: c.TypeID, Periodicity: c.Periodicity, Amount: c.Amount, Occurrences: occurrences(c.Periodicity, n), Total: c.Amount * int64(occurrences(c.Periodicity, n))})
		case c.Periodicity == Upfront:
			costs[0] += c.Amount
			addLine(ChargeLine{TypeID: c.TypeID, Periodicity: Upfront, Amount: c.Amount, Occurrences: 1, Total: c.Amount, InTAEG: true})
			if taxed {
				t := StampDutyCommission(c.Amount)
				costs[0] += t
				upfrontTax += t
			}
		default: // Monthly
			for m := 1; m <= n; m++ {
				costs[m] += c.Amount
			}
			addLine(ChargeLine{TypeID: c.TypeID, Periodicity: Monthly, Amount: c.Amount, Occurrences: n, Total: c.Amount * int64(n), InTAEG: true})
			if taxed {
				t := StampDutyCommission(c.Amount)
				for m := 1; m <= n; m++ {
					costs[m] += t
				}
				monthlyTaxEach += t
				monthlyTax += t * int64(n)
			}
		}
	}
	if upfrontTax > 0 {
		addLine(ChargeLine{TypeID: ChargeStampDutyFees, Periodicity: Upfront, Amount: upfrontTax, Occurrences: 1, Total: upfrontTax, InTAEG: true})
	}
	if monthlyTax > 0 {
		addLine(ChargeLine{TypeID: ChargeStampDutyFees, Periodicity: Monthly, Amount: monthlyTaxEach, Occurrences: n, Total: monthlyTax, InTAEG: true})
	}
	r.StampDutyCommissions = upfrontTax + monthlyTax

	if taxed && !InterestExempt(in.LoanPurposeID, in.ProductPurposeID) {
		var first int64
		for i, m := range r.months {
			t := StampDutyInterest(m.Interest)
			if i == 0 {
				first = t
			}
			costs[m.Month] += t
			r.StampDutyInterest += t
		}
		addLine(ChargeLine{TypeID: ChargeStampDutyInterest, Periodicity: Monthly, Amount: first, Occurrences: n, Total: r.StampDutyInterest, InTAEG: true})
	}

	for _, s := range in.Insurances {
		l := ChargeLine{TypeID: s.TypeID, Periodicity: Monthly, Amount: s.MonthlyPremium, Occurrences: n, Total: s.MonthlyPremium * int64(n), InTAEG: s.Required}
		if s.Required {
			for m := 1; m <= n; m++ {
				costs[m] += s.MonthlyPremium
			}
		}
		addLine(l)
	}

	payments := make([]int64, n+1)
	copy(payments, costs)
	for _, m := range r.months {
		r.TotalInterest += m.Interest
		payments[m.Month] += m.Instalment
	}
	r.TotalCostOfCredit = r.TotalInterest + r.TotalCharges
	r.MTIC = in.LoanAmount + r.TotalCostOfCredit
	if r.TAEG, err = TAEG(in.LoanAmount, payments); err != nil {
		return Result{}, err
	}
	r.TAEGShown = r.TAEG.RoundPercent(1)

	// LTV on the smaller of valuation and price (BdP Recommendation).
	r.LTVBase = in.PropertyValue
	if in.PropertyAcquisitionAmount > 0 && (r.LTVBase == 0 || in.PropertyAcquisitionAmount < r.LTVBase) {
		r.LTVBase = in.PropertyAcquisitionAmount
	}
	if r.LTVBase > 0 {
		r.LTV = ratio(in.LoanAmount, r.LTVBase)
	}

	r.StressRate, r.StressedInstalment = stressed(in, &r)
	for _, b := range in.Borrowers {
		r.TotalIncome += b.MonthlyNetIncome
		r.OtherInstalments += b.MonthlyInstalmentsOtherCredit
	}
	if r.TotalIncome > 0 {
		r.DSTI = ratio(r.StressedInstalment+r.OtherInstalments, r.TotalIncome)
	}

	r.Schedule = summarise(r.months, costs)
	return r, nil
}

func occurrences(p Periodicity, n int) int {
	if p == Monthly {
		return n
	}
	return 1
}

// stressed is the instalment the DSTI uses: for a variable rate the
// instalment at TAN + the shock for the term; for a fixed rate the
// instalment itself (the rate cannot move); for a mixed rate the larger of
// the fixed-period instalment and the one recomputed, on the balance left
// when the fixed period ends, at index + spread + the shock.
func stressed(in Input, r *Result) (Rate, int64) {
	n := in.Months
	shock := RateShock(n)
	switch {
	case in.RateTypeID == RateVariable:
		rate := r.TAN + shock
		return rate, Instalment(in.LoanAmount, rate, n)
	case in.RateTypeID == RateMixed && r.FixedMonths < n:
		rate := r.TANAfterFixed + shock
		balance := r.months[r.FixedMonths-1].Balance
		p := Instalment(balance, rate, n-r.FixedMonths)
		return rate, max(p, r.MonthlyInstalment)
	}
	return r.TAN, r.MonthlyInstalment
}

// summarise builds the repayment table: months 1–12 one by one, then a
// row per contract year, then the totals.
func summarise(months []Month, costs []int64) []ScheduleRow {
	rows := make([]ScheduleRow, 0, 12+len(months)/12+2)
	var total ScheduleRow
	total.Kind = RowTotal
	total.Costs = costs[0]
	var year ScheduleRow
	for i, m := range months {
		c := costs[m.Month]
		if m.Month == 1 {
			c += costs[0]
		}
		total.Instalment += m.Instalment
		total.Interest += m.Interest
		total.Capital += m.Capital
		total.Costs += costs[m.Month]
		if m.Month <= 12 {
			rows = append(rows, ScheduleRow{Kind: RowMonth, Period: m.Month, Instalment: m.Instalment, Interest: m.Interest, Capital: m.Capital, Costs: c, Balance: m.Balance})
			continue
		}
		year.Kind, year.Period = RowYear, (m.Month-1)/12+1
		year.Instalment += m.Instalment
		year.Interest += m.Interest
		year.Capital += m.Capital
		year.Costs += c
		year.Balance = m.Balance
		if m.Month%12 == 0 || i == len(months)-1 {
			rows = append(rows, year)
			year = ScheduleRow{}
		}
	}
	return append(rows, total)
}

// ageOn is the age in completed years on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	y := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		y--
	}
	return y
}

// addMonths is date plus n months, the day clamped to the month's last
// (31 January + 1 month = 28 or 29 February), as instalment dates run.
func addMonths(date time.Time, n int) time.Time {
	y, m, d := date.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}
