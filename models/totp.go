package models

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The TOTP second factor (RFC 6238 as authenticator apps do it: SHA-1, six
// digits, 30-second steps). Staff and admins may enrol; PORTAL_REQUIRE_2FA
// makes it compulsory for some kinds of user (SecondFactorPolicy).
const (
	TOTPPeriod = 30 * time.Second
	// TOTPSkew is how many steps either side of now a code may be from:
	// one absorbs a phone clock a little off and the seconds spent typing.
	TOTPSkew = 1
	// TOTPDigits is the length of a code.
	TOTPDigits = 6

	// RecoveryCodeCount codes are issued at once, each usable once.
	RecoveryCodeCount = 10

	// SecondFactorTimeout is how long a sign-in whose password was right
	// waits for its second factor.
	SecondFactorTimeout = 5 * time.Minute
	// MaxSecondFactorAttempts codes may be tried per pending sign-in; the
	// last wrong one ends it (the password must be entered again).
	MaxSecondFactorAttempts = 5
	// MaxSecondFactorFailures wrong codes per account in
	// SecondFactorWindow stop further codes being checked for it, however
	// many pending sign-ins someone who knows the password starts.
	MaxSecondFactorFailures = 10
	SecondFactorWindow      = 15 * time.Minute
)

// Audit actions of the second factor. The password step keeps its own
// (AuditLoginOK is written when the password matched).
const (
	AuditSecondFactorOK = "login.2fa_ok"
	// AuditPasswordOK is a right password awaiting its second factor.
	AuditPasswordOK            = "login.password_ok"
	AuditSecondFactorFailed    = "login.2fa_failed"
	AuditSecondFactorThrottled = "login.2fa_throttled"
	AuditTOTPEnrolled          = "2fa.enrolled"
	AuditTOTPDisabled          = "2fa.disabled"
	AuditRecoveryCodesRenewed  = "2fa.recovery_codes_renewed"
)

var totpOpts = totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPStep is the time step t falls in.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode is the code of secret (base32) for the step t falls in.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// VerifyTOTPCode checks code against secret at now, allowing TOTPSkew steps
// either side, and refuses any step at or before lastStep (the last one
// accepted): a code is good once. It returns the step that matched, for
// the caller to remember as the new lastStep.
func VerifyTOTPCode(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = NormalizeTOTPCode(code)
	if !IsTOTPCode(code) {
		return 0, false
	}
	cur := TOTPStep(now)
	var matched int64
	ok := false
	// Every candidate step is computed and compared in constant time, so
	// the answer's timing does not tell which step (if any) matched.
	for off := int64(-TOTPSkew); off <= TOTPSkew; off++ {
		step := cur + off
		want, err := TOTPCode(secret, time.Unix(step*int64(TOTPPeriod/time.Second), 0))
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > lastStep && !ok {
			matched, ok = step, true
		}
	}
	return matched, ok
}

// NormalizeTOTPCode drops the spaces people type in the middle ("123 456").
func NormalizeTOTPCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
}

// IsTOTPCode tells whether s is shaped like a code: exactly six ASCII digits.
func IsTOTPCode(s string) bool {
	if len(s) != TOTPDigits {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// recoveryAlphabet has no letters easily mistaken for others (0/o, 1/l/i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// recoveryCodeLen characters of recoveryAlphabet: about 59 bits.
const recoveryCodeLen = 12

// NewRecoveryCodes returns RecoveryCodeCount fresh random codes, formatted
// for people ("abcd-efgh-jkmn").
func NewRecoveryCodes() ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	buf := make([]byte, recoveryCodeLen)
	for i := range codes {
		var b strings.Builder
		for j := 0; j < recoveryCodeLen; {
			if _, err := rand.Read(buf); err != nil {
				return nil, err
			}
			for _, x := range buf {
				// Rejection sampling keeps the choice uniform.
				if int(x) >= 256-256%len(recoveryAlphabet) || j == recoveryCodeLen {
					continue
				}
				if j > 0 && j%4 == 0 {
					b.WriteByte('-')
				}
				b.WriteByte(recoveryAlphabet[int(x)%len(recoveryAlphabet)])
				j++
			}
		}
		codes[i] = b.String()
	}
	return codes, nil
}

// NormalizeRecoveryCode is the form a recovery code is hashed in: lower
// case, without the dashes and spaces people may type or leave out.
func NormalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\u00a0':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return r
	}, strings.TrimSpace(code))
}

// IsRecoveryCode tells whether s (normalised) is shaped like a recovery code.
func IsRecoveryCode(s string) bool {
	if len(s) != recoveryCodeLen {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return false
		}
	}
	return true
}

