package simulation

import (
	"math"
	"math/bits"
)

// Rate is a yearly rate or a ratio in units of 10⁻⁷ (0.00001 percentage
// points): 3.5 % is 350 000. See the package documentation.
type Rate int64

const (
	// Percent is one percentage point as a Rate.
	Percent Rate = 100_000
	// rateScale is the Rate value of 1 (100 %).
	rateScale = 100 * int64(Percent)
)

// RateFromPercent converts a percentage (3.5 for 3.5 %) to a Rate,
// rounding half-up (away from zero for negative values) to the unit.
func RateFromPercent(p float64) Rate {
	return Rate(roundHalfUpFloat(p * float64(Percent)))
}

// Percent is r as a percentage (350 000 -> 3.5), for display.
func (r Rate) Percent() float64 { return float64(r) / float64(Percent) }

// Fraction is r as a plain fraction (350 000 -> 0.035).
func (r Rate) Fraction() float64 { return float64(r) / float64(rateScale) }

// RoundPercent rounds r half-up to the given number of decimals of a
// percentage point: RoundPercent(r, 1) is how the TAEG is shown.
func (r Rate) RoundPercent(decimals int) Rate {
	if decimals >= 5 {
		return r
	}
	step := int64(math.Pow10(5 - decimals))
	return Rate(roundDivSigned(int64(r), step) * step)
}

// roundHalfUpFloat rounds x to the nearest integer, halves away from zero.
func roundHalfUpFloat(x float64) int64 {
	if x < 0 {
		return -int64(math.Floor(-x + 0.5))
	}
	return int64(math.Floor(x + 0.5))
}

// roundDivSigned is a/d rounded half away from zero, d > 0.
func roundDivSigned(a, d int64) int64 {
	if a < 0 {
		return -mulDivRound(-a, 1, d)
	}
	return mulDivRound(a, 1, d)
}

// mulDivRound is a·b/d rounded half-up, exactly (128-bit intermediate), for
// a, b ≥ 0 and d > 0. It panics if the result does not fit an int64, which
// no mortgage amount comes near.
func mulDivRound(a, b, d int64) int64 {
	if a < 0 || b < 0 || d <= 0 {
		panic("simulation: mulDivRound needs a, b >= 0 and d > 0")
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// add d/2 (half-up), carrying into hi
	half := uint64(d) / 2
	var carry uint64
	lo, carry = bits.Add64(lo, half, 0)
	hi += carry
	if hi >= uint64(d) {
		panic("simulation: mulDivRound overflow")
	}
	q, _ := bits.Div64(hi, lo, uint64(d))
	if q > math.MaxInt64 {
		panic("simulation: mulDivRound overflow")
	}
	return int64(q)
}

// mulLE reports whether a·b ≤ c·d exactly, all ≥ 0.
func mulLE(a, b, c, d int64) bool {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	return h1 < h2 || (h1 == h2 && l1 <= l2)
}

// ratio is a/b as a Rate, rounded half-up; b must be > 0.
func ratio(a, b int64) Rate { return Rate(mulDivRound(a, rateScale, b)) }

// percentOf is amount·rate rounded half-up to the cent (amount, rate ≥ 0).
func percentOf(amount int64, r Rate) int64 { return mulDivRound(amount, int64(r), rateScale) }
