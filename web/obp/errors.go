package obp

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// OBP's error texts (OBP-API ErrorMessages.scala), the ones this API uses.
// Some end in a value the answer fills in (see fail).
const (
	textInvalidJSON       = "OBP-10001: Incorrect json format."
	textIncorrectRole     = "OBP-10007: Incorrect Role name:"
	textCouldNotSave      = "OBP-10009: Could not save or update resource."
	textTooManyRequests   = "OBP-10018: Too Many Requests."
	textWrongOffset       = "OBP-10024: wrong value for offset parameter. Please send a positive integer (=>0) up to 10000!"
	textWrongLimit        = "OBP-10025: wrong value for limit parameter. Please send a positive integer (=>1) up to 500!"
	textNoSuchResource    = "OBP-10404: 404 Not Found. The server could not find the requested URI. Please double check your URL, headers and body."
	textResourceNotFound  = "OBP-10405: Resource does not exist."
	textNotLoggedIn       = "OBP-20001: User not logged in. Authentication is required!"
	textMissingLoginParam = "OBP-20002: These DirectLogin parameters are missing:"
	textInvalidLogin      = "OBP-20004: Invalid login credentials. Check username/password."
	textUserNotFound      = "OBP-20005: User not found. Please specify a valid value for USER_ID."
	textMissingRoles      = "OBP-20006: User is missing one or more roles:"
	textBankNotFound      = "OBP-30001: Bank not found. Please specify a valid value for BANK_ID."
	textCustomerNumberDup = "OBP-30006: Customer Number already exists. Please specify a different value for BANK_ID or CUSTOMER_NUMBER."
	textCustomerNotFound  = "OBP-30046: Customer not found. Please specify a valid value for CUSTOMER_ID."
	textEntitlementExists = "OBP-30216: Entitlement already exists for the user."
	textUnknownError      = "OBP-50000: Unknown Error."
	textInternalError     = "OBP-50005: An unspecified or internal error occurred."
	textDatabaseDown      = "OBP-50019: Cannot connect to the OBP database."
)

// errorBody is every error answer: {"code": <http status>, "message": "OBP-xxxxx: text"}.
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Failures the transport itself decides (no models code fits them).
type (
	// missingLoginParams: a DirectLogin header without these parameters.
	missingLoginParams []string
	// noRoute: an unknown path under /obp.
	noRoute struct{}
	// panicked: a handler panicked (recovered by recoverJSON).
	panicked struct{ value any }
)

func (m missingLoginParams) Error() string {
	return "missing DirectLogin parameters " + strings.Join(m, ", ")
}
func (noRoute) Error() string    { return "no route" }
func (p panicked) Error() string { return fmt.Sprint("panic: ", p.value) }

// invalidBody is a body the transport could not turn into the operation's
// input (not JSON, not an object, a wrong type, an unknown field).
func invalidBody(detail string) error {
	return &models.Error{Code: models.CodeInvalid, Message: detail}
}

