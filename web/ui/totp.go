package ui

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/pquerna/otp"

	"portal/components/i18n"
	"portal/components/totp"
	"portal/models"
	"portal/web/session"
)

// The second factor's pages: the sign-in's second step (/login/2fa) and the
// two-factor page (/account/2fa). A sign-in whose password was right but
// whose account has a second factor is not a session yet: the browser
// holds a pending sign-in's random token in its own short-lived cookie,
// scoped to /login/2fa, and gets its session only once the code is right.

// pendingCookie names the pending sign-in's cookie.
const pendingCookie = "portal_2fa"

// pendingCookiePath scopes it to the second step's routes.
const pendingCookiePath = "/login/2fa"

// maxCodeLen bounds a typed code (a recovery code with dashes and spaces).
const maxCodeLen = 40

// beginSecondFactor is the login's step after the password: for an account
// with a second factor it starts the pending sign-in, sends the browser to
// the second step and returns true; otherwise false (the caller signs in).
func (h *Handlers) beginSecondFactor(c *gin.Context, p *models.Principal, next string) bool {
	if h.svc.TOTP == nil {
		return false
	}
	st, err := h.svc.TOTP.SecondFactor(c.Request.Context(), p.UserID)
	if err != nil {
		h.fail(c, err)
		return true
	}
	if !st.Enrolled {
		return false // when one is required, requireSecondFactor sends the user to set it up
	}
	token, err := h.svc.TOTP.StartSecondFactor(c.Request.Context(), p.UserID, next, c.ClientIP())
	if err != nil {
		h.fail(c, err)
		return true
	}
	h.setPendingCookie(c, token, int(models.SecondFactorTimeout.Seconds()))
	redirect(c, "/login/2fa")
	return true
}

func (h *Handlers) setPendingCookie(c *gin.Context, token string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: pendingCookie, Value: token, Path: pendingCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: h.secureCookies, SameSite: http.SameSiteLaxMode})
}

func pendingToken(c *gin.Context) string {
	v, err := c.Cookie(pendingCookie)
	if err != nil {
		return ""
	}
	return v
}

// secondStepForm is GET /login/2fa.
func (h *Handlers) secondStepForm(c *gin.Context) {
	pend, err := h.svc.TOTP.PendingSecondFactor(c.Request.Context(), pendingToken(c))
	if err != nil {
		h.secondStepGone(c, err)
		return
	}
	h.render(c, http.StatusOK, totp.Step(h.stepView(c, pend.Email, "")))
}

func (h *Handlers) stepView(c *gin.Context, email, errMsg string) totp.StepView {
	return totp.StepView{Page: h.page(c, i18n.T(c.Request.Context(), "totp.step_title"), ""), Email: email, Error: errMsg}
}

// secondStepGone answers a second step without a live pending sign-in:
// back to the password, with a word on why.
func (h *Handlers) secondStepGone(c *gin.Context, err error) {
	if models.ErrorCode(err) != models.CodeUnauthorized {
		h.fail(c, err)
		return
	}
	h.setPendingCookie(c, "", -1)
	h.render(c, http.StatusUnauthorized, totp.Ended(totp.EndedView{
		Page: h.page(c, i18n.T(c.Request.Context(), "totp.step_title"), ""), Message: i18n.T(c.Request.Context(), "totp.step_expired")}))
}

