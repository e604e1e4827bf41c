package components

import (
	"context"

	"portal/components/i18n"
	"portal/models"
)

// EsisText words an ESIS validity.
func EsisText(ctx context.Context, e models.EsisValidity) string {
	switch e.State {
	case models.EsisValid:
		return i18n.T(ctx, "sim.esis_valid", map[string]any{"Date": Date(ctx, e.ValidUntil)})
	case models.EsisExpired:
		return i18n.T(ctx, "sim.esis_expired", map[string]any{"Date": Date(ctx, e.ValidUntil)})
	case models.EsisChanged:
		return i18n.T(ctx, "sim.esis_changed", map[string]any{"Date": Date(ctx, e.IssuedAt)})
	}
	return i18n.T(ctx, "sim.esis_none")
}

// EsisClass is the badge colour of an ESIS validity.
func EsisClass(s models.EsisState) string {
	switch s {
	case models.EsisValid:
		return "badge bg-green-100 text-green-800"
	case models.EsisExpired:
		return "badge bg-red-100 text-red-800"
	case models.EsisChanged:
		return "badge bg-amber-100 text-amber-900"
	}
	return "badge bg-gray-100 text-gray-700"
}
