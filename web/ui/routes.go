// Package ui serves the HTML pages: one route table, thin handlers that
// parse, call one service method and render a templ component.
//
// Each handler file is named after its routes: auth.go (/, /login,
// /logout), processes.go (/processes, /processes/:id), process_form.go
// (/processes/new, /processes/:id/edit and its steps, submit, cancel), messages.go
// (/processes/:id/messages...), taxonomy.go (/taxonomy/..., /admin/taxonomies),
// home.go (/staff, /admin), staff_processes.go (/staff/processes),
// decide.go (POST /processes/:id/status), documents.go
// (/processes/:id/documents..., /processes/:id/document-requests), reply_queue.go (/staff/threads...), customers.go
// (/staff/customers...), entitlements.go (/admin/entitlements...), pricing.go
// (/admin/pricing...), callbacks.go (/admin/callbacks...),
// inbox.go (/inbox...), session.go (/session/keepalive), totp.go
// (/login/2fa, /account/2fa), account.go (/account...), password.go
// (/password/forgot, /password/reset), simulations.go (/simulations,
// the simulator), simulation_page.go (/simulations/:id, its ESIS and
// thread). errors.go and
// render.go are shared.
package ui

import (
	"log/slog"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/models"
	"portal/web/session"
	"portal/web/wire"
)

// Deps are what the handlers need.
type Deps struct {
	Services models.Services
	Logger   *slog.Logger
	Sessions *session.Store
	// SecureCookies marks the language cookie Secure (served over TLS).
	SecureCookies bool
	// SessionTimer is the idle timeout signed-in pages announce to
	// static/js/session.js; the zero value is models.SessionIdleTimeout
	// (tests shorten it to see the warning).
	SessionTimer components.SessionTimer
	// PublicURL is the portal's address as users reach it ("https://host"),
	// the origin of links in mails; "" means DefaultPublicURL.
	PublicURL string
	// DocumentLimits bound uploads (the body's cap, the size the page
	// tells); zero fields are the models' defaults.
	DocumentLimits models.DocumentLimits
}

// DefaultPublicURL is the origin of mailed links when none is configured.
const DefaultPublicURL = "http://127.0.0.1:8080"

// Handlers serve the browser routes.
type Handlers struct {
	svc      models.Services
	log      *slog.Logger
	sessions *session.Store

	secureCookies bool
	sessionTimer  components.SessionTimer
	publicURL     string
	docLimits     models.DocumentLimits
}

func New(d Deps) *Handlers {
	h := &Handlers{svc: d.Services, log: d.Logger, sessions: d.Sessions, secureCookies: d.SecureCookies,
		sessionTimer: d.SessionTimer, publicURL: strings.TrimSuffix(d.PublicURL, "/"), docLimits: d.DocumentLimits.Limits()}
	if h.publicURL == "" {
		h.publicURL = DefaultPublicURL
	}
	return h
}