// secondStep is POST /login/2fa: the code, then the session.
func (h *Handlers) secondStep(c *gin.Context) {
	ctx := c.Request.Context()
	token := pendingToken(c)
	code := strings.TrimSpace(c.PostForm("code"))
	if code == "" || len(code) > maxCodeLen {
		pend, err := h.svc.TOTP.PendingSecondFactor(ctx, token)
		if err != nil {
			h.secondStepGone(c, err)
			return
		}
		h.render(c, http.StatusUnprocessableEntity, totp.Step(h.stepView(c, pend.Email, i18n.T(ctx, "totp.code_required"))))
		return
	}
	p, pend, err := h.svc.TOTP.CompleteSecondFactor(ctx, token, code, c.ClientIP())
	switch {
	case err == nil:
	case models.ErrorCode(err) == models.CodeInvalid:
		pend, perr := h.svc.TOTP.PendingSecondFactor(ctx, token)
		if perr != nil {
			h.secondStepGone(c, perr)
			return
		}
		h.render(c, http.StatusUnprocessableEntity, totp.Step(h.stepView(c, pend.Email, i18n.T(ctx, "totp.code_wrong"))))
		return
	case models.ErrorCode(err) == models.CodeRateLimited:
		h.setPendingCookie(c, "", -1)
		c.Header("Retry-After", strconv.Itoa(models.AsError(err).RetryAfter))
		h.render(c, http.StatusTooManyRequests, totp.Ended(totp.EndedView{
			Page: h.page(c, i18n.T(ctx, "totp.step_title"), ""), Message: i18n.T(ctx, "totp.step_throttled")}))
		return
	default:
		h.secondStepGone(c, err)
		return
	}
	h.setPendingCookie(c, "", -1)
	if err := session.Login(c, h.sessions, p); err != nil {
		h.fail(c, err)
		return
	}
	next := safeNext(pend.Next)
	if next == "" {
		next = p.Home()
	}
	redirect(c, next)
}

// cancelSecondStep is POST /login/2fa/cancel.
func (h *Handlers) cancelSecondStep(c *gin.Context) {
	if err := h.svc.TOTP.CancelSecondFactor(c.Request.Context(), pendingToken(c)); err != nil {
		h.fail(c, err)
		return
	}
	h.setPendingCookie(c, "", -1)
	redirect(c, "/login")
}

// requireSecondFactor confines a signed-in user whom the policy requires
// to have a second factor, and who has none yet, to setting one up (and to
// signing out). Only users of a required kind cost a look-up.
func (h *Handlers) requireSecondFactor(c *gin.Context) {
	p := models.PrincipalFrom(c.Request.Context())
	if p == nil || h.svc.TOTP == nil || !h.svc.TOTP.Policy().Requires(p.Kind) {
		c.Next()
		return
	}
	switch path := c.Request.URL.Path; {
	case path == "/account/2fa" || strings.HasPrefix(path, "/account/2fa/"),
		path == "/login" || strings.HasPrefix(path, "/login/"), // signing in as someone else
		path == "/logout", path == "/lang", path == "/session/keepalive":
		c.Next()
		return
	}
	st, err := h.svc.TOTP.SecondFactor(c.Request.Context(), p.UserID)
	if err != nil {
		h.fail(c, err)
		c.Abort()
		return
	}
	if st.Enrolled {
		c.Next()
		return
	}
	redirect(c, "/account/2fa")
	c.Abort()
}

// twoFactorPage is GET /account/2fa.
func (h *Handlers) twoFactorPage(c *gin.Context) {
	h.renderSetup(c, http.StatusOK, "")
}

// renderSetup renders the two-factor page in its current state, with
// errMsg above the forms.
func (h *Handlers) renderSetup(c *gin.Context, status int, errMsg string) {
	ctx := c.Request.Context()
	p := models.PrincipalFrom(ctx)
	st, err := h.svc.TOTP.SecondFactor(ctx, p.UserID)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := totp.SetupView{Page: h.page(c, i18n.T(ctx, "totp.title"), ""), Required: st.Required, Error: errMsg,
		Enrolled: st.Enrolled, CodesLeft: st.RecoveryCodesLeft, CanDisable: !st.Required}
	if !st.Enrolled {
		e, err := h.svc.TOTP.BeginTOTPEnrolment(ctx)
		if err != nil {
			h.fail(c, err)
			return
		}
		qr, err := qrDataURL(e.URL)
		if err != nil {
			h.fail(c, models.Internal(err))
			return
		}
		v.Secret, v.QR = groupSecret(e.Secret), qr
	}
	h.render(c, status, totp.Setup(v))
}

