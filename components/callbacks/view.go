// Package callbacks holds the pages of partner callbacks: the admins'
// subscriptions and delivery log, and the notice brokers see when their
// partner's callbacks are disabled.
package callbacks

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"portal/components"
	"portal/components/i18n"
	"portal/components/taxonomy"
	"portal/models"
)

// Addresses of the admin pages.
const (
	URL           = "/admin/callbacks"
	DeliveriesURL = URL + "/deliveries"
)

// PartnerURL is the subscriptions of one partner.
func PartnerURL(partnerUUID string) string { return URL + "?partner=" + url.QueryEscape(partnerUUID) }

// DeliveriesOf is the delivery log of one partner.
func DeliveriesOf(partnerUUID string) string {
	return DeliveriesURL + "?partner=" + url.QueryEscape(partnerUUID)
}

// DeliveryURL is one delivery's page.
func DeliveryURL(uuid string) string { return DeliveriesURL + "/" + uuid }

// RedeliverURL queues a delivery again.
func RedeliverURL(uuid string) string { return DeliveryURL(uuid) + "/redeliver" }

// ReenableURL enables a disabled subscription again.
func ReenableURL(subscriptionUUID string) string {
	return URL + "/subscriptions/" + subscriptionUUID + "/reenable"
}

// SubscriptionsView is /admin/callbacks: the partners, and the chosen
// partner's subscriptions.
type SubscriptionsView struct {
	Page     components.Page
	Tax      *models.Taxonomy
	Partners []models.PartnerOption
	Partner  string // the chosen partner's UUID, "" for none
	Subs     []models.CallbackSubscription
}

// PartnerName is the chosen partner's name.
func (v SubscriptionsView) PartnerName() string {
	for _, p := range v.Partners {
		if p.UUID == v.Partner {
			return p.Name
		}
	}
	return ""
}

// DeliveriesView is the delivery log, a page at a time.
type DeliveriesView struct {
	Page     components.Page
	Tax      *models.Taxonomy
	Partners []models.PartnerOption
	Partner  string // filter: a partner's UUID
	Status   string // filter: a delivery status
	After    string // the cursor this page starts after ("" the first)
	Result   *models.DeliveryPage
	Error    string // a filter the service refused
}

// Statuses are the delivery statuses the filter offers.
var Statuses = []string{models.DeliveryPending, models.DeliverySucceeded, models.DeliveryFailed}

// NextURL is the next page's address with the same filters, "" when this
// is the last page.
func (v DeliveriesView) NextURL() string {
	if v.Result == nil || v.Result.NextCursor == "" {
		return ""
	}
	q := url.Values{}
	if v.Partner != "" {
		q.Set("partner", v.Partner)
	}
	if v.Status != "" {
		q.Set("status", v.Status)
	}
	q.Set("after", v.Result.NextCursor)
	return DeliveriesURL + "?" + q.Encode()
}

// PartnerLabel names a partner of the filter's list ("—" when unknown).
func (v DeliveriesView) PartnerLabel(uuid string) string {
	for _, p := range v.Partners {
		if p.UUID == uuid {
			return p.Name
		}
	}
	return "—"
}

// DeliveryView is one delivery with every attempt.
type DeliveryView struct {
	Page     components.Page
	Tax      *models.Taxonomy
	Delivery *models.CallbackDelivery
	Partner  string // the partner's name
}

// NoticeView is what a broker is told about their partner's disabled
// callbacks (empty: nothing is shown).
type NoticeView struct {
	Tax  *models.Taxonomy
	Subs []models.CallbackSubscription
}

// TypeName is a notification type's description in the page's language.
func TypeName(ctx context.Context, tax *models.Taxonomy, id int) string {
	if tax != nil {
		if d := tax.Description("notification-types", id, taxonomy.Lang(ctx)); d != "" {
			return d
		}
	}
	return strconv.Itoa(id)
}

// StatusText is a delivery status in the page's language.
func StatusText(ctx context.Context, status string) string {
	switch status {
	case models.DeliveryPending:
		return i18n.T(ctx, "callbacks.status_pending")
	case models.DeliverySucceeded:
		return i18n.T(ctx, "callbacks.status_succeeded")
	case models.DeliveryFailed:
		return i18n.T(ctx, "callbacks.status_failed")
	}
	return status
}

// StatusClass colours a delivery status badge.
func StatusClass(status string) string {
	switch status {
	case models.DeliverySucceeded:
		return "badge bg-green-100 text-green-800"
	case models.DeliveryFailed:
		return "badge bg-red-100 text-red-800"
	}
	return "badge bg-amber-100 text-amber-900"
}

// ReasonText is why a subscription was disabled, in the page's language.
func ReasonText(ctx context.Context, reason string) string {
	switch reason {
	case "gone":
		return i18n.T(ctx, "callbacks.reason_gone")
	case "failing":
		return i18n.T(ctx, "callbacks.reason_failing", map[string]any{"Days": int(models.CallbackDisableAfter / (24 * time.Hour))})
	}
	return i18n.T(ctx, "callbacks.reason_other")
}

// When shows a moment, "—" for none.
func When(ctx context.Context, t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return components.DateTime(ctx, *t)
}

// Day shows a day, "—" for none.
func Day(ctx context.Context, t *time.Time) string {
	if t == nil || t.IsZero() {
		return "—"
	}
	return components.Date(ctx, *t)
}

// Millis shows a duration in milliseconds.
func Millis(ctx context.Context, d time.Duration) string {
	return i18n.T(ctx, "callbacks.ms", map[string]any{"N": d.Milliseconds()})
}

// Code shows an answer's status code, "—" for no answer.
func Code(n int) string {
	if n == 0 {
		return "—"
	}
	return strconv.Itoa(n)
}

// Last is a delivery's latest attempt, nil before the first.
func Last(d models.CallbackDelivery) *models.CallbackAttempt {
	if len(d.Attempts) == 0 {
		return nil
	}
	return &d.Attempts[len(d.Attempts)-1]
}

// Redeliverable tells whether the delivery may be queued again (the
// service redelivers finished ones).
func Redeliverable(d *models.CallbackDelivery) bool { return d.Status != models.DeliveryPending }
