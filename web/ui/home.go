package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/admin"
	"portal/components/home"
)

// The staff and admin homes are signposts to their pages; a customer's
// home is the inbox (inbox.go).

// staffHome is the reply queue: the staff's work starts there.
func (h *Handlers) staffHome(c *gin.Context) { redirect(c, "/staff/threads") }

func (h *Handlers) adminHome(c *gin.Context) {
	h.render(c, http.StatusOK, home.Home(home.HomeView{
		Page:    h.page(c, home.T.AdminTitle, "admin"),
		Heading: home.T.AdminTitle,
		Lines:   []string{home.T.AdminIntro},
		Links: []components.NavItem{{Key: "processes", Label: home.T.AllProcesses, Href: "/processes"},
			{Key: "taxonomies", Label: admin.T.TaxonomiesLink, Href: "/admin/taxonomies"},
			{Key: "entitlements", Label: admin.ET.Link, Href: admin.EntitlementsURL}},
	}))
}
