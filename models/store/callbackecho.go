package store

import (
	"context"
	"strings"

	"portal/models"
)

// EchoCallback implements models.CallbackService: one signed attempt now,
// recorded nowhere but the answer (it is the partner's test, not an event).
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
