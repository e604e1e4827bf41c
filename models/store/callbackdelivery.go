package store

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Callback delivery. Three steps, each its own short transaction, shared
// by every instance on one database:
//
//  1. dispatch: outbox rows not yet dispatched, in id order, become one
//     callback_deliveries row per enabled subscription of the event's
//     partner and type; the row is stamped dispatched. One dispatcher at a
//     time (a transaction-scoped advisory lock on PostgreSQL, the write
//     lock on SQLite), so deliveries are numbered in event order.
//  2. claim: a subscription whose oldest pending delivery is due and whose
//     lease has expired is leased to this worker (FOR UPDATE SKIP LOCKED:
//     two instances never take one subscription). The lease, not the
//     delivery, is the unit: one subscription never has two deliveries in
//     flight, and its head blocks the rest while it is retried.
//  3. finish: the attempt is recorded, the delivery succeeds, is retried
//     later (CallbackRetrySchedule with jitter) or fails, the
//     subscription's health is updated (and it is disabled on 410 or after
//     CallbackDisableAfter of failures), and the lease is released — only
//     if it is still this worker's.
//
// A worker that dies between claim and finish leaves its lease to expire;
// another worker then sends the delivery again (same webhook-id: at least
// once, the partner deduplicates).

var errNoSender = errors.New("callbacks: the delivery workers are not started (no sender)")

// CallbackOptions tune the delivery workers. The zero value is the
// portal's default.
type CallbackOptions struct {
	Workers  int             // concurrent deliveries per instance (0: 4)
	Schedule []time.Duration // retry waits (nil: models.CallbackRetrySchedule)
	// Lease is how long a claimed subscription stays this worker's (0:
	// CallbackTimeout + 20 s); after it another instance may retry.
	Lease time.Duration
	Poll  time.Duration // how often idle workers look for work (0: 1 s)
	// DisableAfter is how long a failing subscription lasts (0:
	// models.CallbackDisableAfter).
	DisableAfter time.Duration
	Owner        string // this instance's name in leases ("" a random one)
	// AllowLoopback lets subscriptions name loopback URLs (tests and
	// development only; the sender must allow them too).
	AllowLoopback bool
}

type callbackRuntime struct {
	sender models.CallbackSender
	opts   CallbackOptions
	wake   chan struct{}
}

// callbackState is the Store's delivery runtime (nil until started).
type callbackState struct {
	mu sync.Mutex
	rt *callbackRuntime
}

func (s *Store) callbackRT() *callbackRuntime {
	s.cbState.mu.Lock()
	defer s.cbState.mu.Unlock()
	return s.cbState.rt
}

// wakeCallbacks nudges this instance's callback workers.
func (s *Store) wakeCallbacks() {
	if rt := s.callbackRT(); rt != nil {
		select {
		case rt.wake <- struct{}{}:
		default:
		}
	}
}

// SetCallbackSender sets the sender that echoes use (StartCallbacks sets
// it too).
func (s *Store) SetCallbackSender(sender models.CallbackSender, opts CallbackOptions) {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Schedule == nil {
		opts.Schedule = models.CallbackRetrySchedule
	}
	if opts.Lease <= 0 {
		opts.Lease = models.CallbackTimeout + 20*time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = models.CallbackDisableAfter
	}
	if opts.Owner == "" {
		opts.Owner = newUUID()
	}
	s.cbState.mu.Lock()
	defer s.cbState.mu.Unlock()
	if s.cbState.rt == nil {
		s.cbState.rt = &callbackRuntime{wake: make(chan struct{}, 1)}
		s.bus.Subscribe(func(_ context.Context, ev models.Event) {
			if ev.OutboxID != 0 && models.NotificationTypeOf(ev.Kind) != 0 {
				s.wakeCallbacks()
			}
		})
	}
	s.cbState.rt.sender, s.cbState.rt.opts = sender, opts
}

// StartCallbacks runs the delivery workers until ctx ends; the returned
// wait blocks until they have stopped. A delivery in flight when ctx ends
// is abandoned without a record: its lease expires and it is sent again
// (by this or another instance), as after a crash.
func (s *Store) StartCallbacks(ctx context.Context, sender models.CallbackSender, opts CallbackOptions) (wait func()) {
	s.SetCallbackSender(sender, opts)
	rt := s.callbackRT()
	var wg sync.WaitGroup
	for range rt.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.callbackWorker(ctx, rt)
		}()
	}
	return wg.Wait
}

