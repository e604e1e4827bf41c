package ui

import (
	"strings"
	"unicode"
)

// parseEuros reads an amount of euros as people type it, in either
// language's style: "241 000,00", "241.000,00", "241000.50", "241,000.50",
// "241000", with or without "€". A separator followed by exactly three
// digits groups thousands; the last one followed by one or two digits is
// the decimal mark. It returns the amount in cents; ok is false for
// anything else (letters, a negative sign, three decimals, a misplaced
// group, more than fits).
func parseEuros(s string) (cents int64, ok bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "€"))
	s = strings.TrimSpace(strings.TrimPrefix(s, "€"))
	// Spaces group thousands (the formatter writes a no-break space).
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u202f' || r == '\u00a0' {
			return ' '
		}
		return r
	}, s)
	if s == "" {
		return 0, false
	}
	// Split into digit runs and the separators between them.
	var runs []string
	var seps []byte
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' || c == ',' || c == ' ':
			runs = append(runs, s[start:i])
			seps = append(seps, c)
			start = i + 1
		default:
			return 0, false
		}
	}
	runs = append(runs, s[start:])
	decimals := ""
	if n := len(seps); n > 0 && seps[n-1] != ' ' && len(runs[n]) >= 1 && len(runs[n]) <= 2 {
		decimals = runs[n]
		runs, seps = runs[:n], seps[:n-1]
	}
	// What is left is the whole part: a first run of 1-3 digits (any
	// length without groups), then groups of three behind one kind of
	// separator, which is not the decimal mark.
	if runs[0] == "" {
		return 0, false
	}
	for i, sep := range seps {
		if sep != seps[0] || len(runs[i+1]) != 3 || (i == 0 && len(runs[0]) > 3) {
			return 0, false
		}
	}
	if len(seps) > 0 && decimals != "" && seps[0] == s[len(s)-len(decimals)-1] {
		return 0, false
	}
	whole := strings.Join(runs, "")
	if len(whole) > 15 {
		return 0, false
	}
	for len(decimals) < 2 {
		decimals += "0"
	}
	for _, c := range whole + decimals {
		cents = cents*10 + int64(c-'0')
	}
	return cents, true
}
