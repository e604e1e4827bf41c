package models

import (
	"context"
	"time"
)

// Partner API sessions: a partner's client credentials plus a broker firm
// and one of its users give an opaque bearer token that acts as that user.

// PartnerTokenIdleTimeout is the sliding expiry of a partner session token:
// each accepted request extends it (accurate to a minute, see ResolveToken).
const PartnerTokenIdleTimeout = 30 * time.Minute

// PartnerLogin is the input of AuthenticatePartner, straight from the
// request headers.
type PartnerLogin struct {
	ClientID     string
	ClientSecret string
	BrokerUID    string // the broker firm's unique id, e.g. BRK-LIS-001
	Username     string // the user's e-mail
	ClientIP     string // for throttling and audit
}

// APIToken is a partner session. Only a hash of the token is stored.
type APIToken struct {
	ID         int64
	TokenHash  string
	UserID     int64
	PartnerID  int64
	ClientIP   string `gorm:"column:client_ip"`
	CreatedAt  time.Time
	LastUsedAt time.Time
	ExpiresAt  time.Time // sliding: last use + PartnerTokenIdleTimeout
	RevokedAt  *time.Time
}

// PartnerAuthService signs partner systems in and resolves their tokens.
type PartnerAuthService interface {
	// AuthenticatePartner checks, in order, the client id and secret, that
	// the broker firm belongs to that partner and has API access, and that
	// the user belongs to that firm, is a broker with API access and is not
	// disabled. Any failure is the same CodeUnauthorized error (the
	// caller never learns which check failed). Failures are throttled per
	// client id and per client address (CodeRateLimited) before any hashing.
	// Success and failure are audited; success returns a new random token
	// and the unique id of the partner it was issued to (the
	// {partnerUniqueId} of the callback operations).
	AuthenticatePartner(ctx context.Context, in PartnerLogin) (token, partnerUUID string, err error)

	// ResolveToken returns the broker user a token acts as and extends its
	// idle expiry (written at most once a minute). Unknown, expired or
	// revoked tokens, and users or firms that lost API access since, are
	// CodeUnauthorized.
	ResolveToken(ctx context.Context, token string) (*Principal, error)

	// RevokeToken ends a token now. Revoking an unknown or already revoked
	// token is not an error.
	RevokeToken(ctx context.Context, token string) error
}

// Audit actions of partner authentication.
const (
	AuditPartnerAuthOK        = "partner.auth.ok"
	AuditPartnerAuthFailed    = "partner.auth.failed"
	AuditPartnerAuthThrottled = "partner.auth.throttled"
	AuditPartnerTokenRevoked  = "partner.token.revoked"
)

// Idempotency of creating requests (design §4, partner API
// "Idempotency-Key"): the same key from the same user within 24 hours
// returns the first result and creates nothing.

const (
	IdempotencyWindow  = 24 * time.Hour
	MaxIdempotencyKey  = 255 // characters, printable ASCII
	IdempotencyKeyName = "Idempotency-Key"
)

// StoredResponse is what a transport answered to the first request with a
// key, replayed byte for byte to retries.
type StoredResponse struct {
	Status int
	Body   []byte
}

// IdempotencyKey is one remembered request.
type IdempotencyKey struct {
	ID           int64
	UserID       int64
	Key          string `gorm:"column:idem_key"`
	Fingerprint  string
	StatusCode   int
	ResponseBody []byte
	CreatedAt    time.Time
}

// IdempotencyService runs a creating request at most once per key.
type IdempotencyService interface {
	// Idempotent runs fn once for the current user's key. fingerprint
	// identifies the request (e.g. a hash of method, path and body).
	//
	// fn runs inside the same database transaction that records the key,
	// through the ctx it is given: it must call the services with that ctx
	// (MessageService.PostMessage does the right thing) and do nothing
	// else that writes. When fn returns an error, everything is rolled
	// back, nothing is remembered, and the error is returned: a retry runs
	// again (so validation errors and rate limits are answered afresh).
	// When fn succeeds, its response is stored with the key.
	//
	// A later call with the same key within IdempotencyWindow returns the
	// stored response with replayed = true without calling fn; concurrent
	// calls wait for the first to finish and then replay it. The same key
	// with a different fingerprint is CodeConflict. A malformed key is
	// CodeInvalid (field IdempotencyKeyName); no principal is
	// CodeUnauthorized.
	Idempotent(ctx context.Context, key, fingerprint string,
		fn func(ctx context.Context) (StoredResponse, error)) (resp StoredResponse, replayed bool, err error)
}
