package models

import "time"

// The GORM entities. Tables are created by the SQL migrations in
// models/store/migrations, never by AutoMigrate; the tags only name columns.
// Every table has a bigint ID for joins and paging; rows the outside world
// names also carry a UUID, and only the UUID appears in URLs and APIs.

type Bank struct {
	ID        int64
	BankID    string // public id, e.g. "demo.bank"
	ShortName string
	FullName  string
	CreatedAt time.Time
}

// Partner is a network or integrator in the partner programme; it calls the
// partner API with a client id and secret and owns broker firms.
type Partner struct {
	ID               int64
	UUID             string `gorm:"column:uuid"`
	BankID           int64
	Name             string
	ClientID         string
	ClientSecretHash string
	CreatedAt        time.Time
}

// BrokerFirm is a credit intermediary company.
type BrokerFirm struct {
	ID         int64
	UUID       string `gorm:"column:uuid"`
	BankID     int64
	PartnerID  int64
	Name       string
	BrokerUID  string `gorm:"column:broker_uid"` // e.g. BRK-LIS-001
	TaxID      string
	APIEnabled bool `gorm:"column:api_enabled"`
	CreatedAt  time.Time
}

type UserKind string

const (
	KindBroker   UserKind = "broker"
	KindStaff    UserKind = "staff"
	KindAdmin    UserKind = "admin"
	KindCustomer UserKind = "customer"
)

var UserKinds = []UserKind{KindBroker, KindStaff, KindAdmin, KindCustomer}

func (k UserKind) Valid() bool {
	for _, v := range UserKinds {
		if k == v {
			return true
		}
	}
	return false
}

