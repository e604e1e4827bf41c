package simulation

import (
	"errors"
	"math"
)

// ErrNoTAEG is returned when the cash flows have no annual rate that
// balances them (nothing is repaid, or less than nothing).
var ErrNoTAEG = errors.New("simulation: the cash flows have no TAEG")

// TAEG is the annual percentage rate of charge (Directive 2014/17/EU
// Annex I; DL 74-A/2017 Anexo I): the rate X that makes the drawdown equal
// to the present value of what the borrower pays,
//
//	drawdown = Σ payments[m] · (1+X)^(−m/12)
//
// where payments[m] is paid m months after the conclusion (payments[0] at
// the conclusion itself) and a year has twelve equal months. It is solved
// by Newton's method on y = ln(1+X), where the sum is a convex, decreasing
// function, inside a bracket that falls back to bisection whenever a
// Newton step would leave it; the result is exact to far below the Rate
// unit (10⁻⁷) before it is rounded half-up to that unit.
func TAEG(drawdown int64, payments []int64) (Rate, error) {
	x, err := solveTAEG(drawdown, payments)
	if err != nil {
		return 0, err
	}
	return Rate(roundHalfUpFloat(x * float64(rateScale))), nil
}

// presentValue is Σ payments[m]·e^(−y·m/12) − drawdown and its derivative
// in y.
func presentValue(drawdown int64, payments []int64, y float64) (f, df float64) {
	v := math.Exp(-y / 12)
	d := 1.0
	for m, p := range payments {
		if p != 0 {
			t := float64(p) * d
			f += t
			df -= t * float64(m) / 12
		}
		d *= v
	}
	return f - float64(drawdown), df
}

func solveTAEG(drawdown int64, payments []int64) (float64, error) {
	var total int64
	for _, p := range payments {
		total += p
	}
	if drawdown <= 0 || total <= 0 {
		return 0, ErrNoTAEG
	}
	// Bracket in y = ln(1+X): X from −99 % to 10 000 %.
	lo, hi := math.Log(0.01), math.Log(101.0)
	flo, _ := presentValue(drawdown, payments, lo)
	fhi, _ := presentValue(drawdown, payments, hi)
	if flo < 0 || fhi > 0 {
		return 0, ErrNoTAEG
	}
	y := 0.0 // X = 0: f(0) = total − drawdown
	if float64(total) < float64(drawdown) {
		y = (lo + 0) / 2
	}
	for iter := 0; iter < 200; iter++ {
		f, df := presentValue(drawdown, payments, y)
		if f == 0 {
			break
		}
		if f > 0 {
			lo = y
		} else {
			hi = y
		}
		next := y - f/df
		if df == 0 || math.IsNaN(next) || next <= lo || next >= hi {
			next = (lo + hi) / 2
		}
		if math.Abs(next-y) < 1e-15 {
			y = next
			break
		}
		y = next
	}
	return math.Expm1(y), nil
}
