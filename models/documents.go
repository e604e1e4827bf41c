package models

import (
	"context"
	"io"
	"time"
)

// Documents of a process and the bank's requests for them: a request, the
// broker's upload and the bank's review form one visible loop. Every method
// is scoped like ProcessService (a foreign process, document or request
// answers exactly like a missing one) and writes its timeline and audit rows
// in the transaction of the change.

// Document review states. "missing" is never stored: the checklist's state
// of a requested or usual document nobody has uploaded yet.
type DocumentState string

const (
	DocumentMissing  DocumentState = "missing"
	DocumentUploaded DocumentState = "uploaded" // waiting for the bank's review
	DocumentAccepted DocumentState = "accepted"
	DocumentRejected DocumentState = "rejected" // with a reason; the broker replaces it
)

// Document limits (defaults; the portal's configuration may change them).
const (
	DefaultMaxDocumentBytes   = 10 << 20  // one document's content
	DefaultMaxProcessDocBytes = 100 << 20 // all of a process's documents together
	MaxDocumentsPerRequest    = 30        // items of one request
	MaxDocumentNote           = 1000      // a request's or item's note, a rejection's reason
)

// DocumentLimits bound uploads.
type DocumentLimits struct {
	MaxBytes        int64 // per document (413 beyond)
	MaxProcessBytes int64 // per process, all documents' sizes together
}

// AllowedDocumentTypes are the content types a document may have, decided
// by sniffing the content (never by its name or declared type).
var AllowedDocumentTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/heic", "image/webp"}

// AcceptsDocuments reports whether a process in status takes uploads,
// replacements and deletions: until the bank has decided.
func AcceptsDocuments(status int) bool {
	return status >= StatusInCreation && status <= StatusPendingDocuments
}

// Document is one uploaded file of a process.
type Document struct {
	ID             int64
	UUID           string `gorm:"column:uuid"`
	ProcessID      int64
	DocumentTypeID int    // document-types
	BorrowerID     *int64 // the borrower it is about, if any
	RequestItemID  *int64 // the request item it answers, if any
	FileName       string
	Title          string
	Observations   string
	ContentSHA256  string `gorm:"column:content_sha256"`
	ContentType    string // sniffed
	Size           int64
	State          DocumentState
	RejectReason   string
	ReviewedByName string
	ReviewedAt     *time.Time
	UploadedByID   *int64 `gorm:"column:uploaded_by_user_id"`
	UploadedByName string
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Filled by reads, not columns.
	BorrowerUUID    string `gorm:"-"`
	RequestItemUUID string `gorm:"-"`
}

// DocumentRequest is the bank asking a process for documents.
type DocumentRequest struct {
	ID              int64
	UUID            string `gorm:"column:uuid"`
	ProcessID       int64
	Note            string
	RequestedByID   *int64 `gorm:"column:requested_by_user_id"`
	RequestedByName string
	CreatedAt       time.Time
	ResolvedAt      *time.Time // when every item's document was accepted
}

// DocumentRequestItem is one document type asked for, for a borrower or the
// process as a whole.
type DocumentRequestItem struct {
	ID             int64
	UUID           string `gorm:"column:uuid"`
	RequestID      int64
	DocumentTypeID int
	BorrowerID     *int64
	Note           string
}

// NewDocument is an upload (Document Create).
type NewDocument struct {
	FileName       string // required, 1..200, no path
	Title          string // optional, up to 200
	Observations   string // optional, up to 1000
	DocumentTypeID int    // document-types, required
	BorrowerUUID   string // optional: a borrower of the same process
	// RequestItemUUID, optional: the request item it answers (its type and
	// borrower then default from the item).
	RequestItemUUID string
	// Content is read up to the limit; more is CodeTooLarge and nothing is
	// stored.
	Content io.Reader
}

// DocumentUpdate changes a document (Document Update). Empty strings and 0
// keep what is stored; a non-nil Content replaces the file (the document is
// then waiting for review again). An accepted document cannot change.
type DocumentUpdate struct {
	FileName       string
	Title          string
	Observations   string
	DocumentTypeID int
	Content        io.Reader
}

// DocumentRequestInput is a bank request for documents.
type DocumentRequestInput struct {
	Note  string
	Items []DocumentRequestItemInput // 1..MaxDocumentsPerRequest
}

type DocumentRequestItemInput struct {
	DocumentTypeID int    // document-types
	BorrowerUUID   string // optional: a borrower of the process
	Note           string
}

// DocumentReview is the bank's verdict on an uploaded document.
type DocumentReview struct {
	Accept bool
	Reason string // required when rejecting, up to MaxDocumentNote
}

// ChecklistItem is one line of a process's document checklist: a requested
// document, or a usual one for the process and its borrowers.
type ChecklistItem struct {
	DocumentTypeID  int
	BorrowerUUID    string // "" for the process as a whole
	BorrowerName    string
	RequestItemUUID string // "" for a usual document nobody requested
	RequestUUID     string
	Note            string
	State           DocumentState
	Document        *Document // the latest upload for this line, nil when missing
}

// DocumentRequestView is a request with its items' states.
type DocumentRequestView struct {
	Request  DocumentRequest
	Items    []ChecklistItem
	Resolved bool
}

// DocumentChecklist is what the process page shows of documents.
type DocumentChecklist struct {
	Items      []ChecklistItem       // requested first (oldest request first), then the usual ones
	Requests   []DocumentRequestView // newest first
	Documents  []Document            // every document, newest first
	TotalBytes int64                 // of all documents, against DocumentLimits.MaxProcessBytes
}

// DocumentService keeps a process's documents and requests. Brokers of the
// process's firm upload, replace and delete (not once accepted: CodeConflict;
// not once the process no longer AcceptsDocuments: CodeConflict); bank staff
// request and review; both list, read and download.
type DocumentService interface {
	ListDocuments(ctx context.Context, processUUID string) ([]Document, error)
	CreateDocument(ctx context.Context, processUUID string, in NewDocument) (*Document, error)
	GetDocument(ctx context.Context, processUUID, documentUUID string) (*Document, error)
	// OpenDocument is the document and its content, for download; the caller
	// closes the reader.
	OpenDocument(ctx context.Context, processUUID, documentUUID string) (*Document, io.ReadCloser, error)
	UpdateDocument(ctx context.Context, processUUID, documentUUID string, in DocumentUpdate) (*Document, error)
	DeleteDocument(ctx context.Context, processUUID, documentUUID string) error

	// RequestDocuments (staff) records the request and posts it to the
	// process thread as a bank message, in one transaction.
	RequestDocuments(ctx context.Context, processUUID string, in DocumentRequestInput) (*DocumentRequest, error)
	// ReviewDocument (staff) accepts or rejects an uploaded document; when
	// it completes a request, the request is resolved and the thread says so.
	ReviewDocument(ctx context.Context, processUUID, documentUUID string, in DocumentReview) (*Document, error)

	Checklist(ctx context.Context, processUUID string) (*DocumentChecklist, error)
}

// ContentStore keeps document contents, each once, by SHA-256 (hex). The
// database-backed store writes in ctx's transaction; the filesystem store
// writes its file before the transaction commits (a file left by a rolled
// back upload is unreferenced, never wrong).
type ContentStore interface {
	// Put stores content whose SHA-256, size and sniffed type are given;
	// storing the same SHA-256 again keeps the first copy.
	Put(ctx context.Context, sha256 string, contentType string, content []byte) error
	Open(ctx context.Context, sha256 string) (io.ReadCloser, error)
}
