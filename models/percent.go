package models

import (
	"strings"

	"portal/models/simulation"
)

// ParsePercent reads a percentage as people type it in either language:
// "1,234", "1.234", "-0,5", "3", with or without a "%" sign, at most three
// decimals (the pricing's precision). It has no thousands separator: no
// rate reaches a thousand percent. ok is false for anything else.
func ParsePercent(s string) (r simulation.Rate, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"): // hyphen or minus sign
		neg = true
		s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, hasMark := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if whole == "" || len(whole) > 4 || (hasMark && (frac == "" || len(frac) > 3)) ||
		!isDigitString(whole) || (frac != "" && !isDigitString(frac)) {
		return 0, false
	}
	var thousandths int64
	for _, c := range whole {
		thousandths = thousandths*10 + int64(c-'0')
	}
	frac += strings.Repeat("0", 3-len(frac))
	for _, c := range frac {
		thousandths = thousandths*10 + int64(c-'0')
	}
	r = simulation.Rate(thousandths) * (simulation.Percent / 1000)
	if neg {
		r = -r
	}
	return r, true
}
