package store

import (
	"context"
	"time"

	"portal/models"
)

// Internal limits and clock helpers the message and partner tests pin down.
const (
	TouchEvery = touchEvery
)

// AgeToken moves a partner token's clock back by d, as if it had last been
// used d earlier: its sliding expiry moves back with it.
func (s *Store) AgeToken(ctx context.Context, token string, d time.Duration) error {
	var row models.APIToken
	if err := s.db.WithContext(ctx).Where("token_hash = ?", HashToken(token)).Take(&row).Error; err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&models.APIToken{}).Where("id = ?", row.ID).Updates(map[string]any{
		"created_at":   row.CreatedAt.Add(-d),
		"last_used_at": row.LastUsedAt.Add(-d),
		"expires_at":   row.ExpiresAt.Add(-d),
	}).Error
}

// AgeMessages moves the creation time of a user's messages back by d (the
// posting rate limit counts recent messages).
func (s *Store) AgeMessages(ctx context.Context, userID int64, d time.Duration) error {
	var rows []models.Message
	if err := s.db.WithContext(ctx).Where("author_user_id = ?", userID).Find(&rows).Error; err != nil {
		return err
	}
	for _, m := range rows {
		if err := s.db.WithContext(ctx).Model(&models.Message{}).Where("id = ?", m.ID).
			Update("created_at", m.CreatedAt.Add(-d)).Error; err != nil {
			return err
		}
	}
	return nil
}

// AgeIdempotencyKeys moves every stored key of a user back by d.
func (s *Store) AgeIdempotencyKeys(ctx context.Context, userID int64, d time.Duration) error {
	var rows []models.IdempotencyKey
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Find(&rows).Error; err != nil {
		return err
	}
	for _, k := range rows {
		if err := s.db.WithContext(ctx).Model(&models.IdempotencyKey{}).Where("id = ?", k.ID).
			Update("created_at", k.CreatedAt.Add(-d)).Error; err != nil {
			return err
		}
	}
	return nil
}