func (s *Store) callbackWorker(ctx context.Context, rt *callbackRuntime) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		busy, err := s.callbackStep(ctx, rt)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Warn("callback delivery", "err", err)
		}
		if busy && err == nil {
			continue
		}
		t.Reset(rt.opts.Poll)
		select {
		case <-ctx.Done():
			return
		case <-rt.wake:
		case <-t.C:
		}
	}
}

// callbackStep dispatches what the outbox holds and makes at most one
// delivery attempt; busy when there may be more to do at once.
func (s *Store) callbackStep(ctx context.Context, rt *callbackRuntime) (bool, error) {
	n, err := s.dispatchCallbacks(ctx)
	if err != nil {
		return false, err
	}
	did, err := s.deliverOne(ctx, rt)
	return did || n > 0, err
}

const dispatchBatch = 100

// dispatchCallbacks turns undispatched outbox rows into deliveries.
func (s *Store) dispatchCallbacks(ctx context.Context) (int, error) {
	// A read first: idle workers do not take SQLite's write lock.
	var waiting []int64
	if err := s.conn(ctx).Raw("SELECT id FROM outbox_events WHERE dispatched_at IS NULL LIMIT 1").Find(&waiting).Error; err != nil || len(waiting) == 0 {
		return 0, err
	}
	var n int
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if s.dialect == Postgres {
			var got bool
			if err := tx.Raw("SELECT pg_try_advisory_xact_lock(1500015)").Row().Scan(&got); err != nil {
				return err
			}
			if !got {
				return nil // another instance is dispatching
			}
		}
		var rows []outboxEvent
		if err := tx.Where("dispatched_at IS NULL").Order("id").Limit(dispatchBatch).Find(&rows).Error; err != nil {
			return err
		}
		now := s.now()
		for i := range rows {
			if err := s.dispatchEvent(tx, &rows[i], now); err != nil {
				return err
			}
		}
		if len(rows) > 0 {
			ids := make([]int64, len(rows))
			for i, r := range rows {
				ids[i] = r.ID
			}
			if err := tx.Exec("UPDATE outbox_events SET dispatched_at = ? WHERE id IN ?", now, ids).Error; err != nil {
				return err
			}
		}
		n = len(rows)
		return nil
	})
	return n, err
}

// dispatchEvent writes ev's deliveries.
func (s *Store) dispatchEvent(tx *gorm.DB, row *outboxEvent, now time.Time) error {
	typeID := models.NotificationTypeOf(row.Kind)
	if typeID == 0 {
		return nil
	}
	var ev models.Event
	if err := json.Unmarshal([]byte(row.Payload), &ev); err != nil {
		s.log.Warn("callback dispatch: unreadable outbox payload", "outbox_id", row.ID, "err", err)
		return nil
	}
	var nums models.CallbackNumbers
	var brokerID int64
	type subject struct {
		BrokerID int64
		Number   int64
	}
	if ev.ProcessUUID != "" {
		var ps []subject
		if err := tx.Raw("SELECT broker_id, process_number AS number FROM processes WHERE uuid = ? AND bank_id = ?",
			strings.ToLower(ev.ProcessUUID), row.BankID).Find(&ps).Error; err != nil {
			return err
		}
		if len(ps) > 0 {
			brokerID, nums.ProcessNumber = ps[0].BrokerID, ps[0].Number
		}
	}
	if ev.SimulationUUID != "" {
		var ss []subject
		if err := tx.Raw("SELECT broker_id, simulation_number AS number FROM simulations WHERE uuid = ? AND bank_id = ?",
			strings.ToLower(ev.SimulationUUID), row.BankID).Find(&ss).Error; err != nil {
			return err
		}
		if len(ss) > 0 {
			brokerID, nums.SimulationNumber = ss[0].BrokerID, ss[0].Number
		}
	}
	if brokerID == 0 {
		return nil // the subject is gone: nobody to tell
	}
	if ev.Kind == models.EventMessagePosted && ev.Seq == 0 && ev.MessageUUID != "" {
		var seqs []int64
		if err := tx.Raw("SELECT seq FROM messages WHERE uuid = ?", ev.MessageUUID).Find(&seqs).Error; err != nil {
			return err
		}
		if len(seqs) > 0 {
			ev.Seq = seqs[0]
		}
	}
	var subs []int64
	if err := tx.Raw(`SELECT s.id FROM callback_subscriptions s JOIN broker_firms f ON f.partner_id = s.partner_id
		WHERE f.id = ? AND s.notification_type_id = ? AND s.enabled = ? ORDER BY s.id`, brokerID, typeID, true).
		Find(&subs).Error; err != nil {
		return err
	}
	if len(subs) == 0 {
		return nil
	}
	data, _, err := models.CallbackData(ev, nums)
	if err != nil {
		return err
	}
	body, err := models.CallbackBody(typeID, row.CreatedAt, data)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := tx.Exec(`INSERT INTO callback_deliveries (uuid, webhook_id, subscription_id, outbox_event_id, event_kind,
			payload, status, attempt_count, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
			ON CONFLICT (subscription_id, outbox_event_id) DO NOTHING`,
			newUUID(), "msg_"+strings.ReplaceAll(newUUID(), "-", ""), sub, row.ID, string(row.Kind), string(body), now, now).Error; err != nil {
			return err
		}
	}
	return nil
}

