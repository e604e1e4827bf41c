package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Partner authentication throttling (models.PartnerAuthThrottle): failures
// are counted from the audit log per client id and address and per address,
// so every instance agrees. The client id is not secret, so there is no
// limit on the client id alone: a stranger's failures never slow down the
// partner's own address.
const maxCredentialLen = 512

// errPartnerAuth is the one answer to every failed partner authentication.
var errPartnerAuth = models.Unauthorized("Authentication failed.")

// errTokenInvalid is the one answer to every unusable token.
var errTokenInvalid = models.Unauthorized("The session token is missing, expired or revoked.")

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Store) AuthenticatePartner(ctx context.Context, in models.PartnerLogin) (string, error) {
	db := s.conn(ctx)
	clientID := clip(strings.TrimSpace(in.ClientID), 200)

	// Record the attempt and throttle before any hashing (beginAttempt: the
	// attempt is judged and recorded in turn, so parallel guesses cannot
	// slip under the limit). Without a client id only the address is
	// limited.
	attempt, err := s.beginAttempt(ctx, attemptSpec{
		Policy: models.PartnerAuthThrottle, Counted: []string{models.AuditPartnerAuthFailed},
		Succeeded:    []string{models.AuditPartnerAuthOK},
		FailedAction: models.AuditPartnerAuthFailed, ThrottledAction: models.AuditPartnerAuthThrottled,
		Subject: clientID, ClientIP: in.ClientIP,
		RefusalKey: "rate.partner_auth",
	})
	if err != nil {
		return "", err
	}
	fail := func(step string, err error) (string, error) {
		if err != nil && models.ErrorCode(err) != models.CodeNotFound {
			return "", translate(err, "authentication")
		}
		// The failed step is for operators only; the caller gets one answer.
		s.attemptFailed(ctx, attempt, "failed check: "+step)
		return "", errPartnerAuth
	}

	// 1. The client id and secret identify a partner. Unknown ids cost a
	// hash too, so they take as long as wrong secrets.
	var partner models.Partner
	var lookupErr error
	hash := ""
	if clientID != "" {
		lookupErr = translate(db.Where("client_id = ?", clientID).Take(&partner).Error, "partner")
		if lookupErr == nil {
			hash = partner.ClientSecretHash
		} else if models.ErrorCode(lookupErr) != models.CodeNotFound {
			return "", lookupErr
		}
	}
	secret := in.ClientSecret
	if len(secret) > maxCredentialLen {
		secret, hash = "", "" // never matches; still costs one hash
	}
	ok, err := models.CheckPasswordOrDummyLimited(ctx, hash, secret)
	if err != nil {
		s.attemptBusy(ctx, attempt, models.AuditPartnerAuthThrottled)
		return "", err
	}
	if !ok {
		return fail("client", nil)
	}

	// 2. The broker firm belongs to that partner and has API access.
	var firm models.BrokerFirm
	if err := translate(db.Where("broker_uid = ? AND partner_id = ?", clip(strings.TrimSpace(in.BrokerUID), 200), partner.ID).
		Take(&firm).Error, "firm"); err != nil {
		return fail("firm", err)
	}
	if !firm.APIEnabled {
		return fail("firm", nil)
	}

	// 3. The user belongs to that firm, is a broker with API access and is
	// not disabled.
	var u models.User
	if err := translate(db.Where("email = ? AND firm_id = ?", clip(models.NormalizeEmail(in.Username), 320), firm.ID).
		Take(&u).Error, "user"); err != nil {
		return fail("user", err)
	}
	if u.Kind != models.KindBroker || !u.APIEnabled || u.Disabled {
		return fail("user", nil)
	}

	token, err := newToken()
	if err != nil {
		return "", models.Internal(err)
	}
	now := s.now()
	row := models.APIToken{TokenHash: HashToken(token), UserID: u.ID, PartnerID: partner.ID, ClientIP: clip(in.ClientIP, 100),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: s.tokenExpiry(now, now)}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.attemptSucceeded(tx, attempt, models.AuditPartnerAuthOK, u.ID, "firm "+firm.BrokerUID)
	})
	if err != nil {
		return "", translate(err, "token")
	}
	return token, nil
}

