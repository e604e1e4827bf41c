package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// The admin side of models.CallbackService: admins of the bank only
// (others CodeForbidden), every query scoped to the admin's bank.

func callbackAdmin(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return nil, models.Unauthorized("sign in")
	}
	if !p.IsAdmin() {
		return nil, models.Forbidden("admins only")
	}
	return p, nil
}

// CallbackPartners implements models.CallbackService: the bank's partners
// by name.
func (s *Store) CallbackPartners(ctx context.Context) ([]models.PartnerOption, error) {
	p, err := callbackAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		UUID string
		Name string
	}
	if err := s.conn(ctx).Table("partners").Select("uuid, name").Where("bank_id = ?", p.BankID).
		Order("name, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "partners")
	}
	out := make([]models.PartnerOption, len(rows))
	for i, r := range rows {
		out[i] = models.PartnerOption{UUID: strings.ToLower(r.UUID), Name: r.Name}
	}
	return out, nil
}

// AdminSubscriptions implements models.CallbackService.
func (s *Store) AdminSubscriptions(ctx context.Context, partnerUUID string) ([]models.CallbackSubscription, error) {
	p, err := callbackAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !validUUID(partnerUUID) {
		return nil, models.NotFound("partner")
	}
	db := s.conn(ctx)
	var n int64
	if err := db.Table("partners").Where("uuid = ? AND bank_id = ?", strings.ToLower(partnerUUID), p.BankID).Count(&n).Error; err != nil {
		return nil, translate(err, "partner")
	}
	if n == 0 {
		return nil, models.NotFound("partner")
	}
	var rows []callbackSubView
	if err := db.Table("callback_subscriptions s").Select(callbackSubSelect).
		Joins("JOIN partners p ON p.id = s.partner_id").Where("p.uuid = ? AND p.bank_id = ?", strings.ToLower(partnerUUID), p.BankID).
		Order("s.notification_type_id").Find(&rows).Error; err != nil {
		return nil, translate(err, "callbacks")
	}
	out := make([]models.CallbackSubscription, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// deliveryView is a delivery row with its subscription's names.
type deliveryView struct {
	ID                 int64
	UUID               string
	WebhookID          string
	SubscriptionUUID   string
	PartnerUUID        string
	NotificationTypeID int
	EventKind          string
	Status             string
	NextAttemptAt      *time.Time
	CreatedAt          time.Time
}

const deliverySelect = `d.id, d.uuid, d.webhook_id, s.uuid AS subscription_uuid, p.uuid AS partner_uuid,
	s.notification_type_id, d.event_kind, d.status, d.next_attempt_at, d.created_at`

func (v *deliveryView) model() models.CallbackDelivery {
	d := models.CallbackDelivery{UUID: strings.ToLower(v.UUID), WebhookID: v.WebhookID,
		SubscriptionUUID: strings.ToLower(v.SubscriptionUUID), PartnerUUID: strings.ToLower(v.PartnerUUID),
		NotificationTypeID: v.NotificationTypeID, EventKind: models.EventKind(v.EventKind), Status: v.Status,
		CreatedAt: v.CreatedAt}
	if v.Status == models.DeliveryPending {
		d.NextAttemptAt = v.NextAttemptAt
	}
	return d
}

// callbackAttemptRow is a row of callback_attempts.
type callbackAttemptRow struct {
	ID         int64
	DeliveryID int64
	At         time.Time
	StatusCode int
	DurationMs int64
	Response   string
	Error      string
}

func (callbackAttemptRow) TableName() string { return "callback_attempts" }

func (r callbackAttemptRow) model() models.CallbackAttempt {
	return models.CallbackAttempt{At: r.At, StatusCode: r.StatusCode, Duration: time.Duration(r.DurationMs) * time.Millisecond,
		Response: r.Response, Error: r.Error}
}

// ListDeliveries implements models.CallbackService: newest first, keyset
// on the delivery id, each with its last attempt.
func (s *Store) ListDeliveries(ctx context.Context, f models.DeliveryFilter) (*models.DeliveryPage, error) {
	p, err := callbackAdmin(ctx)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = 25
	}
	if limit < 1 || limit > 100 {
		return nil, models.Invalid("limit", "callback.limit.invalid", models.Args{"Max": 100})
	}
	db := s.conn(ctx)
	q := db.Table("callback_deliveries d").Select(deliverySelect).
		Joins("JOIN callback_subscriptions s ON s.id = d.subscription_id").
		Joins("JOIN partners p ON p.id = s.partner_id").Where("p.bank_id = ?", p.BankID)
	if f.PartnerUUID != "" {
		if !validUUID(f.PartnerUUID) {
			return &models.DeliveryPage{}, nil
		}
		q = q.Where("p.uuid = ?", strings.ToLower(f.PartnerUUID))
	}
	if f.Status != "" {
		q = q.Where("d.status = ?", f.Status)
	}
	if f.After != "" {
		after, err := strconv.ParseInt(f.After, 10, 64)
		if err != nil || after <= 0 {
			return nil, models.Invalid("after", "callback.cursor.invalid", nil)
		}
		q = q.Where("d.id < ?", after)
	}
	var rows []deliveryView
	if err := q.Order("d.id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return nil, translate(err, "deliveries")
	}
	page := &models.DeliveryPage{}
	if len(rows) > limit {
		rows = rows[:limit]
		page.NextCursor = strconv.FormatInt(rows[limit-1].ID, 10)
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	last := map[int64]callbackAttemptRow{}
	if len(ids) > 0 {
		var atts []callbackAttemptRow
		if err := db.Where("id IN (SELECT max(id) FROM callback_attempts WHERE delivery_id IN ? GROUP BY delivery_id)", ids).
			Find(&atts).Error; err != nil {
			return nil, translate(err, "deliveries")
		}
		for _, a := range atts {
			last[a.DeliveryID] = a
		}
	}
	for i := range rows {
		d := rows[i].model()
		if a, ok := last[rows[i].ID]; ok {
			d.Attempts = []models.CallbackAttempt{a.model()}
		}
		page.Items = append(page.Items, d)
	}
	return page, nil
}

// adminDelivery loads a delivery of the admin's bank.
func (s *Store) adminDelivery(db *gorm.DB, p *models.Principal, deliveryUUID string) (*deliveryView, error) {
	if !validUUID(deliveryUUID) {
		return nil, models.NotFound("delivery")
	}
	var rows []deliveryView
	if err := db.Table("callback_deliveries d").Select(deliverySelect).
		Joins("JOIN callback_subscriptions s ON s.id = d.subscription_id").
		Joins("JOIN partners p ON p.id = s.partner_id").
		Where("d.uuid = ? AND p.bank_id = ?", strings.ToLower(deliveryUUID), p.BankID).Limit(1).Find(&rows).Error; err != nil {
		return nil, translate(err, "delivery")
	}
	if len(rows) == 0 {
		return nil, models.NotFound("delivery")
	}
	return &rows[0], nil
}

// GetDelivery implements models.CallbackService: every attempt, oldest
// first.
func (s *Store) GetDelivery(ctx context.Context, deliveryUUID string) (*models.CallbackDelivery, error) {
	p, err := callbackAdmin(ctx)
	if err != nil {
		return nil, err
	}
	db := s.conn(ctx)
	v, err := s.adminDelivery(db, p, deliveryUUID)
	if err != nil {
		return nil, err
	}
	var atts []callbackAttemptRow
	if err := db.Where("delivery_id = ?", v.ID).Order("id").Find(&atts).Error; err != nil {
		return nil, translate(err, "delivery")
	}
	d := v.model()
	for _, a := range atts {
		d.Attempts = append(d.Attempts, a.model())
	}
	return &d, nil
}

// Redeliver implements models.CallbackService: the delivery is pending
// again with a fresh attempt budget, behind nothing older than itself
// (it keeps its place in its subscription's order).
func (s *Store) Redeliver(ctx context.Context, deliveryUUID string) error {
	p, err := callbackAdmin(ctx)
	if err != nil {
		return err
	}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		v, err := s.adminDelivery(tx, p, deliveryUUID)
		if err != nil {
			return err
		}
		now := s.now()
		if v.Status != models.DeliveryPending {
			if err := tx.Exec("UPDATE callback_deliveries SET status = 'pending', attempt_count = 0, next_attempt_at = ?, finished_at = NULL WHERE id = ?",
				now, v.ID).Error; err != nil {
				return err
			}
		}
		uid := p.UserID
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &uid, Action: models.AuditCallbackRedeliver,
			Subject: strings.ToLower(v.UUID), Outcome: "ok"}).Error
	})
	if err != nil {
		return translate(err, "delivery")
	}
	s.wakeCallbacks()
	return nil
}

