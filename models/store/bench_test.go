package store_test

import (
	"context"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// BenchmarkListProcesses measures the process list of one broker firm of
// 2,000 processes while the bank holds 10^4 and then 10^5 processes (5 and
// 50 firms of 2,000). A list that only reads its own firm's rows costs the
// same at both sizes: compare rows=1e5 with rows=1e4 of the same case. The
// staff cases read the whole bank and are there as the contrast.
// PostgreSQL tables are vacuumed first, as autovacuum keeps them in use.
//
//	go test ./models/store -run '^$' -bench ListProcesses -benchtime 200x
//
// The PostgreSQL half needs PORTAL_TEST_POSTGRES_URL and is skipped without it.
func BenchmarkListProcesses(b *testing.B) {
	const perFirm = 2000
	sizes := []struct {
		name  string
		firms int
	}{{"rows=1e4", 5}, {"rows=1e5", 50}}
	cases := []struct {
		name   string
		who    func(w *bulkWorld) context.Context
		filter func(tb testing.TB, w *bulkWorld) models.ProcessFilter
	}{
		{"broker first page",
			func(w *bulkWorld) context.Context { return w.broker },
			func(testing.TB, *bulkWorld) models.ProcessFilter { return models.ProcessFilter{} }},
		{"broker deep page",
			func(w *bulkWorld) context.Context { return w.broker },
			func(tb testing.TB, w *bulkWorld) models.ProcessFilter {
				return models.ProcessFilter{After: w.deepCursor(tb, 1500)}
			}},
		{"broker status filter",
			func(w *bulkWorld) context.Context { return w.broker },
			func(testing.TB, *bulkWorld) models.ProcessFilter {
				return models.ProcessFilter{StatusID: models.StatusInAnalysis}
			}},
		{"broker name search",
			func(w *bulkWorld) context.Context { return w.broker },
			func(testing.TB, *bulkWorld) models.ProcessFilter { return models.ProcessFilter{Search: "silva"} }},
		{"broker number search",
			func(w *bulkWorld) context.Context { return w.broker },
			func(testing.TB, *bulkWorld) models.ProcessFilter { return models.ProcessFilter{Search: "1000000"} }},
		// Staff read every firm: their total is expected to grow with the bank.
		{"staff first page",
			func(w *bulkWorld) context.Context { return w.staff },
			func(testing.TB, *bulkWorld) models.ProcessFilter { return models.ProcessFilter{} }},
		{"staff name search",
			func(w *bulkWorld) context.Context { return w.staff },
			func(testing.TB, *bulkWorld) models.ProcessFilter { return models.ProcessFilter{Search: "silva"} }},
	}
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		worlds := make([]*bulkWorld, len(sizes))
		for i, size := range sizes {
			worlds[i] = seedBulk(b, storetest.Open(b, d), size.firms, perFirm)
			worlds[i].settle(b)
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				for i, size := range sizes {
					b.Run(size.name, func(b *testing.B) {
						w := worlds[i]
						ctx, f := c.who(w), c.filter(b, w)
						first, err := w.s.ListProcesses(ctx, f)
						if err != nil {
							b.Fatal(err)
						}
						if len(first.Items) == 0 {
							b.Fatalf("%s: empty page", c.name)
						}
						for b.Loop() {
							if _, err := w.s.ListProcesses(ctx, f); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			})
		}
	})
}

// deepCursor walks the broker's list to about depth rows and returns the
// cursor of the page after it.
func (w *bulkWorld) deepCursor(tb testing.TB, depth int) string {
	tb.Helper()
	f := models.ProcessFilter{Limit: 100}
	for seen := 0; seen < depth; seen += f.Limit {
		page, err := w.s.ListProcesses(w.broker, f)
		if err != nil || page.NextCursor == "" {
			tb.Fatalf("walk to %d: %v", depth, err)
		}
		f.After = page.NextCursor
	}
	return f.After
}
