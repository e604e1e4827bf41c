package components

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"portal/components/i18n"
)

// The hand-written amounts are x/text's and the catalogue's, byte for
// byte, in both languages: zero, signs, every group boundary, rounding of
// the cents, the fast path's bound and beyond it.
func TestMoneyFastMatchesXText(t *testing.T) {
	values := []int64{0, 1, 5, 9, 10, 99, 100, 101, 150, 999, 1000, 9999, 10000, 99999, 100000, 123456,
		999999, 1000000, 24_100_000, 25_000_000, 99_999_999, 100_000_000, 123_456_789, 1_000_000_000,
		987_654_321_012, maxFastCents - 1, maxFastCents, maxFastCents + 1, 1 << 53, math.MaxInt64}
	for p := int64(1); p < 1e17; p *= 10 {
		values = append(values, p-1, p, p+1, p*7/3)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		values = append(values, r.Int64N(1_000_000_000_00), r.Int64N(100_000_00), r.Int64N(10_000))
	}
	for _, l := range i18n.Langs {
		ctx := i18n.WithLang(context.Background(), l)
		if !formatsOf(l).moneyOK {
			t.Errorf("%s: Money has no fast path", l)
		}
		for _, v := range values {
			for _, c := range []int64{v, -v} {
				if got, want := Money(ctx, c), slowMoney(ctx, c); got != want {
					t.Errorf("%s Money(%d) = %q, x/text %q", l, c, got, want)
				}
			}
		}
		if got, want := Money(ctx, math.MinInt64), slowMoney(ctx, math.MinInt64); got != want {
			t.Errorf("%s Money(MinInt64) = %q, x/text %q", l, got, want)
		}
	}
}

// Dates and times written by hand are the catalogue's patterns filled as
// before: every day of several years in Lisbon (both sides of each
// daylight-saving change), at minutes all through the day.
func TestDateFastMatchesCatalogue(t *testing.T) {
	for _, l := range i18n.Langs {
		ctx := i18n.WithLang(context.Background(), l)
		if f := formatsOf(l); !f.dateOK || !f.dateTimeOK {
			t.Errorf("%s: dates have no fast path", l)
		}
		start := time.Date(1999, 12, 30, 0, 0, 0, 0, time.UTC)
		for at := start; at.Year() < 2031; at = at.Add(24*time.Hour + 37*time.Minute + 13*time.Second) {
			if got, want := Date(ctx, at), slowDate(ctx, at); got != want {
				t.Fatalf("%s Date(%v) = %q, want %q", l, at, got, want)
			}
			if got, want := DateTime(ctx, at), slowDateTime(ctx, at); got != want {
				t.Fatalf("%s DateTime(%v) = %q, want %q", l, at, got, want)
			}
		}
		for _, at := range []time.Time{{}, time.Date(9, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(12345, 6, 7, 23, 59, 59, 0, time.UTC),
			time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC), time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
			time.Date(2026, 10, 25, 0, 59, 0, 0, time.UTC), time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC)} {
			if got, want := DateTime(ctx, at), slowDateTime(ctx, at); got != want {
				t.Errorf("%s DateTime(%v) = %q, want %q", l, at, got, want)
			}
		}
	}
}

func TestCompilePattern(t *testing.T) {
	for _, tc := range []struct {
		s    string
		args int
		ok   bool
	}{
		{sentinel(0) + " €", 1, true},
		{"€" + sentinel(0), 1, true},
		{sentinel(1) + sentinel(0), 2, true},
		{"no argument", 1, false},
		{sentinel(0) + sentinel(0), 1, false},
		{sentinel(2), 2, false},
		{"\x00x\x00", 1, false},
		{"\x000", 1, false},
	} {
		if _, ok := compilePattern(tc.s, tc.args); ok != tc.ok {
			t.Errorf("%q: %v, want %v", tc.s, ok, tc.ok)
		}
	}
}