// Reenable implements models.CallbackService.
func (s *Store) Reenable(ctx context.Context, subscriptionUUID string) error {
	defer s.cbNotice.clear() // after COMMIT (or a refusal: harmless)
	p, err := callbackAdmin(ctx)
	if err != nil {
		return err
	}
	if !validUUID(subscriptionUUID) {
		return models.NotFound("callback")
	}
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		v, err := s.subView(tx, "s.uuid = ? AND p.bank_id = ?", strings.ToLower(subscriptionUUID), p.BankID)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.Exec(`UPDATE callback_subscriptions SET enabled = ?, disabled_reason = '', disabled_at = NULL,
			failing_since = NULL, updated_at = ? WHERE id = ?`, true, now, v.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE callback_deliveries SET next_attempt_at = ? WHERE subscription_id = ? AND status = 'pending'",
			now, v.ID).Error; err != nil {
			return err
		}
		uid := p.UserID
		return tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &uid, Action: models.AuditCallbackReenabled,
			Subject: strings.ToLower(v.UUID), Outcome: "ok"}).Error
	})
	if err != nil {
		return translate(err, "callback")
	}
	s.wakeCallbacks()
	return nil
}

// DisabledCallbacks implements models.CallbackService: for a broker user,
// the disabled subscriptions of their firm's partner.
func (s *Store) DisabledCallbacks(ctx context.Context) ([]models.CallbackSubscription, error) {
	p := models.PrincipalFrom(ctx)
	if !p.IsBroker() || p.FirmID == 0 {
		return nil, nil
	}
	if subs, ok := s.cbNotice.get(p.FirmID); ok {
		return subs, nil
	}
	gen := s.cbNotice.generation()
	var rows []callbackSubView
	if err := s.conn(ctx).Table("callback_subscriptions s").Select(callbackSubSelect).
		Joins("JOIN partners p ON p.id = s.partner_id").
		Joins("JOIN broker_firms f ON f.partner_id = p.id").
		Where("f.id = ? AND s.enabled = ?", p.FirmID, false).Order("s.notification_type_id").Find(&rows).Error; err != nil {
		return nil, translate(err, "callbacks")
	}
	out := make([]models.CallbackSubscription, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	s.cbNotice.put(p.FirmID, gen, out)
	return out, nil
}

// noticeTTL is how long a firm's DisabledCallbacks answer is reused: the
// process list asks on every view and the answer changes rarely. Changes
// made through this instance clear the cache at once; another instance's
// show within noticeTTL.
const noticeTTL = 30 * time.Second

// noticeCache holds DisabledCallbacks answers per firm. An answer read
// while a change cleared the cache (an older generation) is not kept.
type noticeCache struct {
	mu  sync.Mutex
	gen int64
	m   map[int64]noticeEntry
}

type noticeEntry struct {
	at   time.Time
	subs []models.CallbackSubscription
}

func (c *noticeCache) get(firm int64) ([]models.CallbackSubscription, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[firm]
	if !ok || time.Since(e.at) > noticeTTL {
		return nil, false
	}
	return e.subs, true
}

func (c *noticeCache) generation() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *noticeCache) put(firm, gen int64, subs []models.CallbackSubscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) > 10_000 {
		c.m = map[int64]noticeEntry{}
	}
	c.m[firm] = noticeEntry{at: time.Now(), subs: subs}
}

// clear forgets every answer: a subscription was enabled, disabled,
// replaced or removed.
func (c *noticeCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}
