// Package replyqueue is the staff reply queue page (/staff/threads): every
// firm's threads, most recent activity first.
package replyqueue

import (
	"fmt"
	"net/url"
	"time"

	"portal/components"
	"portal/models"
)

// ReplyQueueView is the reply queue page.
type ReplyQueueView struct {
	Page   components.Page
	Filter models.ReplyQueueFilterKind
	Firm   string
	Firms  []models.FirmOption
	Result *models.ReplyQueuePage
	Error  string
	Now    time.Time
}

type tab struct {
	Kind  models.ReplyQueueFilterKind
	Label string
}

func (v ReplyQueueView) Tabs() []tab {
	return []tab{{models.ReplyQueueWaiting, T.Waiting}, {models.ReplyQueueAnswered, T.Answered}, {models.ReplyQueueAll, T.All}}
}

func (v ReplyQueueView) url(filter models.ReplyQueueFilterKind, firm, after string) string {
	q := url.Values{}
	q.Set("filter", string(filter))
	if firm != "" {
		q.Set("firm", firm)
	}
	if after != "" {
		q.Set("after", after)
	}
	return "/staff/threads?" + q.Encode()
}

func (v ReplyQueueView) TabURL(k models.ReplyQueueFilterKind) string { return v.url(k, v.Firm, "") }

func (v ReplyQueueView) NextURL() string {
	if v.Result == nil || v.Result.NextCursor == "" {
		return ""
	}
	return v.url(v.Filter, v.Firm, v.Result.NextCursor)
}

// Waited says how long ago the last message came: "3 min", "5 h", "2 days".
func Waited(since, now time.Time) string {
	d := now.Sub(since)
	switch {
	case d < time.Minute:
		return T.JustNow
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	default:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
}

func authorLabel(k models.AuthorKind) string {
	if k == models.AuthorBank {
		return T.Bank
	}
	return T.Broker
}
