package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// counted runs fn with a query counter and returns the statements it sent.
func counted(t *testing.T, fn func(ctx context.Context)) *store.QueryCounter {
	t.Helper()
	c := &store.QueryCounter{}
	fn(store.WithQueryCounter(context.Background(), c))
	return c
}

// TestResolveSession: a session and its principal come in one statement,
// the principal the same as the one signing in gives (firm, bank, roles);
// a disabled user's live session has no principal; the last-seen time is
// written only once a minute has passed, and never by a background peek.
func TestResolveSession(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.CountQueries(), "count queries")
		ctx := context.Background()
		for _, email := range []string{"ana.silva@lisboa-credito.example", "marta.santos@bank.example",
			"admin@bank.example", "maria.ferreira@example.com"} {
			want, err := s.Login(ctx, email, store.DemoPassword, "198.51.100.7")
			storetest.Must(t, err, "login %s", email)
			tok, err := s.CreateSession(ctx, want.UserID, "198.51.100.7", "test")
			storetest.Must(t, err, "session")
			var (
				row *models.Session
				got *models.Principal
			)
			c := counted(t, func(ctx context.Context) { row, got, err = s.ResolveSession(ctx, tok, true) })
			storetest.Must(t, err, "resolve %s", email)
			if n := c.Count(); n != 1 {
				t.Errorf("%s: %d statements, want 1:\n%s", email, n, c)
			}
			if row.UserID != want.UserID || row.ClientIP != "198.51.100.7" {
				t.Errorf("%s: session %+v", email, row)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: principal\n%+v\nwant (as signed in)\n%+v", email, got, want)
			}
			byID, err := s.Principal(ctx, want.UserID)
			storetest.Must(t, err, "principal %s", email)
			if !reflect.DeepEqual(byID, want) {
				t.Errorf("%s: Principal\n%+v\nwant\n%+v", email, byID, want)
			}
			if email == "marta.santos@bank.example" && len(got.Roles) < 2 {
				t.Errorf("staff roles %v: the demo gives Marta several", got.Roles)
			}
		}

		t.Run("disabled user", func(t *testing.T) {
			uid := sessionUser(t, s)
			tok, err := s.CreateSession(ctx, uid, "", "")
			storetest.Must(t, err, "session")
			storetest.Must(t, s.DB().Exec("UPDATE users SET disabled = ? WHERE id = ?", true, uid).Error, "disable")
			row, p, err := s.ResolveSession(ctx, tok, true)
			storetest.Must(t, err, "resolve")
			if row == nil || p != nil {
				t.Fatalf("session %v, principal %+v; want the session and no principal", row, p)
			}
			if _, err := s.Principal(ctx, uid); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("Principal of a disabled user: %v", err)
			}
		})

		t.Run("last seen written at most once a minute", func(t *testing.T) {
			uid, err := s.Login(ctx, "ana.silva@lisboa-credito.example", store.DemoPassword, "198.51.100.8")
			storetest.Must(t, err, "login")
			tok, err := s.CreateSession(ctx, uid.UserID, "", "")
			storetest.Must(t, err, "session")
			resolve := func(touch bool) int {
				c := counted(t, func(ctx context.Context) { _, _, err = s.ResolveSession(ctx, tok, touch) })
				storetest.Must(t, err, "resolve")
				return c.Count()
			}
			if n := resolve(true); n != 1 {
				t.Errorf("fresh session: %d statements, want 1 (no write)", n)
			}
			storetest.Must(t, s.AgeSession(ctx, tok, 2*time.Minute), "age")
			if n := resolve(false); n != 1 {
				t.Errorf("background peek after 2 minutes: %d statements, want 1 (no write)", n)
			}
			if n := resolve(true); n != 2 {
				t.Errorf("use after 2 minutes: %d statements, want 2 (the last-seen write)", n)
			}
			if n := resolve(true); n != 1 {
				t.Errorf("use right after: %d statements, want 1 (no write)", n)
			}
		})
	})
}

// TestResolveTokenIsOneStatement: a partner token resolves in one
// statement, and its sliding expiry is written only once a minute.
func TestResolveTokenIsOneStatement(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.CountQueries(), "count queries")
		ctx := context.Background()
		tok, _, err := s.AuthenticatePartner(ctx, models.PartnerLogin{ClientID: store.DemoPartnerClient,
			ClientSecret: store.DemoPartnerSecret, BrokerUID: "BRK-LIS-001",
			Username: "ana.silva@lisboa-credito.example", ClientIP: "198.51.100.9"})
		storetest.Must(t, err, "authenticate")
		resolve := func() (*models.Principal, int) {
			var p *models.Principal
			c := counted(t, func(ctx context.Context) { p, err = s.ResolveToken(ctx, tok) })
			storetest.Must(t, err, "resolve")
			return p, c.Count()
		}
		p, n := resolve()
		if n != 1 {
			t.Errorf("%d statements, want 1", n)
		}
		if p.Email != "ana.silva@lisboa-credito.example" || p.Kind != models.KindBroker || p.FirmID == 0 || p.FirmName == "" {
			t.Errorf("principal %+v", p)
		}
		storetest.Must(t, s.DB().Exec("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?",
			time.Now().UTC().Add(-2*time.Minute), store.HashToken(tok)).Error, "age token")
		if _, n := resolve(); n != 2 {
			t.Errorf("after 2 minutes unused: %d statements, want 2 (the expiry write)", n)
		}
		if _, n := resolve(); n != 1 {
			t.Errorf("right after: %d statements, want 1", n)
		}
	})
}
