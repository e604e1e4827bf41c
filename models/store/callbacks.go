package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// Partner callback subscriptions (models.CallbackService, partner side).
// Deliveries and workers are in callbackdelivery.go, the admin side in
// callbackadmin.go.

var _ models.CallbackService = (*Store)(nil)

// callbackSub is a row of callback_subscriptions (migration 00021).
type callbackSub struct {
	ID                  int64
	UUID                string
	PartnerID           int64
	NotificationTypeID  int
	URL                 string `gorm:"column:url"`
	Description         string
	Secret              string // sealed (callbacksecrets.go)
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	Enabled             bool
	DisabledReason      string
	DisabledAt          *time.Time
	LastSuccessAt       *time.Time
	LastFailureAt       *time.Time
	FailingSince        *time.Time
	LeaseUntil          *time.Time
	LeaseOwner          string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (callbackSub) TableName() string { return "callback_subscriptions" }

// callbackSubView is a subscription with its partner's uuid and pending
// count, as the lists read it.
type callbackSubView struct {
	ID                 int64
	UUID               string
	NotificationTypeID int
	URL                string `gorm:"column:url"`
	Description        string
	Enabled            bool
	DisabledReason     string
	DisabledAt         *time.Time
	LastSuccessAt      *time.Time
	LastFailureAt      *time.Time
	FailingSince       *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
	PartnerUUID        string
	Pending            int64
}

const callbackSubSelect = `s.id, s.uuid, s.notification_type_id, s.url, s.description, s.enabled, s.disabled_reason,
	s.disabled_at, s.last_success_at, s.last_failure_at, s.failing_since, s.created_at, s.updated_at, p.uuid AS partner_uuid,
	(SELECT count(*) FROM callback_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending') AS pending`

func (v *callbackSubView) model() models.CallbackSubscription {
	return models.CallbackSubscription{UUID: strings.ToLower(v.UUID), PartnerUUID: strings.ToLower(v.PartnerUUID),
		NotificationTypeID: v.NotificationTypeID, URL: v.URL, Description: v.Description, Enabled: v.Enabled,
		DisabledReason: v.DisabledReason, DisabledAt: v.DisabledAt, LastSuccessAt: v.LastSuccessAt,
		LastFailureAt: v.LastFailureAt, FailingSince: v.FailingSince, Pending: v.Pending,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
}

// callbackPartner resolves partnerUUID for the caller: a broker (a partner
// API token's user) whose firm belongs to that partner. Anyone else, and
// an unknown or malformed id, gets the same CodeNotFound "partner".
func (s *Store) callbackPartner(ctx context.Context, db *gorm.DB, partnerUUID string) (int64, *models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	if p == nil {
		return 0, nil, models.Unauthorized("sign in")
	}
	if !p.IsBroker() || p.FirmID == 0 || !validUUID(partnerUUID) {
		return 0, nil, models.NotFound("partner")
	}
	var ids []int64
	err := db.Raw(`SELECT pa.id FROM partners pa JOIN broker_firms f ON f.partner_id = pa.id
		WHERE pa.uuid = ? AND f.id = ? AND pa.bank_id = ?`, strings.ToLower(partnerUUID), p.FirmID, p.BankID).
		Find(&ids).Error
	if err != nil {
		return 0, nil, translate(err, "partner")
	}
	if len(ids) == 0 {
		return 0, nil, models.NotFound("partner")
	}
	return ids[0], p, nil
}

// newCallbackSecret is a Standard Webhooks secret: "whsec_" and 24 random
// bytes in base64.
func newCallbackSecret() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// PutCallback implements models.CallbackService.
func (s *Store) PutCallback(ctx context.Context, partnerUUID string, typeID int, in models.CallbackInput, rotate bool) (*models.CallbackSubscription, error) {
	defer s.cbNotice.clear() // after COMMIT (or a refusal: harmless)
	var out *models.CallbackSubscription
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		partnerID, who, err := s.callbackPartner(ctx, tx, partnerUUID)
		if err != nil {
			return err
		}
		if !models.ValidCallbackType(typeID) {
			return models.Invalid("notificationType", "callback.type.invalid", nil)
		}
		rt := s.callbackRT()
		if err := models.ValidateCallbackInput(in, rt != nil && rt.opts.AllowLoopback); err != nil {
			return err
		}
		now := s.now()
		var rows []callbackSub
		if err := tx.Where("partner_id = ? AND notification_type_id = ?", partnerID, typeID).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		secret := ""
		var row callbackSub
		if len(rows) == 0 {
			secret = newCallbackSecret()
			row = callbackSub{UUID: newUUID(), PartnerID: partnerID, NotificationTypeID: typeID, URL: in.URL,
				Description: in.Description, Enabled: true, CreatedAt: now, UpdatedAt: now}
			if row.Secret, err = s.sealCallbackSecret(row.UUID, secret); err != nil {
				return err
			}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
		} else {
			row = rows[0]
			if rotate {
				if secret, err = s.rotateCallbackSecret(&row, now); err != nil {
					return err
				}
			} else if err := s.resealCallbackSecret(&row); err != nil {
				return err
			}
			wasDisabled := !row.Enabled
			row.URL, row.Description, row.Enabled, row.DisabledReason, row.DisabledAt, row.UpdatedAt =
				in.URL, in.Description, true, "", nil, now
			if wasDisabled {
				// A fresh start: the failure that disabled it no longer counts.
				row.FailingSince = nil
			}
			if err := tx.Select("url", "description", "secret", "previous_secret", "previous_secret_until", "enabled", "disabled_reason", "disabled_at",
				"failing_since", "updated_at").Updates(&row).Error; err != nil {
				return err
			}
			if wasDisabled {
				if err := tx.Exec("UPDATE callback_deliveries SET next_attempt_at = ? WHERE subscription_id = ? AND status = 'pending'",
					now, row.ID).Error; err != nil {
					return err
				}
			}
		}
		uid := who.UserID
		if err := tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &uid, Action: models.AuditCallbackSet,
			Subject: row.UUID, Outcome: "ok", Detail: "type " + strconv.Itoa(typeID)}).Error; err != nil {
			return err
		}
		v, err := s.subView(tx, "s.id = ?", row.ID)
		if err != nil {
			return err
		}
		m := v.model()
		m.Secret = secret
		out = &m
		return nil
	})
	if err != nil {
		return nil, translate(err, "callback")
	}
	s.wakeCallbacks()
	return out, nil
}

