package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/components/account"
	"portal/components/i18n"
	"portal/components/totp"
	"portal/models"
	"portal/web/session"
)

// The account page (/account): the signed-in user's password change and
// recent sign-ins, for every kind of user.

// signInHistoryShown is how many recent sign-in attempts the page lists.
const signInHistoryShown = 20

// accountView is the page for the signed-in user, with form's state.
func (h *Handlers) accountView(c *gin.Context, form account.PasswordForm) (account.AccountView, error) {
	history, err := h.svc.Account.SignInHistory(c.Request.Context(), signInHistoryShown)
	if err != nil {
		return account.AccountView{}, err
	}
	v := account.AccountView{
		Page:     h.page(c, i18n.T(c.Request.Context(), "account.page_title"), "account"),
		Password: form,
		History:  history,
	}
	if p := models.PrincipalFrom(c.Request.Context()); p != nil && p.IsStaff() {
		st, err := h.svc.TOTP.SecondFactor(c.Request.Context(), p.UserID)
		if err != nil {
			return account.AccountView{}, err
		}
		v.Sections = append(v.Sections, totp.AccountSection(*st))
	}
	return v, nil
}

func (h *Handlers) accountPage(c *gin.Context) {
	v, err := h.accountView(c, account.PasswordForm{})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, account.AccountPage(v))
}

// changePassword checks the current password and sets the new one; every
// session of the user ends and this browser gets a new one.
func (h *Handlers) changePassword(c *gin.Context) {
	ctx := c.Request.Context()
	p := models.PrincipalFrom(ctx)
	err := h.svc.Account.ChangePassword(ctx, models.PasswordChange{
		Current: c.PostForm("current_password"), New: c.PostForm("new_password"),
		Confirm: c.PostForm("confirm_password"), ClientIP: c.ClientIP(),
	})
	if err != nil {
		if _, status, ok := refusal(c, err); ok {
			v, verr := h.accountView(c, account.PasswordForm{Err: models.AsError(err)})
			if verr != nil {
				h.fail(c, verr)
				return
			}
			h.render(c, status, account.AccountPage(v))
			return
		}
		h.fail(c, err)
		return
	}
	// The change ended every session of the user, this one included: the
	// browser that changed it continues in a new one.
	if err := session.Login(c, h.sessions, p); err != nil {
		h.fail(c, err)
		return
	}
	if err := session.SetFlash(c, account.AccountURL, i18n.T(ctx, "account.password_changed")); err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, account.AccountURL)
}
