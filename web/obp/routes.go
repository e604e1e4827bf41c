// Package obp serves the customer-messages API compatible with the Open
// Bank Project (README.md, "Customer messages API"): DirectLogin at
// /my/logins/direct and the OBP paths under /obp. One route table, thin
// handlers that parse their input, call one service method and write
// OBP's JSON. Every error is {"code": <status>, "message": "OBP-xxxxx: ..."},
// mapped in one function (errors.go: answer).
//
// The order of checks is OBP's: (1) a body declared JSON that does not
// parse is refused before anything else (readBody runs before
// requireUser); (2) authentication (requireUser); then the service checks
// (3) the bank, (4) the role, (5) the input, (6) the customer. A body
// that parses but does not fit the operation is reported at (5): the
// handler hands decode's problem to the service in its input (Undecodable).
//
// Handler files are named after their routes: directlogin.go
// (/my/logins/direct, and the token every other route takes), users.go
// (/users/...), banks.go (/banks, /banks/:bank/customers), messages.go
// (the customer messages routes); errors.go and json.go are shared.
package obp

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

// Handlers serve the OBP routes.
type Handlers struct {
	svc models.Services
	log *slog.Logger
}

func New(d Deps) *Handlers {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return &Handlers{svc: d.Services, log: d.Logger}
}

const pathDirectLogin = "/my/logins/direct"

// Register mounts the route table on root (the engine's root group):
// DirectLogin at the root, everything else under /obp.
func (h *Handlers) Register(root *gin.RouterGroup) {
	// Anyone: DirectLogin gives a token for the portal's own accounts.
	root.POST(pathDirectLogin, h.recoverJSON, h.directLogin)
	// The token's holder: ends it (logout; see revokeToken).
	root.DELETE(pathDirectLogin, h.recoverJSON, h.requireUser, h.revokeToken)

	g := root.Group("/obp", h.recoverJSON, wire.LimitBody(maxBody))
	// post reads and syntax-checks the body before authentication (check 1).
	post := func(path string, handler gin.HandlerFunc) { g.POST(path, h.readBody, h.requireUser, handler) }
	get := func(path string, handler gin.HandlerFunc) { g.GET(path, h.requireUser, handler) }

	// Anyone.
	g.GET("/v4.0.0/banks", h.banks)

	// Any logged-in user (staff, admin, customer): who they are, the
	// customers linked to them and those customers' messages.
	get("/v4.0.0/users/current", h.currentUser)
	get("/v4.0.0/users/current/customers", h.myCustomers)
	get("/v1.4.0/banks/:bank/customer/messages", h.myMessages)
	get("/v4.0.0/banks/:bank/customer/messages", h.myMessages)

	// Staff with a role at the bank (checked by the service):
	// CanCreateCustomerMessage, CanGetCustomerMessages, CanCreateCustomer.
	post("/v4.0.0/banks/:bank/customers/:customer/messages", h.createMessageV4)
	post("/v1.4.0/banks/:bank/customer/:customer/messages", h.createMessageV14)
	get("/v4.0.0/banks/:bank/customers/:customer/messages", h.customerMessages)
	post("/v4.0.0/banks/:bank/customers", h.createCustomer)

	// Admins (CanCreateEntitlementAtAnyBank, checked by the service).
	post("/v4.0.0/users/:user/entitlements", h.addEntitlement)
	g.DELETE("/v4.0.0/users/:user/entitlement/:entitlement", h.requireUser, h.removeEntitlement)
}
