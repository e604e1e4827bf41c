package models

import (
	"context"
	"encoding/json"
	"time"
)

// Partner callbacks (webhooks): a partner subscribes a public HTTPS URL per
// notification type (taxonomy notification-types); every committed event of
// that type in the partner's broker firms is pushed to it, signed the
// Standard Webhooks way, at least once, in order per subscription, retried
// with backoff. Events come from the outbox (events.go), written in the
// transaction of their change; deliveries are background jobs shared by
// every instance on one database.

// Notification types (taxonomy notification-types).
const (
	NotificationProcessStatusChanged     = 1
	NotificationProcessMessageCreated    = 2
	NotificationSimulationStatusChanged  = 3
	NotificationSimulationMessageCreated = 4
	NotificationDocumentsRequested       = 5
	NotificationEsisIssued               = 6
)

// NotificationTypeOf is the notification type of an event kind (0 for
// kinds partners are not told of, such as customer messages).
func NotificationTypeOf(k EventKind) int {
	switch k {
	case EventProcessStatusChanged:
		return NotificationProcessStatusChanged
	case EventMessagePosted:
		return NotificationProcessMessageCreated
	case EventSimulationStatusChanged:
		return NotificationSimulationStatusChanged
	case EventSimulationMessagePosted:
		return NotificationSimulationMessageCreated
	case EventDocumentsRequested:
		return NotificationDocumentsRequested
	case EventEsisIssued:
		return NotificationEsisIssued
	}
	return 0
}

// Delivery policy (Standard Webhooks; our schedule).
const (
	CallbackTimeout = 10 * time.Second // a 2xx within this is a success
	// CallbackDisableAfter: a subscription failing for this long is
	// disabled (410 Gone disables at once).
	CallbackDisableAfter = 5 * 24 * time.Hour
	MaxCallbackURL       = 2000
	MaxCallbackDesc      = 200
	// MaxCallbackResponse is how much of a partner's answer is kept in the
	// delivery log.
	MaxCallbackResponse = 1024
	MaxCallbackPageSize = 100
)

// CallbackRetrySchedule is the wait before attempt n+1 after failed
// attempt n (n from 1); after the last the delivery is failed. Each wait
// gets up to ±10 % jitter.
var CallbackRetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// CallbackPayload is the body of every delivery:
// {"type":"process.status_changed","notificationTypeID":1,"timestamp":"...","data":{...}}.
// Data names the process or simulation by unique id and number and says
// what changed; never message text, personal data or documents.
type CallbackPayload struct {
	Type               string          `json:"type"`
	NotificationTypeID int             `json:"notificationTypeID"`
	Timestamp          time.Time       `json:"timestamp"`
	Data               json.RawMessage `json:"data"`
}

// CallbackInput is Callback Update's body.
type CallbackInput struct {
	URL         string // https, at most MaxCallbackURL
	Description string // optional, one line, at most MaxCallbackDesc
}

