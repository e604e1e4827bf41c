package models

import (
	"context"
	"time"
)

// Customer messages: the bank writes to a customer (staff in the browser,
// bank systems through the OBP-compatible API); the customer reads them in
// the inbox. They are rows of their own, stored against the customer, and
// every reader sees the same rows (web inbox, staff view, OBP v1.4.0 and
// v4.0.0).

// Transports a message can name (OBP's free text; the browser offers these).
var CustomerMessageTransports = []string{"SMS", "EMAIL", "POST", "IN_APP"}

// Limits (OBP's column sizes).
const (
	MaxCustomerMessage       = 1024 // characters; at least 1
	MaxCustomerMessageHeader = 64   // transport, from_department, from_person
	DefaultCustomerPageSize  = 50
	MaxCustomerPageSize      = 500
	MaxCustomerPageOffset    = 10_000 // deepest offset a page may start at
	MaxCustomerSearch        = 100    // rows FindCustomers returns at most
	MaxCustomerSearchQuery   = 200    // characters of a FindCustomers query
)

// CustomerMessage is one message from the bank to a customer.
type CustomerMessage struct {
	ID              int64
	UUID            string `gorm:"column:uuid"` // OBP "id"
	BankID          int64
	CustomerID      int64
	Message         string
	Transport       string // "" when none was given (v1.4.0)
	FromDepartment  string
	FromPerson      string
	CreatedByUserID *int64
	CreatedAt       time.Time
	ReadAt          *time.Time // when the customer first opened it
}

func (m CustomerMessage) Read() bool { return m.ReadAt != nil }

// NewCustomerMessage is the input of CreateCustomerMessage. A nil field was
// absent from the request: the service reports it after the bank and role
// checks (OBP's order of checks). Field errors name "message", "transport",
// "from_department" and "from_person".
type NewCustomerMessage struct {
	Message        *string
	Transport      *string // v1.4.0 has none: pass a pointer to ""
	FromDepartment *string
	FromPerson     *string
	// ListedTransportOnly restricts Transport to CustomerMessageTransports
	// (the browser offers that list; OBP takes free text).
	ListedTransportOnly bool
	// Undecodable is why the request's body could not be read into this
	// input (nil when it could). The service reports it where input
	// problems stand in the order of checks: after the bank and the role.
	Undecodable error
}

// Paging is limit/offset (OBP sends neither; newest first always). Out of
// range values are CodeInvalid with field "limit" or "offset", reported
// with the other input errors (after the bank and role checks).
type Paging struct {
	Limit  int // 0: DefaultCustomerPageSize; 1..MaxCustomerPageSize
	Offset int // 0..MaxCustomerPageOffset
}

// CustomerMessagePage is a page of one customer's messages, newest first
// (ties: newest insertion first).
//
// Total and Unread are counters kept on the customer row (updated in the
// same transaction as every message insert and first open), so they cost
// one row read however long the inbox is.
type CustomerMessagePage struct {
	Messages []CustomerMessage // never nil
	Total    int64             // messages of this customer
	Unread   int64             // of them, not yet opened by the customer
}

// NewCustomer is the input of CreateCustomer (OBP's required fields plus
// what the portal shows). Field errors name the OBP keys: "legal_name",
// "mobile_phone_number", "email", "customer_number", "tax_id". A
// customer_number the bank already uses is CodeConflict.
type NewCustomer struct {
	LegalName      string // legal_name
	MobilePhone    string // mobile_phone_number
	Email          string // email
	CustomerNumber string // customer_number; generated when empty
	TaxID          string
	Undecodable    error // as NewCustomerMessage.Undecodable
}

// CustomerService: staff write to and read customers' messages, customers
// read their own. Roles are checked here, at the named bank, for every
// transport. Checks run in OBP's order: bank (CodeNotFound, Entity "bank"),
// role (MissingRole), input (CodeInvalid), customer (CodeNotFound, Entity
// "customer"). bankID is the public id ("demo.bank"). Roles are read from
// the entitlements table in the same statement as the bank (a role granted a
// moment ago counts; Principal.Roles is not consulted) and only count for
// staff and admins. No principal is CodeUnauthorized.
type CustomerService interface {
	// CreateCustomerMessage needs CanCreateCustomerMessage; it stores the
	// message and an audit row in one transaction.
	CreateCustomerMessage(ctx context.Context, bankID, customerUUID string, in NewCustomerMessage) (*CustomerMessage, error)
	// CustomerMessages needs CanGetCustomerMessages; the read is audited
	// (AuditCustomerMessagesRead, subject the customer's UUID).
	CustomerMessages(ctx context.Context, bankID, customerUUID string, p Paging) (*CustomerMessagePage, error)
	// MyCustomerMessages are the messages of the customer linked to the
	// caller at bankID (none linked: an empty page). No role needed; the
	// customer reading their own messages is not audited.
	MyCustomerMessages(ctx context.Context, bankID string, p Paging) (*CustomerMessagePage, error)
	// OpenMyMessage returns one of the caller's own messages and marks it
	// read (the first time, audited as AuditCustomerMessageOpened). Another
	// customer's message is CodeNotFound (Entity "message"), exactly like a
	// message that does not exist.
	OpenMyMessage(ctx context.Context, messageUUID string) (*CustomerMessage, error)
	// MyUnreadCount is the caller's unread count for the page header.
	MyUnreadCount(ctx context.Context) (int64, error)

	// FindCustomers searches the caller's bank by name, e-mail, tax id or
	// customer number (needs CanGetCustomerMessages or
	// CanCreateCustomerMessage); at most limit rows (0: 20, max 100).
	// Exact matches of number, e-mail (any case) or tax id win; when there
	// are none, customers whose name contains the query (any case, accents
	// ignored), by name. An empty query lists the bank's customers by
	// number. Field errors: "query" (not one line, or longer than
	// MaxCustomerSearchQuery), "limit".
	FindCustomers(ctx context.Context, query string, limit int) ([]Customer, error)
	// GetCustomer is one customer of the caller's bank for staff with
	// either customer-message role.
	GetCustomer(ctx context.Context, customerUUID string) (*Customer, error)
	// CreateCustomer needs CanCreateCustomer at bankID.
	CreateCustomer(ctx context.Context, bankID string, in NewCustomer) (*Customer, error)
	// MyCustomers are the customers linked to the caller (OBP
	// users/current/customers), at most one per bank. Customer.BankID is
	// the internal id: Banks() maps it to the public one.
	MyCustomers(ctx context.Context) ([]Customer, error)
}

