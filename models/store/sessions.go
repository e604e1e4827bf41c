package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"portal/models"
)

// touchEvery limits last-seen writes to one a minute per session; the idle
// timeout is checked against it, so it is accurate to that minute.
const touchEvery = time.Minute

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is how tokens are stored: a leaked table holds no usable token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *Store) CreateSession(ctx context.Context, userID int64, clientIP, userAgent string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", models.Internal(err)
	}
	now := s.now()
	if len(userAgent) > 255 {
		userAgent = userAgent[:255]
	}
	row := models.Session{
		TokenHash: HashToken(token), UserID: userID, Data: "{}", ClientIP: clientIP, UserAgent: userAgent,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(models.SessionAbsoluteTimeout),
	}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return "", translate(err, "session")
	}
	return token, nil
}

func (s *Store) LoadSession(ctx context.Context, token string) (*models.Session, error) {
	return s.loadSession(ctx, token, true)
}

func (s *Store) PeekSession(ctx context.Context, token string) (*models.Session, error) {
	return s.loadSession(ctx, token, false)
}

func (s *Store) loadSession(ctx context.Context, token string, touch bool) (*models.Session, error) {
	var row models.Session
	err := s.conn(ctx).Where("token_hash = ?", HashToken(token)).Take(&row).Error
	if err != nil {
		if models.ErrorCode(translate(err, "session")) == models.CodeNotFound {
			return nil, models.Unauthorized("session expired")
		}
		return nil, translate(err, "session")
	}
	now := s.now()
	if now.After(row.ExpiresAt) || now.Sub(row.LastSeenAt) > models.SessionIdleTimeout {
		s.conn(ctx).Delete(&models.Session{}, row.ID)
		return nil, models.Unauthorized("session expired")
	}
	if touch && now.Sub(row.LastSeenAt) > touchEvery {
		row.LastSeenAt = now
		if err := s.conn(ctx).Model(&models.Session{}).Where("id = ?", row.ID).
			Update("last_seen_at", now).Error; err != nil {
			return nil, translate(err, "session")
		}
	}
	return &row, nil
}

func (s *Store) SaveSessionData(ctx context.Context, token, data string) error {
	return translate(s.conn(ctx).Model(&models.Session{}).
		Where("token_hash = ?", HashToken(token)).Update("data", data).Error, "session")
}

func (s *Store) DeleteSession(ctx context.Context, token string) error {
	return translate(s.conn(ctx).Where("token_hash = ?", HashToken(token)).
		Delete(&models.Session{}).Error, "session")
}

// DeleteExpiredSessions removes sessions past their absolute or idle expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := s.now()
	res := s.conn(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-models.SessionIdleTimeout)).
		Delete(&models.Session{})
	return res.RowsAffected, translate(res.Error, "session")
}

// AgeSession moves a session's clock back; tests use it to prove
// the idle and absolute timeouts without sleeping.
func (s *Store) AgeSession(ctx context.Context, token string, by time.Duration) error {
	return s.conn(ctx).Model(&models.Session{}).Where("token_hash = ?", HashToken(token)).
		Updates(map[string]any{
			"last_seen_at": s.now().Add(-by),
			"created_at":   s.now().Add(-by),
		}).Error
}
