package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// sessionUser creates a bank and a user to own sessions; no password is
// ever checked, so no hashing is needed.
func sessionUser(t *testing.T, s *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	storetest.Must(t, s.EnsureBank(ctx, "test.bank", "Test Bank"), "bank")
	var bank models.Bank
	storetest.Must(t, s.DB().Where("bank_id = ?", "test.bank").Take(&bank).Error, "bank")
	now := time.Now().UTC()
	u := models.User{UUID: uuid.NewString(), BankID: bank.ID, Email: "session.user@bank.example", Name: "Session User",
		Kind: models.KindStaff, PasswordHash: "unused", CreatedAt: now, UpdatedAt: now}
	storetest.Must(t, s.DB().Create(&u).Error, "user")
	return u.ID
}

func sessionRows(t *testing.T, s *store.Store) int64 {
	t.Helper()
	var n int64
	storetest.Must(t, s.DB().Model(&models.Session{}).Count(&n).Error, "count sessions")
	return n
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		uid := sessionUser(t, s)
		create := func(t *testing.T) string {
			t.Helper()
			tok, err := s.CreateSession(ctx, uid, "198.51.100.5", "TestAgent/1.0")
			storetest.Must(t, err, "create session")
			return tok
		}

		t.Run("a new session loads with its owner and lifetimes", func(t *testing.T) {
			tok := create(t)
			raw, err := base64.RawURLEncoding.DecodeString(tok)
			if err != nil || len(raw) < 16 {
				t.Fatalf("token %q is not >= 128 random bits", tok)
			}
			sess, err := s.LoadSession(ctx, tok)
			storetest.Must(t, err, "load")
			if sess.UserID != uid || sess.ClientIP != "198.51.100.5" || sess.UserAgent != "TestAgent/1.0" || sess.Data != "{}" {
				t.Fatalf("session %+v", sess)
			}
			if got := sess.ExpiresAt.Sub(sess.CreatedAt); got != models.SessionAbsoluteTimeout {
				t.Fatalf("absolute lifetime %v, want %v", got, models.SessionAbsoluteTimeout)
			}
		})

		t.Run("only a hash of the token is stored", func(t *testing.T) {
			tok := create(t)
			rows, err := s.DB().Raw("SELECT * FROM sessions").Rows()
			storetest.Must(t, err, "select sessions")
			defer rows.Close()
			cols, _ := rows.Columns()
			found := false
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				storetest.Must(t, rows.Scan(ptrs...), "scan")
				for i, v := range vals {
					text := fmt.Sprint(v)
					if b, ok := v.([]byte); ok {
						text = string(b)
					}
					if strings.Contains(text, tok) {
						t.Fatalf("column %s holds the raw token", cols[i])
					}
					if cols[i] == "token_hash" && text == store.HashToken(tok) {
						found = true
					}
				}
			}
			storetest.Must(t, rows.Err(), "rows")
			if !found {
				t.Fatal("no row holds the token's hash")
			}
		})

		t.Run("deleted sessions are gone", func(t *testing.T) {
			tok := create(t)
			storetest.Must(t, s.DeleteSession(ctx, tok), "delete")
			_, err := s.LoadSession(ctx, tok)
			wantCode(t, err, models.CodeUnauthorized)
			// Deleting again (a second logout) is harmless.
			storetest.Must(t, s.DeleteSession(ctx, tok), "delete again")
		})

		t.Run("unknown tokens are unauthorized", func(t *testing.T) {
			tok := create(t)
			for _, bad := range []string{"", "x", tok + "x", store.HashToken(tok)} {
				_, err := s.LoadSession(ctx, bad)
				wantCode(t, err, models.CodeUnauthorized)
			}
		})

		t.Run("idle sessions expire and are removed", func(t *testing.T) {
			tok := create(t)
			storetest.Must(t, s.AgeSession(ctx, tok, models.SessionIdleTimeout+time.Minute), "age")
			_, err := s.LoadSession(ctx, tok)
			wantCode(t, err, models.CodeUnauthorized)
			var n int64
			storetest.Must(t, s.DB().Model(&models.Session{}).Where("token_hash = ?", store.HashToken(tok)).Count(&n).Error, "count")
			if n != 0 {
				t.Fatal("idle session row still stored")
			}
		})

		t.Run("use keeps a session alive", func(t *testing.T) {
			tok := create(t)
			storetest.Must(t, s.AgeSession(ctx, tok, models.SessionIdleTimeout-time.Minute), "age")
			before := time.Now().UTC().Add(-time.Minute)
			if _, err := s.LoadSession(ctx, tok); err != nil {
				t.Fatalf("session used within the idle window: %v", err)
			}
			var row models.Session
			storetest.Must(t, s.DB().Where("token_hash = ?", store.HashToken(tok)).Take(&row).Error, "row")
			if row.LastSeenAt.Before(before) {
				t.Fatalf("last seen %v not moved forward by use", row.LastSeenAt)
			}
		})

		t.Run("a background peek does not keep a session alive", func(t *testing.T) {
			tok := create(t)
			storetest.Must(t, s.AgeSession(ctx, tok, models.SessionIdleTimeout-time.Minute), "age")
			if _, err := s.PeekSession(ctx, tok); err != nil {
				t.Fatalf("peek within the idle window: %v", err)
			}
			var row models.Session
			storetest.Must(t, s.DB().Where("token_hash = ?", store.HashToken(tok)).Take(&row).Error, "row")
			if time.Since(row.LastSeenAt) < models.SessionIdleTimeout-2*time.Minute {
				t.Fatalf("last seen %v moved forward by a peek", row.LastSeenAt)
			}
			storetest.Must(t, s.AgeSession(ctx, tok, models.SessionIdleTimeout+time.Minute), "age")
			if _, err := s.PeekSession(ctx, tok); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("peek of an idle session: %v", err)
			}
		})

		t.Run("sessions end at their absolute expiry", func(t *testing.T) {
			tok := create(t)
			storetest.Must(t, s.DB().Model(&models.Session{}).Where("token_hash = ?", store.HashToken(tok)).
				Update("expires_at", time.Now().UTC().Add(-time.Second)).Error, "expire")
			_, err := s.LoadSession(ctx, tok)
			wantCode(t, err, models.CodeUnauthorized)
		})

		t.Run("session data round-trips", func(t *testing.T) {
			tok := create(t)
			const data = `{"flash":"Mensagem enviada ✓","lang":"pt"}`
			storetest.Must(t, s.SaveSessionData(ctx, tok, data), "save")
			sess, err := s.LoadSession(ctx, tok)
			storetest.Must(t, err, "load")
			if sess.Data != data {
				t.Fatalf("data %q, want %q", sess.Data, data)
			}
		})

		t.Run("two sessions are independent", func(t *testing.T) {
			a, b := create(t), create(t)
			if a == b {
				t.Fatal("two sessions got the same token")
			}
			storetest.Must(t, s.SaveSessionData(ctx, a, `{"flash":"a"}`), "save a")
			sb, err := s.LoadSession(ctx, b)
			storetest.Must(t, err, "load b")
			if sb.Data != "{}" {
				t.Fatalf("b sees a's data: %q", sb.Data)
			}
			storetest.Must(t, s.DeleteSession(ctx, a), "delete a")
			if _, err := s.LoadSession(ctx, b); err != nil {
				t.Fatalf("b after deleting a: %v", err)
			}
			_, err = s.LoadSession(ctx, a)
			wantCode(t, err, models.CodeUnauthorized)
		})

		t.Run("expired sessions are swept, live ones kept", func(t *testing.T) {
			storetest.Must(t, s.DB().Where("1 = 1").Delete(&models.Session{}).Error, "clear")
			live, idle, old := create(t), create(t), create(t)
			storetest.Must(t, s.AgeSession(ctx, idle, models.SessionIdleTimeout+time.Minute), "age")
			storetest.Must(t, s.DB().Model(&models.Session{}).Where("token_hash = ?", store.HashToken(old)).
				Update("expires_at", time.Now().UTC().Add(-time.Second)).Error, "expire")
			n, err := s.DeleteExpiredSessions(ctx)
			storetest.Must(t, err, "sweep")
			if n != 2 || sessionRows(t, s) != 1 {
				t.Fatalf("swept %d, %d left", n, sessionRows(t, s))
			}
			if _, err := s.LoadSession(ctx, live); err != nil {
				t.Fatalf("live session after sweep: %v", err)
			}
		})
	})
}