// SecondFactorPolicy says which kinds of user must have a second factor
// (PORTAL_REQUIRE_2FA). The zero value requires it of nobody.
type SecondFactorPolicy struct {
	Kinds []UserKind
}

// Requires tells whether users of kind must sign in with a second factor.
func (p SecondFactorPolicy) Requires(kind UserKind) bool {
	for _, k := range p.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// CanEnrol tells whether users of kind may set up a TOTP second factor:
// bank staff and admins (brokers sign in to the partner API with tokens,
// customers through the bank's own channels).
func CanEnrol(kind UserKind) bool { return kind == KindStaff || kind == KindAdmin }

// ParseSecondFactorPolicy reads PORTAL_REQUIRE_2FA: empty, false, off, no
// or 0 require it of nobody; true, on, yes or 1 of staff and admins; or a
// comma-separated list of kinds among staff and admin.
func ParseSecondFactorPolicy(v string) (SecondFactorPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "false", "off", "no", "0":
		return SecondFactorPolicy{}, nil
	case "true", "on", "yes", "1":
		return SecondFactorPolicy{Kinds: []UserKind{KindStaff, KindAdmin}}, nil
	}
	var p SecondFactorPolicy
	for _, part := range strings.Split(v, ",") {
		k := UserKind(strings.ToLower(strings.TrimSpace(part)))
		if k == "" {
			continue
		}
		if !CanEnrol(k) {
			return SecondFactorPolicy{}, fmt.Errorf("%q: want true, false, or a comma-separated list of staff and admin", strings.TrimSpace(part))
		}
		if !p.Requires(k) {
			p.Kinds = append(p.Kinds, k)
		}
	}
	return p, nil
}

// SecondFactorState is a user's second factor as the sign-in sees it.
type SecondFactorState struct {
	Enrolled bool // a confirmed TOTP secret
	Required bool // the policy requires one of this kind of user
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int
}

// TOTPEnrolment is a secret offered to the signed-in user, to scan (URL, an
// otpauth:// key URI) or type (Secret, base32), until a code confirms it.
type TOTPEnrolment struct {
	Secret      string
	URL         string
	Issuer      string
	AccountName string
}

// PendingSignIn is a sign-in whose password was right, waiting for its
// second factor.
type PendingSignIn struct {
	UserID    int64
	Email     string
	Next      string
	ExpiresAt time.Time
}

// TOTPService is the second factor: enrolment by the signed-in user (read
// from the context) and the sign-in's second step.
type TOTPService interface {
	// Policy is the configured requirement (PORTAL_REQUIRE_2FA).
	Policy() SecondFactorPolicy
	// SecondFactor tells whether userID has a second factor and must.
	SecondFactor(ctx context.Context, userID int64) (*SecondFactorState, error)

	// BeginTOTPEnrolment returns the secret to set up: the one already
	// offered and not confirmed yet, or a new one. CodeConflict when the
	// user is enrolled already; CodeForbidden for a kind that cannot enrol.
	BeginTOTPEnrolment(ctx context.Context) (*TOTPEnrolment, error)
	// ConfirmTOTPEnrolment checks a current code of the offered secret and,
	// when it is right, makes the secret the user's second factor and
	// returns RecoveryCodeCount recovery codes (shown once; only their
	// hashes are kept). A wrong code is CodeInvalid (field "code").
	ConfirmTOTPEnrolment(ctx context.Context, code string) ([]string, error)
	// RegenerateRecoveryCodes replaces the recovery codes, given a current
	// code.
	RegenerateRecoveryCodes(ctx context.Context, code string) ([]string, error)
	// DisableTOTP removes the second factor, given a current code;
	// CodeForbidden when the policy requires one.
	DisableTOTP(ctx context.Context, code string) error

	// StartSecondFactor records a pending sign-in for userID (whose
	// password was just checked) and returns its random token, for the
	// browser to keep for SecondFactorTimeout.
	StartSecondFactor(ctx context.Context, userID int64, next, clientIP string) (string, error)
	// PendingSecondFactor returns the pending sign-in of token;
	// CodeUnauthorized when there is none or it expired.
	PendingSecondFactor(ctx context.Context, token string) (*PendingSignIn, error)
	// CompleteSecondFactor checks a TOTP code or a recovery code for the
	// pending sign-in of token and, when it is right, ends the pending
	// sign-in and returns who signed in. A wrong code is CodeInvalid (field
	// "code"); the last allowed wrong code, or too many for the account,
	// is CodeRateLimited and ends the pending sign-in; a missing or expired
	// one is CodeUnauthorized.
	CompleteSecondFactor(ctx context.Context, token, code, clientIP string) (*Principal, *PendingSignIn, error)
	// CancelSecondFactor ends a pending sign-in (nothing when none).
	CancelSecondFactor(ctx context.Context, token string) error
}
