// Package threads holds the message thread of a process page: messages,
// the compose form and the htmx fragments that keep it current.
package threads

import (
	"context"
	"net/url"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
)

// ThreadView is the thread section of a process page (or, with Base, of
// any page that owns a thread: the simulation page).
type ThreadView struct {
	ProcessUUID string
	// Base is the owning page's path ("/simulations/ID"); "" is the
	// process page of ProcessUUID. The thread's endpoints hang off it
	// (Base+"/messages", Base+"/messages/since").
	Base    string
	Page    *models.ThreadMessages
	Viewer  *models.Principal
	Compose ComposeView
}

// ComposeView is the compose form, blank or with what was typed and why it
// was refused.
type ComposeView struct {
	ProcessUUID string
	Base        string // as ThreadView.Base
	Subject     string
	Text        string
	Error       *models.Error // field errors, or a general refusal (rate limit)
	Autofocus   bool
}

// MessagesView is a run of messages appended to the thread (poll, post)
// with the position to poll from next.
type MessagesView struct {
	ProcessUUID string
	Base        string // as ThreadView.Base
	Messages    []models.Message
	Viewer      *models.Principal
	LastSeq     int64 // messages with a greater Seq are new to the viewer
	After       string
	OOB         bool
}

// OlderView is a page of older messages loaded on demand.
type OlderView struct {
	ProcessUUID string
	Base        string // as ThreadView.Base
	Page        *models.ThreadMessages
	Viewer      *models.Principal
}

// pageURL is the page that owns the thread: base, or the process page.
func pageURL(base, processUUID string) string {
	if base != "" {
		return base
	}
	return "/processes/" + processUUID
}

func (v ThreadView) url() string   { return pageURL(v.Base, v.ProcessUUID) }
func (v ComposeView) url() string  { return pageURL(v.Base, v.ProcessUUID) }
func (v MessagesView) url() string { return pageURL(v.Base, v.ProcessUUID) }
func (v OlderView) url() string    { return pageURL(v.Base, v.ProcessUUID) }

func messagesURL(page string) string { return page + "/messages" }

func sinceURL(page string) string { return messagesURL(page) + "/since" }

func olderURL(page, cursor string) string {
	return messagesURL(page) + "?before=" + url.QueryEscape(cursor)
}

// olderPageURL is the no-JavaScript way to older messages: the owning
// page itself with the cursor.
func olderPageURL(page, cursor string) string {
	return page + "?before=" + url.QueryEscape(cursor) + "#thread"
}

func lastUUID(msgs []models.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].UUID
}

func (v ThreadView) after() string { return lastUUID(v.Page.Messages) }

func isNew(m models.Message, lastSeq int64, viewer *models.Principal) bool {
	return m.Seq > lastSeq && (viewer == nil || m.AuthorUserID != viewer.UserID)
}

// fieldError and generalError are the shared form helpers.
var (
	fieldError   = components.FieldError
	generalError = components.GeneralError
)

func authorSide(ctx context.Context, m models.Message) string {
	if m.AuthorKind == models.AuthorBank {
		return i18n.T(ctx, "threads.bank")
	}
	return i18n.T(ctx, "threads.broker")
}
