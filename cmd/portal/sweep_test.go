package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// The sweeper deletes expired sessions, partner tokens, OBP tokens and
// idempotency keys, leaves live ones, and logs each count at debug level.
func TestSweepDeletesEveryKindOfExpiredRow(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, st *store.Store) {
		db := st.DB()
		ctx := context.Background()
		now := time.Now().UTC()
		id := func(table, where string, args ...any) int64 {
			t.Helper()
			var v int64
			storetest.Must(t, db.Table(table).Where(where, args...).Select("id").Scan(&v).Error, "%s id", table)
			if v == 0 {
				t.Fatalf("no %s row where %s", table, where)
			}
			return v
		}
		marta := id("users", "email = ?", "marta.santos@bank.example")
		ana := id("users", "email = ?", "ana.silva@lisboa-credito.example")
		partner := id("partners", "client_id = ?", store.DemoPartnerClient)
		consumer := id("api_consumers", "consumer_key = ?", store.DemoConsumerKey)

		for i, expires := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
			storetest.Must(t, db.Create(&models.Session{TokenHash: fmt.Sprintf("sess-%d", i), UserID: marta, Data: "{}",
				CreatedAt: now.Add(-2 * time.Hour), LastSeenAt: now, ExpiresAt: expires}).Error, "session")
			storetest.Must(t, db.Create(&models.APIToken{TokenHash: fmt.Sprintf("api-%d", i), UserID: ana, PartnerID: partner,
				CreatedAt: now.Add(-2 * time.Hour), LastUsedAt: now.Add(-2 * time.Hour), ExpiresAt: expires}).Error, "api token")
			storetest.Must(t, db.Table("obp_tokens").Create(map[string]any{"token_hash": fmt.Sprintf("obp-%d", i), "user_id": marta,
				"consumer_id": consumer, "client_ip": "", "created_at": now.Add(-2 * time.Hour), "last_used_at": now.Add(-2 * time.Hour),
				"expires_at": expires}).Error, "obp token")
		}
		for i, created := range []time.Time{now.Add(-models.IdempotencyWindow - time.Hour), now} {
			storetest.Must(t, db.Create(&models.IdempotencyKey{UserID: ana, Key: fmt.Sprintf("key-%d", i), Fingerprint: "f",
				StatusCode: 201, ResponseBody: []byte("{}"), CreatedAt: created}).Error, "idempotency key")
		}

		var logs syncBuffer
		s := &server{store: st, log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		s.sweepOnce(ctx)

		for _, table := range []string{"sessions", "api_tokens", "obp_tokens", "idempotency_keys"} {
			var left []string
			col := "token_hash"
			if table == "idempotency_keys" {
				col = "idem_key"
			}
			storetest.Must(t, db.Table(table).Order(col).Pluck(col, &left).Error, "%s left", table)
			if len(left) != 1 || !strings.HasSuffix(left[0], "-1") {
				t.Errorf("%s after the sweep: %q, want only the live row", table, left)
			}
		}
		out := logs.String()
		for _, what := range []string{"sessions", "partner tokens", "obp tokens", "idempotency keys"} {
			v := what
			if strings.Contains(v, " ") {
				v = strconv.Quote(v) // as slog's text handler writes it
			}
			if want := `level=DEBUG msg="expired rows deleted" what=` + v + ` count=1`; !strings.Contains(out, want) {
				t.Errorf("log lacks %s\n%s", want, out)
			}
		}

		// Nothing left to delete: counts of zero, no warnings.
		s.sweepOnce(ctx)
		if strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("warnings:\n%s", logs.String())
		}
	})
}
