package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// EchoCallback implements models.CallbackService: one signed attempt now,
// recorded nowhere but the answer (it is the partner's test, not an event)
// and the echo limit's row.
func (s *Store) EchoCallback(ctx context.Context, partnerUUID string, in models.CallbackEcho) (*models.EchoResult, error) {
	db := s.conn(ctx)
	partnerID, who, err := s.callbackPartner(ctx, db, partnerUUID)
	if err != nil {
		return nil, err
	}
	subject := models.CallbackSubject(in.NotificationTypeID)
	if subject == "" {
		return nil, models.Invalid("notificationTypeID", "callback.type.invalid", nil)
	}
	if (in.ProcessUUID == "") == (in.SimulationUUID == "") {
		return nil, models.Invalid("processUniqueId", "callback.echo.one_id", nil)
	}
	if subject == "process" && in.ProcessUUID == "" {
		return nil, models.Invalid("processUniqueId", "callback.echo.process_id", nil)
	}
	if subject == "simulation" && in.SimulationUUID == "" {
		return nil, models.Invalid("simulationUniqueId", "callback.echo.simulation_id", nil)
	}
	if err := models.ValidateCallbackData(in.NotificationTypeID, in.RawBody); err != nil {
		return nil, err
	}
	table, id, what := "processes", in.ProcessUUID, "process"
	if subject == "simulation" {
		table, id, what = "simulations", in.SimulationUUID, "simulation"
	}
	if !validUUID(id) {
		return nil, models.NotFound(what)
	}
	var n int64
	if err := db.Table(table).Where("uuid = ? AND broker_id = ? AND bank_id = ?", strings.ToLower(id), who.FirmID, who.BankID).
		Count(&n).Error; err != nil {
		return nil, translate(err, what)
	}
	if n == 0 {
		return nil, models.NotFound(what)
	}
	var subs []callbackSub
	if err := db.Where("partner_id = ? AND notification_type_id = ?", partnerID, in.NotificationTypeID).Limit(1).Find(&subs).Error; err != nil {
		return nil, translate(err, "callback")
	}
	if len(subs) == 0 {
		return nil, models.NotFound("callback")
	}
	rt := s.callbackRT()
	if rt == nil || rt.sender == nil {
		return nil, models.Unavailable(errNoSender)
	}
	now := s.now()
	if err := s.countEcho(ctx, partnerID, now); err != nil {
		return nil, translate(err, "callback")
	}
	body, err := models.CallbackBody(in.NotificationTypeID, now, in.RawBody)
	if err != nil {
		return nil, models.Internal(err)
	}
	webhookID := "msg_" + strings.ReplaceAll(newUUID(), "-", "")
	secrets, err := s.signingSecrets(subs[0].UUID, subs[0].Secret, subs[0].PreviousSecret, subs[0].PreviousSecretUntil, now)
	if err != nil {
		return nil, models.Internal(err)
	}
	att := rt.sender.Send(ctx, subs[0].URL, secrets, webhookID, now, body)
	return &models.EchoResult{WebhookID: webhookID, Attempt: att}, nil
}

// countEcho records an echo of the partner at now, or refuses it with
// CodeRateLimited when models.EchoRateLimit echoes are already in the
// window. The partner's row is locked (PostgreSQL; SQLite writes one at a
// time anyway) so two instances cannot both take the last place.
func (s *Store) countEcho(ctx context.Context, partnerID int64, now time.Time) error {
	return s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if s.dialect == Postgres {
			if err := tx.Exec("SELECT id FROM partners WHERE id = ? FOR UPDATE", partnerID).Error; err != nil {
				return err
			}
		}
		since := now.Add(-models.EchoRateWindow)
		// Older rows no longer count.
		if err := tx.Exec("DELETE FROM callback_echoes WHERE partner_id = ? AND created_at <= ?", partnerID, since).Error; err != nil {
			return err
		}
		var recent []struct{ CreatedAt time.Time }
		if err := tx.Table("callback_echoes").Select("created_at").Where("partner_id = ? AND created_at > ?", partnerID, since).
			Order("created_at DESC").Limit(models.EchoRateLimit).Find(&recent).Error; err != nil {
			return err
		}
		if len(recent) >= models.EchoRateLimit {
			return models.EchoRate(recent[models.EchoRateLimit-1].CreatedAt.UTC(), now)
		}
		return tx.Exec("INSERT INTO callback_echoes (partner_id, created_at) VALUES (?, ?)", partnerID, now).Error
	})
}
