package store

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"portal/models"
)

// claimKeySQL claims the caller's key, or reads it when it is taken, in one
// statement (a replay is one statement, not a failed claim and a read). A
// claimed row comes back with status_code 0; a taken one with its stored
// answer, never 0: the answer is written before COMMIT, and a claim that
// rolls back leaves nothing. The no-op DO UPDATE (rather than DO NOTHING)
// is what makes RETURNING give the taken row; on PostgreSQL it waits for a
// concurrent claimer's COMMIT and returns the row as committed (not as the
// statement's snapshot saw it). Arguments: user, key, fingerprint, empty
// body, time.
const claimKeySQL = `INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, status_code, response_body, created_at)
	VALUES (?, ?, ?, 0, ?, ?)
	ON CONFLICT (user_id, idem_key) DO UPDATE SET idem_key = excluded.idem_key
	RETURNING id, fingerprint, status_code, response_body, created_at`

// Idempotent implements models.IdempotencyService.
//
// The key row is inserted at the start of the transaction fn runs in, and
// filled with fn's response before COMMIT: the response and whatever fn
// created commit together or not at all. A concurrent call with the same
// key blocks on the unique (user_id, idem_key) index (PostgreSQL) or on the
// write lock (SQLite, immediate transactions) until the first commits, and
// then replays it; if the first rolled back, it runs fn itself. A replay
// rewrites its key row unchanged (the claim's no-op update): a retry is
// rare, a second statement on every one is not needed.
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
			var prev models.IdempotencyKey
			rows, err := tx.Raw(claimKeySQL, p.UserID, key, fingerprint, []byte{}, now).Rows()
			if err != nil {
				return err
			}
			found := rows.Next()
			if found {
				err = rows.Scan(&prev.ID, &prev.Fingerprint, &prev.StatusCode, &prev.ResponseBody, &prev.CreatedAt)
			} else {
				err = rows.Err()
			}
			rows.Close()
			if err != nil {
				return err
			}
			if !found {
				return errors.New("idempotency key claim returned no row")
			}
			if prev.StatusCode == 0 { // the row is ours: run fn once
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
				return tx.Model(&models.IdempotencyKey{}).Where("id = ?", prev.ID).
					Updates(map[string]any{"status_code": resp.Status, "response_body": resp.Body}).Error
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
