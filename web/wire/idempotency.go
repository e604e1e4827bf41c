package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
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
	return createWith(c, idem, func() string { return fingerprint(c, raw) }, create)
}

// BodyHash hashes a request body as the handler reads it, for CreateHashed:
// its sum is the fingerprint Create would compute from the same body held
// whole, so a handler that streams a large body (a document's content)
// never needs to keep it.
type BodyHash struct{ h hash.Hash }

// HashBody makes the reads of c's body from here on go through a BodyHash.
// Call it after the body's limit (Limit), before reading.
func HashBody(c *gin.Context) *BodyHash {
	b := &BodyHash{h: sha256.New()}
	b.h.Write([]byte(c.Request.Method + " " + strings.ToLower(c.Request.URL.Path) + "\n"))
	if c.Request.Body != nil {
		c.Request.Body = hashedBody{ReadCloser: c.Request.Body, h: b.h}
	}
	return b
}

type hashedBody struct {
	io.ReadCloser
	h hash.Hash
}

func (b hashedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.h.Write(p[:n])
	return n, err
}

// CreateHashed is Create for a body read through body (HashBody) to its
// end: the request is identified by what was read.
func CreateHashed(c *gin.Context, idem models.IdempotencyService, body *BodyHash,
	create func(ctx context.Context) (models.StoredResponse, error)) error {
	return createWith(c, idem, func() string { return hex.EncodeToString(body.h.Sum(nil)) }, create)
}

func createWith(c *gin.Context, idem models.IdempotencyService, fp func() string,
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
	resp, replayed, err := idem.Idempotent(c.Request.Context(), key, fp(), create)
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