// A partner token ends at whichever comes first: 30 minutes without use
// (the sliding expiry, models.PartnerTokenIdleTimeout) or the absolute
// lifetime (Options.PartnerTokenLifetime, 12 h by default) counted from its
// creation, however busy it is. expires_at holds the earlier of the two; the
// lookup and the sweep also count the lifetime from created_at themselves,
// so a lifetime shortened in the configuration applies to tokens issued
// before.

// tokenExpiry is the expires_at of a token created at created and used at
// now.
func (s *Store) tokenExpiry(created, now time.Time) time.Time {
	idle, end := now.Add(models.PartnerTokenIdleTimeout), created.Add(s.tokenLifetime)
	if end.Before(idle) {
		return end
	}
	return idle
}

// tokenRow is a token with the user and firm it acts for.
type tokenRow struct {
	TokenID        int64
	CreatedAt      time.Time
	LastUsedAt     time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
	UserID         int64
	UserUUID       string
	Email          string
	Name           string
	Kind           models.UserKind
	BankID         int64
	FirmID         int64
	APIEnabled     bool
	Disabled       bool
	FirmName       string
	FirmAPIEnabled bool
}

func (s *Store) ResolveToken(ctx context.Context, token string) (*models.Principal, error) {
	if token == "" || len(token) > maxCredentialLen {
		return nil, errTokenInvalid
	}
	db := s.conn(ctx)
	now := s.now()
	var rows []tokenRow
	err := db.Table("api_tokens").
		Select(`api_tokens.id AS token_id, api_tokens.created_at, api_tokens.last_used_at, api_tokens.expires_at, api_tokens.revoked_at,
			users.id AS user_id, users.uuid AS user_uuid, users.email, users.name, users.kind, users.bank_id,
			users.firm_id, users.api_enabled, users.disabled,
			broker_firms.name AS firm_name, broker_firms.api_enabled AS firm_api_enabled`).
		Joins("JOIN users ON users.id = api_tokens.user_id").
		Joins("JOIN broker_firms ON broker_firms.id = users.firm_id AND broker_firms.partner_id = api_tokens.partner_id").
		Where("api_tokens.token_hash = ? AND api_tokens.created_at > ?", HashToken(token), now.Add(-s.tokenLifetime)).
		Limit(1).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "token")
	}
	if len(rows) == 0 {
		return nil, errTokenInvalid
	}
	r := rows[0]
	if r.RevokedAt != nil || !now.Before(r.ExpiresAt) || !now.Before(r.CreatedAt.Add(s.tokenLifetime)) ||
		r.Kind != models.KindBroker || !r.APIEnabled || r.Disabled || !r.FirmAPIEnabled {
		return nil, errTokenInvalid
	}
	if now.Sub(r.LastUsedAt) > touchEvery {
		if err := db.Model(&models.APIToken{}).Where("id = ? AND revoked_at IS NULL", r.TokenID).
			Updates(map[string]any{"last_used_at": now, "expires_at": s.tokenExpiry(r.CreatedAt, now)}).Error; err != nil {
			return nil, translate(err, "token")
		}
	}
	return &models.Principal{UserID: r.UserID, UserUUID: strings.ToLower(r.UserUUID), Email: r.Email, Name: r.Name,
		Kind: r.Kind, BankID: r.BankID, FirmID: r.FirmID, FirmName: r.FirmName, APIEnabled: r.APIEnabled}, nil
}

func (s *Store) RevokeToken(ctx context.Context, token string) error {
	if token == "" || len(token) > maxCredentialLen {
		return nil
	}
	db := s.conn(ctx)
	var row models.APIToken
	err := db.Where("token_hash = ? AND revoked_at IS NULL", HashToken(token)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return translate(err, "token")
	}
	now := s.now()
	return translate(s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Model(&models.APIToken{}).Where("id = ? AND revoked_at IS NULL", row.ID).
			Update("revoked_at", now).Error; err != nil {
			return err
		}
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &row.UserID, Action: models.AuditPartnerTokenRevoked,
			Outcome: "ok"}).Error
	}), "token")
}

// DeleteExpiredTokens removes tokens past their idle expiry or their
// absolute lifetime, or revoked more than a day ago (housekeeping; they are
// refused either way).
func (s *Store) DeleteExpiredTokens(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.conn(ctx).Where("expires_at < ? OR created_at <= ? OR revoked_at < ?",
		now, now.Add(-s.tokenLifetime), now.Add(-24*time.Hour)).
		Delete(&models.APIToken{})
	return res.RowsAffected, translate(res.Error, "tokens")
}
