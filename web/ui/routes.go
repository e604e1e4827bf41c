// Package ui serves the HTML pages: one route table, thin handlers that
// parse, call one service method and render a templ component.
package ui

import (
	"log/slog"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/session"
	"portal/web/wire"
)

// Deps are what the handlers need.
type Deps struct {
	Services models.Services
	Logger   *slog.Logger
	Sessions *session.Store
}

// Handlers serve the browser routes.
type Handlers struct {
	svc      models.Services
	log      *slog.Logger
	sessions *session.Store
}

func New(d Deps) *Handlers {
	return &Handlers{svc: d.Services, log: d.Logger, sessions: d.Sessions}
}

// Register mounts the route table on g (which already resolves the
// session and checks cross-origin requests).
func (h *Handlers) Register(g *gin.RouterGroup) {
	// Anyone.
	g.GET("/", h.root)
	g.GET("/login", h.loginForm)
	g.POST("/login", h.login)
	g.POST("/logout", h.logout)

	// Brokers and bank staff.
	work := g.Group("", h.requireKind(models.KindBroker, models.KindStaff, models.KindAdmin))
	work.GET("/processes", h.listProcesses)
	work.GET("/processes/:id", h.showProcess)
	work.POST("/processes/:id/messages", wire.LimitBody(maxMessageBody), h.postMessage)
	work.GET("/processes/:id/messages", h.olderMessages)
	work.GET("/processes/:id/messages/since", h.messagesSince)
	work.GET("/taxonomy/counties", h.countyOptions) // address cascade fragments (taxonomy.go)
	work.GET("/taxonomy/parishes", h.parishOptions)

	// Bank staff.
	staff := g.Group("", h.requireKind(models.KindStaff, models.KindAdmin))
	staff.GET("/staff", h.staffHome)
	// The reply queue: "threads" in a published address, kept stable.
	staff.GET("/staff/threads", h.replyQueue)
	staff.GET("/staff/customers", h.findCustomers) // customer pages: roles checked by the service (customers.go)
	staff.GET("/staff/customers/:customer_id", h.showCustomer)
	staff.POST("/staff/customers/:customer_id/messages", wire.LimitBody(maxCustomerMessageBody), h.postCustomerMessage)

	// Admins.
	admin := g.Group("", h.requireKind(models.KindAdmin))
	admin.GET("/admin", h.adminHome)
	admin.GET("/admin/taxonomies", h.adminTaxonomies)
	admin.GET("/admin/taxonomies/*name", h.adminTaxonomy) // names may hold a slash
	admin.GET("/admin/entitlements", h.entitlements)      // entitlements.go
	admin.POST("/admin/entitlements", h.grantEntitlement)
	admin.POST("/admin/entitlements/:entitlement_id/revoke", h.revokeEntitlement)

	// Customers.
	customer := g.Group("", h.requireKind(models.KindCustomer))
	customer.GET("/inbox", h.inbox) // inbox.go
	customer.GET("/inbox/:id", h.inboxMessage)
}