// answer is the status and OBP message of err: the one mapping from
// failures to answers. Ids from the request are echoed as OBP does
// (clipped to 200 bytes).
//
//	failure                                    status  message
//	DirectLogin without username/password/key  401     OBP-20002 ... <names>
//	DirectLogin refused (any credential)       401     OBP-20004 (one text: nothing says which part failed)
//	not authenticated / token bad or expired   401     OBP-20001 (exact)
//	body too large                             413     OBP-10001 ... the limit
//	body not JSON / wrong shape / invalid      400     OBP-10001 ... details
//	unknown role name                          400     OBP-10007 ... <role_name>. Possible roles are ...
//	limit / offset out of range                400     OBP-10025 / OBP-10024
//	missing role at a bank                     403     OBP-20006 ... <Role> for BankId(<BANK_ID>).
//	unknown bank                               404     OBP-30001 ... Current BankId is <BANK_ID>
//	unknown customer                           404     OBP-30046 ... Current CustomerId(<CUSTOMER_ID>)
//	unknown user                               404     OBP-20005
//	anything else not found / unknown path     404     OBP-10405 / OBP-10404
//	role already held                          409     OBP-30216
//	customer number taken                      409     OBP-30006
//	any other conflict                         409     OBP-10009
//	throttled                                  429     OBP-10018 (+ Retry-After)
//	body cut short (client sent less)          400     OBP-10001 ... The request body could not be read
//	database unreachable                       503     OBP-50019 (+ Retry-After)
//	internal / panic                           500     OBP-50000 / OBP-50005 (details logged with the request id)
func answer(c *gin.Context, err error) (int, string) {
	var (
		missing  missingLoginParams
		route    noRoute
		crash    panicked
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &missing):
		return http.StatusUnauthorized, textMissingLoginParam + " " + strings.Join(missing, ", ")
	case errors.As(err, &route):
		return http.StatusNotFound, textNoSuchResource
	case errors.As(err, &crash):
		return http.StatusInternalServerError, textInternalError
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("%s The request body is larger than %d bytes.", textInvalidJSON, tooLarge.Limit)
	}

	e := models.AsError(err)
	switch e.Code {
	case models.CodeUnauthorized:
		if isLogin(c) {
			return http.StatusUnauthorized, textInvalidLogin
		}
		return http.StatusUnauthorized, textNotLoggedIn
	case models.CodeInvalid:
		switch {
		case e.FieldMessage("limit") != "":
			return http.StatusBadRequest, textWrongLimit
		case e.FieldMessage("offset") != "":
			return http.StatusBadRequest, textWrongOffset
		case e.FieldMessage("role_name") != "" && c.GetString(roleKey) != "":
			return http.StatusBadRequest, textIncorrectRole + " " + clip(c.GetString(roleKey), 100) +
				". Possible roles are " + strings.Join(models.Roles, ", ") + "."
		}
		return http.StatusBadRequest, textInvalidJSON + " " + invalidDetail(e)
	case models.CodeForbidden:
		return http.StatusForbidden, missingRoles(e)
	case models.CodeNotFound:
		switch e.Entity {
		case "bank":
			return http.StatusNotFound, textBankNotFound + " Current BankId is " + clip(bankID(c), 200)
		case "customer":
			return http.StatusNotFound, textCustomerNotFound + ". Current CustomerId(" + clip(c.Param("customer"), 200) + ")"
		case "user":
			return http.StatusNotFound, textUserNotFound
		}
		return http.StatusNotFound, textResourceNotFound
	case models.CodeConflict:
		switch {
		case isEntitlements(c):
			return http.StatusConflict, textEntitlementExists
		case isCreateCustomer(c):
			return http.StatusConflict, textCustomerNumberDup
		}
		return http.StatusConflict, textCouldNotSave
	case models.CodeRateLimited:
		if e.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		return http.StatusTooManyRequests, textTooManyRequests
	case models.CodeUnavailable:
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		return http.StatusServiceUnavailable, textDatabaseDown
	}
	return http.StatusInternalServerError, textUnknownError
}

