// Package api serves the partner JSON API under /v1, compatible with the
// bank's Partners Portal API (README.md, "Partner API"): one route
// table, thin handlers that parse their input, call one service method and
// write JSON. Every error answer uses the operation-status envelope, mapped
// from the models error codes in one function (errors.go).
//
// Handler files are named after their routes: authentication.go
// (/authentication, and the token every other route takes), processes.go
// (Process List and Detail), processwork.go (Create, Update, Submit,
// Cancel), borrowers.go, documents.go (with docbody.go, the streamed bodies), properties.go, messages.go (/processes/:id/message),
// taxonomy.go, openapi.go (/openapi.json), simulations.go (with
// simulationjson.go, the answers), esis.go (the ESIS of simulations and
// processes), callbacks.go (/partners/:id/callbacks); input.go holds what the process operations share.
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

	openapi    []byte // docs/openapi.yaml as JSON (openapi.go)
	openapiErr error
}

func New(d Deps) *Handlers {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	h := &Handlers{svc: d.Services, log: d.Logger}
	h.loadOpenAPI()
	return h
}

// Register mounts the route table on g, the /v1 group.
func (h *Handlers) Register(g *gin.RouterGroup) {
	// Public: the API's description and partner authentication
	// (credentials in headers give a session token).
	g.GET("/openapi.json", h.openAPI)
	g.POST("/authentication", h.authenticate)

	// Everything else acts as the broker user of the bearer token.
	broker := g.Group("", h.requireToken)
	broker.DELETE("/authentication", h.signOut)

	// Processes.
	broker.GET("/processes", h.listProcesses)
	broker.POST("/processes", wire.LimitBody(maxBody), h.createProcess)
	broker.GET("/processes/:processUniqueId", h.getProcess)
	broker.PUT("/processes/:processUniqueId", wire.LimitBody(maxBody), h.updateProcess)
	broker.DELETE("/processes/:processUniqueId", wire.LimitBody(maxBody), h.cancelProcess) // cancelReasonId in body or query
	broker.POST("/processes/:processUniqueId/submit", wire.LimitBody(maxBody), h.submitProcess)

	// Borrowers of a process.
	broker.GET("/processes/:processUniqueId/borrowers", h.listBorrowers)
	broker.POST("/processes/:processUniqueId/borrowers", wire.LimitBody(maxBody), h.createBorrower)
	broker.GET("/processes/:processUniqueId/borrowers/:borrowerUniqueId", h.getBorrower)
	broker.PUT("/processes/:processUniqueId/borrowers/:borrowerUniqueId", wire.LimitBody(maxBody), h.updateBorrower)
	broker.DELETE("/processes/:processUniqueId/borrowers/:borrowerUniqueId", h.deleteBorrower)

	// Documents of a process: the body limit follows the document limit
	// (documents.go).
	broker.GET("/processes/:processUniqueId/documents", h.listDocuments)
	broker.POST("/processes/:processUniqueId/documents", h.createDocument)
	broker.GET("/processes/:processUniqueId/documents/:documentUniqueId", h.getDocument)
	broker.PUT("/processes/:processUniqueId/documents/:documentUniqueId", h.updateDocument)
	broker.DELETE("/processes/:processUniqueId/documents/:documentUniqueId", h.deleteDocument)

	// The property of a process.
	broker.GET("/processes/:processUniqueId/properties", h.listProperties)
	broker.PUT("/processes/:processUniqueId/properties/:propertyUniqueId", wire.LimitBody(maxBody), h.updateProperty)

	// The process's message thread.
	broker.GET("/processes/:processUniqueId/message", h.listMessages)
	broker.POST("/processes/:processUniqueId/message", wire.LimitBody(maxBody), h.postMessage)

	// The ESIS of the simulation a process was opened from.
	broker.GET("/processes/:processUniqueId/esis", h.getProcessEsis)
	broker.GET("/processes/:processUniqueId/esis/email", h.emailProcessEsis)

	// Simulations, their ESIS and their message thread.
	broker.GET("/simulations", h.listSimulations)
	broker.POST("/simulations", wire.LimitBody(maxBody), h.createSimulation)
	broker.GET("/simulations/:simulationUniqueId", h.getSimulation)
	broker.PATCH("/simulations/:simulationUniqueId", wire.LimitBody(maxBody), h.updateSimulation)
	broker.DELETE("/simulations/:simulationUniqueId", h.cancelSimulation)
	broker.POST("/simulations/:simulationUniqueId/validate", wire.LimitBody(maxBody), h.validateSimulation)
	broker.GET("/simulations/:simulationUniqueId/esis", h.getSimulationEsis)
	broker.GET("/simulations/:simulationUniqueId/esis/email", h.emailSimulationEsis)
	broker.GET("/simulations/:simulationUniqueId/message", h.listSimulationMessages)
	broker.POST("/simulations/:simulationUniqueId/message", wire.LimitBody(maxBody), h.postSimulationMessage)

	// The partner's callbacks (webhook subscriptions) per notification
	// type; another partner's id answers like an unknown one.
	broker.GET("/partners/:partnerUniqueId/callbacks", h.listCallbacks)
	broker.POST("/partners/:partnerUniqueId/callbacks/echo", wire.LimitBody(maxBody), h.echoCallback)
	broker.PUT("/partners/:partnerUniqueId/callbacks/:notificationType", wire.LimitBody(maxBody), h.putCallback)
	broker.DELETE("/partners/:partnerUniqueId/callbacks/:notificationType", h.deleteCallback)

	// Reference data: the same for every caller, behind the token like
	// every other protected call.
	broker.GET("/taxonomy", h.taxonomyIndex)
	broker.GET("/taxonomy/workflow-states/:kind", h.workflowStates) // simulation, proposal
	broker.GET("/taxonomy/:name", h.taxonomyList)                   // a list or a "with" view
	broker.GET("/taxonomy/:name/:id/:child", h.taxonomyChildren)    // e.g. districts/11/counties
}

// RegisterBankAlias mounts Authentication at the bank's own path
// (/API/partnersPortal/authentication) too.
func (h *Handlers) RegisterBankAlias(g *gin.RouterGroup) {
	g.POST("/authentication", h.authenticate)
}
