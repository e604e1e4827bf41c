// Package wire holds what the transports do the same way, so web/api (/v1),
// web/obp (/obp) and web/ui never need to import each other: JSON bodies,
// timestamps, bearer tokens and Idempotency-Key replays for the two APIs,
// and the body limit every transport uses. It knows nothing of any
// transport's error answers; each keeps its own.
package wire

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Encode renders v as JSON without HTML escaping (clients get the text as
// written) and without the encoder's trailing newline.
func Encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// WriteJSON answers status with v as the body (Encode). API answers are
// personal or change with every call: never cached.
func WriteJSON(c *gin.Context, status int, v any) {
	writeBody(c, status, Encode(v))
}

func writeBody(c *gin.Context, status int, body []byte) {
	c.Header("Cache-Control", "no-store")
	c.Data(status, "application/json; charset=utf-8", body)
}

// Timestamp is both APIs' date: RFC 3339 in UTC to whole seconds
// ("2024-10-16T14:19:53Z").
func Timestamp(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// LimitBody caps the request body at n bytes: reading past it fails with
// *http.MaxBytesError, which each transport answers 413.
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil { // a server request always has one; a hand-built test request may not
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// CutScheme reports whether the Authorization value v starts with scheme
// (matched case-insensitively) followed by the end of v or one of the
// bytes in seps, and returns what follows, trimmed. Transports differ in
// the separators they accept, so each passes its own.
func CutScheme(v, scheme, seps string) (rest string, ok bool) {
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false
	}
	if len(v) > len(scheme) && strings.IndexByte(seps, v[len(scheme)]) < 0 {
		return "", false
	}
	return strings.TrimSpace(v[len(scheme):]), true
}

// BearerToken is the token of "Authorization: Bearer <token>" (RFC 6750:
// the scheme, one space, the token), "" without one.
func BearerToken(c *gin.Context) string {
	token, _ := CutScheme(c.GetHeader("Authorization"), "Bearer", " ")
	return token
}
