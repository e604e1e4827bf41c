package admin

import (
	"context"
	"testing"

	"portal/components/i18n"
	"portal/models/simulation"
)

func TestPercentInEachLanguage(t *testing.T) {
	pt, en := i18n.WithLang(context.Background(), i18n.PT), i18n.WithLang(context.Background(), i18n.EN)
	for _, tc := range []struct {
		r      simulation.Rate
		pt, en string
	}{
		{123400, "1,234 %", "1.234%"},
		{300000, "3,000 %", "3.000%"},
		{-50000, "-0,500 %", "-0.500%"},
		{123456, "1,23456 %", "1.23456%"}, // more precision than the form takes is still shown whole
	} {
		if got := Percent(pt, tc.r); got != tc.pt {
			t.Errorf("Percent(pt, %d) = %q, want %q", tc.r, got, tc.pt)
		}
		if got := Percent(en, tc.r); got != tc.en {
			t.Errorf("Percent(en, %d) = %q, want %q", tc.r, got, tc.en)
		}
	}
}

func TestPeriodValueRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		in             string
		rateType, peri int
		ok             bool
	}{
		{PeriodValue(simulation.RateFixed, 5), simulation.RateFixed, 5, true},
		{PeriodValue(simulation.RateMixed, 3), simulation.RateMixed, 3, true},
		{"", 0, 0, false},
		{"2", 0, 0, false},
		{"2:x", 0, 0, false},
	} {
		rt, p, ok := ParsePeriodValue(tc.in)
		if ok != tc.ok || (ok && (rt != tc.rateType || p != tc.peri)) {
			t.Errorf("ParsePeriodValue(%q) = %d, %d, %v", tc.in, rt, p, ok)
		}
	}
}
