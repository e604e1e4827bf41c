package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// OBP DirectLogin (models.OBPAuthService): a registered consumer key plus a
// portal account's e-mail and password give a random token, stored hashed,
// that expires after models.OBPTokenIdleTimeout without use and in any case
// models.OBPTokenAbsoluteTimeout after it was issued. The credential check
// and its throttle are the browser login's (checkCredentials).

// apiConsumer is an application registered to call the OBP API.
type apiConsumer struct {
	ID          int64
	ConsumerKey string
	Name        string
	Enabled     bool
	CreatedAt   time.Time
}

func (apiConsumer) TableName() string { return "api_consumers" }

// obpToken is a DirectLogin session; only the token's hash is stored.
type obpToken struct {
	ID         int64
	TokenHash  string
	UserID     int64
	ConsumerID int64
	ClientIP   string `gorm:"column:client_ip"`
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time // sliding: min(last use + idle timeout, created + absolute timeout)
	RevokedAt  *time.Time
}

func (obpToken) TableName() string { return "obp_tokens" }

// obpExpiry is when a token used at now expires.
func obpExpiry(created, now time.Time) time.Time {
	idle, abs := now.Add(models.OBPTokenIdleTimeout), created.Add(models.OBPTokenAbsoluteTimeout)
	if idle.Before(abs) {
		return idle
	}
	return abs
}

// EnsureConsumer registers an OBP API consumer key (enabled) when it is not
// registered yet; operators and the demo data use it.
func (s *Store) EnsureConsumer(ctx context.Context, consumerKey, name string) error {
	consumerKey = strings.TrimSpace(consumerKey)
	if consumerKey == "" || len(consumerKey) > 200 {
		return models.Invalid("consumer_key", "consumer.key", nil)
	}
	c := apiConsumer{ConsumerKey: consumerKey, Name: name, Enabled: true, CreatedAt: s.now()}
	return translate(s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&c).Error, "consumer")
}

// SetConsumerEnabled switches a consumer on or off; a disabled consumer's
// tokens stop working at once.
func (s *Store) SetConsumerEnabled(ctx context.Context, consumerKey string, enabled bool) error {
	res := s.conn(ctx).Model(&apiConsumer{}).Where("consumer_key = ?", consumerKey).Update("enabled", enabled)
	if res.Error == nil && res.RowsAffected == 0 {
		return models.NotFound("consumer")
	}
	return translate(res.Error, "consumer")
}

func (s *Store) DirectLogin(ctx context.Context, in models.DirectLoginInput) (string, error) {
	db := s.conn(ctx)
	var consumer apiConsumer
	consumerOK := false
	if key := strings.TrimSpace(in.ConsumerKey); key != "" && len(key) <= 200 {
		err := db.Where("consumer_key = ?", key).Take(&consumer).Error
		switch {
		case err == nil:
			consumerOK = consumer.Enabled
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return "", translate(err, "consumer")
		}
	}
	// The password is checked (and costs its hash) whatever the consumer,
	// so a bad consumer key and a bad password look and take the same.
	u, attempt, err := s.checkCredentials(ctx, credentialCheck{Email: in.Username, Password: in.Password, ClientIP: in.ClientIP,
		FailedAction: models.AuditDirectLoginFailed, ThrottledAction: models.AuditDirectLoginThrottled,
		Refuse: func(u *userWithFirm) string {
			switch {
			case !consumerOK:
				return "consumer key"
			case u.Kind == models.KindBroker:
				return "broker account" // brokers use the partner API
			}
			return s.directLoginSecondFactor(ctx, u.ID, u.Kind) // totp.go
		}})
	if err != nil {
		return "", err
	}
	token, err := newToken()
	if err != nil {
		return "", models.Internal(err)
	}
	now := s.now()
	row := obpToken{TokenHash: HashToken(token), UserID: u.ID, ConsumerID: consumer.ID, ClientIP: clip(in.ClientIP, 100),
		CreatedAt: now, LastUsedAt: now, ExpiresAt: obpExpiry(now, now)}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		// The attempt's audit row (subject: the e-mail as given, normalised,
		// which is the account's) becomes the ok row with the token.
		return s.attemptSucceeded(tx, attempt, models.AuditDirectLoginOK, u.ID, "consumer "+clip(consumer.Name, 100))
	})
	if err != nil {
		return "", translate(err, "token")
	}
	return token, nil
}

// obpTokenRow is a token with what decides whether it still works.
type obpTokenRow struct {
	TokenID         int64
	UserID          int64
	CreatedAt       time.Time
	LastUsedAt      time.Time
	ExpiresAt       time.Time
	RevokedAt       *time.Time
	ConsumerEnabled bool
}

func (s *Store) ResolveOBPToken(ctx context.Context, token string) (*models.Principal, error) {
	if token == "" || len(token) > maxCredentialLen {
		return nil, errTokenInvalid
	}
	db := s.conn(ctx)
	var rows []obpTokenRow
	if err := db.Table("obp_tokens t").
		Select(`t.id AS token_id, t.user_id, t.created_at, t.last_used_at, t.expires_at, t.revoked_at,
			c.enabled AS consumer_enabled`).
		Joins("JOIN api_consumers c ON c.id = t.consumer_id").
		Where("t.token_hash = ?", HashToken(token)).Limit(1).Scan(&rows).Error; err != nil {
		return nil, translate(err, "token")
	}
	if len(rows) == 0 {
		return nil, errTokenInvalid
	}
	r := rows[0]
	now := s.now()
	if r.RevokedAt != nil || !now.Before(r.ExpiresAt) || !now.Before(r.CreatedAt.Add(models.OBPTokenAbsoluteTimeout)) ||
		!r.ConsumerEnabled {
		return nil, errTokenInvalid
	}
	p, err := s.Principal(ctx, r.UserID) // a disabled user is refused here
	if err != nil {
		if models.ErrorCode(err) == models.CodeUnauthorized {
			return nil, errTokenInvalid
		}
		return nil, err
	}
	if p.Kind == models.KindBroker {
		return nil, errTokenInvalid
	}
	if now.Sub(r.LastUsedAt) > touchEvery {
		if err := db.Model(&obpToken{}).Where("id = ? AND revoked_at IS NULL", r.TokenID).
			Updates(map[string]any{"last_used_at": now, "expires_at": obpExpiry(r.CreatedAt, now)}).Error; err != nil {
			return nil, translate(err, "token")
		}
	}
	p.UserUUID = strings.ToLower(p.UserUUID)
	return p, nil
}

// RevokeOBPToken ends a DirectLogin token now (unknown or revoked tokens:
// nothing to do).
func (s *Store) RevokeOBPToken(ctx context.Context, token string) error {
	if token == "" || len(token) > maxCredentialLen {
		return nil
	}
	return translate(s.conn(ctx).Model(&obpToken{}).
		Where("token_hash = ? AND revoked_at IS NULL", HashToken(token)).Update("revoked_at", s.now()).Error, "token")
}

// DeleteExpiredOBPTokens removes tokens past their expiry or revoked more
// than a day ago (housekeeping; they are refused either way).
func (s *Store) DeleteExpiredOBPTokens(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.conn(ctx).Where("expires_at < ? OR revoked_at < ?", now, now.Add(-24*time.Hour)).
		Delete(&obpToken{})
	return res.RowsAffected, translate(res.Error, "tokens")
}
