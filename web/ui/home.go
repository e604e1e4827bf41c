package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/admin"
	"portal/components/home"
)

// The staff, admin and customer homes are signposts until their own
// capabilities arrive; they say what is available now.

// staffHome is the reply queue: the staff's work starts there.
func (h *Handlers) staffHome(c *gin.Context) { redirect(c, "/staff/threads") }

func (h *Handlers) adminHome(c *gin.Context) {
	h.render(c, http.StatusOK, home.Home(home.HomeView{
		Page:    h.page(c, home.T.AdminTitle, "admin"),
		Heading: home.T.AdminTitle,
		Lines:   []string{home.T.AdminIntro},
		Links: []components.NavItem{{Key: "processes", Label: home.T.AllProcesses, Href: "/processes"},
			{Key: "taxonomies", Label: admin.T.TaxonomiesLink, Href: "/admin/taxonomies"}},
	}))
}

func (h *Handlers) customerHome(c *gin.Context) {
	h.render(c, http.StatusOK, home.Home(home.HomeView{
		Page:    h.page(c, home.T.InboxTitle, "inbox"),
		Heading: home.T.InboxTitle,
		Lines:   []string{home.T.InboxIntro},
	}))
}
