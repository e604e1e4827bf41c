package admin

import (
	"context"
	"slices"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
)

// EntitlementsView is the page where admins grant and revoke roles.
type EntitlementsView struct {
	Page  components.Page
	Users []models.UserInfo
	Bank  string // the admin's bank (public id): grants are made there
	Error string // why the last change was refused
}

// EntitlementsURL is the page; grants post to it.
const EntitlementsURL = "/admin/entitlements"

// RevokeURL removes one entitlement.
func RevokeURL(entitlementUUID string) string {
	return EntitlementsURL + "/" + entitlementUUID + "/revoke"
}

// Grantable are the roles u does not hold at bank yet.
func (v EntitlementsView) Grantable(u models.UserInfo) []string {
	var out []string
	for _, r := range models.Roles {
		if !slices.ContainsFunc(u.Entitlements, func(e models.EntitlementInfo) bool { return e.Role == r && e.BankID == v.Bank }) {
			out = append(out, r)
		}
	}
	return out
}

func kindLabel(ctx context.Context, k models.UserKind) string {
	if k == models.KindAdmin {
		return i18n.T(ctx, "admin.kind_admin")
	}
	return i18n.T(ctx, "admin.kind_staff")
}

func userLabel(u models.UserInfo) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}