func (s *Store) subView(db *gorm.DB, where string, args ...any) (*callbackSubView, error) {
	var rows []callbackSubView
	if err := db.Table("callback_subscriptions s").Select(callbackSubSelect).
		Joins("JOIN partners p ON p.id = s.partner_id").Where(where, args...).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, models.NotFound("callback")
	}
	return &rows[0], nil
}

// DeleteCallback implements models.CallbackService.
func (s *Store) DeleteCallback(ctx context.Context, partnerUUID string, typeID int) error {
	defer s.cbNotice.clear() // after COMMIT (or a refusal: harmless)
	err := s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		partnerID, who, err := s.callbackPartner(ctx, tx, partnerUUID)
		if err != nil {
			return err
		}
		var rows []callbackSub
		if err := tx.Where("partner_id = ? AND notification_type_id = ?", partnerID, typeID).Limit(1).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return models.NotFound("callback")
		}
		// Deliveries and their attempts go with it (ON DELETE CASCADE);
		// explicit so SQLite without the pragma behaves the same.
		if err := tx.Exec("DELETE FROM callback_attempts WHERE delivery_id IN (SELECT id FROM callback_deliveries WHERE subscription_id = ?)", rows[0].ID).Error; err != nil {
			return err
		}
		if err := tx.Exec("DELETE FROM callback_deliveries WHERE subscription_id = ?", rows[0].ID).Error; err != nil {
			return err
		}
		if err := tx.Delete(&callbackSub{}, rows[0].ID).Error; err != nil {
			return err
		}
		uid := who.UserID
		return tx.Create(&models.AuditEvent{CreatedAt: s.now(), ActorUserID: &uid, Action: models.AuditCallbackDeleted,
			Subject: rows[0].UUID, Outcome: "ok", Detail: "type " + strconv.Itoa(typeID)}).Error
	})
	return translate(err, "callback")
}

// ListCallbacks implements models.CallbackService.
func (s *Store) ListCallbacks(ctx context.Context, partnerUUID string, offset, limit int) ([]models.CallbackSubscription, int64, error) {
	db := s.conn(ctx)
	partnerID, _, err := s.callbackPartner(ctx, db, partnerUUID)
	if err != nil {
		return nil, 0, err
	}
	if offset < 0 {
		return nil, 0, models.Invalid("offset", "callback.offset.invalid", nil)
	}
	if limit <= 0 || limit > models.MaxCallbackPageSize {
		return nil, 0, models.Invalid("limit", "callback.limit.invalid", models.Args{"Max": models.MaxCallbackPageSize})
	}
	var total int64
	if err := db.Model(&callbackSub{}).Where("partner_id = ?", partnerID).Count(&total).Error; err != nil {
		return nil, 0, translate(err, "callbacks")
	}
	var rows []callbackSubView
	if err := db.Table("callback_subscriptions s").Select(callbackSubSelect).
		Joins("JOIN partners p ON p.id = s.partner_id").Where("s.partner_id = ?", partnerID).
		Order("s.notification_type_id").Offset(offset).Limit(limit).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "callbacks")
	}
	out := make([]models.CallbackSubscription, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, total, nil
}
