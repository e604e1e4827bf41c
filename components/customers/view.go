// Package customers holds the bank staff's customer pages: finding a
// customer, their details and messages, and writing to them.
package customers

import (
	"context"

	"portal/components"
	"portal/components/i18n"
	"portal/components/inbox"
	"portal/models"
)

// SearchView is the customer search page.
type SearchView struct {
	Page    components.Page
	Q       string
	Results []models.Customer
	Error   string // the query the service refused
}

// CustomerView is one customer's page for staff.
type CustomerView struct {
	Page     components.Page
	Customer *models.Customer
	Messages *models.CustomerMessagePage // nil when MessagesRefused
	Pager    inbox.Pager
	// MessagesRefused / ComposeRefused say which role the viewer lacks to
	// read or to write messages ("" when they have it).
	MessagesRefused string
	ComposeRefused  string
	Compose         ComposeView
}

// ComposeView is the compose form, blank or with what was typed and why it
// was refused.
type ComposeView struct {
	CustomerUUID   string
	FromDepartment string
	FromPerson     string
	Message        string
	Transport      string
	Error          *models.Error
	Autofocus      bool
}

// PostedView answers an htmx post: the cleared form and the new message.
type PostedView struct {
	Compose ComposeView
	Message models.CustomerMessage
}

func CustomerURL(uuid string) string { return "/staff/customers/" + uuid }

func messagesURL(uuid string) string { return CustomerURL(uuid) + "/messages" }

// transports are the choices of the transport select, which records the
// channel the bank also used outside the portal: none (IN_APP, the portal
// only) first, then the models' other channels. The browser may only send
// these (ListedTransportOnly).
func transports() []string {
	var none, other []string
	for _, t := range models.CustomerMessageTransports {
		if inbox.OtherChannel(t) {
			other = append(other, t)
		} else {
			none = append(none, t)
		}
	}
	return append(none, other...)
}

// transportChoice words a choice of the transport select.
func transportChoice(ctx context.Context, t string) string {
	if !inbox.OtherChannel(t) {
		return i18n.T(ctx, "customers.transport_none")
	}
	return inbox.Channel(ctx, t)
}

// fieldError and generalError are the shared form helpers.
var (
	fieldError   = components.FieldError
	generalError = components.GeneralError
)

func readState(ctx context.Context, m models.CustomerMessage) string {
	if m.ReadAt == nil {
		return i18n.T(ctx, "customers.unread")
	}
	return i18n.T(ctx, "customers.read_at", map[string]any{"When": components.DateTime(ctx, *m.ReadAt)})
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
