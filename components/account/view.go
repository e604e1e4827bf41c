// Package account holds the account page (password change, sign-in
// history, and the sections other features add) and the forgotten
// password pages.
package account

import (
	"context"

	"github.com/a-h/templ"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
)

// URLs of the pages.
const (
	AccountURL  = "/account"
	PasswordURL = "/account/password"
	ForgotURL   = "/password/forgot"
	ResetURL    = "/password/reset"
)

// AccountView is the account page: a list of sections, each a component,
// so a feature adds its own (Sections) without touching the others.
type AccountView struct {
	Page     components.Page
	Password PasswordForm
	History  []models.SignIn
	// Sections are more sections, shown after the password and before the
	// history, in order (e.g. the second factor's).
	Sections []templ.Component
}

// PasswordForm is the change-password form's state after a refused post.
type PasswordForm struct {
	Err *models.Error // nil: no error
}

// FieldError is the message for one of the form's fields.
func (f PasswordForm) FieldError(ctx context.Context, field string) string {
	return components.FieldError(ctx, f.Err, field)
}

// GeneralError is a refusal not tied to a field (too many attempts).
func (f PasswordForm) GeneralError(ctx context.Context) string {
	if f.Err == nil || len(f.Err.Fields) > 0 {
		return ""
	}
	return i18n.Refusal(ctx, f.Err)
}

// AllSections are the page's sections in order.
func (v AccountView) AllSections() []templ.Component {
	out := []templ.Component{passwordSection(v.Password)}
	out = append(out, v.Sections...)
	return append(out, historySection(v.History))
}

// ResultText words a sign-in attempt's result.
func ResultText(ctx context.Context, result string) string {
	switch result {
	case models.SignInOK:
		return i18n.T(ctx, "account.result_ok")
	case models.SignInThrottled:
		return i18n.T(ctx, "account.result_throttled")
	case models.SignInCodeAsked:
		return i18n.T(ctx, "account.result_code_asked")
	case models.SignInCodeWrong:
		return i18n.T(ctx, "account.result_code_wrong")
	default:
		return i18n.T(ctx, "account.result_failed")
	}
}

// ResultClass colours a result badge.
func ResultClass(result string) string {
	switch result {
	case models.SignInOK:
		return "badge bg-green-100 text-green-800"
	case models.SignInThrottled, models.SignInCodeAsked:
		return "badge bg-amber-100 text-amber-900"
	default:
		return "badge bg-red-100 text-red-800"
	}
}

// ForgotView is the forgotten-password form and its answer.
type ForgotView struct {
	Page  components.Page
	Email string
	Sent  bool   // the request was taken: the same answer whether or not the account exists
	Error string // a refusal (too many requests, not an e-mail)
}

// ResetView is the page a reset link opens.
type ResetView struct {
	Page    components.Page
	Token   string
	Invalid bool          // the link was used, expired or replaced
	Err     *models.Error // a refused new password
	Done    bool          // the password was set
}

// FieldError is the message for one of the form's fields.
func (v ResetView) FieldError(ctx context.Context, field string) string {
	return components.FieldError(ctx, v.Err, field)
}
