package store

import (
	"context"
	"database/sql"
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

func (s *Store) AuthenticatePartner(ctx context.Context, in models.PartnerLogin) (token, partnerUUID string, err error) {
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
		return "", "", err
	}
	fail := func(step string, err error) (string, string, error) {
		if err != nil && models.ErrorCode(err) != models.CodeNotFound {
			return "", "", translate(err, "authentication")
		}
		// The failed step is for operators only; the caller gets one answer.
		s.attemptFailed(ctx, attempt, "failed check: "+step)
		return "", "", errPartnerAuth
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
			return "", "", lookupErr
		}
	}
	secret := in.ClientSecret
	if len(secret) > maxCredentialLen {
		secret, hash = "", "" // never matches; still costs one hash
	}
	ok, err := models.CheckPasswordOrDummyLimited(ctx, hash, secret)
	if err != nil {
		s.attemptBusy(ctx, attempt, models.AuditPartnerAuthThrottled)
		return "", "", err
	}
	if !ok {
		return fail("client", nil)
	}

	// 2. The broker firm belongs to that partner and has API access, and
	// 3. the user belongs to that firm, is a broker with API access and is
	// not disabled: both read in one statement (no user row: NULLs).
	var (
		firmUID               string
		firmAPI, found        bool
		userID                sql.NullInt64
		userKind              sql.NullString
		userAPI, userDisabled sql.NullBool
	)
	rows, err := db.Raw(`SELECT f.broker_uid, f.api_enabled, u.id, u.kind, u.api_enabled, u.disabled
		FROM broker_firms f LEFT JOIN users u ON u.firm_id = f.id AND u.email = ?
		WHERE f.broker_uid = ? AND f.partner_id = ?`,
		clip(models.NormalizeEmail(in.Username), 320), clip(strings.TrimSpace(in.BrokerUID), 200), partner.ID).Rows()
	if err != nil {
		return fail("firm", translate(err, "firm"))
	}
	if found = rows.Next(); found {
		err = rows.Scan(&firmUID, &firmAPI, &userID, &userKind, &userAPI, &userDisabled)
	} else {
		err = rows.Err()
	}
	rows.Close()
	switch {
	case err != nil:
		return fail("firm", translate(err, "firm"))
	case !found || !firmAPI:
		return fail("firm", nil)
	case !userID.Valid || models.UserKind(userKind.String) != models.KindBroker || !userAPI.Bool || userDisabled.Bool:
		return fail("user", nil)
	}
	token, err = newToken()
	if err != nil {
		return "", "", models.Internal(err)
	}
	now := s.now()
	row := models.APIToken{TokenHash: HashToken(token), UserID: userID.Int64, PartnerID: partner.ID, ClientIP: clip(in.ClientIP, 100),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: s.tokenExpiry(now, now)}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return s.attemptSucceeded(tx, attempt, models.AuditPartnerAuthOK, userID.Int64, "firm "+firmUID)
	})
	if err != nil {
		return "", "", translate(err, "token")
	}
	return token, strings.ToLower(partner.UUID), nil
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

// resolveTokenSQL reads a live-looking token with the user and firm it acts
// for, in one statement; ResolveToken judges the row. The firm must belong
// to the token's partner.
const resolveTokenSQL = `SELECT t.id, t.created_at, t.last_used_at, t.expires_at, t.revoked_at IS NOT NULL,
	u.id, u.uuid, u.email, u.name, u.kind, u.bank_id, u.firm_id, u.api_enabled, u.disabled,
	f.name, f.api_enabled
	FROM api_tokens t
	JOIN users u ON u.id = t.user_id
	JOIN broker_firms f ON f.id = u.firm_id AND f.partner_id = t.partner_id
	WHERE t.token_hash = ? AND t.created_at > ?`

// ResolveToken is on every partner API call: one statement scanned
// directly (no ORM), and the sliding expiry written at most once a minute
// (touchEvery), so the idle timeout is exact to that minute.
func (s *Store) ResolveToken(ctx context.Context, token string) (*models.Principal, error) {
	if token == "" || len(token) > maxCredentialLen {
		return nil, errTokenInvalid
	}
	db := s.conn(ctx)
	now := s.now()
	rows, err := db.Raw(resolveTokenSQL, HashToken(token), now.Add(-s.tokenLifetime)).Rows()
	if err != nil {
		return nil, translate(err, "token")
	}
	var (
		p                                        models.Principal
		id                                       int64
		created, used, expires                   time.Time
		revoked, disabled, firmAPIEnabled, found bool
		firmID                                   sql.NullInt64
	)
	if found = rows.Next(); found {
		err = rows.Scan(&id, &created, &used, &expires, &revoked,
			&p.UserID, &p.UserUUID, &p.Email, &p.Name, &p.Kind, &p.BankID, &firmID, &p.APIEnabled, &disabled,
			&p.FirmName, &firmAPIEnabled)
	} else {
		err = rows.Err()
	}
	rows.Close()
	if err != nil {
		return nil, translate(err, "token")
	}
	if !found || revoked || !now.Before(expires) || !now.Before(created.Add(s.tokenLifetime)) ||
		p.Kind != models.KindBroker || !p.APIEnabled || disabled || !firmAPIEnabled {
		return nil, errTokenInvalid
	}
	if now.Sub(used) > touchEvery {
		if err := db.Exec("UPDATE api_tokens SET last_used_at = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL",
			now, s.tokenExpiry(created, now), id).Error; err != nil {
			return nil, translate(err, "token")
		}
	}
	p.FirmID = firmID.Int64
	p.UserUUID = strings.ToLower(p.UserUUID)
	return &p, nil
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