// claimed is a leased subscription's head delivery.
type claimed struct {
	SubID        int64
	URL          string `gorm:"column:url"`
	SubUUID      string
	Secret       string // sealed, as stored
	PrevSecret   string
	PrevUntil    *time.Time
	FailingSince *time.Time
	DeliveryID   int64
	WebhookID    string
	Payload      string
	AttemptCount int
}

// claimSQL finds a subscription whose lease is free and whose head
// delivery is due.
const claimSQL = `SELECT s.id FROM callback_subscriptions s
	WHERE s.enabled = ? AND (s.lease_until IS NULL OR s.lease_until < ?)
	AND EXISTS (SELECT 1 FROM callback_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending'
		AND d.next_attempt_at <= ?
		AND d.id = (SELECT min(d2.id) FROM callback_deliveries d2 WHERE d2.subscription_id = s.id AND d2.status = 'pending'))
	ORDER BY s.lease_until IS NOT NULL, s.lease_until, s.id LIMIT 1`

func (s *Store) claimCallback(ctx context.Context, rt *callbackRuntime) (*claimed, error) {
	// A read first: idle workers do not take SQLite's write lock.
	now := s.now()
	var due []int64
	if err := s.conn(ctx).Raw(claimSQL, true, now, now).Find(&due).Error; err != nil || len(due) == 0 {
		return nil, err
	}
	var c *claimed
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		now := s.now()
		q := claimSQL
		if s.dialect == Postgres {
			q += " FOR UPDATE SKIP LOCKED"
		}
		var ids []int64
		if err := tx.Raw(q, true, now, now).Find(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Exec("UPDATE callback_subscriptions SET lease_until = ?, lease_owner = ? WHERE id = ?",
			now.Add(rt.opts.Lease), rt.opts.Owner, ids[0]).Error; err != nil {
			return err
		}
		var rows []claimed
		if err := tx.Raw(`SELECT s.id AS sub_id, s.uuid AS sub_uuid, s.url, s.secret,
			s.previous_secret AS prev_secret, s.previous_secret_until AS prev_until, s.failing_since, d.id AS delivery_id, d.webhook_id,
			d.payload, d.attempt_count FROM callback_subscriptions s JOIN callback_deliveries d ON d.subscription_id = s.id
			WHERE s.id = ? AND d.status = 'pending' ORDER BY d.id LIMIT 1`, ids[0]).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) > 0 {
			c = &rows[0]
		}
		return nil
	})
	return c, err
}

