package store

import (
	"context"

	"portal/models"
)

// EchoCallback implements models.CallbackService.
func (s *Store) EchoCallback(ctx context.Context, partnerUUID string, in models.CallbackEcho) (*models.EchoResult, error) {
	return nil, models.Unavailable(errNoSender)
}
