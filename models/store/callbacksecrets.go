package store

import (
	"strings"
	"time"

	"portal/models"
)

// Callback signing secrets are sealed at rest like TOTP secrets (same key,
// same AES-256-GCM format), bound to the subscription's uuid. Rows written
// before sealing (no prefix) still open; a store without the TOTP key
// (tests, tools) keeps them plain.

func callbackSecretOwner(subUUID string) string { return "callback " + strings.ToLower(subUUID) }

func (s *Store) sealCallbackSecret(subUUID, secret string) (string, error) {
	if s.totp == nil || secret == "" {
		return secret, nil
	}
	return s.totp.sealFor(callbackSecretOwner(subUUID), secret)
}

func (s *Store) openCallbackSecret(subUUID, stored string) (string, error) {
	if !strings.HasPrefix(stored, sealedPrefix) {
		return stored, nil
	}
	cfg, err := s.totpCfg()
	if err != nil {
		return "", err
	}
	return cfg.openFor(callbackSecretOwner(subUUID), stored)
}

// signingSecrets is what the sender signs with: the current secret, and
// the previous one while its overlap lasts ("new old": one signature
// each).
func (s *Store) signingSecrets(subUUID, current, previous string, previousUntil *time.Time, now time.Time) (string, error) {
	cur, err := s.openCallbackSecret(subUUID, current)
	if err != nil {
		return "", err
	}
	if previous == "" || previousUntil == nil || !now.Before(*previousUntil) {
		return cur, nil
	}
	prev, err := s.openCallbackSecret(subUUID, previous)
	if err != nil {
		return "", err
	}
	return cur + " " + prev, nil
}

// rotateCallbackSecret gives row a new secret, keeping the current one as
// the previous for models.CallbackSecretOverlap; it returns the new
// secret in clear.
func (s *Store) rotateCallbackSecret(row *callbackSub, now time.Time) (string, error) {
	row.PreviousSecret, row.PreviousSecretUntil = "", nil
	// An old secret that no longer opens (another key) just has no overlap:
	// rotating is how a partner recovers from it.
	if old, err := s.openCallbackSecret(row.UUID, row.Secret); err == nil {
		if row.PreviousSecret, err = s.sealCallbackSecret(row.UUID, old); err != nil {
			return "", err
		}
		until := now.Add(models.CallbackSecretOverlap)
		row.PreviousSecretUntil = &until
	}
	secret := newCallbackSecret()
	var err error
	if row.Secret, err = s.sealCallbackSecret(row.UUID, secret); err != nil {
		return "", err
	}
	return secret, nil
}

// resealCallbackSecret seals a secret stored plain before sealing (when
// the store has the key), so a replaced subscription is sealed too.
func (s *Store) resealCallbackSecret(row *callbackSub) error {
	if s.totp == nil || strings.HasPrefix(row.Secret, sealedPrefix) {
		return nil
	}
	sealed, err := s.sealCallbackSecret(row.UUID, row.Secret)
	if err != nil {
		return err
	}
	row.Secret = sealed
	return nil
}
