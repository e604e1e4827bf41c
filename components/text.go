package components

import (
	"context"

	"portal/components/i18n"
)

// RoleNeeded tells the user which role a page or action needs, at bank
// ("" when the bank goes without saying).
func RoleNeeded(ctx context.Context, role, bank string) string {
	if bank == "" {
		return i18n.T(ctx, "layout.role_needed_text", map[string]any{"Role": role})
	}
	return i18n.T(ctx, "layout.role_needed_at_text", map[string]any{"Role": role, "Bank": bank})
}
