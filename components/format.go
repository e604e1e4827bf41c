package components

import (
	"context"
	"strconv"
	"strings"
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
// through x/text, the symbol's place from the catalogue).
func Money(ctx context.Context, cents int64) string {
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

// Date shows a day in Lisbon time in ctx's language: "3 dez. 2026",
// "3 Dec 2026".
func Date(ctx context.Context, t time.Time) string {
	t = t.In(lisbon)
	return i18n.T(ctx, "format.date", map[string]any{"Day": t.Day(),
		"Month": i18n.T(ctx, "format.month."+strconv.Itoa(int(t.Month()))), "Year": t.Year()})
}

// DateTime shows a moment in Lisbon time: "3 dez. 2026, 10:22".
func DateTime(ctx context.Context, t time.Time) string {
	return i18n.T(ctx, "format.date_time", map[string]any{"Date": Date(ctx, t), "Time": t.In(lisbon).Format("15:04")})
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
