// Package replyqueue is the staff reply queue page (/staff/threads): every
// firm's threads, most recent activity first.
package replyqueue

import (
	"context"
	"net/url"
	"time"

	"portal/components"
	"portal/components/i18n"
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

func (v ReplyQueueView) Tabs(ctx context.Context) []tab {
	return []tab{{models.ReplyQueueWaiting, i18n.T(ctx, "replyqueue.tab_waiting")},
		{models.ReplyQueueAnswered, i18n.T(ctx, "replyqueue.tab_answered")}, {models.ReplyQueueAll, i18n.T(ctx, "replyqueue.tab_all")}}
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
func Waited(ctx context.Context, since, now time.Time) string {
	d := now.Sub(since)
	switch {
	case d < time.Minute:
		return i18n.T(ctx, "replyqueue.just_now")
	case d < time.Hour:
		return i18n.N(ctx, "replyqueue.minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return i18n.N(ctx, "replyqueue.hours", int(d.Hours()))
	default:
		return i18n.N(ctx, "replyqueue.days", int(d.Hours()/24))
	}
}

func authorLabel(ctx context.Context, k models.AuthorKind) string {
	if k == models.AuthorBank {
		return i18n.T(ctx, "replyqueue.author_bank")
	}
	return i18n.T(ctx, "replyqueue.author_broker")
}