type User struct {
	ID           int64
	UUID         string `gorm:"column:uuid"`
	BankID       int64
	Email        string // stored lower-case
	Name         string
	Kind         UserKind
	PasswordHash string
	FirmID       *int64 // brokers only
	APIEnabled   bool   `gorm:"column:api_enabled"`
	Disabled     bool
	Language     string // chosen UI language ("pt-PT", "en"), "" when none
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Entitlement is a role a user holds at a bank (OBP's term).
type Entitlement struct {
	ID        int64
	UUID      string `gorm:"column:uuid"`
	UserID    int64
	BankID    int64
	Role      string
	CreatedAt time.Time
}

// Role names are OBP's.
const (
	RoleCanCreateCustomerMessage      = "CanCreateCustomerMessage"
	RoleCanGetCustomerMessages        = "CanGetCustomerMessages"
	RoleCanCreateCustomer             = "CanCreateCustomer"
	RoleCanCreateEntitlementAtAnyBank = "CanCreateEntitlementAtAnyBank"
)

var Roles = []string{RoleCanCreateCustomerMessage, RoleCanGetCustomerMessages, RoleCanCreateCustomer, RoleCanCreateEntitlementAtAnyBank}

func ValidRole(r string) bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// Customer is a borrower known to the bank; UserID links a customer login.
type Customer struct {
	ID             int64
	UUID           string `gorm:"column:uuid"` // OBP customer_id
	BankID         int64
	CustomerNumber string
	LegalName      string
	Email          string
	MobilePhone    string
	TaxID          string
	UserID         *int64
	CreatedAt      time.Time
}

// Process is one mortgage application brought by a broker firm. The key
// borrower's name and tax id are copied onto the row so the list needs no join.
type Process struct {
	ID                 int64
	UUID               string `gorm:"column:uuid"`
	BankID             int64
	BrokerID           int64 // the owning firm: every query filters on it
	ProcessNumber      int64
	SimulationUUID     *string `gorm:"column:simulation_uuid"`
	SimulationNumber   *int64
	BranchID           *int
	LoanAmountCents    int64
	LoanDurationMonths int
	ProductSchemeID    *int
	LoanPurposeID      *int
	ProductPurposeID   *int
	HasCrossSelling    bool
	StatusID           int
	KeyBorrowerName    string
	KeyBorrowerTaxID   string
	CreatedByUserID    *int64
	CreatedAt          time.Time
	LastActionAt       time.Time
	UpdatedAt          time.Time
}

// ProcessStatusChange is one entry of a process timeline.
type ProcessStatusChange struct {
	ID          int64
	ProcessID   int64
	FromStatus  *int
	ToStatus    int
	ActorUserID *int64
	ActorName   string
	ActorKind   AuthorKind // bank or broker ("" on rows older than the column)
	ReasonID    *int       // proposal-reject-reasons / proposal-cancel-reasons
	Comment     string
	CreatedAt   time.Time
}

// ProcessEvent is an edit in a process timeline (TimelineEntry.What).
type ProcessEvent struct {
	ID          int64
	ProcessID   int64
	What        string
	Subject     string
	ActorUserID *int64
	ActorName   string
	ActorKind   AuthorKind
	CreatedAt   time.Time
}

const (
	BorrowerTypeKey   = 1
	BorrowerTypeOther = 2
)

type Borrower struct {
	ID                    int64
	UUID                  string `gorm:"column:uuid"`
	ProcessID             int64
	BorrowerTypeID        int
	KeyBorrowerRelationID *int
	Name                  string
	BirthDate             string // YYYY-MM-DD, "" when unknown
	TaxID                 string
	Mobile                string
	Email                 string
	GenderID              *int
	// Identification and civil data (taxonomy references: identification-
	// documents, countries, marital-statuses, matrimonial-regimes,
	// residence-types).
	IDDocumentTypeID    *int   `gorm:"column:id_document_type_id"`
	IDDocumentNumber    string `gorm:"column:id_document_number"`
	IDDocumentExpiry    string `gorm:"column:id_document_expiry"` // YYYY-MM-DD
	NationalityID       *int
	MaritalStatusID     *int
	MatrimonialRegimeID *int
	ResidenceTypeID     *int
	Address             string
	ZipCode             string
	ZipCodeLocal        string
	// Professional data (professions, employment-situations,
	// employment-contract-types).
	ProfessionID                  *int
	EmploymentSituationID         *int
	EmploymentContractTypeID      *int
	EmployerName                  string
	EmployedSince                 string // YYYY-MM-DD
	IncomeWagesPensionsCents      int64
	IncomeGreenReceiptsCents      int64
	IncomeRentsCents              int64
	IncomeOthersCents             int64
	InstallmentHousingCents       int64 `gorm:"column:installment_housing_credit_cents"`
	InstallmentPersonalCents      int64 `gorm:"column:installment_personal_credit_cents"`
	InstallmentAutoLeasingCents   int64 `gorm:"column:installment_auto_leasing_credit_cents"`
	InstallmentCreditCardCents    int64
	InstallmentBankOverdraftCents int64
	InstallmentOtherCents         int64
	HasSocialSecurityDebt         bool
	CreatedAt                     time.Time
	UpdatedAt                     time.Time
}

func (b Borrower) IsKey() bool { return b.BorrowerTypeID == BorrowerTypeKey }

func (b Borrower) MonthlyIncomeCents() int64 {
	return b.IncomeWagesPensionsCents + b.IncomeGreenReceiptsCents + b.IncomeRentsCents + b.IncomeOthersCents
}

func (b Borrower) MonthlyInstallmentsCents() int64 {
	return b.InstallmentHousingCents + b.InstallmentPersonalCents + b.InstallmentAutoLeasingCents +
		b.InstallmentCreditCardCents + b.InstallmentBankOverdraftCents + b.InstallmentOtherCents
}

type Property struct {
	ID                     int64
	UUID                   string `gorm:"column:uuid"`
	ProcessID              int64
	PropertyTypologyID     *int
	GrossBuiltArea         *int // square metres
	YearBuilt              *int
	AcquisitionAmountCents *int64
	AcquisitionDate        string // YYYY-MM-DD
	Address                string
	DoorNumber             string
	Floor                  string
	DistrictID             *int
	CountyID               *int
	ParishID               *int
	ZipCode                string
	ZipCodeLocal           string
	CreatedAt              time.Time
	UpdatedAt              time.Time
}

// Session is a signed-in browser. Only a hash of the cookie's random token is stored.
type Session struct {
	ID         int64
	TokenHash  string
	UserID     int64
	Data       string // JSON object of string values (flash and the like)
	ClientIP   string `gorm:"column:client_ip"`
	UserAgent  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// AuditEvent rows are never deleted or rewritten, with one exception: a
// sign-in attempt's row is written as a failure before its password is
// checked and settled once the answer is known (throttled, or the ok row;
// store.beginAttempt).
type AuditEvent struct {
	ID          int64
	CreatedAt   time.Time
	ActorUserID *int64
	Action      string
	Subject     string
	ClientIP    string `gorm:"column:client_ip"`
	Outcome     string
	Detail      string
}

const (
	AuditLoginOK        = "login.ok"
	AuditLoginFailed    = "login.failed"
	AuditLoginThrottled = "login.throttled"
	AuditLogout         = "logout"
	AuditAccessDenied   = "access.denied"
	AuditUserCreated    = "user.created"
)
