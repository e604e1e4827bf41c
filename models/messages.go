package models

import (
	"context"
	"time"
)

// Message threads: one thread per process, written by the broker firm's
// users and bank staff, read in the browser and through the partner API.
// Messages are never edited or deleted.

// AuthorKind says on which side of the thread a message was written.
type AuthorKind string

const (
	AuthorBroker AuthorKind = "broker" // a user of the process's broker firm
	AuthorBank   AuthorKind = "bank"   // bank staff or an admin
)

// Limits of a message (partner API "Process messages").
const (
	MaxMessageSubject = 200  // characters, after trimming
	MaxMessageText    = 4000 // characters, after trimming; at least 1

	// Partner API paging (pageNumber/pageSize): no page may reach deeper
	// than MaxMessageDepth messages into a thread.
	MaxMessagePageSize = 100
	MaxMessageDepth    = 10_000

	// Browser thread: messages per page (ThreadPage) and per poll
	// (MessagesSince).
	DefaultThreadPageSize = 50
	MaxThreadPageSize     = 100
	MaxMessagesSince      = 100

	// Reply queue page size.
	DefaultReplyQueuePageSize = 25
	MaxReplyQueuePageSize     = 100
	ReplyQueueExcerptLength   = 140 // characters of the last message kept for the queue

	// UnreadCounts takes at most this many processes (one list page).
	MaxUnreadProcesses = 100

	// MessageRateWindow is the window of the per-user posting limit.
	MessageRateWindow = time.Minute
)

// MessageRateLimit is the per-user posting limit (posts per
// MessageRateWindow), counted in the database so every instance agrees. A
// variable only so the load harness (cmd/loadtest --post-limit) can raise
// it for a run; the portal never changes it.
var MessageRateLimit = 30

// DefaultMessagePage is page 1 of 20, the partner API's defaults. The
// service does not fill defaults itself (a pageNumber of 0 sent by a client
// is invalid): a transport starts from this value and overrides what the
// request gives.
var DefaultMessagePage = MessagePage{PageNumber: 1, PageSize: 20}

// Message is one message of a process thread. The author's name and
// username (e-mail) are copied at posting time.
type Message struct {
	ID             int64  // internal: never rendered
	UUID           string `gorm:"column:uuid"` // messageUniqueID
	ProcessID      int64
	Seq            int64 // its number in the thread: 1, 2, 3... in posting order
	AuthorUserID   int64
	AuthorKind     AuthorKind
	AuthorName     string
	AuthorUsername string // the author's e-mail: the API's "username"
	Subject        string // "" when none
	Text           string // trimmed; line breaks kept (\n)
	CreatedAt      time.Time
}

// Thread is the per-process summary kept in the same transaction as every
// message insert. A process without messages has no Thread row.
type Thread struct {
	ProcessID       int64 `gorm:"primaryKey;autoIncrement:false"`
	BankID          int64 // copied from the process (queue filter)
	BrokerID        int64 // copied from the process (firm filter)
	MessageCount    int64 // also the Seq of the newest message
	LastMessageID   int64
	LastMessageUUID string `gorm:"column:last_message_uuid"`
	LastMessageAt   time.Time
	LastAuthorKind  AuthorKind
	LastAuthorName  string
	LastExcerpt     string
}

// ThreadRead is how far one user has read one thread.
type ThreadRead struct {
	ID                int64
	UserID            int64
	ProcessID         int64
	LastReadMessageID int64
	LastReadSeq       int64
	UpdatedAt         time.Time
}

// NewMessage is the input of PostMessage. Both fields are trimmed; the
// subject is optional (at most 200 characters), the text required (1 to
// 4000). Field errors name "subject" and "text".
type NewMessage struct {
	Subject string
	Text    string
}

// MessagePage asks for one page of a thread, newest first: page 1 holds the
// newest PageSize messages. PageNumber >= 1, PageSize 1..100, and
// PageNumber*PageSize <= 10,000; field errors name "pageNumber" and
// "pageSize".
type MessagePage struct {
	PageNumber int
	PageSize   int
}

