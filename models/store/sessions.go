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
	row, _, err := s.ResolveSession(ctx, token, true)
	return row, err
}

func (s *Store) PeekSession(ctx context.Context, token string) (*models.Session, error) {
	row, _, err := s.ResolveSession(ctx, token, false)
	return row, err
}

// ResolveSession implements models.SessionService: the session row, its
// user, firm, bank and roles in one statement (principalColumns), and the
// last-seen write only when a minute has passed since the last one.
func (s *Store) ResolveSession(ctx context.Context, token string, touch bool) (*models.Session, *models.Principal, error) {
	hash := HashToken(token)
	db := s.conn(ctx)
	// Every signed-in request runs this: a hot prepared statement, the same
	// SQL GORM's Raw sent, without its statement builder.
	rows, done, err := s.hotQuery(ctx, `SELECT s.id, s.user_id, s.data, s.client_ip, s.user_agent, s.created_at, s.last_seen_at, s.expires_at, `+
		s.principalColumns()+` FROM sessions s JOIN users u ON u.id = s.user_id`+principalJoins+
		` WHERE s.token_hash = ?`, hash)
	if err != nil {
		return nil, nil, translate(err, "session")
	}
	row := models.Session{TokenHash: hash}
	var pr principalRow
	found := rows.Next()
	if found {
		err = rows.Scan(append([]any{&row.ID, &row.UserID, &row.Data, &row.ClientIP, &row.UserAgent, &row.CreatedAt, &row.LastSeenAt, &row.ExpiresAt},
			pr.dest()...)...)
	} else {
		err = rows.Err()
	}
	rows.Close()
	done()
	if err != nil {
		return nil, nil, translate(err, "session")
	}
	if !found {
		return nil, nil, models.Unauthorized("session expired")
	}
	now := s.now()
	if now.After(row.ExpiresAt) || now.Sub(row.LastSeenAt) > models.SessionIdleTimeout {
		db.Delete(&models.Session{}, row.ID)
		return nil, nil, models.Unauthorized("session expired")
	}
	if touch && now.Sub(row.LastSeenAt) > touchEvery {
		row.LastSeenAt = now
		if err := db.Exec("UPDATE sessions SET last_seen_at = ? WHERE id = ?", now, row.ID).Error; err != nil {
			return nil, nil, translate(err, "session")
		}
	}
	return &row, pr.principal(), nil
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
