package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/components/admin"
	"portal/components/i18n"
	"portal/models"
	"portal/web/session"
)

// entitlements lists staff and admins with their roles.
func (h *Handlers) entitlements(c *gin.Context) { h.entitlementsPage(c, http.StatusOK, "") }

func (h *Handlers) entitlementsPage(c *gin.Context, status int, problem string) {
	ctx := c.Request.Context()
	users, err := h.svc.Entitlements.StaffWithEntitlements(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := admin.EntitlementsView{Users: users, Bank: models.PrincipalFrom(ctx).BankPublicID, Error: problem}
	v.Page = h.page(c, i18n.T(ctx, "admin.entitlements_title"), "admin")
	h.render(c, status, admin.EntitlementsPage(v))
}

// grantEntitlement grants a role at the admin's bank.
func (h *Handlers) grantEntitlement(c *gin.Context) {
	ctx := c.Request.Context()
	role := c.PostForm("role")
	_, err := h.svc.Entitlements.AddEntitlement(ctx, c.PostForm("user_id"), models.NewEntitlement{BankID: models.PrincipalFrom(ctx).BankPublicID, Role: role})
	if err != nil {
		h.entitlementRefused(c, err, true, role)
		return
	}
	_ = session.SetFlash(c, admin.EntitlementsURL, i18n.T(ctx, "admin.granted", map[string]any{"Role": role}))
	redirect(c, admin.EntitlementsURL)
}

// revokeEntitlement removes one entitlement.
func (h *Handlers) revokeEntitlement(c *gin.Context) {
	if err := h.svc.Entitlements.RemoveEntitlement(c.Request.Context(), c.Param("entitlement_id")); err != nil {
		h.entitlementRefused(c, err, false, "")
		return
	}
	_ = session.SetFlash(c, admin.EntitlementsURL, i18n.T(c.Request.Context(), "admin.revoked"))
	redirect(c, admin.EntitlementsURL)
}

// entitlementRefused shows why a change was refused above the current
// list; refusals of the admin themself and failures are the usual pages.
func (h *Handlers) entitlementRefused(c *gin.Context, err error, grant bool, role string) {
	ctx := c.Request.Context()
	e := models.AsError(err)
	switch {
	case !grant && (e.Code == models.CodeNotFound || e.Code == models.CodeInvalid):
		h.entitlementsPage(c, http.StatusNotFound, i18n.T(ctx, "admin.already_revoked"))
	case !grant && e.Code == models.CodeConflict: // the last holder of the admin role
		h.entitlementsPage(c, http.StatusConflict, i18n.T(ctx, "admin.last_holder", map[string]any{"Role": models.RoleCanCreateEntitlementAtAnyBank}))
	case e.Code == models.CodeInvalid && role == "":
		h.entitlementsPage(c, http.StatusUnprocessableEntity, i18n.T(ctx, "admin.choose_role_error"))
	case e.Code == models.CodeInvalid:
		msg, status, _ := refusal(c, err)
		h.entitlementsPage(c, status, msg)
	case e.Code == models.CodeConflict:
		h.entitlementsPage(c, http.StatusConflict, i18n.T(ctx, "admin.already_held", map[string]any{"Role": role}))
	case e.Code == models.CodeNotFound && e.Entity == "user":
		h.entitlementsPage(c, http.StatusNotFound, i18n.T(ctx, "admin.unknown_user"))
	case e.Code == models.CodeNotFound && e.Entity == "bank":
		h.entitlementsPage(c, http.StatusNotFound, i18n.T(ctx, "admin.unknown_bank"))
	default:
		h.fail(c, err)
	}
}