// ThreadQuery asks for one page of the browser thread. Field errors name
// "before" and "limit".
type ThreadQuery struct {
	// Before "" asks for the newest page; a page's OlderCursor for the
	// messages just older than it.
	Before string
	Limit  int // 0: DefaultThreadPageSize; at most MaxThreadPageSize
	// MarkRead: the caller is shown this page, so the newest page marks the
	// thread read up to what it shows (not whatever arrived since). Older
	// pages never move the mark.
	MarkRead bool
}

// SinceQuery asks for the messages after one a page shows (the poll).
type SinceQuery struct {
	After    string // the last message the page shows; "" when it showed none
	MarkRead bool   // the caller is shown what is returned
}

// MessageList is a page of the partner API's message list.
type MessageList struct {
	Messages   []Message // newest first
	TotalCount int64     // messages in the thread
	Count      int       // messages in this page
}

// ThreadMessages is one page of the browser thread.
type ThreadMessages struct {
	Messages   []Message // oldest first, for display
	TotalCount int64     // messages in the whole thread
	// OlderCursor asks for the page before this one (ThreadPage's before);
	// "" when this page starts the thread.
	OlderCursor string
	// LastReadSeq is how far the current user had read before this call
	// (0: nothing); messages with a greater Seq are new to them.
	LastReadSeq int64
}

// ReplyQueueFilterKind selects threads of the reply queue by their last author.
type ReplyQueueFilterKind string

const (
	ReplyQueueAll      ReplyQueueFilterKind = "all"      // every thread with a message ("" too)
	ReplyQueueWaiting  ReplyQueueFilterKind = "waiting"  // last message from a broker: waiting for the bank, longest wait first
	ReplyQueueAnswered ReplyQueueFilterKind = "answered" // last message from the bank
)

// ReplyQueueFilter selects and pages the reply queue. Field errors name
// "filter", "firm", "after" and "limit".
type ReplyQueueFilter struct {
	Filter  ReplyQueueFilterKind
	FirmUID string // broker unique id (BRK-LIS-001); "" for every firm
	After   string // cursor: the page after this one
	Limit   int    // 1..100, 0 for the default (25)
}

// ReplyQueueItem is one thread of the reply queue: a process's or a
// simulation's (exactly one of ProcessUUID and SimulationUUID is set).
type ReplyQueueItem struct {
	ProcessUUID      string
	ProcessNumber    int64
	SimulationUUID   string
	SimulationNumber int64
	StatusID         int // the process's workflow status, or the simulation's status
	FirmUID          string
	FirmName         string
	LastExcerpt      string // the last message's text, at most 140 characters
	LastAuthorKind   AuthorKind
	LastAuthorName   string
	LastMessageAt    time.Time // how long it has waited, when the last author is a broker
	MessageCount     int64
	Unread           bool // the current user has not read the last message
}

// ReplyQueuePage is one page of the reply queue: most recent activity
// first, except waiting threads, longest wait (oldest last message) first.
type ReplyQueuePage struct {
	Items      []ReplyQueueItem
	NextCursor string // "" on the last page
}

// ReplyQueueCounts is how many threads each filter of the reply queue
// holds, counted up to MaxReplyQueueCount+1 (which reads "more than
// MaxReplyQueueCount").
type ReplyQueueCounts struct {
	Waiting, Answered, All int64
}

// MaxReplyQueueCount caps the reply queue's counts, so counting costs the
// same whatever the size of the bank (no full-table count on a request).
const MaxReplyQueueCount = 999

// Of is the number of threads of filter k ("" is all).
func (c ReplyQueueCounts) Of(k ReplyQueueFilterKind) int64 {
	switch k {
	case ReplyQueueWaiting:
		return c.Waiting
	case ReplyQueueAnswered:
		return c.Answered
	}
	return c.All
}

