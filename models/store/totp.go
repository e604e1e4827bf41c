package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"

	"portal/models"
)

// The TOTP second factor (models.TOTPService). Secrets are sealed at rest
// with AES-256-GCM under the portal's TOTP key (PORTAL_TOTP_KEY, or the key
// generated into the data directory's secrets), with the user id as
// additional data so a sealed secret copied to another row does not open.
// Recovery codes are kept as HMAC-SHA-256 under a key derived from the same
// key: a leaked table holds neither usable secrets nor guessable codes.

// TOTPKeyLen is the length of the TOTP key (AES-256).
const TOTPKeyLen = 32

// totpIssuer names the portal in authenticator apps.
const totpIssuer = "Portal"

// enrolmentOfferTTL is how long an offered, unconfirmed secret is shown
// again (so a reload keeps the QR code the user may have scanned).
const enrolmentOfferTTL = time.Hour

type totpConfig struct {
	aead        cipher.AEAD
	recoveryKey []byte
	policy      models.SecondFactorPolicy
}

// ConfigureTOTP sets the key that seals TOTP secrets (TOTPKeyLen bytes)
// and which kinds of user must have a second factor. Call it before
// serving; without it the second factor cannot be enrolled or checked.
func (s *Store) ConfigureTOTP(key []byte, policy models.SecondFactorPolicy) error {
	if len(key) != TOTPKeyLen {
		return errors.New("the TOTP key must be 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("portal totp recovery codes"))
	s.totp = &totpConfig{aead: aead, recoveryKey: mac.Sum(nil), policy: policy}
	return nil
}

var errTOTPUnconfigured = models.Internal(errors.New("the TOTP key is not configured (Store.ConfigureTOTP)"))

func (s *Store) totpCfg() (*totpConfig, error) {
	if s.totp == nil {
		return nil, errTOTPUnconfigured
	}
	return s.totp, nil
}

// userTOTP is a user's TOTP secret.
type userTOTP struct {
	UserID      int64 `gorm:"primaryKey;autoIncrement:false"`
	SecretEnc   string
	ConfirmedAt *time.Time
	LastStep    int64
	CreatedAt   time.Time
}

func (userTOTP) TableName() string { return "user_totp" }

type recoveryCode struct {
	ID        int64
	UserID    int64
	CodeHash  string
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (recoveryCode) TableName() string { return "totp_recovery_codes" }

type totpPending struct {
	ID        int64
	TokenHash string
	UserID    int64
	Next      string
	Attempts  int
	ClientIP  string `gorm:"column:client_ip"`
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (totpPending) TableName() string { return "totp_pending" }

func (c *totpConfig) seal(userID int64, secret string) (string, error) {
	return c.sealFor(strconv.FormatInt(userID, 10), secret)
}

func (c *totpConfig) open(userID int64, sealed string) (string, error) {
	return c.openFor(strconv.FormatInt(userID, 10), sealed)
}

// sealFor seals secret bound to owner (the additional data): other
// secrets under the same key (callback signing secrets) use it too.
func (c *totpConfig) sealFor(owner, secret string) (string, error) {
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := c.aead.Seal(nonce, nonce, []byte(secret), []byte(owner))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// sealedPrefix marks a sealed value (and its format).
const sealedPrefix = "v1:"

func (c *totpConfig) openFor(owner, sealed string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("unknown sealed secret format")
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(b) < c.aead.NonceSize() {
		return "", errors.New("sealed secret is damaged")
	}
	n := c.aead.NonceSize()
	plain, err := c.aead.Open(nil, b[:n], b[n:], []byte(owner))
	if err != nil {
		return "", errors.New("sealed secret does not open with this TOTP key")
	}
	return string(plain), nil
}

func (c *totpConfig) hashRecovery(code string) string {
	mac := hmac.New(sha256.New, c.recoveryKey)
	mac.Write([]byte(models.NormalizeRecoveryCode(code)))
	return hex.EncodeToString(mac.Sum(nil))
}

// errWrongCode is a code that is not right (or not right any more).
var errWrongCode = &models.Error{Code: models.CodeInvalid, Message: "The code is not right.",
	Fields: []models.FieldError{{Field: "code", Key: "field.required"}}}

var errPendingGone = models.Unauthorized("the sign-in expired; enter the password again")

// Policy implements models.TOTPService.
func (s *Store) Policy() models.SecondFactorPolicy {
	if s.totp == nil {
		return models.SecondFactorPolicy{}
	}
	return s.totp.policy
}

// SecondFactor implements models.TOTPService.
func (s *Store) SecondFactor(ctx context.Context, userID int64) (*models.SecondFactorState, error) {
	var row struct {
		Kind      models.UserKind
		Confirmed bool
	}
	err := s.conn(ctx).Table("users").
		Select("users.kind, user_totp.confirmed_at IS NOT NULL AS confirmed").
		Joins("LEFT JOIN user_totp ON user_totp.user_id = users.id").
		Where("users.id = ?", userID).Take(&row).Error
	if err != nil {
		return nil, translate(err, "user")
	}
	st := &models.SecondFactorState{Enrolled: row.Confirmed, Required: s.Policy().Requires(row.Kind)}
	if st.Enrolled {
		var n int64
		if err := s.conn(ctx).Model(&recoveryCode{}).Where("user_id = ? AND used_at IS NULL", userID).
			Count(&n).Error; err != nil {
			return nil, translate(err, "recovery codes")
		}
		st.RecoveryCodesLeft = int(n)
	}
	return st, nil
}

// enroller is the signed-in user who may enrol.
func enroller(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, models.Unauthorized("not signed in")
	}
	if !models.CanEnrol(p.Kind) {
		return nil, models.Forbidden("this account cannot have a second factor")
	}
	return p, nil
}

// BeginTOTPEnrolment implements models.TOTPService.
func (s *Store) BeginTOTPEnrolment(ctx context.Context) (*models.TOTPEnrolment, error) {
	p, err := enroller(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := s.totpCfg()
	if err != nil {
		return nil, err
	}
	var out *models.TOTPEnrolment
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var row userTOTP
		err := tx.Where("user_id = ?", p.UserID).Take(&row).Error
		switch {
		case err == nil && row.ConfirmedAt != nil:
			return models.Conflict("a second factor is set up already")
		case err == nil && s.now().Sub(row.CreatedAt) < enrolmentOfferTTL:
			secret, err := cfg.open(p.UserID, row.SecretEnc)
			if err != nil {
				return models.Internal(err)
			}
			out = enrolment(secret, p.Email)
			return nil
		case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: p.Email})
		if err != nil {
			return models.Internal(err)
		}
		sealed, err := cfg.seal(p.UserID, key.Secret())
		if err != nil {
			return models.Internal(err)
		}
		if err := tx.Where("user_id = ?", p.UserID).Delete(&userTOTP{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&userTOTP{UserID: p.UserID, SecretEnc: sealed, CreatedAt: s.now()}).Error; err != nil {
			return err
		}
		out = enrolment(key.Secret(), p.Email)
		return nil
	})
	if err != nil {
		return nil, translate(err, "second factor")
	}
	return out, nil
}

func enrolment(secret, account string) *models.TOTPEnrolment {
	return &models.TOTPEnrolment{Secret: secret, Issuer: totpIssuer, AccountName: account,
		URL: otpauthURL(secret, account)}
}

// otpauthURL is the key URI authenticator apps scan (Google Authenticator's
// format, as pquerna/otp writes it).
func otpauthURL(secret, account string) string {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: account, Secret: mustBase32(secret)})
	if err != nil {
		return ""
	}
	return key.URL()
}

func mustBase32(secret string) []byte {
	b, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	return b
}

// ConfirmTOTPEnrolment implements models.TOTPService.
func (s *Store) ConfirmTOTPEnrolment(ctx context.Context, code string) ([]string, error) {
	p, err := enroller(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := s.totpCfg()
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var row userTOTP
		if err := tx.Where("user_id = ?", p.UserID).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Conflict("no second factor is being set up")
			}
			return err
		}
		if row.ConfirmedAt != nil {
			return models.Conflict("a second factor is set up already")
		}
		secret, err := cfg.open(p.UserID, row.SecretEnc)
		if err != nil {
			return models.Internal(err)
		}
		step, ok := models.VerifyTOTPCode(secret, code, s.now(), 0)
		if !ok {
			return errWrongCode
		}
		now := s.now()
		if err := tx.Model(&userTOTP{}).Where("user_id = ? AND confirmed_at IS NULL", p.UserID).
			Updates(map[string]any{"confirmed_at": now, "last_step": step}).Error; err != nil {
			return err
		}
		if codes, err = s.replaceRecoveryCodes(tx, cfg, p.UserID); err != nil {
			return err
		}
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditTOTPEnrolled,
			Subject: p.Email, Outcome: "ok"}).Error
	})
	if err != nil {
		return nil, translate(err, "second factor")
	}
	return codes, nil
}

