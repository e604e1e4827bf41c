// Package wire holds what the transports do the same way, so web/api (/v1),
// web/obp (/obp) and web/ui never need to import each other: JSON bodies,
// timestamps, bearer tokens and Idempotency-Key replays for the two APIs,
// and the body limit every transport uses. It knows nothing of any
// transport's error answers; each keeps its own.
package wire

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/models"
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
// *http.MaxBytesError, which each transport answers 413. A body whose
// Content-Length already says it is larger fails at the first read,
// before a byte is read from the client, so the 413 goes out at once. The
// answer to a body over the limit closes the connection (the rest of the
// body is never read).
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		Limit(c, n)
		c.Next()
	}
}

// Limit is LimitBody for code that is not a middleware of its own: it caps
// the request body at n bytes from here on. A later Limit replaces an
// earlier one (a route that takes larger bodies than the server's default,
// a document upload, sets its own), as long as nothing was read yet.
func Limit(c *gin.Context, n int64) {
	if c.Request.Body == nil { // a server request always has one; a hand-built test request may not
		return
	}
	if lb, ok := c.Request.Body.(*limitedBody); ok && !lb.read {
		c.Request.Body = lb.orig
		if lb.closes {
			c.Writer.Header().Del("Connection")
		}
	}
	if c.Request.ContentLength > n {
		// Whatever answers (a 413, or a 401 from a handler that never reads
		// the body), the connection closes: otherwise net/http would first
		// wait for up to 256 KiB of a body nobody will read.
		c.Header("Connection", "close")
		c.Request.Body = &limitedBody{c: c, r: tooLarge{limit: n}, orig: c.Request.Body, closes: true}
		return
	}
	c.Request.Body = &limitedBody{c: c, r: http.MaxBytesReader(c.Writer, c.Request.Body, n), orig: c.Request.Body}
}

// tooLarge is a body refused by its Content-Length: every read fails.
type tooLarge struct{ limit int64 }

func (t tooLarge) Read([]byte) (int, error) { return 0, &http.MaxBytesError{Limit: t.limit} }

// limitedBody reads r; on *http.MaxBytesError it marks the answer
// "Connection: close" so the server does not wait for the rest of the
// body to reuse the connection (gin's writer hides net/http's own signal).
type limitedBody struct {
	c      *gin.Context
	r      io.Reader
	orig   io.ReadCloser
	read   bool // a Read was called
	closes bool // Limit marked the answer "Connection: close"
}

func (b *limitedBody) Read(p []byte) (int, error) {
	b.read = true
	n, err := b.r.Read(p)
	var tooBig *http.MaxBytesError
	if err != nil && errors.As(err, &tooBig) && !b.c.Writer.Written() {
		b.c.Header("Connection", "close")
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.orig.Close() }

// BodyError is the answer-ready form of a failure to read the request
// body: *http.MaxBytesError as it is (413); a body cut short (the client
// sent less than its Content-Length and closed, a broken chunked
// encoding, a read timeout) is invalid input (400): the client's fault,
// not the portal's. nil stays nil.
func BodyError(err error) error {
	var tooBig *http.MaxBytesError
	if err == nil || errors.As(err, &tooBig) {
		return err
	}
	return &models.Error{Code: models.CodeInvalid, Message: "The request body could not be read: it ended before its declared length.",
		Err: fmt.Errorf("%w: %w", ErrBodyCutShort, err)}
}

// ErrBodyCutShort is in every error of BodyError for a body that could
// not be read (errors.Is), so a transport can word its own answer.
var ErrBodyCutShort = errors.New("request body cut short")

// ClientGone reports whether the client went away while the request was
// handled (the request's context is cancelled, or err is
// context.Canceled): its failure is not the portal's, is logged at info
// and recorded as 499, and nobody reads an answer. A body cut short or too
// large is not "gone" (net/http cancels the context when the client stops
// sending): it is answered 400 or 413, which a half-closed client still
// reads.
func ClientGone(c *gin.Context, err error) bool {
	var tooBig *http.MaxBytesError
	if errors.Is(err, ErrBodyCutShort) || errors.As(err, &tooBig) {
		return false
	}
	return errors.Is(c.Request.Context().Err(), context.Canceled) || errors.Is(err, context.Canceled)
}

// StatusClientClosed is the status recorded for a client that went away.
const StatusClientClosed = 499

// AbortGone ends the request of a client that went away: no body, status
// 499 for the access log and the metrics.
func AbortGone(c *gin.Context) {
	c.AbortWithStatus(StatusClientClosed)
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
