package esis

import (
	"strconv"
	"time"
	_ "time/tzdata" // Europe/Lisbon on machines without a zoneinfo database

	"portal/models/simulation"
)

// The sheet formats money, dates and rates as the portal's pages do
// (components/format.go): "241 000,00 €" and "3 dez. 2026" in Portuguese,
// "€241,000.00" and "3 Dec 2026" in English. models may not import
// components, so the house formats are reproduced here; a test compares
// them with the pages' formatter.

var lisbon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// Lang is a sheet's language.
type Lang string

const (
	PT Lang = "pt-PT" // the default
	EN Lang = "en"
)

// ParseLang reads "en" (any case, with a region) as English and anything
// else as Portuguese.
func ParseLang(s string) Lang {
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') && (s[1] == 'n' || s[1] == 'N') && (len(s) == 2 || s[2] == '-' || s[2] == '_') {
		return EN
	}
	return PT
}

var monthsPT = [13]string{"", "jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.", "nov.", "dez."}
var monthsEN = [13]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// Money formats cents as euros in l.
func Money(l Lang, cents int64) string {
	var b []byte
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	group, decimal := "\u00a0", ","
	if l == EN {
		group, decimal = ",", "."
		b = append(b, "€"...)
	}
	b = appendGrouped(b, cents/100, group)
	b = append(b, decimal...)
	b = append(b, byte('0'+cents%100/10), byte('0'+cents%10))
	if l != EN {
		b = append(b, " €"...)
	}
	return string(b)
}

func appendGrouped(b []byte, n int64, sep string) []byte {
	digits := strconv.FormatInt(n, 10)
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b = append(b, digits[:first]...)
	for j := first; j < len(digits); j += 3 {
		b = append(b, sep...)
		b = append(b, digits[j:j+3]...)
	}
	return b
}

// Date formats the day of t in Lisbon in l.
func Date(l Lang, t time.Time) string {
	y, m, d := t.In(lisbon).Date()
	months := monthsPT
	if l == EN {
		months = monthsEN
	}
	return strconv.Itoa(d) + " " + months[m] + " " + strconv.Itoa(y)
}

// Points is r as percentage points, without the sign: "1,5" / "1.5".
func Points(l Lang, r simulation.Rate, decimals int) string {
	s := Percent(l, r, decimals)
	if l == EN {
		return s[:len(s)-1]
	}
	return s[:len(s)-2]
}

// Percent formats r rounded half-up to decimals of a percentage point:
// "3,500 %" in Portuguese, "3.500%" in English.
func Percent(l Lang, r simulation.Rate, decimals int) string {
	decimals = max(0, min(decimals, 5))
	r = r.RoundPercent(decimals)
	var b []byte
	v := int64(r)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	whole, frac := v/int64(simulation.Percent), v%int64(simulation.Percent)
	b = strconv.AppendInt(b, whole, 10)
	if decimals > 0 {
		if l == EN {
			b = append(b, '.')
		} else {
			b = append(b, ',')
		}
		f := strconv.FormatInt(frac+int64(simulation.Percent), 10)[1:] // five digits, leading zeros
		b = append(b, f[:decimals]...)
	}
	if l == EN {
		return string(b) + "%"
	}
	return string(b) + " %"
}

// monthYear is "nov. 2026" / "Nov 2026" (an index's month).
func monthYear(l Lang, t time.Time) string {
	months := monthsPT
	if l == EN {
		months = monthsEN
	}
	return months[t.Month()] + " " + strconv.Itoa(t.Year())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
