package components

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Lisbon on machines without a zoneinfo database

	"portal/models"
)

var lisbon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// Money formats cents as euros: "€250,000.00".
func Money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	s := fmt.Sprintf("€%s.%02d", b.String(), cents%100)
	if neg {
		return "-" + s
	}
	return s
}

// Date shows a day in Lisbon time: "21 Nov 2026".
func Date(t time.Time) string { return t.In(lisbon).Format("2 Jan 2006") }

// DateTime shows a moment in Lisbon time: "21 Nov 2026, 14:05".
func DateTime(t time.Time) string { return t.In(lisbon).Format("2 Jan 2006, 15:04") }

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
	return T.UnknownStatus
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
func FieldError(e *models.Error, field string) string {
	if e == nil {
		return ""
	}
	return e.FieldMessage(field)
}

// GeneralError is a form refusal not tied to a field (rate limit,
// conflict), "" when there is none.
func GeneralError(e *models.Error) string {
	if e == nil || len(e.Fields) > 0 {
		return ""
	}
	return e.Message
}
