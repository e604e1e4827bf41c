package components

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Lisbon on machines without a zoneinfo database

	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"portal/components/i18n"
	"portal/models"
)

var lisbon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// Money formats cents as euros in ctx's language: "241 000,00 €" in
// Portuguese, "€241,000.00" in English (grouping and decimals from CLDR
// through x/text, the symbol's place from the catalogue). The table rows
// format it per cell, so amounts a float64 carries exactly are written by
// hand with the separators and pattern x/text and the catalogue gave once
// per language (formats_test.go proves it equal to slowMoney).
func Money(ctx context.Context, cents int64) string {
	f := formatsOf(i18n.From(ctx))
	if !f.moneyOK || cents <= -maxFastCents || cents >= maxFastCents {
		return slowMoney(ctx, cents)
	}
	var buf [64]byte
	b := buf[:0]
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = append(b, f.moneyPrefix...)
	b = appendGrouped(b, cents/100, f.group)
	b = append(b, f.decimal...)
	b = append(b, byte('0'+cents%100/10), byte('0'+cents%10))
	b = append(b, f.moneySuffix...)
	return string(b)
}

// maxFastCents bounds the hand-written amounts well inside float64's exact
// integers (slowMoney divides a float64 by 100).
const maxFastCents = 1_000_000_000_000_00

// slowMoney is Money through x/text and the catalogue on every call.
func slowMoney(ctx context.Context, cents int64) string {
	l := i18n.From(ctx)
	neg := cents < 0
	if neg {
		cents = -cents
	}
	amount := message.NewPrinter(l.Tag()).Sprint(number.Decimal(float64(cents)/100,
		number.MinFractionDigits(2), number.MaxFractionDigits(2)))
	s := i18n.T(ctx, "format.money", map[string]any{"Amount": amount})
	if neg {
		return "-" + s
	}
	return s
}

// appendGrouped writes n >= 0 with sep between groups of three digits.
func appendGrouped(b []byte, n int64, sep string) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	digits := d[i:]
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

// Date shows a day in Lisbon time in ctx's language: "3 dez. 2026",
// "3 Dec 2026".
func Date(ctx context.Context, t time.Time) string {
	f := formatsOf(i18n.From(ctx))
	if !f.dateOK {
		return slowDate(ctx, t)
	}
	y, m, d := t.In(lisbon).Date()
	var buf [64]byte
	return string(f.appendDate(buf[:0], y, m, d))
}

func (f *formats) appendDate(b []byte, y int, m time.Month, d int) []byte {
	return f.date.append(b, func(b []byte, arg int) []byte {
		switch arg {
		case 0:
			return strconv.AppendInt(b, int64(d), 10)
		case 1:
			return append(b, f.months[m]...)
		}
		return strconv.AppendInt(b, int64(y), 10)
	})
}

func slowDate(ctx context.Context, t time.Time) string {
	t = t.In(lisbon)
	return i18n.T(ctx, "format.date", map[string]any{"Day": t.Day(),
		"Month": i18n.T(ctx, "format.month."+strconv.Itoa(int(t.Month()))), "Year": t.Year()})
}

// DateTime shows a moment in Lisbon time: "3 dez. 2026, 10:22".
func DateTime(ctx context.Context, t time.Time) string {
	f := formatsOf(i18n.From(ctx))
	if !f.dateOK || !f.dateTimeOK {
		return slowDateTime(ctx, t)
	}
	t = t.In(lisbon)
	y, m, d := t.Date()
	hh, mm, _ := t.Clock()
	var buf [64]byte
	return string(f.dateTime.append(buf[:0], func(b []byte, arg int) []byte {
		if arg == 0 {
			return f.appendDate(b, y, m, d)
		}
		return append(b, byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10))
	}))
}

func slowDateTime(ctx context.Context, t time.Time) string {
	return i18n.T(ctx, "format.date_time", map[string]any{"Date": slowDate(ctx, t), "Time": t.In(lisbon).Format("15:04")})
}

// formats are one language's number separators, month names and the
// catalogue's patterns, read once from x/text and the catalogue.
type formats struct {
	moneyOK                  bool
	moneyPrefix, moneySuffix string
	group, decimal           string
	dateOK, dateTimeOK       bool
	months                   [13]string
	date, dateTime           pattern
}

var (
	formatsOnce sync.Once
	formatsPT   *formats
	formatsEN   *formats
)

func formatsOf(l i18n.Lang) *formats {
	formatsOnce.Do(func() {
		formatsPT, formatsEN = newFormats(i18n.PT), newFormats(i18n.EN)
	})
	if l == i18n.EN {
		return formatsEN
	}
	return formatsPT
}

