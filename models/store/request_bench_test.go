package store_test

import (
	"context"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// BenchmarkSessionAuth resolves a staff member's browser session and
// principal per request: "baseline" is the former path (the session row
// through the ORM, then the user with firm and bank, then the roles: three
// statements), "resolve" is ResolveSession (one statement, scanned
// directly). Compare the two in one run:
//
//	go test ./models/store -run '^$' -bench SessionAuth
func BenchmarkSessionAuth(b *testing.B) {
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		s := storetest.OpenDemo(b, d)
		ctx := context.Background()
		var uid int64
		storetest.Must(b, s.DB().Raw("SELECT id FROM users WHERE email = ?", "marta.santos@bank.example").Scan(&uid).Error, "user")
		tok, err := s.CreateSession(ctx, uid, "198.51.100.1", "bench")
		storetest.Must(b, err, "session")
		b.Run("baseline", func(b *testing.B) {
			for b.Loop() {
				var row models.Session
				if err := s.DB().WithContext(ctx).Where("token_hash = ?", store.HashToken(tok)).Take(&row).Error; err != nil {
					b.Fatal(err)
				}
				var u struct {
					models.User
					FirmName     string
					BankPublicID string
				}
				if err := s.DB().WithContext(ctx).Table("users").
					Select("users.*, COALESCE(broker_firms.name, '') AS firm_name, COALESCE(banks.bank_id, '') AS bank_public_id").
					Joins("LEFT JOIN broker_firms ON broker_firms.id = users.firm_id").
					Joins("LEFT JOIN banks ON banks.id = users.bank_id").
					Where("users.id = ?", row.UserID).Take(&u).Error; err != nil {
					b.Fatal(err)
				}
				var roles []string
				if err := s.DB().WithContext(ctx).Model(&models.Entitlement{}).
					Where("user_id = ? AND bank_id = ?", u.ID, u.BankID).Order("role").Pluck("role", &roles).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("resolve", func(b *testing.B) {
			for b.Loop() {
				if _, p, err := s.ResolveSession(ctx, tok, true); err != nil || p == nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkProcessPageQueries reads what the process page shows for a
// thread of 65 messages: "baseline" is GetProcess then ThreadPage (the
// process looked up twice, SELECT * on every table), "page" is
// ProcessPage. Compare the two in one run:
//
//	go test ./models/store -run '^$' -bench ProcessPageQueries
func BenchmarkProcessPageQueries(b *testing.B) {
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		s := storetest.OpenDemo(b, d)
		ctx := storetest.AsUser(b, s, "ana.silva@lisboa-credito.example")
		var id string
		storetest.Must(b, s.DB().Raw(`SELECT p.uuid FROM processes p JOIN threads t ON t.process_id = p.id
			JOIN broker_firms f ON f.id = p.broker_id WHERE f.broker_uid = 'BRK-LIS-001'
			ORDER BY t.message_count DESC LIMIT 1`).Scan(&id).Error, "process")
		tq := models.ThreadQuery{MarkRead: true}
		b.Run("baseline", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.GetProcess(ctx, id); err != nil {
					b.Fatal(err)
				}
				if _, err := s.ThreadPage(ctx, id, tq); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("page", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := s.ProcessPage(ctx, id, tq); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
