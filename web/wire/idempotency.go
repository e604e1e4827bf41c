package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// Response is a JSON answer to store under an Idempotency-Key: the body as
// WriteJSON would send it.
func Response(status int, v any) models.StoredResponse {
	return models.StoredResponse{Status: status, Body: Encode(v)}
}

// Create runs a creating request and writes its JSON answer. Without an
// Idempotency-Key header create runs directly. With one, idem runs create
// at most once per key and a retry gets the first answer byte for byte,
// marked "Idempotent-Replayed: true". The request is identified by method,
// path (lower-cased: the ids in it are case-insensitive UUIDs) and raw, the
// body as read, so the same key on another request is a conflict.
//
// create must do its writes through the ctx it is given (see
// models.IdempotencyService). Errors, from create or from idem (a
// malformed key, a conflict), are returned unwritten for the transport to
// answer in its own error body; nothing is remembered for them.
//
//	err := wire.Create(c, h.svc.Idempotency, raw, func(ctx context.Context) (models.StoredResponse, error) {...})
//	if err != nil { fail(c, err) }
func Create(c *gin.Context, idem models.IdempotencyService, raw []byte,
	create func(ctx context.Context) (models.StoredResponse, error)) error {
	key := c.GetHeader(models.IdempotencyKeyName)
	if key == "" {
		resp, err := create(c.Request.Context())
		if err != nil {
			return err
		}
		writeBody(c, resp.Status, resp.Body)
		return nil
	}
	resp, replayed, err := idem.Idempotent(c.Request.Context(), key, fingerprint(c, raw), create)
	if err != nil {
		return err
	}
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	writeBody(c, resp.Status, resp.Body)
	return nil
}

// fingerprint is the hex sha256 of "METHOD path\nbody".
func fingerprint(c *gin.Context, raw []byte) string {
	sum := sha256.Sum256([]byte(c.Request.Method + " " + strings.ToLower(c.Request.URL.Path) + "\n" + string(raw)))
	return hex.EncodeToString(sum[:])
}
