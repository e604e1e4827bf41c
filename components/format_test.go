package components

import (
	"context"
	"strings"
	"testing"
	"time"

	"portal/components/i18n"
)

func TestFormatsPerLanguage(t *testing.T) {
	pt, en := i18n.WithLang(context.Background(), i18n.PT), i18n.WithLang(context.Background(), i18n.EN)
	nb := func(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") } // CLDR groups with a no-break space
	at := time.Date(2026, 12, 3, 10, 22, 0, 0, time.UTC)                        // Lisbon is UTC in December
	summer := time.Date(2026, 7, 1, 9, 5, 0, 0, time.UTC)                       // and UTC+1 in summer
	for _, tc := range []struct{ got, want string }{
		{nb(Money(pt, 24_100_000)), "241 000,00 €"},
		{Money(en, 24_100_000), "€241,000.00"},
		{nb(Money(pt, -150)), "-1,50 €"},
		{Money(en, 5), "€0.05"},
		{Date(pt, at), "3 dez. 2026"},
		{Date(en, at), "3 Dec 2026"},
		{DateTime(pt, at), "3 dez. 2026, 10:22"},
		{DateTime(en, at), "3 Dec 2026, 10:22"},
		{DateTime(pt, summer), "1 jul. 2026, 10:05"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
