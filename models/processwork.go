package models

import (
	"context"
	"time"
)

// The broker's and the bank's work on a process: create and edit it while
// "In creation", its borrowers and property, submit, cancel, and the bank's
// workflow decisions. Every method is scoped like ProcessService (a broker
// their firm's processes, staff their bank's; a foreign process or child
// answers exactly like a missing one), writes its timeline row in the
// transaction of the change and moves the process's last action date.
//
// Inputs replace what they describe (PUT semantics): a nil pointer or an
// empty string clears the field. Field errors name the partner API's input
// fields ("loanAmount", "taxId", "parishId"...): every transport words them
// from the key, the API gives each its code.

// ProcessInput is a process's loan data (Process Create / Update).
type ProcessInput struct {
	// SimulationUUID, on create only: open the process from a saved
	// simulation (its loan data wins over the fields below).
	SimulationUUID     string
	LoanAmountCents    int64 // required: 1 € .. MaxLoanAmountCents
	LoanDurationMonths int   // required: MinLoanDurationMonths .. MaxLoanDurationMonths
	ProductSchemeID    *int  // product-schemes
	LoanPurposeID      *int  // loan-purposes
	ProductPurposeID   *int  // product-purposes
	HasCrossSelling    bool
	BranchID           *int // the bank branch; positive
}

// Loan data limits.
const (
	MaxLoanAmountCents    = 100_000_000_00 // 100 M€
	MinLoanDurationMonths = 12
	MaxLoanDurationMonths = 480 // 40 years (Banco de Portugal's maximum)
)

// BorrowerInput is one borrower's data (Borrower Create / Update).
type BorrowerInput struct {
	// BorrowerTypeID is BorrowerTypeKey or BorrowerTypeOther; 0 on create
	// means key when the process has no key borrower yet, else other. A
	// process has exactly one key borrower.
	BorrowerTypeID        int
	KeyBorrowerRelationID *int // key-borrower-relations; required for other borrowers

	Name                string // required, 1..200
	BirthDate           string // YYYY-MM-DD, an adult
	TaxID               string // Portuguese NIF, check digit validated (ValidNIF)
	IDDocumentTypeID    *int   // identification-documents
	IDDocumentNumber    string
	IDDocumentExpiry    string // YYYY-MM-DD
	NationalityID       *int   // countries
	GenderID            *int   // genders
	MaritalStatusID     *int   // marital-statuses
	MatrimonialRegimeID *int   // matrimonial-regimes (married borrowers)
	ResidenceTypeID     *int   // residence-types
	Mobile              string
	Email               string
	Address             string
	ZipCode             string // NNNN-NNN
	ZipCodeLocal        string

	ProfessionID             *int // professions
	EmploymentSituationID    *int // employment-situations
	EmploymentContractTypeID *int // employment-contract-types
	EmployerName             string
	EmployedSince            string // YYYY-MM-DD

	// Monthly incomes and instalments, in cents, each >= 0.
	IncomeWagesPensionsCents      int64
	IncomeGreenReceiptsCents      int64
	IncomeRentsCents              int64
	IncomeOthersCents             int64
	InstallmentHousingCents       int64
	InstallmentPersonalCents      int64
	InstallmentAutoLeasingCents   int64
	InstallmentCreditCardCents    int64
	InstallmentBankOverdraftCents int64
	InstallmentOtherCents         int64
	HasSocialSecurityDebt         bool
}

// PropertyInput is the process's property (Property Update). The district,
// county and parish must form a chain of the taxonomy's cascade.
type PropertyInput struct {
	PropertyTypologyID     *int // property-typologies
	GrossBuiltArea         *int // m², positive
	YearBuilt              *int // 1800 .. next year
	AcquisitionAmountCents *int64
	AcquisitionDate        string // YYYY-MM-DD
	Address                string
	DoorNumber             string
	Floor                  string
	DistrictID             *int
	CountyID               *int
	ParishID               *int
	ZipCode                string // NNNN-NNN
	ZipCodeLocal           string
}

// CancelInput cancels a process.
type CancelInput struct {
	ReasonID int    // proposal-cancel-reasons, required
	Comment  string // optional, shown in the timeline
}

// ProcessTransition is a bank decision on a process.
type ProcessTransition struct {
	// FromStatusID is the status the deciding user saw; when the process has
	// moved since (someone else decided first) the move is CodeConflict.
	// 0 skips that check (the service still moves atomically).
	FromStatusID int
	ToStatusID   int
	// ReasonID: proposal-reject-reasons when rejecting, proposal-cancel-
	// reasons when cancelling; required there, refused elsewhere.
	ReasonID int
	Comment  string // up to MaxTransitionComment, shown to the broker
}

// MaxTransitionComment bounds a decision's or cancellation's comment.
const MaxTransitionComment = 2000

// MaxTimelineMessages bounds the messages a timeline lists (the newest),
// so a long thread does not make every process page longer.
const MaxTimelineMessages = 100