// FirmOption is one broker firm for the queue's firm filter.
type FirmOption struct {
	UID  string // broker unique id, the value of ReplyQueueFilter.FirmUID
	UUID string // the firm's public id, the value of ProcessFilter.FirmUUID
	Name string
}

// MessageService is the one implementation of process threads for every
// transport. The caller comes from the context (PrincipalFrom).
//
// Access: brokers use their firm's threads, staff and admins every thread
// of their bank. A process outside the caller's scope is reported exactly
// like a missing one (CodeNotFound, same message); a malformed process id
// too. Anonymous callers get CodeUnauthorized; customers CodeForbidden
// (threads are not theirs, whatever the process), like ProcessService.
type MessageService interface {
	// PostMessage validates in, checks the caller may use the process's
	// thread and the per-user rate limit (CodeRateLimited with RetryAfter),
	// then in one transaction stores the message, updates the thread
	// summary, bumps the process's last action, marks the thread read up to
	// this message for the author, and writes the audit row (never the
	// body). Author kind: broker for brokers, bank for staff and admins.
	PostMessage(ctx context.Context, processUUID string, in NewMessage) (*Message, error)

	// ListMessages is the partner API's page of a thread, newest first.
	ListMessages(ctx context.Context, processUUID string, page MessagePage) (*MessageList, error)

	// ThreadPage is the browser's page of a thread, oldest to newest (see
	// ThreadQuery). With q.MarkRead, the newest page also moves the
	// caller's read mark to the last message it holds, in the same call.
	ThreadPage(ctx context.Context, processUUID string, q ThreadQuery) (*ThreadMessages, error)

	// MessagesSince returns the messages posted after the message
	// afterMessageUUID, oldest first, at most MaxMessagesSince: poll again
	// from the last one for more. afterMessageUUID "" (the thread was empty
	// when shown) returns the thread's newest MaxMessagesSince messages.
	// One indexed query; empty when nothing changed. An afterMessageUUID
	// that is not a message of this thread is CodeInvalid (field "after").
	// With q.MarkRead the caller has now seen them: the read mark moves to
	// the last one returned.
	MessagesSince(ctx context.Context, processUUID string, q SinceQuery) ([]Message, error)

	// MarkRead records that the current user has read the thread up to the
	// message upToMessageUUID ("" for its newest message). It never moves
	// backwards. A message of another thread is CodeNotFound ("message").
	MarkRead(ctx context.Context, processUUID, upToMessageUUID string) error

	// UnreadCounts returns, for the given processes (at most 100) that the
	// caller may see, how many messages the current user has not read, not
	// counting their own (posting marks a thread read for its author, so
	// their own messages are never after their read mark). Processes with
	// nothing unread, outside the scope or unknown are absent from the map
	// (read them as 0). One query, no counting over the threads.
	UnreadCounts(ctx context.Context, processUUIDs []string) (map[string]int, error)

	// ReplyQueue is the staff reply queue: process and simulation threads
	// with at least one message across every firm of the bank, most recent activity first
	// (ReplyQueueWaiting: longest wait first), keyset paged. Unread is the
	// caller's own read state. Staff and admins only (others CodeForbidden).
	ReplyQueue(ctx context.Context, f ReplyQueueFilter) (*ReplyQueuePage, error)

	// ReplyQueueCounts counts the threads of each filter of the queue,
	// within the firm firmUID ("" for every firm; an unknown one is
	// CodeInvalid, field "firm"), each up to MaxReplyQueueCount+1.
	// One statement on the queue's indexes. Staff and admins only.
	ReplyQueueCounts(ctx context.Context, firmUID string) (*ReplyQueueCounts, error)

	// ReplyQueueFirms lists the bank's broker firms for the queue's firm filter,
	// by name. Staff and admins only.
	ReplyQueueFirms(ctx context.Context) ([]FirmOption, error)
}

// Audit actions of threads.
const AuditMessagePosted = "message.posted"