// fail answers err as an OBP error body and stops the chain. Internal
// failures are logged with the request id; their details are never sent.
func (h *Handlers) fail(c *gin.Context, err error) {
	if wire.ClientGone(c, err) {
		h.log.Info("obp request abandoned by the client", "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
		wire.AbortGone(c)
		return
	}
	status, msg := answer(c, err)
	switch {
	case status == http.StatusServiceUnavailable:
		h.log.Warn("obp request failed: database unavailable", "err", err, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
	case status >= http.StatusInternalServerError:
		h.log.Error("obp request failed", "err", err, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
	}
	if status == http.StatusForbidden {
		h.auditDenied(c, err)
	}
	wire.WriteJSON(c, status, errorBody{Code: status, Message: msg})
	c.Abort()
}

// auditDenied records an authorization refusal (OBP-20006) as the browser
// UI does: access.denied, subject "METHOD /path", the acting user and the
// client address; the missing role, when known, goes in the detail. A
// failure to audit is logged and does not change the answer.
func (h *Handlers) auditDenied(c *gin.Context, err error) {
	if h.svc.Auth == nil {
		h.log.Error("audit: no auth service; access denial not recorded", "route", c.FullPath())
		return
	}
	ev := models.AuditEvent{Action: models.AuditAccessDenied, Subject: clip(c.Request.Method+" "+c.Request.URL.Path, 1000),
		ClientIP: c.ClientIP(), Outcome: "denied"}
	if p := models.PrincipalFrom(c.Request.Context()); p != nil {
		ev.ActorUserID = &p.UserID
	}
	if e := models.AsError(err); e.MissingRole != "" {
		ev.Detail = "missing role " + e.MissingRole
		if e.RoleBank != "" {
			ev.Detail += " at " + e.RoleBank
		}
	}
	if aerr := h.svc.Auth.Audit(c.Request.Context(), ev); aerr != nil {
		h.log.Error("audit", "err", aerr, "request_id", c.GetString(requestIDKey))
	}
}

// invalidDetail is what follows "Incorrect json format." for invalid input:
// the transport's own detail, or the service's field messages.
func invalidDetail(e *models.Error) string {
	if len(e.Fields) == 0 {
		if e.Message == "" {
			return "The body is not valid for this operation."
		}
		return e.Message
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		if msg := f.Message(); strings.Contains(msg, f.Field) {
			parts = append(parts, msg) // it names its field already
		} else {
			parts = append(parts, f.Field+": "+msg)
		}
	}
	return strings.Join(parts, " ")
}

// missingRoles is OBP-20006 naming the role and, for a bank role, the bank.
func missingRoles(e *models.Error) string {
	switch {
	case e.MissingRole != "" && e.RoleBank != "":
		return textMissingRoles + " " + e.MissingRole + " for BankId(" + e.RoleBank + ")."
	case e.MissingRole != "":
		return textMissingRoles + " " + e.MissingRole
	}
	// A refusal that names no role (e.g. a kind of user the operation is
	// not for): OBP has no closer text.
	return strings.TrimSuffix(textMissingRoles, ":") + "."
}

// Context keys.
const (
	requestIDKey = "portal.request_id" // set by web's request-id middleware
	bodyKey      = "obp.body"          // the raw request body (readBody)
	bankKey      = "obp.bank"          // the bank an answer names, when not in the path
	roleKey      = "obp.role"          // the role name a request posted
)

// clip shortens an echoed value to at most n bytes (on a rune boundary).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// bankID is the BANK_ID an answer names: the path's, or the one a handler
// took from the body.
func bankID(c *gin.Context) string {
	if b := c.GetString(bankKey); b != "" {
		return b
	}
	return c.Param("bank")
}

// isLogin: POST /my/logins/direct (DELETE on the same path is an
// authenticated call, answered like the others).
func isLogin(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && c.FullPath() == pathDirectLogin
}

func isEntitlements(c *gin.Context) bool { return strings.HasSuffix(c.FullPath(), "/entitlements") }
func isCreateCustomer(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && strings.HasSuffix(c.FullPath(), "/customers")
}

// NoRoute answers unknown paths under /obp with OBP's 404 and lets every
// other path through to the next handler.
func NoRoute(c *gin.Context) {
	if p := c.Request.URL.Path; p != "/obp" && !strings.HasPrefix(p, "/obp/") {
		c.Next()
		return
	}
	status, msg := answer(c, noRoute{})
	wire.WriteJSON(c, status, errorBody{Code: status, Message: msg})
	c.Abort()
}

// recoverJSON turns a panic in an OBP handler into OBP's 500 body (the
// engine's recovery would answer in plain text).
func (h *Handlers) recoverJSON(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			if c.Writer.Written() {
				h.log.Error("obp panic", "panic", r, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
				c.Abort()
				return
			}
			h.fail(c, panicked{r})
		}
	}()
	c.Next()
}
