package store_test

import (
	"context"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// BenchmarkScale measures the process list, the process page and the
// bank-wide staff search on a bank of 10^4 processes and on one of 10^5
// (5 and 50 firms of 2,000, with their borrowers, properties and status
// changes), and logs for each case ratio = time at 10^4 / time at 10^5: 1
// is flat, >= 0.9 counts as flat. Each world also holds the same five
// borrowers named "Zulmira Quaresma" (in five firms) and one process whose
// key borrower's tax id is unique, so the searches for a person find the
// same rows at both sizes; "silva" is a surname of one process in ten,
// whose matches (and capped count) grow with the bank: the contrast.
//
//	go test ./models/store -run '^$' -bench Scale -benchtime 200x
//
// The PostgreSQL half needs PORTAL_TEST_POSTGRES_URL and is skipped without it.
func BenchmarkScale(b *testing.B) {
	const perFirm = 2000
	sizes := []struct {
		name  string
		firms int
	}{{"rows=1e4", 5}, {"rows=1e5", 50}}
	type target struct {
		w       *bulkWorld
		page    string // a process with two borrowers, a property and a history
		firm1   string // the second firm's UUID
		taxID   string // the key borrower's tax id of a process
		pageRef string
	}
	cases := []struct {
		name string
		run  func(ctx context.Context, tg *target) error
	}{
		{"broker list", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.broker, models.ProcessFilter{})
			return err
		}},
		{"staff list", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{})
			return err
		}},
		{"staff list of one firm", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{FirmUUID: tg.firm1})
			return err
		}},
		{"staff list waiting over 30 days", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{LastActionTo: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})
			return err
		}},
		{"broker process page", func(_ context.Context, tg *target) error {
			_, _, err := tg.w.s.ProcessPage(tg.w.broker, tg.page, models.ThreadQuery{})
			return err
		}},
		{"staff process page", func(_ context.Context, tg *target) error {
			_, _, err := tg.w.s.ProcessPage(tg.w.staff, tg.page, models.ThreadQuery{})
			return err
		}},
		{"staff search by name", func(_ context.Context, tg *target) error {
			p, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{Search: "zulmira quaresma"})
			if err == nil && p.Total != 5 {
				b.Fatalf("zulmira quaresma: %d matches, want 5", p.Total)
			}
			return err
		}},
		{"staff search by tax id", func(_ context.Context, tg *target) error {
			p, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{Search: tg.taxID})
			if err == nil && p.Total != 1 {
				b.Fatalf("tax id %s: %d matches", tg.taxID, p.Total)
			}
			return err
		}},
		{"staff search by process number", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{Search: "1000042"})
			return err
		}},
		{"broker search by name", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.broker, models.ProcessFilter{Search: "zeferino silva"})
			return err
		}},
		{"staff search common surname (contrast)", func(_ context.Context, tg *target) error {
			_, err := tg.w.s.ListProcesses(tg.w.staff, models.ProcessFilter{Search: "silva"})
			return err
		}},
	}
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		targets := make([]*target, len(sizes))
		for i, size := range sizes {
			w := seedBulk(b, storetest.Open(b, d), size.firms, perFirm)
			must := storetest.Musts(b, "scale ")
			db := w.s.DB()
			// Five borrowers named alike, in the first five firms, at both sizes.
			must(db.Exec(`UPDATE borrowers SET name = 'Zulmira Quaresma' WHERE id IN (
				SELECT min(b.id) FROM borrowers b JOIN processes p ON p.id = b.process_id
				WHERE b.borrower_type_id = 2 AND p.broker_id IN (?, ?, ?, ?, ?) GROUP BY p.broker_id)`,
				w.firms[0], w.firms[1], w.firms[2], w.firms[3], w.firms[4]).Error, "quaresma")
			tg := &target{w: w, firm1: w.firmUUID(b, 1)}
			must(db.Raw(`SELECT p.uuid FROM processes p WHERE p.broker_id = ?
				AND EXISTS (SELECT 1 FROM borrowers b WHERE b.process_id = p.id AND b.borrower_type_id = 2)
				AND EXISTS (SELECT 1 FROM properties x WHERE x.process_id = p.id)
				AND EXISTS (SELECT 1 FROM process_status_changes c WHERE c.process_id = p.id)
				ORDER BY p.id LIMIT 1`, w.firms[0]).Scan(&tg.page).Error, "page target")
			must(db.Raw(`SELECT key_borrower_tax_id FROM processes WHERE broker_id = ? ORDER BY id LIMIT 1`, w.firms[3]).
				Scan(&tg.taxID).Error, "tax id")
			if tg.page == "" || tg.taxID == "" {
				b.Fatal("scale world lacks its targets")
			}
			w.settle(b)
			targets[i] = tg
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				per := make([]float64, len(sizes))
				for i, size := range sizes {
					b.Run(size.name, func(b *testing.B) {
						tg := targets[i]
						if err := c.run(context.Background(), tg); err != nil {
							b.Fatal(err)
						}
						for b.Loop() {
							if err := c.run(context.Background(), tg); err != nil {
								b.Fatal(err)
							}
						}
						per[i] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					})
				}
				if per[0] > 0 && per[1] > 0 {
					b.Logf("%s %s: %.0f µs at 1e4, %.0f µs at 1e5: ratio %.2f", d, c.name, per[0]/1e3, per[1]/1e3, per[0]/per[1])
				}
			})
		}
	})
}
