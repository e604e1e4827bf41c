package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portal/models"
)

// Idempotent implements models.IdempotencyService.
//
// The key row is inserted at the start of the transaction fn runs in, and
// filled with fn's response before COMMIT: the response and whatever fn
// created commit together or not at all. A concurrent call with the same
// key blocks on the unique (user_id, idem_key) index (PostgreSQL) or on the
// write lock (SQLite, immediate transactions) until the first commits, and
// then replays it; if the first rolled back, it runs fn itself.
func (s *Store) Idempotent(ctx context.Context, key, fingerprint string,
	fn func(ctx context.Context) (models.StoredResponse, error)) (models.StoredResponse, bool, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return models.StoredResponse{}, false, models.Unauthorized("not signed in")
	}
	if err := models.ValidIdempotencyKey(key); err != nil {
		return models.StoredResponse{}, false, err
	}
	if inTransaction(ctx) {
		return models.StoredResponse{}, false, models.Internal(errors.New("nested Idempotent call"))
	}
	var (
		out      models.StoredResponse
		replayed bool
	)
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		now := s.now()
		// Two rounds at most: the second after removing an expired key.
		for range 2 {
			row := models.IdempotencyKey{UserID: p.UserID, Key: key, Fingerprint: fingerprint, ResponseBody: []byte{}, CreatedAt: now}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 1 {
				resp, err := fn(ctx) // ctx carries tx: fn's services join it
				if err != nil {
					return err
				}
				if resp.Status == 0 {
					return errors.New("idempotent function returned no status")
				}
				if resp.Body == nil {
					resp.Body = []byte{}
				}
				out = resp
				return tx.Model(&models.IdempotencyKey{}).Where("id = ?", row.ID).
					Updates(map[string]any{"status_code": resp.Status, "response_body": resp.Body}).Error
			}
			var prev models.IdempotencyKey
			err := tx.Where("user_id = ? AND idem_key = ?", p.UserID, key).Take(&prev).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue // removed meanwhile: claim it again
			}
			if err != nil {
				return err
			}
			if prev.CreatedAt.Before(now.Add(-models.IdempotencyWindow)) {
				if err := tx.Where("id = ?", prev.ID).Delete(&models.IdempotencyKey{}).Error; err != nil {
					return err
				}
				continue
			}
			if prev.Fingerprint != fingerprint {
				return models.Conflict(models.IdempotencyKeyName + " was already used for a different request.")
			}
			if prev.StatusCode == 0 {
				return errors.New("idempotency key without a stored response")
			}
			out, replayed = models.StoredResponse{Status: prev.StatusCode, Body: prev.ResponseBody}, true
			return nil
		}
		return errors.New("idempotency key kept changing")
	})
	if err != nil {
		return models.StoredResponse{}, false, translate(err, "request")
	}
	return out, replayed, nil
}

// DeleteExpiredIdempotencyKeys removes keys older than the 24-hour window
// (housekeeping; an expired key is ignored whether or not it was removed).
func (s *Store) DeleteExpiredIdempotencyKeys(ctx context.Context) (int64, error) {
	res := s.conn(ctx).Where("created_at < ?", s.now().Add(-models.IdempotencyWindow)).
		Delete(&models.IdempotencyKey{})
	return res.RowsAffected, translate(res.Error, "idempotency keys")
}