func newFormats(l i18n.Lang) *formats {
	ctx := i18n.WithLang(context.Background(), l)
	f := &formats{}
	// The separators are where x/text puts them in 1234567.89.
	n := message.NewPrinter(l.Tag()).Sprint(number.Decimal(1234567.89,
		number.MinFractionDigits(2), number.MaxFractionDigits(2)))
	if a, rest, ok := strings.Cut(n, "1"); ok && a == "" {
		if g, rest, ok := strings.Cut(rest, "234"); ok {
			if g2, rest, ok := strings.Cut(rest, "567"); ok && g2 == g {
				if d, rest, ok := strings.Cut(rest, "89"); ok && rest == "" {
					f.group, f.decimal = g, d
					f.moneyOK = !strings.ContainsAny(g+d, "0123456789")
				}
			}
		}
	}
	money, ok := compilePattern(i18n.T(ctx, "format.money", map[string]any{"Amount": sentinel(0)}), 1)
	// The amount's one argument: what comes before it and after it.
	for i, part := range money {
		switch {
		case part.arg == 0:
		case i == 0 && len(money) > 1 && money[1].arg == 0:
			f.moneyPrefix = part.lit
		case i == len(money)-1 && i > 0 && money[i-1].arg == 0:
			f.moneySuffix = part.lit
		default:
			ok = false
		}
	}
	f.moneyOK = f.moneyOK && ok
	f.date, f.dateOK = compilePattern(i18n.T(ctx, "format.date",
		map[string]any{"Day": sentinel(0), "Month": sentinel(1), "Year": sentinel(2)}), 3)
	f.dateTime, f.dateTimeOK = compilePattern(i18n.T(ctx, "format.date_time",
		map[string]any{"Date": sentinel(0), "Time": sentinel(1)}), 2)
	for m := 1; m <= 12; m++ {
		f.months[m] = i18n.T(ctx, "format.month."+strconv.Itoa(m))
	}
	return f
}

// pattern is a catalogue text cut at its arguments: literal parts and
// argument numbers.
type pattern []patternPart

type patternPart struct {
	lit string
	arg int // -1 for a literal
}

// sentinel stands for argument i when a pattern is rendered once to find
// where its arguments go.
func sentinel(i int) string { return "\x00" + strconv.Itoa(i) + "\x00" }

// compilePattern cuts s, rendered with sentinel(0..args-1), into a pattern;
// false unless each argument appears exactly once and nothing else looks
// like a sentinel.
func compilePattern(s string, args int) (pattern, bool) {
	var p pattern
	seen := make([]bool, args)
	for s != "" {
		i := strings.IndexByte(s, 0)
		if i < 0 {
			p = append(p, patternPart{lit: s, arg: -1})
			break
		}
		if i > 0 {
			p = append(p, patternPart{lit: s[:i], arg: -1})
		}
		j := strings.IndexByte(s[i+1:], 0)
		if j < 0 {
			return nil, false
		}
		a, err := strconv.Atoi(s[i+1 : i+1+j])
		if err != nil || a < 0 || a >= args || seen[a] {
			return nil, false
		}
		seen[a] = true
		p = append(p, patternPart{arg: a})
		s = s[i+1+j+1:]
	}
	for _, ok := range seen {
		if !ok {
			return nil, false
		}
	}
	return p, true
}

func (p pattern) append(b []byte, arg func([]byte, int) []byte) []byte {
	for _, part := range p {
		if part.arg < 0 {
			b = append(b, part.lit...)
		} else {
			b = arg(b, part.arg)
		}
	}
	return b
}

// ISO is the machine-readable form for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// StatusNames are the workflow states' descriptions in the page's
// language, from the taxonomy (the one source of their texts).
type StatusNames map[int]string

// Text is the description of state id.
func (n StatusNames) Text(id int) string {
	if s, ok := n[id]; ok && s != "" {
		return s
	}
	return "—"
}

// StatusClass colours a status badge (AA contrast on each background).
func StatusClass(id int) string {
	switch id {
	case models.StatusInCreation:
		return "badge bg-gray-100 text-gray-800"
	case models.StatusSubmitted, models.StatusInAnalysis:
		return "badge bg-blue-100 text-blue-800"
	case models.StatusPendingDocuments:
		return "badge bg-amber-100 text-amber-900"
	case models.StatusApproved, models.StatusContracted:
		return "badge bg-green-100 text-green-800"
	case models.StatusRejected:
		return "badge bg-red-100 text-red-800"
	default:
		return "badge bg-gray-200 text-gray-700"
	}
}

// OrDash shows "—" for an empty value.
func OrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// FieldError is the message for field in a refused form, "" when none.
func FieldError(ctx context.Context, e *models.Error, field string) string {
	if e == nil {
		return ""
	}
	if f, ok := e.Field(field); ok {
		return i18n.Field(ctx, f)
	}
	return ""
}

// GeneralError is a form refusal not tied to a field (rate limit,
// conflict), "" when there is none.
func GeneralError(e *models.Error) string {
	if e == nil || len(e.Fields) > 0 {
		return ""
	}
	return e.Message
}
