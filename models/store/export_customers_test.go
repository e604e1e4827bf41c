package store

import (
	"context"
	"time"
)

// AgeOBPToken moves a DirectLogin token's clock back by d, as if it had
// been issued and last used d earlier: its expiry moves back with it.
func (s *Store) AgeOBPToken(ctx context.Context, token string, d time.Duration) error {
	var row obpToken
	if err := s.db.WithContext(ctx).Where("token_hash = ?", HashToken(token)).Take(&row).Error; err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&obpToken{}).Where("id = ?", row.ID).Updates(map[string]any{
		"created_at":   row.CreatedAt.Add(-d),
		"last_used_at": row.LastUsedAt.Add(-d),
		"expires_at":   row.ExpiresAt.Add(-d),
	}).Error
}

// OBPTokenTimes are a DirectLogin token's created, last used and expiry times.
func (s *Store) OBPTokenTimes(ctx context.Context, token string) (created, lastUsed, expires time.Time, err error) {
	var row obpToken
	err = s.db.WithContext(ctx).Where("token_hash = ?", HashToken(token)).Take(&row).Error
	return row.CreatedAt, row.LastUsedAt, row.ExpiresAt, err
}

// FoldName is the search key of a customer name.
func FoldName(s string) string { return foldName(s) }