func (s *Store) replaceRecoveryCodes(tx *gorm.DB, cfg *totpConfig, userID int64) ([]string, error) {
	codes, err := models.NewRecoveryCodes()
	if err != nil {
		return nil, models.Internal(err)
	}
	if err := tx.Where("user_id = ?", userID).Delete(&recoveryCode{}).Error; err != nil {
		return nil, err
	}
	rows := make([]recoveryCode, len(codes))
	for i, c := range codes {
		rows[i] = recoveryCode{UserID: userID, CodeHash: cfg.hashRecovery(c), CreatedAt: s.now()}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, err
	}
	return codes, nil
}

// checkCurrentCode verifies a current TOTP code of the signed-in,
// enrolled user (for changes to the second factor itself), consuming its
// time step.
func (s *Store) checkCurrentCode(ctx context.Context, code string) (*models.Principal, *totpConfig, error) {
	p, err := enroller(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := s.totpCfg()
	if err != nil {
		return nil, nil, err
	}
	ok, err := s.VerifyTOTP(ctx, p.UserID, code)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, errWrongCode
	}
	return p, cfg, nil
}

// RegenerateRecoveryCodes implements models.TOTPService.
func (s *Store) RegenerateRecoveryCodes(ctx context.Context, code string) ([]string, error) {
	p, cfg, err := s.checkCurrentCode(ctx, code)
	if err != nil {
		return nil, err
	}
	var codes []string
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if codes, err = s.replaceRecoveryCodes(tx, cfg, p.UserID); err != nil {
			return err
		}
		return tx.Create(&models.AuditEvent{CreatedAt: s.now(), ActorUserID: &p.UserID,
			Action: models.AuditRecoveryCodesRenewed, Subject: p.Email, Outcome: "ok"}).Error
	})
	if err != nil {
		return nil, translate(err, "recovery codes")
	}
	return codes, nil
}

