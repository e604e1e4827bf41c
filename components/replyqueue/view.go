// Package replyqueue is the staff reply queue page (/staff/threads): every
// firm's threads, the longest wait first among those waiting for the bank,
// most recent activity first otherwise; the list refreshes itself.
package replyqueue

import (
	"context"
	"net/url"
	"strconv"
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
	After  string // the cursor of the page shown, "" for the first
	Firms  []models.FirmOption
	Result *models.ReplyQueuePage
	Counts *models.ReplyQueueCounts // nil: the tabs show no counts
	Error  string
	Now    time.Time
}

// URL is the queue page; ListURL its list alone, which the page polls.
const (
	URL     = "/staff/threads"
	ListURL = "/staff/threads/list"
)

// RefreshEvery is how often the page refreshes its list (the htmx trigger).
const RefreshEvery = "every 30s"

// columns are the queue's column headings, looked up once per page: every
// row repeats them (data-label, for the stacked layout on small screens).
type columns struct {
	Process, Firm, LastMessage, Waited, Messages string
}

func columnLabels(ctx context.Context) columns {
	return columns{
		Process:     i18n.T(ctx, "replyqueue.col_process"),
		Firm:        i18n.T(ctx, "replyqueue.firm"),
		LastMessage: i18n.T(ctx, "replyqueue.col_last_message"),
		Waited:      i18n.T(ctx, "replyqueue.col_waited"),
		Messages:    i18n.T(ctx, "replyqueue.col_messages"),
	}
}

type tab struct {
	Kind  models.ReplyQueueFilterKind
	Label string
}

func (v ReplyQueueView) Tabs(ctx context.Context) []tab {
	return []tab{{models.ReplyQueueWaiting, i18n.T(ctx, "replyqueue.tab_waiting")},
		{models.ReplyQueueAnswered, i18n.T(ctx, "replyqueue.tab_answered")}, {models.ReplyQueueAll, i18n.T(ctx, "replyqueue.tab_all")}}
}

func (v ReplyQueueView) url(base string, filter models.ReplyQueueFilterKind, firm, after string) string {
	q := url.Values{}
	q.Set("filter", string(filter))
	if firm != "" {
		q.Set("firm", firm)
	}
	if after != "" {
		q.Set("after", after)
	}
	return base + "?" + q.Encode()
}

func (v ReplyQueueView) TabURL(k models.ReplyQueueFilterKind) string {
	return v.url(URL, k, v.Firm, "")
}

func (v ReplyQueueView) NextURL() string {
	if v.Result == nil || v.Result.NextCursor == "" {
		return ""
	}
	return v.url(URL, v.Filter, v.Firm, v.Result.NextCursor)
}

// PollURL is the list fragment of the page as shown (its filter, firm and
// page).
func (v ReplyQueueView) PollURL() string { return v.url(ListURL, v.Filter, v.Firm, v.After) }

// Waiting tells whether the page lists the threads waiting for the bank.
func (v ReplyQueueView) Waiting() bool { return v.Filter == models.ReplyQueueWaiting }

// count is a tab's count as shown ("999+" past the cap) and as read out.
func count(ctx context.Context, n int64) (shown, spoken string) {
	if n > models.MaxReplyQueueCount {
		return strconv.Itoa(models.MaxReplyQueueCount) + "+",
			i18n.T(ctx, "replyqueue.tab_count_more", map[string]any{"Max": models.MaxReplyQueueCount})
	}
	return strconv.FormatInt(n, 10), i18n.N(ctx, "replyqueue.tab_count", int(n))
}

// Waited says how long ago a thread's last message came, at now: "waiting
// 3 h" when the last author is a broker (the thread waits for the bank),
// "3 h ago" otherwise. Under a minute is "just now", then minutes, hours
// up to two days, then days; a time after now (clocks apart) is just now.
func Waited(ctx context.Context, since, now time.Time, waiting bool) string {
	d := now.Sub(since)
	switch {
	case d < time.Minute:
		return i18n.T(ctx, "replyqueue.just_now")
	case d < time.Hour && waiting:
		return i18n.N(ctx, "replyqueue.waiting_minutes", int(d/time.Minute))
	case d < time.Hour:
		return i18n.N(ctx, "replyqueue.ago_minutes", int(d/time.Minute))
	case d < 48*time.Hour && waiting:
		return i18n.N(ctx, "replyqueue.waiting_hours", int(d/time.Hour))
	case d < 48*time.Hour:
		return i18n.N(ctx, "replyqueue.ago_hours", int(d/time.Hour))
	case waiting:
		return i18n.N(ctx, "replyqueue.waiting_days", int(d/(24*time.Hour)))
	default:
		return i18n.N(ctx, "replyqueue.ago_days", int(d/(24*time.Hour)))
	}
}

func authorLabel(ctx context.Context, k models.AuthorKind) string {
	if k == models.AuthorBank {
		return i18n.T(ctx, "replyqueue.author_bank")
	}
	return i18n.T(ctx, "replyqueue.author_broker")
}
