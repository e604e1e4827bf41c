package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components/auth"
	"portal/components/i18n"
	"portal/models"
	"portal/web/session"
)

func (h *Handlers) root(c *gin.Context) {
	if p := models.PrincipalFrom(c.Request.Context()); p != nil {
		redirect(c, p.Home())
		return
	}
	redirect(c, "/login")
}

func (h *Handlers) loginForm(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if p := models.PrincipalFrom(c.Request.Context()); p != nil {
		if next == "" {
			next = p.Home()
		}
		redirect(c, next)
		return
	}
	h.render(c, http.StatusOK, auth.Login(auth.LoginView{
		Page:      h.page(c, i18n.T(c.Request.Context(), "auth.title"), ""),
		Next:      next,
		SignedOut: c.Query("signed_out") == "1",
		Expired:   c.Query("expired") == "1",
	}))
}

func (h *Handlers) login(c *gin.Context) {
	email := strings.TrimSpace(c.PostForm("email"))
	password := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	view := auth.LoginView{Page: h.page(c, i18n.T(c.Request.Context(), "auth.title"), ""), Email: email, Next: next,
		Expired: c.PostForm("expired") == "1"}
	if email == "" || password == "" || len(email) > 254 || len(password) > 128 {
		view.Error = i18n.T(c.Request.Context(), "auth.required")
		h.render(c, http.StatusUnprocessableEntity, auth.Login(view))
		return
	}
	p, err := h.svc.Auth.Login(c.Request.Context(), email, password, c.ClientIP())
	if err != nil {
		e := models.AsError(err)
		switch e.Code {
		case models.CodeUnauthorized:
			// Every failure is the same one (unknown user, wrong password...).
			view.Error = i18n.T(c.Request.Context(), "auth.bad_credentials")
			h.render(c, http.StatusUnprocessableEntity, auth.Login(view))
		case models.CodeRateLimited:
			c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
			view.Error = i18n.T(c.Request.Context(), "auth.throttled")
			if errors.Is(err, models.ErrHashingBusy) {
				view.Error = i18n.T(c.Request.Context(), "auth.busy")
			}
			h.render(c, http.StatusTooManyRequests, auth.Login(view))
		default:
			h.fail(c, err)
		}
		return
	}
	if h.beginSecondFactor(c, p, next) { // an account with a second factor: /login/2fa (totp.go)
		return
	}
	if err := session.Login(c, h.sessions, p); err != nil {
		h.fail(c, err)
		return
	}
	if next == "" {
		next = p.Home()
	}
	redirect(c, next)
}

func (h *Handlers) logout(c *gin.Context) {
	if p := models.PrincipalFrom(c.Request.Context()); p != nil {
		_ = h.svc.Auth.Audit(c.Request.Context(), models.AuditEvent{ActorUserID: &p.UserID, Action: models.AuditLogout,
			Subject: p.Email, ClientIP: c.ClientIP(), Outcome: "ok"})
	}
	if err := session.Logout(c); err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, "/login?signed_out=1")
}