// CallbackSubscription is one partner subscription with its delivery
// health.
type CallbackSubscription struct {
	UUID               string
	PartnerUUID        string
	NotificationTypeID int
	URL                string
	Description        string
	// Secret ("whsec_" + base64) is set only in the answer that created
	// or rotated it; never readable afterwards.
	Secret         string
	Enabled        bool
	DisabledReason string // "gone" (410), "failing" (CallbackDisableAfter), "" when enabled
	DisabledAt     *time.Time
	LastSuccessAt  *time.Time
	LastFailureAt  *time.Time
	FailingSince   *time.Time // the first failure since the last success
	Pending        int64      // deliveries not yet succeeded or failed
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// CallbackEcho is Callback Echo's body: exactly one of ProcessUUID and
// SimulationUUID (of the caller's firm), RawBody fitting the type's
// payload data schema.
type CallbackEcho struct {
	NotificationTypeID int
	ProcessUUID        string
	SimulationUUID     string
	RawBody            json.RawMessage
}

// CallbackAttempt is one try of one delivery, as the delivery log shows it.
type CallbackAttempt struct {
	At         time.Time
	StatusCode int // 0 when no answer (refused, timeout)
	Duration   time.Duration
	Response   string // at most MaxCallbackResponse bytes of the answer
	Error      string // why there was no answer ("timeout", "refused: private address"...)
}

// EchoResult is what the partner's server answered to an echo.
type EchoResult struct {
	WebhookID string
	Attempt   CallbackAttempt
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// CallbackDelivery is one event for one subscription.
type CallbackDelivery struct {
	UUID               string
	WebhookID          string // the event's id: the same on every retry
	SubscriptionUUID   string
	PartnerUUID        string
	NotificationTypeID int
	EventKind          EventKind
	Status             string
	Attempts           []CallbackAttempt // oldest first (ListDeliveries: the last only)
	NextAttemptAt      *time.Time
	CreatedAt          time.Time
}

// DeliveryFilter selects the admin delivery log (newest first, keyset).
type DeliveryFilter struct {
	PartnerUUID string // "" any
	Status      string // "" any
	After       string // cursor
	Limit       int    // 1..100 (default 25)
}

// DeliveryPage is a page of the delivery log.
type DeliveryPage struct {
	Items      []CallbackDelivery
	NextCursor string
}

// PartnerOption names a partner for the admin pages.
type PartnerOption struct {
	UUID string
	Name string
}

// CallbackService keeps subscriptions and their deliveries. The partner
// operations are for a partner API token whose broker firm belongs to the
// partner (another partner's id, or an unknown one, CodeNotFound
// "partner", identical); the admin operations for admins of the bank.
type CallbackService interface {
	// PutCallback creates or replaces the subscription of typeID (an
	// unknown type CodeInvalid "notificationType"; a URL that is not
	// https, or names a private, loopback or link-local host when that can
	// be told without DNS, CodeInvalid "url"); a new one gets a new secret,
	// a replaced one keeps its secret (Secret empty in the answer) unless
	// rotate. A disabled subscription replaced is enabled again.
	PutCallback(ctx context.Context, partnerUUID string, typeID int, in CallbackInput, rotate bool) (*CallbackSubscription, error)
	// DeleteCallback removes it (none: CodeNotFound "callback"); its
	// pending deliveries are dropped.
	DeleteCallback(ctx context.Context, partnerUUID string, typeID int) error
	// ListCallbacks pages the partner's subscriptions by type.
	ListCallbacks(ctx context.Context, partnerUUID string, offset, limit int) ([]CallbackSubscription, int64, error)
	// EchoCallback delivers RawBody as a test event of its type to the
	// registered URL now (signed, one attempt, the same outbound rules)
	// and returns the partner's answer. No subscription for the type:
	// CodeNotFound "callback".
	EchoCallback(ctx context.Context, partnerUUID string, in CallbackEcho) (*EchoResult, error)

	// Admin pages.
	CallbackPartners(ctx context.Context) ([]PartnerOption, error)
	AdminSubscriptions(ctx context.Context, partnerUUID string) ([]CallbackSubscription, error)
	ListDeliveries(ctx context.Context, f DeliveryFilter) (*DeliveryPage, error)
	GetDelivery(ctx context.Context, deliveryUUID string) (*CallbackDelivery, error)
	// Redeliver queues a failed or succeeded delivery again (same webhook
	// id); Reenable enables a disabled subscription and retries its
	// pending deliveries.
	Redeliver(ctx context.Context, deliveryUUID string) error
	Reenable(ctx context.Context, subscriptionUUID string) error

	// DisabledCallbacks is what the portal tells a broker user: their
	// partner's disabled subscriptions (empty for others).
	DisabledCallbacks(ctx context.Context) ([]CallbackSubscription, error)
}

// Audit actions of callbacks.
const (
	AuditCallbackSet       = "callback.set"
	AuditCallbackDeleted   = "callback.deleted"
	AuditCallbackDisabled  = "callback.disabled"
	AuditCallbackReenabled = "callback.reenabled"
	AuditCallbackRedeliver = "callback.redeliver"
)

// CallbackSender makes one signed delivery attempt: POST body to url with
// the Standard Webhooks headers (webhook-id, webhook-timestamp = at,
// webhook-signature with secret), HTTPS only, no redirects, within
// CallbackTimeout, through a dialer that refuses private, loopback,
// link-local and metadata addresses after DNS resolution (loopback only
// when explicitly allowed, for tests and development). It never returns
// an error: a refusal or a failure is an attempt without a 2xx.
// models/webhook implements it.
type CallbackSender interface {
	Send(ctx context.Context, url, secret, webhookID string, at time.Time, body []byte) CallbackAttempt
}

// Succeeded reports whether the attempt got a 2xx.
func (a CallbackAttempt) Succeeded() bool { return a.StatusCode >= 200 && a.StatusCode < 300 }
