package store_test

import (
	"context"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/dbaddr"
	"portal/models/store/storetest"
)

// setToken rewrites a partner token's clock: created and last used at the
// given times, with a sliding expiry 30 minutes after the last use.
func setToken(t *testing.T, s *store.Store, token string, created, lastUsed time.Time) {
	t.Helper()
	storetest.Must(t, s.DB().Model(&models.APIToken{}).Where("token_hash = ?", store.HashToken(token)).
		Updates(map[string]any{"created_at": created, "last_used_at": lastUsed,
			"expires_at": lastUsed.Add(models.PartnerTokenIdleTimeout)}).Error, "set token clock")
}

func tokenRow(t *testing.T, s *store.Store, token string) models.APIToken {
	t.Helper()
	var row models.APIToken
	storetest.Must(t, s.DB().Where("token_hash = ?", store.HashToken(token)).Take(&row).Error, "token")
	return row
}

// A token in use every minute still ends 12 hours after it was created:
// the lookup refuses it and the sweep deletes it.
func TestPartnerTokenAbsoluteLifetime(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		old, _, err := s.AuthenticatePartner(ctx, demoLogin(anaEmail))
		storetest.Must(t, err, "sign in")
		fresh, _, err := s.AuthenticatePartner(ctx, demoLogin(anaEmail))
		storetest.Must(t, err, "sign in")
		if row := tokenRow(t, s, fresh); row.ExpiresAt.After(row.CreatedAt.Add(store.DefaultPartnerTokenLifetime)) {
			t.Fatalf("a new token expires after its lifetime: %+v", row)
		}

		now := time.Now().UTC()
		setToken(t, s, old, now.Add(-13*time.Hour), now.Add(-time.Minute))
		_, err = s.ResolveToken(ctx, old)
		wantCode(t, err, models.CodeUnauthorized)
		if _, err := s.ResolveToken(ctx, fresh); err != nil {
			t.Fatalf("fresh token: %v", err)
		}

		// Near the end of its lifetime, use no longer extends it past it.
		near, _, err := s.AuthenticatePartner(ctx, demoLogin(anaEmail))
		storetest.Must(t, err, "sign in")
		created := now.Add(-store.DefaultPartnerTokenLifetime + 10*time.Minute)
		setToken(t, s, near, created, now.Add(-5*time.Minute))
		if _, err := s.ResolveToken(ctx, near); err != nil {
			t.Fatalf("token 11h50m old: %v", err)
		}
		row := tokenRow(t, s, near)
		if end := created.Add(store.DefaultPartnerTokenLifetime); row.ExpiresAt.After(end.Add(time.Second)) ||
			!row.LastUsedAt.After(now.Add(-time.Minute)) {
			t.Fatalf("touched token: expires %s, lifetime ends %s, last used %s", row.ExpiresAt, end, row.LastUsedAt)
		}

		n, err := s.DeleteExpiredTokens(ctx)
		storetest.Must(t, err, "sweep")
		if n != 1 {
			t.Fatalf("sweep deleted %d tokens, want the 13-hour-old one", n)
		}
		var left int64
		storetest.Must(t, s.DB().Model(&models.APIToken{}).Where("token_hash = ?", store.HashToken(old)).Count(&left).Error, "count")
		if left != 0 {
			t.Fatal("the 13-hour-old token survived the sweep")
		}
	})
}

// Options.PartnerTokenLifetime sets the lifetime.
func TestPartnerTokenLifetimeOption(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		addr, err := dbaddr.Parse(storetest.NewDatabase(t, d))
		storetest.Must(t, err, "address")
		s, err := store.OpenWith(addr, store.Options{PartnerTokenLifetime: time.Hour})
		storetest.Must(t, err, "open")
		t.Cleanup(func() { s.Close() })
		ctx := context.Background()
		storetest.Must(t, s.Migrate(ctx), "migrate")
		_, err = s.SeedDemo(ctx)
		storetest.Must(t, err, "seed")

		young, _, err := s.AuthenticatePartner(ctx, demoLogin(anaEmail))
		storetest.Must(t, err, "sign in")
		old, _, err := s.AuthenticatePartner(ctx, demoLogin(anaEmail))
		storetest.Must(t, err, "sign in")
		if row := tokenRow(t, s, young); !row.ExpiresAt.Equal(row.CreatedAt.Add(models.PartnerTokenIdleTimeout)) {
			t.Fatalf("new token expiry %s, created %s", row.ExpiresAt, row.CreatedAt)
		}
		now := time.Now().UTC()
		setToken(t, s, young, now.Add(-59*time.Minute), now.Add(-time.Minute))
		setToken(t, s, old, now.Add(-61*time.Minute), now.Add(-time.Minute))
		if _, err := s.ResolveToken(ctx, young); err != nil {
			t.Fatalf("59-minute-old token with a 1 h lifetime: %v", err)
		}
		_, err = s.ResolveToken(ctx, old)
		wantCode(t, err, models.CodeUnauthorized)
	})
}