// Timeline entry kinds.
const (
	TimelineStatus  = "status"  // a status change (FromStatusID → ToStatusID, ReasonID, Comment)
	TimelineEdit    = "edit"    // a change of the process or a child (What, Subject)
	TimelineMessage = "message" // a message in the thread (Subject, AuthorKind)
)

// What an edit changed (TimelineEntry.What).
const (
	EditProcessCreated  = "process.created"
	EditProcessUpdated  = "process.updated"
	EditBorrowerAdded   = "borrower.added"
	EditBorrowerUpdated = "borrower.updated"
	EditBorrowerRemoved = "borrower.removed"
	EditPropertyUpdated = "property.updated"
)

// TimelineEntry is one line of a process's timeline: who did what when.
type TimelineEntry struct {
	Kind       string
	At         time.Time
	ActorName  string
	ActorKind  AuthorKind // bank or broker
	What       string     // edits: EditProcessCreated...
	Subject    string     // edits: the borrower's name; messages: the subject
	FromStatus int        // status changes (0 at creation)
	ToStatus   int
	ReasonID   int // status changes to rejected or cancelled
	Comment    string
}

// SubmitCheck is what a process still lacks before it may be submitted:
// empty when it is complete. Each missing field is a FieldError whose
// Field names it as the API does, prefixed by its entity for children
// ("keyBorrower.taxId", "property.parishId", "borrower[2].keyBorrowerRelationId";
// the whole key borrower missing is "keyBorrower"). In "borrower[n]", n is
// the borrower's position in ListBorrowers' order counting from 1: the key
// borrower is 1, so the first other borrower is borrower[2] (borrower[1]
// when there is no key borrower yet). Keys: field.required (Args Field),
// field.expired (an identification document past its expiry date),
// submit.key_borrower, submit.contact (neither mobile nor e-mail: on
// "keyBorrower.mobile"), field.income_required (no monthly income: on
// "keyBorrower.incomeWagesPensions"). The checks are CheckSubmitRules'.
type SubmitCheck []FieldError

// ProcessWorkService changes processes. Brokers create, edit (only "In
// creation", else CodeConflict), submit and cancel their firm's; staff
// move their bank's through the workflow (NextStatuses) and may cancel.
//
// Creating, editing and submitting are for brokers: anyone else is
// CodeForbidden (anonymous CodeUnauthorized) before any lookup. The reads
// (ListBorrowers, GetBorrower, ListProperties, CheckSubmit, Timeline) are
// for whoever may see the process. A call is refused, in this order, for
// the caller's kind, a process or child missing or not the caller's
// (CodeNotFound, Entity "process", "borrower" or "property"), the process's
// status (CodeConflict with Error.Key process.not_in_creation,
// process.moved, process.move_not_allowed or borrower.key_undeletable, so
// pages word it), then the input (CodeInvalid, the inputs' Validate:
// processrules.go). A second key borrower, or a borrower changing between
// key and other on update, is invalid field borrowerTypeId
// (borrower.one_key, borrower.type_change).
type ProcessWorkService interface {
	// CreateProcess opens a process "In creation" for the caller's firm
	// (brokers only), with an empty property; it runs in ctx's transaction
	// when there is one (Idempotency-Key).
	CreateProcess(ctx context.Context, in ProcessInput) (*Process, error)
	UpdateProcess(ctx context.Context, processUUID string, in ProcessInput) (*Process, error)
	// SubmitProcess moves "In creation" to "Submitted"; an incomplete
	// process is CodeInvalid with one field error per missing field
	// (SubmitCheck's).
	SubmitProcess(ctx context.Context, processUUID string) (*Process, error)
	// CheckSubmit is what SubmitProcess would refuse, without submitting.
	CheckSubmit(ctx context.Context, processUUID string) (SubmitCheck, error)
	// CancelProcess: brokers from "In creation" to "Pending documents",
	// staff from any status that is not final.
	CancelProcess(ctx context.Context, processUUID string, in CancelInput) (*Process, error)
	// MoveProcess is a staff decision (brokers: CodeForbidden); a move
	// NextStatuses does not allow is CodeConflict.
	MoveProcess(ctx context.Context, processUUID string, in ProcessTransition) (*Process, error)

	ListBorrowers(ctx context.Context, processUUID string) ([]Borrower, error) // key borrower first
	CreateBorrower(ctx context.Context, processUUID string, in BorrowerInput) (*Borrower, error)
	GetBorrower(ctx context.Context, processUUID, borrowerUUID string) (*Borrower, error)
	UpdateBorrower(ctx context.Context, processUUID, borrowerUUID string, in BorrowerInput) (*Borrower, error)
	// DeleteBorrower refuses the key borrower (CodeConflict).
	DeleteBorrower(ctx context.Context, processUUID, borrowerUUID string) error

	ListProperties(ctx context.Context, processUUID string) ([]Property, error)
	UpdateProperty(ctx context.Context, processUUID, propertyUUID string, in PropertyInput) (*Property, error)

	// Timeline is the process's status changes, edits and messages (the
	// newest MaxTimelineMessages of them: the thread itself pages through
	// the rest), oldest first.
	Timeline(ctx context.Context, processUUID string) ([]TimelineEntry, error)
}
