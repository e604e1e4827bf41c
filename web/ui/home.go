package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/admin"
	"portal/components/callbacks"
	"portal/components/home"
	"portal/components/i18n"
)

// The staff and admin homes are signposts to their pages; a customer's
// home is the inbox (inbox.go).

// staffHome is the reply queue: the staff's work starts there.
func (h *Handlers) staffHome(c *gin.Context) { redirect(c, "/staff/threads") }

func (h *Handlers) adminHome(c *gin.Context) {
	ctx := c.Request.Context()
	h.render(c, http.StatusOK, home.Home(home.HomeView{
		Page:    h.page(c, i18n.T(ctx, "home.admin_title"), "admin"),
		Heading: i18n.T(ctx, "home.admin_title"),
		Lines:   []string{i18n.T(ctx, "home.admin_intro")},
		Links: []components.NavItem{{Key: "processes", Label: i18n.T(ctx, "home.all_processes"), Href: "/staff/processes"},
			{Key: "taxonomies", Label: i18n.T(ctx, "admin.taxonomies_link"), Href: "/admin/taxonomies"},
			{Key: "entitlements", Label: i18n.T(ctx, "admin.entitlements_link"), Href: admin.EntitlementsURL},
			{Key: "pricing", Label: i18n.T(ctx, "pricing.link"), Href: admin.PricingURL},
			{Key: "callbacks", Label: i18n.T(ctx, "callbacks.link"), Href: callbacks.URL}},
	}))
}