// groupSecret spaces a base32 secret in fours, as people type it.
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// qrDataURL renders a key URI as a PNG QR code in a data: URL (the page's
// CSP allows data: images; the page itself is no-store).
func qrDataURL(keyURL string) (string, error) {
	key, err := otp.NewKeyFromURL(keyURL)
	if err != nil {
		return "", err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// postedCode reads the forms' code field; "" when missing or too long.
func postedCode(c *gin.Context) string {
	code := strings.TrimSpace(c.PostForm("code"))
	if len(code) > maxCodeLen {
		return ""
	}
	return code
}

// codeRefusal renders the page again for a refused code and tells whether
// err was one.
func (h *Handlers) codeRefusal(c *gin.Context, err error) bool {
	ctx := c.Request.Context()
	switch models.ErrorCode(err) {
	case models.CodeInvalid:
		h.renderSetup(c, http.StatusUnprocessableEntity, i18n.T(ctx, "totp.code_wrong"))
		return true
	case models.CodeForbidden:
		h.renderSetup(c, http.StatusForbidden, i18n.T(ctx, "totp.disable_refused"))
		return true
	}
	return false
}

// confirmTwoFactor is POST /account/2fa/confirm.
func (h *Handlers) confirmTwoFactor(c *gin.Context) {
	ctx := c.Request.Context()
	code := postedCode(c)
	if code == "" {
		h.renderSetup(c, http.StatusUnprocessableEntity, i18n.T(ctx, "totp.code_required"))
		return
	}
	codes, err := h.svc.TOTP.ConfirmTOTPEnrolment(ctx, code)
	if err != nil {
		if !h.codeRefusal(c, err) {
			if models.ErrorCode(err) == models.CodeConflict {
				redirect(c, "/account/2fa") // already on (another tab), or the offer is gone
				return
			}
			h.fail(c, err)
		}
		return
	}
	h.showRecoveryCodes(c, codes, i18n.T(ctx, "totp.enabled_flash"))
}

// renewRecoveryCodes is POST /account/2fa/recovery-codes.
func (h *Handlers) renewRecoveryCodes(c *gin.Context) {
	ctx := c.Request.Context()
	code := postedCode(c)
	if code == "" {
		h.renderSetup(c, http.StatusUnprocessableEntity, i18n.T(ctx, "totp.code_required"))
		return
	}
	codes, err := h.svc.TOTP.RegenerateRecoveryCodes(ctx, code)
	if err != nil {
		if !h.codeRefusal(c, err) {
			h.fail(c, err)
		}
		return
	}
	h.showRecoveryCodes(c, codes, "")
}

// showRecoveryCodes shows fresh recovery codes, once: this response is the
// only place they are ever written (no-store, like every page).
func (h *Handlers) showRecoveryCodes(c *gin.Context, codes []string, flash string) {
	ctx := c.Request.Context()
	p := models.PrincipalFrom(ctx)
	page := h.page(c, i18n.T(ctx, "totp.title"), "")
	if flash != "" {
		page.Flash = flash
	}
	h.render(c, http.StatusOK, totp.Setup(totp.SetupView{Page: page, Enrolled: true, RecoveryCodes: codes, Continue: p.Home()}))
}

// disableTwoFactor is POST /account/2fa/disable.
func (h *Handlers) disableTwoFactor(c *gin.Context) {
	ctx := c.Request.Context()
	code := postedCode(c)
	if code == "" {
		h.renderSetup(c, http.StatusUnprocessableEntity, i18n.T(ctx, "totp.code_required"))
		return
	}
	if err := h.svc.TOTP.DisableTOTP(ctx, code); err != nil {
		if !h.codeRefusal(c, err) {
			h.fail(c, err)
		}
		return
	}
	if err := session.SetFlash(c, "/account/2fa", i18n.T(ctx, "totp.disabled_flash")); err != nil {
		h.fail(c, err)
		return
	}
	redirect(c, "/account/2fa")
}
