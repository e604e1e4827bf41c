// Package inbox holds the customer's inbox: the list of messages from the
// bank and one message in full. Its message helpers (sender, excerpt,
// other channel, pager) are shared with the staff's customer page.
package inbox

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
)

// InboxView is the customer's inbox page.
type InboxView struct {
	Page   components.Page
	Result *models.CustomerMessagePage
	Pager  Pager
}

// MessageView is one message opened in full.
type MessageView struct {
	Page    components.Page
	Message *models.CustomerMessage
}

// Pager pages a newest-first list by limit and offset.
type Pager struct {
	Base         string // the page's path
	Fragment     string // "#messages", or ""
	Offset       int
	Limit        int // the page size in use
	DefaultLimit int // left out of links when Limit equals it
	Shown        int // rows on this page
	Total        int64
}

func (p Pager) url(offset int) string {
	q := url.Values{}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if p.Limit != p.DefaultLimit {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	u := p.Base
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u + p.Fragment
}

// NextURL is the page of older messages, "" on the last page.
func (p Pager) NextURL() string {
	if p.Limit <= 0 || int64(p.Offset+p.Limit) >= p.Total {
		return ""
	}
	return p.url(p.Offset + p.Limit)
}

// PrevURL is the page of newer messages, "" on the first.
func (p Pager) PrevURL() string {
	if p.Offset <= 0 {
		return ""
	}
	return p.url(max(0, p.Offset-p.Limit))
}

// Range says which rows are shown: "21–40 of 55"; "" when all fit.
func (p Pager) Range(ctx context.Context) string {
	if p.Shown == 0 || (p.Offset == 0 && int64(p.Shown) >= p.Total) {
		return ""
	}
	return i18n.T(ctx, "inbox.range", map[string]any{"From": p.Offset + 1, "To": p.Offset + p.Shown, "Total": p.Total})
}

// MessageURL is a message of the customer's own inbox.
func MessageURL(uuid string) string { return "/inbox/" + uuid }

// Department is who the message comes from: the department, else the bank.
func Department(ctx context.Context, m models.CustomerMessage) string {
	if d := strings.TrimSpace(m.FromDepartment); d != "" {
		return d
	}
	return i18n.T(ctx, "layout.bank_name")
}

// The portal itself sends nothing but the message in the inbox: a
// message's transport records the channel the bank ALSO used outside the
// portal (an SMS, an e-mail, a letter). "" (none given, OBP v1.4.0) and
// IN_APP (the portal only) record none.

// OtherChannel tells whether t names a channel besides the portal.
func OtherChannel(t string) bool { return t != "" && t != "IN_APP" }

// Channel names the channel t in ctx's language (free text from the API as
// it is).
func Channel(ctx context.Context, t string) string {
	switch t {
	case "SMS":
		return i18n.T(ctx, "inbox.channel_sms")
	case "EMAIL":
		return i18n.T(ctx, "inbox.channel_email")
	case "POST":
		return i18n.T(ctx, "inbox.channel_post")
	}
	return t
}

// AlsoSentBy is "Also sent by SMS", "" when no other channel is recorded.
func AlsoSentBy(ctx context.Context, t string) string {
	if !OtherChannel(t) {
		return ""
	}
	return i18n.T(ctx, "inbox.also_sent_by", map[string]any{"Channel": Channel(ctx, t)})
}

// Excerpt is the start of a message on one line, at most n characters.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " .,;:") + "…"
}

// Unread classes the list row: bold for unread messages.
func rowClass(m models.CustomerMessage) string {
	if m.Read() {
		return "font-normal text-gray-700"
	}
	return "font-semibold text-gray-900"
}

func boolText(b bool) string { return strconv.FormatBool(b) }