// Register mounts the route table on g (which already resolves the
// session and checks cross-origin requests).
func (h *Handlers) Register(g *gin.RouterGroup) {
	// A user whom PORTAL_REQUIRE_2FA requires to have a second factor, and
	// who has none yet, reaches only its set-up page (totp.go).
	g.Use(h.requireSecondFactor)

	// Anyone.
	g.GET("/", h.root)
	g.GET("/login", h.loginForm)
	g.POST("/login", h.login)
	g.POST("/logout", h.logout)
	g.POST("/lang", h.setLanguage)            // the header's language switch (language.go)
	g.POST("/session/keepalive", h.keepAlive) // "Stay signed in" (session.go)

	// Passwords and the account (password.go, account.go): the forgotten
	// password for anyone, the account page for every signed-in user.
	g.GET("/password/forgot", h.forgotForm)
	g.POST("/password/forgot", h.forgotPassword)
	g.GET("/password/reset", h.resetForm)
	g.POST("/password/reset", h.resetPassword)
	signedIn := g.Group("", h.requireKind(models.KindBroker, models.KindStaff, models.KindAdmin, models.KindCustomer))
	signedIn.GET("/account", h.accountPage)
	signedIn.POST("/account/password", h.changePassword)

	// Brokers and bank staff.
	work := g.Group("", h.requireKind(models.KindBroker, models.KindStaff, models.KindAdmin))
	work.GET("/processes", h.listProcesses)
	work.GET("/processes/:id", h.showProcess)
	work.POST("/processes/:id/messages", wire.LimitBody(maxMessageBody), h.postMessage)
	work.GET("/processes/:id/messages", h.olderMessages)
	work.GET("/processes/:id/messages/since", h.messagesSince)
	work.GET("/processes/:id/documents/:document_id/content", h.downloadDocument) // documents.go
	work.GET("/simulations", h.listSimulations)                                   // simulations.go, simulation_page.go
	work.GET("/simulations/:id", h.showSimulation)
	work.POST("/simulations/:id/messages", wire.LimitBody(maxMessageBody), h.postSimulationMessage)
	work.GET("/simulations/:id/messages", h.olderSimulationMessages)
	work.GET("/simulations/:id/messages/since", h.simulationMessagesSince)
	work.GET("/simulations/:id/esis/:esis_id", h.downloadEsis)
	work.GET("/taxonomy/counties", h.countyOptions) // address cascade fragments
	work.GET("/taxonomy/parishes", h.parishOptions)

	// Brokers: the guided process form, submit and cancel (process_form.go).
	broker := g.Group("", h.requireKind(models.KindBroker))
	broker.GET("/processes/new", h.newProcessForm)
	broker.POST("/processes/new", h.createProcess)
	broker.GET("/processes/:id/edit", h.editProcess)
	broker.POST("/processes/:id/loan", h.saveLoan)
	broker.POST("/processes/:id/borrowers", h.addBorrower)
	broker.POST("/processes/:id/borrowers/:borrower_id", h.saveBorrower)
	broker.POST("/processes/:id/borrowers/:borrower_id/delete", h.removeBorrower)
	broker.POST("/processes/:id/property/:property_id", h.saveProperty)
	broker.POST("/processes/:id/submit", h.submitProcess)
	broker.POST("/processes/:id/cancel", h.cancelProcess)
	// The simulator and a simulation's actions (simulations.go,
	// simulation_page.go); /simulations/new is matched before /:id.
	broker.GET("/simulations/new", h.newSimulation)
	broker.POST("/simulations/new", wire.LimitBody(maxSimulatorBody), h.createSimulation)
	broker.POST("/simulations/preview", wire.LimitBody(maxSimulatorBody), h.previewSimulation)
	broker.GET("/simulations/:id/edit", h.editSimulation)
	broker.POST("/simulations/:id/edit", wire.LimitBody(maxSimulatorBody), h.updateSimulation)
	broker.POST("/simulations/:id/validate", h.validateSimulation)
	broker.POST("/simulations/:id/cancel", h.cancelSimulation)
	broker.POST("/simulations/:id/convert", h.convertSimulation)
	broker.POST("/simulations/:id/esis", wire.LimitBody(maxEsisEmailBody), h.issueEsis)
	broker.POST("/simulations/:id/esis/email", wire.LimitBody(maxEsisEmailBody), h.emailEsis)
	// Documents (documents.go): uploads and replacements read their
	// multipart body themselves, capped at one document and its form.
	broker.POST("/processes/:id/documents", h.uploadDocument)
	broker.POST("/processes/:id/documents/:document_id/replace", h.replaceDocument)
	broker.POST("/processes/:id/documents/:document_id/delete", h.deleteDocument)

	// Bank staff.
	staff := g.Group("", h.requireKind(models.KindStaff, models.KindAdmin))
	staff.GET("/staff", h.staffHome)
	staff.GET("/staff/processes", h.staffProcesses) // every firm's processes (staff_processes.go)
	staff.POST("/processes/:id/status", wire.LimitBody(maxDecisionBody), h.decideProcess)
	staff.POST("/processes/:id/document-requests", wire.LimitBody(maxRequestBody), h.requestDocuments) // documents.go
	staff.POST("/processes/:id/documents/:document_id/review", wire.LimitBody(maxReviewBody), h.reviewDocument)
	// The reply queue: "threads" in a published address, kept stable;
	// /list is the page's refresh (htmx).
	staff.GET("/staff/threads", h.replyQueue)
	staff.GET("/staff/threads/list", h.replyQueueList)
	staff.GET("/staff/customers", h.findCustomers) // roles checked by the service
	staff.GET("/staff/customers/:customer_id", h.showCustomer)
	staff.POST("/staff/customers/:customer_id/messages", wire.LimitBody(maxCustomerMessageBody), h.postCustomerMessage)

	// Admins.
	admin := g.Group("", h.requireKind(models.KindAdmin))
	admin.GET("/admin", h.adminHome)
	admin.GET("/admin/taxonomies", h.adminTaxonomies)
	admin.GET("/admin/taxonomies/*name", h.adminTaxonomy) // names may hold a slash
	admin.GET("/admin/entitlements", h.entitlements)
	admin.POST("/admin/entitlements", h.grantEntitlement)
	admin.POST("/admin/entitlements/:entitlement_id/revoke", h.revokeEntitlement)
	admin.GET("/admin/pricing", h.pricing) // pricing.go
	admin.POST("/admin/pricing/:kind", h.setPricing)
	admin.GET("/admin/callbacks", h.adminCallbacks) // callbacks.go
	admin.POST("/admin/callbacks/subscriptions/:subscription_id/reenable", h.reenableCallback)
	admin.GET("/admin/callbacks/deliveries", h.callbackDeliveries)
	admin.GET("/admin/callbacks/deliveries/:delivery_id", h.callbackDelivery)
	admin.POST("/admin/callbacks/deliveries/:delivery_id/redeliver", h.redeliverCallback)

	// The second factor (totp.go): the sign-in's second step (anyone with a
	// pending sign-in), and the two-factor page of staff and admins.
	g.GET("/login/2fa", h.secondStepForm)
	g.POST("/login/2fa", wire.LimitBody(4<<10), h.secondStep)
	g.POST("/login/2fa/cancel", h.cancelSecondStep)
	twoFactor := g.Group("/account/2fa", h.requireKind(models.KindStaff, models.KindAdmin))
	twoFactor.GET("", h.twoFactorPage)
	twoFactor.POST("/confirm", wire.LimitBody(4<<10), h.confirmTwoFactor)
	twoFactor.POST("/recovery-codes", wire.LimitBody(4<<10), h.renewRecoveryCodes)
	twoFactor.POST("/disable", wire.LimitBody(4<<10), h.disableTwoFactor)

	// Customers.
	customer := g.Group("", h.requireKind(models.KindCustomer))
	customer.GET("/inbox", h.inbox)
	customer.GET("/inbox/:id", h.inboxMessage)
}