// DisableTOTP implements models.TOTPService.
func (s *Store) DisableTOTP(ctx context.Context, code string) error {
	if p := models.PrincipalFrom(ctx); p != nil && s.Policy().Requires(p.Kind) {
		return models.Forbidden("a second factor is required for this account")
	}
	p, _, err := s.checkCurrentCode(ctx, code)
	if err != nil {
		return err
	}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", p.UserID).Delete(&recoveryCode{}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", p.UserID).Delete(&userTOTP{}).Error; err != nil {
			return err
		}
		return tx.Create(&models.AuditEvent{CreatedAt: s.now(), ActorUserID: &p.UserID,
			Action: models.AuditTOTPDisabled, Subject: p.Email, Outcome: "ok"}).Error
	})
	return translate(err, "second factor")
}

// VerifyTOTP checks code against userID's confirmed secret and, when it
// matches a time step after the last one accepted, records that step: the
// same code (or an older one) is refused afterwards, even when two
// requests race with it (the step is claimed by a conditional UPDATE).
func (s *Store) VerifyTOTP(ctx context.Context, userID int64, code string) (bool, error) {
	cfg, err := s.totpCfg()
	if err != nil {
		return false, err
	}
	var row userTOTP
	if err := s.conn(ctx).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).Take(&row).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return false, nil
		}
		return false, translate(err, "second factor")
	}
	secret, err := cfg.open(userID, row.SecretEnc)
	if err != nil {
		return false, models.Internal(err)
	}
	step, ok := models.VerifyTOTPCode(secret, code, s.now(), row.LastStep)
	if !ok {
		return false, nil
	}
	res := s.conn(ctx).Model(&userTOTP{}).Where("user_id = ? AND last_step < ?", userID, step).
		Update("last_step", step)
	if res.Error != nil {
		return false, translate(res.Error, "second factor")
	}
	return res.RowsAffected == 1, nil
}

