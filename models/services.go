package models

import (
	"context"
	"time"
)

// The service interfaces. Each operation is implemented once (models/store)
// and called by every transport. Services read the caller from the context
// (PrincipalFrom) and enforce access to every row themselves.

// AuthService signs users in.
type AuthService interface {
	// Login checks the credentials, throttling failures per account and per
	// client address before any hashing, and audits the outcome. Unknown
	// user and wrong password fail identically (CodeUnauthorized).
	Login(ctx context.Context, email, password, clientIP string) (*Principal, error)
	// Principal loads the current view of a user (firm, roles); a disabled
	// or missing user is CodeUnauthorized.
	Principal(ctx context.Context, userID int64) (*Principal, error)
	// Audit records an event (logout, access denied, ...).
	Audit(ctx context.Context, ev AuditEvent) error
}

// SessionService keeps browser sessions server-side.
type SessionService interface {
	// CreateSession stores a new session for userID and returns its random
	// token (the cookie carries it; only its hash is stored).
	CreateSession(ctx context.Context, userID int64, clientIP, userAgent string) (token string, err error)
	// LoadSession returns the live session for token, extending its idle
	// window; CodeUnauthorized when missing, idle too long or past its
	// absolute expiry.
	LoadSession(ctx context.Context, token string) (*Session, error)
	// PeekSession is LoadSession without extending the idle window: for
	// requests the page makes on its own (polls), which must not keep an
	// unattended session alive.
	PeekSession(ctx context.Context, token string) (*Session, error)
	// ResolveSession is LoadSession (touch) or PeekSession (!touch) that
	// also resolves the session's principal, in one round trip: a nil
	// principal for a live session whose user is disabled.
	ResolveSession(ctx context.Context, token string, touch bool) (*Session, *Principal, error)
	SaveSessionData(ctx context.Context, token, data string) error
	DeleteSession(ctx context.Context, token string) error
}

// Session lifetimes (design §6).
const (
	SessionIdleTimeout     = 30 * time.Minute
	SessionAbsoluteTimeout = 12 * time.Hour
)

// ProcessFilter selects and pages a firm's processes.
type ProcessFilter struct {
	Search   string // process number, borrower name or tax id
	StatusID int    // 0: any
	After    string // cursor: the page after this one
	Before   string // cursor: the page before this one
	Limit    int    // page size, 1..100 (default 20)
	// LastActionFrom and LastActionTo bound the last action date: from is
	// inclusive, to exclusive; zero means unbounded.
	LastActionFrom time.Time
	LastActionTo   time.Time
	// FirmUUID, for staff: only this broker firm's processes ("" any).
	FirmUUID string
}

// ProcessSummary is one row of a process list.
type ProcessSummary struct {
	UUID            string
	ProcessNumber   int64
	KeyBorrowerName string
	LoanAmountCents int64
	StatusID        int
	FirmName        string
	CreatedAt       time.Time
	LastActionAt    time.Time
	// The last ESIS of the simulation the process came from (a copy kept
	// on the process row): nil when none.
	EsisIssuedAt   *time.Time
	EsisValidUntil *time.Time
	EsisChanged    bool // the figures had changed since that ESIS
}

// Esis is the validity of the row's ESIS at now, as ProcessDetail.Esis.
func (p ProcessSummary) Esis(now time.Time) EsisValidity {
	return esisOfRow(p.EsisIssuedAt, p.EsisValidUntil, p.EsisChanged, now)
}

// MaxProcessCount caps the counted total of a process list with a search
// or a last-action date range; the whole list and a status's are exact.
const MaxProcessCount = 10_000

// ProcessPage is one page of a process list. Cursors are opaque and empty
// when there is no page in that direction.
type ProcessPage struct {
	Items       []ProcessSummary
	Total       int64 // matching rows for this caller's scope (at most MaxProcessCount when counted)
	TotalCapped bool  // counted, and there are more than MaxProcessCount
	NextCursor  string
	PrevCursor  string
}

// ProcessDetail is everything the process page shows.
type ProcessDetail struct {
	Process   Process
	FirmName  string
	Borrowers []Borrower // key borrower first
	Property  *Property
	History   []ProcessStatusChange // oldest first
	// Timeline is the status changes, edits and messages, oldest first
	// (ProcessPage fills it; GetProcess leaves it nil).
	Timeline []TimelineEntry
	// Documents is the document checklist (ProcessPage fills it;
	// GetProcess leaves it nil).
	Documents *DocumentChecklist
	// Esis is the validity of the last ESIS of the simulation the process
	// was converted from, or of the process's own issue (EsisNone for a
	// process opened without a simulation). Filled by GetProcess and
	// ProcessPage.
	Esis EsisValidity
}

// ProcessService reads processes within the caller's scope: brokers see
// their firm's, staff every firm's; anyone else sees none. A process outside
// the scope is reported exactly like a missing one.
type ProcessService interface {
	ListProcesses(ctx context.Context, f ProcessFilter) (*ProcessPage, error)
	GetProcess(ctx context.Context, processUUID string) (*ProcessDetail, error)
	// ProcessPage is what the process page shows: GetProcess and
	// MessageService.ThreadPage of the same process, answering as they
	// would (not found first, then a bad cursor), with the process looked
	// up once.
	ProcessPage(ctx context.Context, processUUID string, tq ThreadQuery) (*ProcessDetail, *ThreadMessages, error)
}

// NewUser is the input of UserService.CreateUser.
type NewUser struct {
	Email      string
	Name       string
	Kind       UserKind
	Password   string
	FirmUID    string // broker firm unique id, brokers only
	APIEnabled bool
	Roles      []string
}

// UserService manages accounts (operators' command line for now).
type UserService interface {
	CreateUser(ctx context.Context, in NewUser) (*User, error)
	// SetLanguage saves the signed-in user's UI language (one of
	// Languages); CodeInvalid (field "lang") for another.
	SetLanguage(ctx context.Context, lang string) error
}

// Languages are the UI languages a user may choose, the default first.
var Languages = []string{"pt-PT", "en"}

// HealthService answers readiness.
type HealthService interface {
	// Ready returns nil when the database answers and its schema is the one
	// this build knows.
	Ready(ctx context.Context) error
}

// Services bundles what the transports need.
type Services struct {
	Auth      AuthService
	Sessions  SessionService
	Processes ProcessService
	Work      ProcessWorkService // creating, editing and deciding processes (processwork.go)
	Documents DocumentService    // documents and the bank's requests for them (documents.go)

	Pricing     PricingService    // the bank's rates and price list (pricing.go)
	Simulations SimulationService // priced loan simulations (simulations.go)
	// SimulationMessages: the simulation threads (simmessages.go).
	SimulationMessages SimulationMessageService
	Esis               EsisService // the ESIS sheets (esis.go)
	// Callbacks: partner webhook subscriptions and deliveries (callbacks.go).
	Callbacks CallbackService
	Users     UserService
	Health    HealthService

	Messages    MessageService     // process threads (messages.go)
	Partners    PartnerAuthService // partner API tokens (partner.go)
	Idempotency IdempotencyService // Idempotency-Key of creating requests (partner.go)
	Taxonomy    TaxonomyService    // reference lists (taxonomy.go)

	Customers    CustomerService    // customer messages and inbox (customers.go)
	Entitlements EntitlementService // roles at banks (customers.go)
	OBPAuth      OBPAuthService     // DirectLogin tokens (customers.go)

	TOTP    TOTPService    // the second factor (totp.go)
	Account AccountService // password change and reset, sign-in history (account.go)
}
