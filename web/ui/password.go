package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components/account"
	"portal/components/i18n"
	"portal/models"
)

// The forgotten password (/password/forgot) and the page its mail links to
// (/password/reset?token=…). Both are for anyone: the answer to a request
// is the same whether or not the account exists.

func (h *Handlers) forgotForm(c *gin.Context) {
	h.render(c, http.StatusOK, account.ForgotPage(account.ForgotView{
		Page: h.page(c, i18n.T(c.Request.Context(), "account.forgot_title"), ""),
		Sent: c.Query("sent") == "1",
	}))
}

func (h *Handlers) forgotPassword(c *gin.Context) {
	ctx := c.Request.Context()
	email := strings.TrimSpace(c.PostForm("email"))
	view := account.ForgotView{Page: h.page(c, i18n.T(ctx, "account.forgot_title"), ""), Email: email}
	err := h.svc.Account.RequestPasswordReset(ctx, models.PasswordResetRequest{
		Email: email, ClientIP: c.ClientIP(), Compose: h.resetMail,
	})
	if err != nil {
		if msg, status, ok := refusal(c, err); ok {
			view.Error = msg
			h.render(c, status, account.ForgotPage(view))
			return
		}
		h.fail(c, err)
		return
	}
	redirect(c, account.ForgotURL+"?sent=1")
}

// resetMail writes the reset mail in lang for name, its link on the
// portal's public address.
func (h *Handlers) resetMail(lang, name, token string) models.Mail {
	l, _ := i18n.Parse(lang)
	ctx := i18n.WithLang(context.Background(), l)
	link := h.publicURL + account.ResetURL + "?token=" + url.QueryEscape(token)
	return models.Mail{
		Subject: i18n.T(ctx, "account.reset_mail_subject"),
		Text: i18n.T(ctx, "account.reset_mail_text", map[string]any{"Name": name, "Link": link,
			"Minutes": int(models.PasswordResetTTL.Minutes())}),
		Lang: l.HTML(),
	}
}

func (h *Handlers) resetView(c *gin.Context) account.ResetView {
	// The token is in the address: keep the page out of every cache.
	c.Header("Cache-Control", "no-store")
	return account.ResetView{Page: h.page(c, i18n.T(c.Request.Context(), "account.reset_title"), "")}
}

func (h *Handlers) resetForm(c *gin.Context) {
	v := h.resetView(c)
	if c.Query("done") == "1" {
		v.Done = true
		h.render(c, http.StatusOK, account.ResetPage(v))
		return
	}
	v.Token = c.Query("token")
	if err := h.svc.Account.CheckResetToken(c.Request.Context(), v.Token); err != nil {
		if models.ErrorCode(err) != models.CodeInvalid {
			h.fail(c, err)
			return
		}
		v.Invalid = true
	}
	h.render(c, http.StatusOK, account.ResetPage(v))
}

func (h *Handlers) resetPassword(c *gin.Context) {
	v := h.resetView(c)
	v.Token = c.PostForm("token")
	err := h.svc.Account.ResetPassword(c.Request.Context(), models.PasswordReset{
		Token: v.Token, New: c.PostForm("new_password"), Confirm: c.PostForm("confirm_password"), ClientIP: c.ClientIP(),
	})
	if err != nil {
		e := models.AsError(err)
		if _, bad := e.Field("token"); bad {
			v.Invalid = true
			h.render(c, http.StatusUnprocessableEntity, account.ResetPage(v))
			return
		}
		if _, status, ok := refusal(c, err); ok {
			v.Err = e
			h.render(c, status, account.ResetPage(v))
			return
		}
		h.fail(c, err)
		return
	}
	redirect(c, account.ResetURL+"?done=1")
}
