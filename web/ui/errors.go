package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
	"portal/web/wire"
)

// fail renders the page for a service error: the one mapping from error
// codes to HTML answers. Internal details are logged, never shown.
func (h *Handlers) fail(c *gin.Context, err error) {
	if wire.ClientGone(c, err) {
		h.log.Info("request abandoned by the client", "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
		wire.AbortGone(c)
		return
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.faultPage(c, http.StatusRequestEntityTooLarge, i18n.T(c.Request.Context(), "faults.too_large_title"), i18n.T(c.Request.Context(), "faults.too_large_text"))
		return
	case errors.Is(err, wire.ErrBodyCutShort):
		h.faultPage(c, http.StatusBadRequest, i18n.T(c.Request.Context(), "faults.bad_request_title"), i18n.T(c.Request.Context(), "faults.bad_request_text"))
		return
	}
	e := models.AsError(err)
	switch e.Code {
	case models.CodeUnavailable:
		h.log.Warn("request failed: database unavailable", "err", err, "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		h.faultPage(c, http.StatusServiceUnavailable, i18n.T(c.Request.Context(), "faults.unavailable_title"), i18n.T(c.Request.Context(), "faults.unavailable_text"))
	case models.CodeNotFound:
		h.NotFound(c)
	case models.CodeTooLarge:
		title := i18n.T(c.Request.Context(), "faults.too_large_title")
		h.faultPage(c, http.StatusRequestEntityTooLarge, title, i18n.Refusal(c.Request.Context(), e))
	case models.CodeForbidden:
		if e.MissingRole != "" {
			h.deny(c, i18n.T(c.Request.Context(), "layout.role_needed_title"), components.RoleNeeded(c.Request.Context(), e.MissingRole, e.RoleBank))
			return
		}
		h.forbidden(c)
	case models.CodeUnauthorized:
		redirect(c, "/login")
	case models.CodeRateLimited:
		if e.RetryAfter > 0 {
			c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		h.render(c, http.StatusTooManyRequests, components.ErrorPage(h.page(c, i18n.T(c.Request.Context(), "layout.too_many_title"), ""), i18n.T(c.Request.Context(), "layout.too_many_title"), i18n.Refusal(c.Request.Context(), e), ""))
	case models.CodeInvalid:
		h.render(c, http.StatusBadRequest, components.ErrorPage(h.page(c, i18n.T(c.Request.Context(), "layout.error_title"), ""), i18n.T(c.Request.Context(), "layout.error_title"), i18n.Refusal(c.Request.Context(), e), ""))
	default:
		ref := c.GetString("portal.request_id")
		h.log.Error("request failed", "err", err, "route", c.FullPath(), "request_id", ref)
		h.render(c, http.StatusInternalServerError, components.ErrorPage(h.page(c, i18n.T(c.Request.Context(), "layout.error_title"), ""), i18n.T(c.Request.Context(), "layout.error_title"), i18n.T(c.Request.Context(), "layout.error_text"), ref))
	}
}

// faultPage is the error page of a failure that is not the page's own
// (title and text already in the request's language).
func (h *Handlers) faultPage(c *gin.Context, status int, title, text string) {
	h.render(c, status, components.ErrorPage(h.page(c, title, ""), title, text, ""))
	c.Abort()
}

// Fail is fail for the middleware that runs before Language (the
// session's): the same answers, in the language the browser asks for.
func (h *Handlers) Fail(c *gin.Context, err error) {
	applyLanguage(c)
	h.fail(c, err)
}

// maxFormBody caps a posted form unless formLimits names the route.
const maxFormBody = 1 << 20

// formLimits are the routes whose forms are capped tighter than
// maxFormBody (route template -> bytes). ReadForm runs in the browser
// chain, before a route's own middleware, so the caps a route table gives
// with wire.LimitBody must be named here too (it reads the form first).
var formLimits = map[string]int64{
	"/processes/:id/messages":                      maxMessageBody,
	"/staff/customers/:customer_id/messages":       maxCustomerMessageBody,
	"/processes/:id/document-requests":             maxRequestBody,
	"/processes/:id/documents/:document_id/review": maxReviewBody,
}

// ReadForm reads a posted form before the handler runs (but for
// streamedForms, whose handlers read their multipart body part by part) (gin's PostForm
// would ignore a failure and hand the handler empty fields): a body over
// the route's limit is 413 (at once when Content-Length says so), a body
// cut short or malformed 400; both as an error page, never a 500.
func (h *Handlers) ReadForm(c *gin.Context) {
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if c.Request.Body == nil || c.Request.Body == http.NoBody || streamedForms[c.FullPath()] {
		c.Next()
		return
	}
	limit := int64(maxFormBody)
	if n, ok := formLimits[c.FullPath()]; ok {
		limit = n
	}
	wire.Limit(c, limit)
	// ParseForm first: ParseMultipartForm would hide its error behind
	// http.ErrNotMultipart for an ordinary form.
	err := c.Request.ParseForm()
	if ct := c.GetHeader("Content-Type"); err == nil && strings.HasPrefix(strings.ToLower(ct), "multipart/form-data") {
		err = c.Request.ParseMultipartForm(32 << 20)
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if !errors.As(err, &tooLarge) {
			err = wire.BodyError(err)
		}
		h.fail(c, err)
		return
	}
	c.Next()
}

// refusal tells whether a service error is one the page shows in place,
// next to its form or filters, rather than as an error page (h.fail); with
// the message to show (the first field's, else the error's own) and the
// status. Invalid input is 400 for a query (GET: filters, search) and 422
// for a posted form; a posted form's rate limit is 429 with Retry-After.
func refusal(c *gin.Context, err error) (msg string, status int, ok bool) {
	e := models.AsError(err)
	msg = i18n.Refusal(c.Request.Context(), e)
	if len(e.Fields) > 0 {
		msg = i18n.Field(c.Request.Context(), e.Fields[0])
	}
	posted := c.Request.Method != http.MethodGet
	switch {
	case e.Code == models.CodeInvalid && posted:
		return msg, http.StatusUnprocessableEntity, true
	case e.Code == models.CodeInvalid:
		return msg, http.StatusBadRequest, true
	case e.Code == models.CodeRateLimited && posted:
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
		return msg, http.StatusTooManyRequests, true
	}
	return "", 0, false
}

// NotFound is the one 404 page: for a missing route, a missing row and a
// row that belongs to someone else alike.
func (h *Handlers) NotFound(c *gin.Context) {
	h.render(c, http.StatusNotFound, components.ErrorPage(h.page(c, i18n.T(c.Request.Context(), "layout.not_found_title"), ""), i18n.T(c.Request.Context(), "layout.not_found_title"), i18n.T(c.Request.Context(), "layout.not_found_text"), ""))
}

// forbidden answers 403 and audits the denial.
func (h *Handlers) forbidden(c *gin.Context) {
	h.deny(c, i18n.T(c.Request.Context(), "layout.forbidden_title"), i18n.T(c.Request.Context(), "layout.forbidden_text"))
}

// deny answers 403 with title and message and audits the denial.
func (h *Handlers) deny(c *gin.Context, title, message string) {
	ev := models.AuditEvent{Action: models.AuditAccessDenied, Subject: c.Request.Method + " " + c.Request.URL.Path,
		ClientIP: c.ClientIP(), Outcome: "denied"}
	if p := models.PrincipalFrom(c.Request.Context()); p != nil {
		ev.ActorUserID = &p.UserID
	}
	if err := h.svc.Auth.Audit(c.Request.Context(), ev); err != nil {
		h.log.Error("audit", "err", err)
	}
	h.render(c, http.StatusForbidden, components.ErrorPage(h.page(c, title, ""), title, message, ""))
}
