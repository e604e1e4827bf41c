package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
)

// fail renders the page for a service error: the one mapping from error
// codes to HTML answers. Internal details are logged, never shown.
func (h *Handlers) fail(c *gin.Context, err error) {
	e := models.AsError(err)
	switch e.Code {
	case models.CodeNotFound:
		h.NotFound(c)
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
