package ui_test

import (
	"net/http"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// BenchmarkProcessPage serves the process page through the real router for
// a thread of 65 messages (the page shows the newest 50) against the same
// page with an empty thread as the baseline, in one run.
func BenchmarkProcessPage(b *testing.B) {
	s := webtest.New(b, store.SQLite)
	c := s.Client(b)
	c.Login(ana)
	var long, empty string
	s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN threads t ON t.process_id = p.id
		JOIN broker_firms f ON f.id = p.broker_id WHERE f.broker_uid = 'BRK-LIS-001' ORDER BY t.message_count DESC LIMIT 1`).Scan(&long)
	s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = 'BRK-LIS-001' AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.process_id = p.id) LIMIT 1`).Scan(&empty)
	for _, bc := range []struct{ name, id string }{{"baseline-empty-thread", empty}, {"thread-65", long}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if res := c.Get("/processes/" + bc.id); res.StatusCode != http.StatusOK {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
		})
	}
}
