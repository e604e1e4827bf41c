package simulation

import "math"

// monthlyDivisor turns a yearly Rate into the monthly rate of the French
// amortisation, i = TAN/12 (the nominal rate divided by twelve, as in every
// Portuguese mortgage contract), as an exact fraction of rateScale·12.
const monthlyDivisor = rateScale * 12

// Instalment is the French (constant) instalment in cents that repays c
// cents in n months at the yearly nominal rate tan:
// P = C·i / (1 − (1+i)^−n), i = TAN/12, rounded half-up to the cent. At a
// zero rate it is C/n rounded half-up.
func Instalment(c int64, tan Rate, n int) int64 {
	if n <= 0 || c <= 0 {
		return 0
	}
	if tan == 0 {
		return mulDivRound(c, 1, int64(n))
	}
	i := float64(tan) / float64(monthlyDivisor)
	// −expm1(−n·log1p(i)) = 1 − (1+i)^−n without cancellation for small i.
	p := float64(c) * i / -math.Expm1(-float64(n)*math.Log1p(i))
	return roundHalfUpFloat(p)
}

// Month is one month of an amortisation schedule.
type Month struct {
	Month      int   `json:"month"`      // 1-based
	Rate       Rate  `json:"rate"`       // the TAN that month
	Instalment int64 `json:"instalment"` // capital + interest
	Interest   int64 `json:"interest"`
	Capital    int64 `json:"capital"`
	Balance    int64 `json:"balance"` // outstanding after this month's capital
}

// phase is a stretch of months at one TAN: from month `from` (1-based) on,
// until the next phase.
type phase struct {
	from int
	tan  Rate
}

// Schedule is the French amortisation of c cents over n months at the
// nominal yearly rate tan: each month the interest is round(balance·i),
// the capital is P − interest, and the last instalment repays whatever
// balance remains (absorbing the roundings).
func Schedule(c int64, n int, tan Rate) []Month {
	return schedule(c, n, []phase{{1, tan}})
}

// MixedSchedule is the schedule of a mixed rate: fixedTAN for the first
// fixedMonths months, then variableTAN, the instalment recomputed on the
// outstanding balance over the remaining months when the fixed period
// ends. A fixed period that covers the term is a fixed-rate schedule.
func MixedSchedule(c int64, n int, fixedTAN Rate, fixedMonths int, variableTAN Rate) []Month {
	if fixedMonths >= n {
		return Schedule(c, n, fixedTAN)
	}
	return schedule(c, n, []phase{{1, fixedTAN}, {fixedMonths + 1, variableTAN}})
}

func schedule(c int64, n int, phases []phase) []Month {
	if c <= 0 || n <= 0 {
		return nil
	}
	months := make([]Month, n)
	balance := c
	var p int64
	var tan Rate
	next := 0
	for m := 1; m <= n; m++ {
		if next < len(phases) && phases[next].from == m {
			tan = phases[next].tan
			p = Instalment(balance, tan, n-m+1)
			next++
		}
		interest := MonthInterest(balance, tan)
		capital := p - interest
		if m == n || capital > balance {
			capital = balance
		}
		if capital < 0 {
			// Cannot happen for an instalment computed on this balance;
			// kept so the balance never grows.
			capital = 0
		}
		balance -= capital
		months[m-1] = Month{Month: m, Rate: tan, Instalment: capital + interest, Interest: interest, Capital: capital, Balance: balance}
	}
	return months
}

// MonthInterest is one month's interest on balance at the yearly nominal
// rate tan: round(balance · TAN/12), half-up to the cent, exactly.
func MonthInterest(balance int64, tan Rate) int64 {
	if balance <= 0 || tan <= 0 {
		return 0
	}
	return mulDivRound(balance, int64(tan), monthlyDivisor)
}

// EffectiveAnnual is the annual effective rate of the nominal rate tan
// compounded monthly, (1 + TAN/12)^12 − 1: the TAEG of a loan without any
// charge.
func EffectiveAnnual(tan Rate) Rate {
	i := float64(tan) / float64(monthlyDivisor)
	return Rate(roundHalfUpFloat(math.Expm1(12*math.Log1p(i)) * float64(rateScale)))
}