// deliverOne claims, sends and finishes one delivery; false when there was
// none due.
func (s *Store) deliverOne(ctx context.Context, rt *callbackRuntime) (bool, error) {
	c, err := s.claimCallback(ctx, rt)
	if err != nil || c == nil {
		return false, err
	}
	at := s.now()
	secrets, err := s.signingSecrets(c.SubUUID, c.Secret, c.PrevSecret, c.PrevUntil, at)
	if err != nil {
		return true, err // left leased: retried when the lease ends
	}
	att := rt.sender.Send(ctx, c.URL, secrets, c.WebhookID, at, []byte(c.Payload))
	if ctx.Err() != nil {
		return true, nil // stopping: abandon, the lease expires
	}
	return true, s.finishCallback(ctx, rt, c, att)
}

func (s *Store) finishCallback(ctx context.Context, rt *callbackRuntime, c *claimed, att models.CallbackAttempt) error {
	disabled := false
	defer func() {
		if disabled { // after COMMIT: the brokers' notice must show it
			s.cbNotice.clear()
		}
	}()
	return s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		now := s.now()
		if att.At.IsZero() {
			att.At = now
		}
		// Deleted meanwhile (the subscription was removed): nothing to record.
		var alive []int64
		if err := tx.Raw("SELECT id FROM callback_deliveries WHERE id = ?", c.DeliveryID).Find(&alive).Error; err != nil || len(alive) == 0 {
			return err
		}
		if len(att.Response) > models.MaxCallbackResponse {
			att.Response = att.Response[:models.MaxCallbackResponse]
		}
		if err := tx.Create(&callbackAttemptRow{DeliveryID: c.DeliveryID, At: att.At, StatusCode: att.StatusCode,
			DurationMs: att.Duration.Milliseconds(), Response: att.Response, Error: att.Error}).Error; err != nil {
			return err
		}
		// Ours still? A lease that expired and was taken by another worker
		// leaves the delivery to it (the attempt is recorded all the same).
		res := tx.Exec("UPDATE callback_subscriptions SET lease_until = NULL, lease_owner = '' WHERE id = ? AND lease_owner = ?",
			c.SubID, rt.opts.Owner)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil
		}
		n := c.AttemptCount + 1
		if att.Succeeded() {
			if err := tx.Exec("UPDATE callback_deliveries SET status = 'succeeded', attempt_count = ?, finished_at = ? WHERE id = ?",
				n, now, c.DeliveryID).Error; err != nil {
				return err
			}
			return tx.Exec("UPDATE callback_subscriptions SET last_success_at = ?, failing_since = NULL WHERE id = ?", now, c.SubID).Error
		}
		if delay, ok := models.CallbackRetryDelay(rt.opts.Schedule, n, rand.Float64()); ok {
			if err := tx.Exec("UPDATE callback_deliveries SET attempt_count = ?, next_attempt_at = ? WHERE id = ?",
				n, now.Add(delay), c.DeliveryID).Error; err != nil {
				return err
			}
		} else if err := tx.Exec("UPDATE callback_deliveries SET status = 'failed', attempt_count = ?, finished_at = ? WHERE id = ?",
			n, now, c.DeliveryID).Error; err != nil {
			return err
		}
		since := now
		if c.FailingSince != nil {
			since = *c.FailingSince
		}
		reason := ""
		switch {
		case att.StatusCode == 410:
			reason = "gone"
		case now.Sub(since) > rt.opts.DisableAfter:
			reason = "failing"
		}
		if err := tx.Exec("UPDATE callback_subscriptions SET last_failure_at = ?, failing_since = ? WHERE id = ?",
			now, since, c.SubID).Error; err != nil {
			return err
		}
		if reason == "" {
			return nil
		}
		disabled = true
		if err := tx.Exec(`UPDATE callback_subscriptions SET enabled = ?, disabled_reason = ?, disabled_at = ?, updated_at = ?
			WHERE id = ?`, false, reason, now, now, c.SubID).Error; err != nil {
			return err
		}
		var subUUID []string
		if err := tx.Raw("SELECT uuid FROM callback_subscriptions WHERE id = ?", c.SubID).Find(&subUUID).Error; err != nil {
			return err
		}
		return tx.Create(&models.AuditEvent{CreatedAt: now, Action: models.AuditCallbackDisabled,
			Subject: strings.ToLower(strings.Join(subUUID, "")), Outcome: "ok", Detail: reason}).Error
	})
}
