package models

import (
	"context"
	"time"
)

// AccountService is what signed-in users do with their own account, and
// the password reset by e-mail (anonymous).
type AccountService interface {
	// ChangePassword sets the signed-in user's password after checking the
	// current one (failures throttled per user) and the policy
	// (CheckNewPassword). It ends every session of the user (the caller
	// starts a new one for the browser that asked) and is audited.
	ChangePassword(ctx context.Context, in PasswordChange) error
	// RequestPasswordReset records a reset request for in.Email, throttled
	// per address and per e-mail (CodeRateLimited), and, when an enabled
	// account has that e-mail, replaces its reset tokens with a new one and
	// queues the mail in.Compose writes, in the same transaction. The
	// answer does not tell whether the account exists.
	RequestPasswordReset(ctx context.Context, in PasswordResetRequest) error
	// CheckResetToken tells whether a reset token can still be used
	// (CodeInvalid, field "token", when not).
	CheckResetToken(ctx context.Context, token string) error
	// ResetPassword sets a new password with a reset token, which it uses
	// up; it ends every session of the user. Audited.
	ResetPassword(ctx context.Context, in PasswordReset) error
	// SignInHistory lists the signed-in user's recent sign-in attempts,
	// newest first, at most limit (1..MaxSignInHistory).
	SignInHistory(ctx context.Context, limit int) ([]SignIn, error)
}

// PasswordResetTTL is how long a reset link works.
const PasswordResetTTL = 30 * time.Minute

// MaxSignInHistory bounds SignInHistory.
const MaxSignInHistory = 50

// PasswordChange is the account page's form.
type PasswordChange struct {
	Current, New, Confirm string
	ClientIP              string
}

// Validate checks the form's shape (the policy needs the account's e-mail
// and is applied by the service).
func (in PasswordChange) Validate() error {
	var v Validation
	if in.Current == "" || len(in.Current) > 4*MaxPasswordLen {
		v.Add("current_password", "password.current_wrong", nil)
	}
	if in.New != in.Confirm {
		v.Add("confirm_password", "password.mismatch", nil)
	}
	return v.Err()
}

// PasswordResetRequest is the forgotten-password form. Compose writes the
// mail for the account found (its name), in its language ("pt-PT" when it
// chose none), carrying the token in its link.
type PasswordResetRequest struct {
	Email    string
	ClientIP string
	Compose  func(lang, name, token string) Mail
}

// PasswordReset is the reset page's form.
type PasswordReset struct {
	Token, New, Confirm string
	ClientIP            string
}

// Validate checks the form's shape.
func (in PasswordReset) Validate() error {
	var v Validation
	if in.New != in.Confirm {
		v.Add("confirm_password", "password.mismatch", nil)
	}
	return v.Err()
}

// Results of a sign-in attempt in the history.
const (
	SignInOK        = "ok"
	SignInFailed    = "failed"     // wrong password (or refused)
	SignInThrottled = "throttled"  // refused before checking: too many failures
	SignInCodeAsked = "code_asked" // right password, the second factor asked
	SignInCodeWrong = "code_wrong" // wrong second-factor code
)

// SignIn is one attempt to sign in to the user's account.
type SignIn struct {
	At       time.Time
	ClientIP string
	Result   string // SignInOK, SignInFailed or SignInThrottled
}

// Audit actions of accounts.
const (
	AuditPasswordChanged         = "password.changed"
	AuditPasswordChangeFailed    = "password.change_failed"
	AuditPasswordResetRequested  = "password.reset_requested"
	AuditPasswordResetThrottled  = "password.reset_throttled"
	AuditPasswordReset           = "password.reset"
	AuditPasswordChangeThrottled = "password.change_throttled"
)

func init() {
	englishText["rate.password_reset"] = "Too many requests for this address. Please wait a few minutes and try again."
	englishText["rate.password_change"] = "Too many wrong current passwords. Please wait a few minutes and try again."
}