// UseRecoveryCode spends one of userID's unused recovery codes: true when
// code was one (it never works again).
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, code string) (bool, error) {
	cfg, err := s.totpCfg()
	if err != nil {
		return false, err
	}
	if !models.IsRecoveryCode(models.NormalizeRecoveryCode(code)) {
		return false, nil
	}
	res := s.conn(ctx).Model(&recoveryCode{}).
		Where("user_id = ? AND code_hash = ? AND used_at IS NULL", userID, cfg.hashRecovery(code)).
		Update("used_at", s.now())
	if res.Error != nil {
		return false, translate(res.Error, "recovery code")
	}
	return res.RowsAffected == 1, nil
}

// StartSecondFactor implements models.TOTPService.
func (s *Store) StartSecondFactor(ctx context.Context, userID int64, next, clientIP string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", models.Internal(err)
	}
	now := s.now()
	if len(next) > 1000 {
		next = ""
	}
	row := totpPending{TokenHash: HashToken(token), UserID: userID, Next: next, ClientIP: clip(clientIP, 100),
		CreatedAt: now, ExpiresAt: now.Add(models.SecondFactorTimeout)}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		// The password step's login.ok row is not a sign-in yet: only the
		// code makes it one (login.2fa_ok). Relabelled, it neither shows as
		// "signed in" in the history nor makes the address trusted.
		return tx.Exec(`UPDATE audit_events SET action = ? WHERE id = (
			SELECT MAX(id) FROM audit_events WHERE action = ? AND actor_user_id = ?)`,
			models.AuditPasswordOK, models.AuditLoginOK, userID).Error
	})
	if err != nil {
		return "", translate(err, "pending sign-in")
	}
	return token, nil
}

