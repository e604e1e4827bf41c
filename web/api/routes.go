// Package api serves the partner JSON API under /v1, compatible with the
// bank's Partners Portal API (README.md, "Partner API"): one route
// table, thin handlers that parse their input, call one service method and
// write JSON. Every error answer uses the operation-status envelope, mapped
// from the models error codes in one function (errors.go).
//
// Handler files are named after their routes: authentication.go
// (/authentication, and the token every other route takes), processes.go,
// messages.go (/processes/:id/message), taxonomy.go.
package api

import (
	"log/slog"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Deps are what the handlers need.
type Deps struct {
	Services models.Services
	Logger   *slog.Logger
}

// Handlers serve the /v1 routes.
type Handlers struct {
	svc      models.Services
	log      *slog.Logger
	taxonomy responseCache // rendered taxonomy answers (taxonomy.go)
}

func New(d Deps) *Handlers {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Handlers{svc: d.Services, log: d.Logger}
}

// Register mounts the route table on g, the /v1 group.
func (h *Handlers) Register(g *gin.RouterGroup) {
	// Reference data, the same for every caller. Served without a token for
	// now: the partner bearer-token middleware is being built separately.
	// The lists hold no personal or firm data; move these routes behind the
	// token when it lands if the bank's contract requires it.
	g.GET("/taxonomy", h.taxonomyIndex)
	g.GET("/taxonomy/workflow-states/:kind", h.workflowStates) // simulation, proposal
	g.GET("/taxonomy/:name", h.taxonomyList)                   // a list or a "with" view
	g.GET("/taxonomy/:name/:id/:child", h.taxonomyChildren)    // e.g. districts/11/counties

	// Partner authentication: credentials in headers give a session token.
	g.POST("/authentication", h.authenticate)

	// Everything else acts as the broker user of the bearer token.
	broker := g.Group("", h.requireToken)
	broker.DELETE("/authentication", h.signOut)
	broker.GET("/processes", h.listProcesses)
	broker.GET("/processes/:processUniqueId", h.getProcess)
	broker.GET("/processes/:processUniqueId/message", h.listMessages)
	broker.POST("/processes/:processUniqueId/message", wire.LimitBody(maxBody), h.postMessage)
}

// RegisterBankAlias mounts Authentication at the bank's own path
// (/API/partnersPortal/authentication) too.
func (h *Handlers) RegisterBankAlias(g *gin.RouterGroup) {
	g.POST("/authentication", h.authenticate)
}
