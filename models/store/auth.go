package store

import (
	"context"
	"strings"
	"time"

	"portal/models"
)

// Login throttling: failures are counted from the audit log, so every
// instance sees the same counts. Five failures a minute per account must
// still be answered normally (product contract); the limits sit above that.
const (
	loginWindow           = 15 * time.Minute
	maxFailuresPerAccount = 10
	maxFailuresPerAddress = 30
)

var errBadCredentials = models.Unauthorized("The e-mail or password is incorrect.")

type userWithFirm struct {
	models.User
	FirmName     string
	BankPublicID string
}

func (s *Store) Login(ctx context.Context, email, password, clientIP string) (*models.Principal, error) {
	u, err := s.checkCredentials(ctx, credentialCheck{Email: email, Password: password, ClientIP: clientIP,
		FailedAction: models.AuditLoginFailed, ThrottledAction: models.AuditLoginThrottled})
	if err != nil {
		return nil, err
	}
	p, err := s.principal(ctx, u)
	if err != nil {
		return nil, err
	}
	if err := s.Audit(ctx, models.AuditEvent{ActorUserID: &u.ID, Action: models.AuditLoginOK, Subject: u.Email, ClientIP: clientIP, Outcome: "ok"}); err != nil {
		return nil, err
	}
	return p, nil
}

// failedSignIns are the audit actions the throttle counts: a failure at any
// entry point (browser, OBP DirectLogin) counts against the same account
// and address.
var failedSignIns = []string{models.AuditLoginFailed, models.AuditDirectLoginFailed}

// credentialCheck is one password sign-in attempt, whatever the entry point.
type credentialCheck struct {
	Email, Password, ClientIP     string
	FailedAction, ThrottledAction string // audit actions of this entry point
	// Refuse, when set, is asked once the password matched: a non-empty
	// reason fails the attempt exactly like a wrong password (the reason is
	// recorded in the audit row only).
	Refuse func(u *userWithFirm) string
}

// checkCredentials throttles failures per account and per client address
// (counted from the audit log, before any hashing), checks the password
// (unknown users cost a hash too) and audits failures. Unknown user, wrong
// password, disabled account and a refusal give the same errBadCredentials.
func (s *Store) checkCredentials(ctx context.Context, c credentialCheck) (*userWithFirm, error) {
	email := normalizeEmail(c.Email)
	since := s.now().Add(-loginWindow)
	var perAccount, perAddress int64
	if err := s.db.WithContext(ctx).Model(&models.AuditEvent{}).
		Where("action IN ? AND subject = ? AND created_at > ?", failedSignIns, email, since).
		Count(&perAccount).Error; err != nil {
		return nil, translate(err, "login")
	}
	if err := s.db.WithContext(ctx).Model(&models.AuditEvent{}).
		Where("action IN ? AND client_ip = ? AND created_at > ?", failedSignIns, c.ClientIP, since).
		Count(&perAddress).Error; err != nil {
		return nil, translate(err, "login")
	}
	if perAccount >= maxFailuresPerAccount || perAddress >= maxFailuresPerAddress {
		_ = s.Audit(ctx, models.AuditEvent{Action: c.ThrottledAction, Subject: email, ClientIP: c.ClientIP, Outcome: "denied"})
		return nil, models.RateLimited("Too many failed sign-in attempts. Please wait a few minutes and try again.", int(loginWindow.Seconds()))
	}

	u, err := s.userByEmail(ctx, email)
	if err != nil && models.ErrorCode(err) != models.CodeNotFound {
		return nil, err
	}
	hash, password := "", c.Password
	if u != nil {
		hash = u.PasswordHash
	}
	if len(password) > maxCredentialLen {
		password, hash = "", "" // never matches; still costs one hash
	}
	ok := models.CheckPasswordOrDummy(hash, password)
	reason := ""
	if ok && !u.Disabled && c.Refuse != nil {
		reason = c.Refuse(u)
	}
	if !ok || u.Disabled || reason != "" {
		ev := models.AuditEvent{Action: c.FailedAction, Subject: email, ClientIP: c.ClientIP, Outcome: "denied"}
		if reason != "" {
			ev.Detail = "refused: " + reason
		}
		_ = s.Audit(ctx, ev)
		return nil, errBadCredentials
	}
	return u, nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func (s *Store) userByEmail(ctx context.Context, email string) (*userWithFirm, error) {
	var u userWithFirm
	err := s.db.WithContext(ctx).Table("users").
		Select("users.*, COALESCE(broker_firms.name, '') AS firm_name, COALESCE(banks.bank_id, '') AS bank_public_id").
		Joins("LEFT JOIN broker_firms ON broker_firms.id = users.firm_id").
		Joins("LEFT JOIN banks ON banks.id = users.bank_id").
		Where("users.email = ?", email).Take(&u).Error
	if err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

func (s *Store) Principal(ctx context.Context, userID int64) (*models.Principal, error) {
	var u userWithFirm
	err := s.db.WithContext(ctx).Table("users").
		Select("users.*, COALESCE(broker_firms.name, '') AS firm_name, COALESCE(banks.bank_id, '') AS bank_public_id").
		Joins("LEFT JOIN broker_firms ON broker_firms.id = users.firm_id").
		Joins("LEFT JOIN banks ON banks.id = users.bank_id").
		Where("users.id = ?", userID).Take(&u).Error
	if err != nil {
		if models.ErrorCode(translate(err, "user")) == models.CodeNotFound {
			return nil, models.Unauthorized("not signed in")
		}
		return nil, translate(err, "user")
	}
	if u.Disabled {
		return nil, models.Unauthorized("not signed in")
	}
	return s.principal(ctx, &u)
}

func (s *Store) principal(ctx context.Context, u *userWithFirm) (*models.Principal, error) {
	p := &models.Principal{
		UserID: u.ID, UserUUID: u.UUID, Email: u.Email, Name: u.Name, Kind: u.Kind,
		BankID: u.BankID, BankPublicID: u.BankPublicID, FirmName: u.FirmName, APIEnabled: u.APIEnabled,
	}
	if u.FirmID != nil {
		p.FirmID = *u.FirmID
	}
	if u.Kind == models.KindStaff || u.Kind == models.KindAdmin {
		if err := s.db.WithContext(ctx).Model(&models.Entitlement{}).
			Where("user_id = ? AND bank_id = ?", u.ID, u.BankID).Order("role").
			Pluck("role", &p.Roles).Error; err != nil {
			return nil, translate(err, "entitlements")
		}
	}
	return p, nil
}

func (s *Store) Audit(ctx context.Context, ev models.AuditEvent) error {
	ev.ID = 0
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = s.now()
	}
	// Audit rows must be written even when the request was cancelled after
	// the decision was taken.
	return translate(s.db.WithContext(context.WithoutCancel(ctx)).Create(&ev).Error, "audit event")
}