// UserInfo is a user as OBP's "current user" shows them.
type UserInfo struct {
	UserUUID     string
	Email        string
	Name         string
	Kind         UserKind
	Entitlements []EntitlementInfo
}

// EntitlementInfo is one role at one bank.
type EntitlementInfo struct {
	UUID   string
	Role   string
	BankID string // public bank id
}

// NewEntitlement is the input of AddEntitlement: role at bank (public id).
// Field errors name "role_name" and "bank_id".
type NewEntitlement struct {
	BankID      string
	Role        string
	Undecodable error // as NewCustomerMessage.Undecodable
}

// EntitlementService reads and changes roles. Granting and revoking need
// a staff member or admin holding CanCreateEntitlementAtAnyBank at any bank
// (else MissingRole, checked first); both are audited. Roles are held by
// staff and admins only.
type EntitlementService interface {
	CurrentUser(ctx context.Context) (*UserInfo, error)
	// AddEntitlement grants role at bankID to the user. An unknown role is
	// CodeInvalid (field "role_name"), an unknown bank CodeNotFound
	// ("bank"), an unknown user CodeNotFound ("user"), a role the user
	// already holds CodeConflict. Order: caller's role, input ("role_name",
	// "bank_id"), bank, user; a user who is not staff or admin is
	// CodeInvalid (field "user_id").
	AddEntitlement(ctx context.Context, userUUID string, in NewEntitlement) (*EntitlementInfo, error)
	// RemoveEntitlement revokes one role. An unknown entitlement is
	// CodeNotFound ("entitlement"); removing the last
	// CanCreateEntitlementAtAnyBank of the deployment is CodeConflict.
	RemoveEntitlement(ctx context.Context, entitlementUUID string) error
	// StaffWithEntitlements lists staff and admin users of the caller's
	// bank with their roles, by name, for the admin page (same role as
	// granting).
	StaffWithEntitlements(ctx context.Context) ([]UserInfo, error)
	// Banks lists the banks (public).
	Banks(ctx context.Context) ([]Bank, error)
}

// DirectLoginInput is OBP's DirectLogin header, parsed.
type DirectLoginInput struct {
	Username    string
	Password    string
	ConsumerKey string
	ClientIP    string
}

// OBP DirectLogin token lifetimes: each accepted request extends the idle
// window (written at most once a minute), never past the absolute limit.
const (
	OBPTokenIdleTimeout     = 60 * time.Minute
	OBPTokenAbsoluteTimeout = 12 * time.Hour
)

// OBPAuthService issues and resolves OBP DirectLogin tokens for the portal's
// own accounts (staff, admins, customers; brokers use the partner API).
type OBPAuthService interface {
	// DirectLogin checks the consumer key (a registered, enabled API
	// consumer) and the credentials, throttled like the browser login
	// (failures of both count together; CodeRateLimited); returns a new
	// random token (stored hashed, expiring). Every other failure (unknown
	// consumer, unknown user, wrong password, disabled account, broker
	// account) is the same CodeUnauthorized. Audited ok/failed.
	DirectLogin(ctx context.Context, in DirectLoginInput) (token string, err error)
	// ResolveOBPToken returns the token's user (with Roles at the user's
	// bank); unknown, expired or revoked tokens, disabled users and
	// disabled consumers are CodeUnauthorized.
	ResolveOBPToken(ctx context.Context, token string) (*Principal, error)
	// RevokeOBPToken ends a token now; unknown or already revoked tokens
	// are nothing to do (nil).
	RevokeOBPToken(ctx context.Context, token string) error
}

// Audit actions of customer messages and entitlements.
const (
	AuditCustomerMessageCreated = "customer_message.created"
	AuditCustomerMessagesRead   = "customer_messages.read"
	AuditCustomerMessageOpened  = "customer_message.opened"
	AuditCustomerCreated        = "customer.created"
	AuditEntitlementAdded       = "entitlement.added"
	AuditEntitlementRemoved     = "entitlement.removed"
	AuditDirectLoginOK          = "obp.login.ok"
	AuditDirectLoginFailed      = "obp.login.failed"
	AuditDirectLoginThrottled   = "obp.login.throttled"
)