// pendingByToken loads a live pending sign-in with its user's e-mail.
func (s *Store) pendingByToken(ctx context.Context, token string) (*totpPending, string, error) {
	if token == "" || len(token) > maxCredentialLen {
		return nil, "", errPendingGone
	}
	var row totpPending
	err := s.conn(ctx).Where("token_hash = ?", HashToken(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, "", errPendingGone
	}
	if err != nil {
		return nil, "", translate(err, "pending sign-in")
	}
	var user models.User
	err = s.conn(ctx).Select("email", "disabled").Where("id = ?", row.UserID).Take(&user).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || user.Disabled {
		return nil, "", errPendingGone
	}
	if err != nil {
		return nil, "", translate(err, "user")
	}
	if !s.now().Before(row.ExpiresAt) {
		s.conn(context.WithoutCancel(ctx)).Delete(&totpPending{}, row.ID)
		return nil, "", errPendingGone
	}
	return &row, user.Email, nil
}

// PendingSecondFactor implements models.TOTPService.
func (s *Store) PendingSecondFactor(ctx context.Context, token string) (*models.PendingSignIn, error) {
	row, email, err := s.pendingByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return &models.PendingSignIn{UserID: row.UserID, Email: email, Next: row.Next, ExpiresAt: row.ExpiresAt}, nil
}

// CompleteSecondFactor implements models.TOTPService.
//
// Each code tried claims one of the pending sign-in's attempts first (a
// conditional UPDATE, so parallel guesses cannot exceed them): at most
// models.MaxSecondFactorAttempts codes are ever checked per password, and
// at most models.MaxSecondFactorFailures wrong ones per account in
// models.SecondFactorWindow, counted from the audit log like the password
// throttle. Successes, failures and throttling are audited.
func (s *Store) CompleteSecondFactor(ctx context.Context, token, code, clientIP string) (*models.Principal, *models.PendingSignIn, error) {
	row, email, err := s.pendingByToken(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	pending := &models.PendingSignIn{UserID: row.UserID, Email: email, Next: row.Next, ExpiresAt: row.ExpiresAt}
	audit := func(action, outcome, detail string) {
		_ = s.Audit(ctx, models.AuditEvent{ActorUserID: &row.UserID, Action: action, Subject: email,
			ClientIP: clientIP, Outcome: outcome, Detail: detail})
	}
	end := func() { s.conn(context.WithoutCancel(ctx)).Delete(&totpPending{}, row.ID) }
	retry := int(models.SecondFactorWindow.Seconds())

	var failures int64
	if err := s.conn(ctx).Model(&models.AuditEvent{}).
		Where("action = ? AND subject = ? AND created_at > ?", models.AuditSecondFactorFailed, email,
			s.now().Add(-models.SecondFactorWindow)).Count(&failures).Error; err != nil { // audit_events_action_subject_idx
		return nil, nil, translate(err, "audit")
	}
	if failures >= models.MaxSecondFactorFailures {
		end()
		audit(models.AuditSecondFactorThrottled, "denied", "too many wrong codes for the account")
		return nil, nil, models.Limited("rate.sign_in", nil, retry)
	}
	claim := s.conn(ctx).Model(&totpPending{}).Where("id = ? AND attempts < ?", row.ID, models.MaxSecondFactorAttempts).
		Update("attempts", gorm.Expr("attempts + 1"))
	if claim.Error != nil {
		return nil, nil, translate(claim.Error, "pending sign-in")
	}
	if claim.RowsAffected == 0 {
		end()
		audit(models.AuditSecondFactorThrottled, "denied", "too many wrong codes for this sign-in")
		return nil, nil, models.Limited("rate.sign_in", nil, retry)
	}

	method := "totp"
	var ok bool
	if models.IsTOTPCode(models.NormalizeTOTPCode(code)) {
		ok, err = s.VerifyTOTP(ctx, row.UserID, code)
	} else {
		method = "recovery code"
		ok, err = s.UseRecoveryCode(ctx, row.UserID, code)
	}
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		audit(models.AuditSecondFactorFailed, "denied", method)
		if row.Attempts+1 >= models.MaxSecondFactorAttempts {
			end()
			audit(models.AuditSecondFactorThrottled, "denied", "too many wrong codes for this sign-in")
			return nil, nil, models.Limited("rate.sign_in", nil, retry)
		}
		return nil, nil, errWrongCode
	}
	end()
	p, err := s.Principal(ctx, row.UserID)
	if err != nil {
		return nil, nil, err
	}
	audit(models.AuditSecondFactorOK, "ok", method)
	return p, pending, nil
}

// CancelSecondFactor implements models.TOTPService.
func (s *Store) CancelSecondFactor(ctx context.Context, token string) error {
	if token == "" || len(token) > maxCredentialLen {
		return nil
	}
	return translate(s.conn(ctx).Where("token_hash = ?", HashToken(token)).Delete(&totpPending{}).Error, "pending sign-in")
}

// DeleteExpiredSecondFactors removes pending sign-ins past their expiry.
func (s *Store) DeleteExpiredSecondFactors(ctx context.Context) (int64, error) {
	res := s.conn(ctx).Where("expires_at < ?", s.now()).Delete(&totpPending{})
	return res.RowsAffected, translate(res.Error, "pending sign-in")
}

// directLoginSecondFactor is DirectLogin's refusal reason for an account
// with a second factor, enrolled or required by the policy: DirectLogin
// carries a password and nothing else, so it would be a way around the
// second factor. "" lets the sign-in through.
func (s *Store) directLoginSecondFactor(ctx context.Context, userID int64, kind models.UserKind) string {
	if s.Policy().Requires(kind) {
		return "second factor required"
	}
	var n int64
	if err := s.conn(ctx).Model(&userTOTP{}).Where("user_id = ? AND confirmed_at IS NOT NULL", userID).
		Count(&n).Error; err != nil {
		return "second factor unknown"
	}
	if n > 0 {
		return "second factor enrolled"
	}
	return ""
}
