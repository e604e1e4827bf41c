package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/dbaddr"
	"portal/models/store/storetest"
)

// openSQLite opens a fresh, migrated SQLite store with opts and the demo
// world.
func openSQLite(tb testing.TB, opts store.Options) *store.Store {
	tb.Helper()
	addr, err := dbaddr.Parse(storetest.NewDatabase(tb, store.SQLite))
	storetest.Must(tb, err, "address")
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := store.OpenWith(addr, opts)
	storetest.Must(tb, err, "open")
	tb.Cleanup(func() { s.Close() })
	storetest.Must(tb, s.Migrate(context.Background()), "migrate")
	_, err = s.SeedDemo(context.Background())
	storetest.Must(tb, err, "seed")
	return s
}

// pragmaOnEveryConn asks each of n connections held at once (so the pool
// opens n) for a pragma.
func pragmaOnEveryConn(t *testing.T, s *store.Store, n int, pragma string) []string {
	t.Helper()
	db, err := s.SQL()
	storetest.Must(t, err, "pool")
	ctx := context.Background()
	conns := make([]*sql.Conn, n)
	answers := make([]string, n)
	for i := range conns {
		c, err := db.Conn(ctx)
		storetest.Must(t, err, "connection %d", i)
		defer c.Close()
		conns[i] = c
		storetest.Must(t, c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&answers[i]), "PRAGMA %s", pragma)
	}
	return answers
}

// Acknowledged means durable: the embedded database runs in WAL mode with
// synchronous=FULL on every pooled connection. In WAL mode FULL makes
// SQLite fsync the WAL file at every COMMIT, before COMMIT returns; a
// service call returns only after its COMMIT, and the handler answers 201
// only after the service call returned, so an acknowledged message is on
// disk (NORMAL fsyncs only at checkpoints: a 201 could precede the fsync
// and the message be lost with the machine).
func TestSQLiteCommitsAreSynchronousFull(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	const n = 8 // the pool's size: every connection the store can use
	for i, v := range pragmaOnEveryConn(t, s, n, "synchronous") {
		if v != "2" { // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
			t.Errorf("connection %d: PRAGMA synchronous = %s, want 2 (FULL)", i, v)
		}
	}
	for i, v := range pragmaOnEveryConn(t, s, n, "journal_mode") {
		if v != "wal" {
			t.Errorf("connection %d: journal_mode = %s, want wal", i, v)
		}
	}
	// The benchmark's NORMAL is an explicit option, never the default.
	normal := openSQLite(t, store.Options{SQLiteSync: store.SyncNormal})
	for i, v := range pragmaOnEveryConn(t, normal, 2, "synchronous") {
		if v != "1" {
			t.Errorf("SyncNormal connection %d: PRAGMA synchronous = %s, want 1", i, v)
		}
	}
}

// BenchmarkPostMessageSQLite measures posting messages through the service
// (PostMessage: one write transaction each) on the embedded database with
// 8 concurrent posters, once per synchronous mode, in one run: NORMAL (the
// old setting: no fsync at COMMIT) and FULL (the portal's: an fsync of the
// WAL at every COMMIT). It reports msgs/s for each and logs FULL/NORMAL.
// fsync is what is measured, so run it on the disk the portal uses (TMPDIR;
// a tmpfs makes fsync free):
//
//	TMPDIR=/var/tmp go test ./models/store -run '^$' -bench PostMessageSQLite -benchtime 2000x -count 3
//
// The ",unqueued" cases turn the in-process write queue off (db.go,
// awaitWriter) to show what it is worth: writers then meet in SQLite's busy
// handler, and under load some wait past the 5 s busy timeout and fail
// with "database is locked" (reported as failed, not as a benchmark
// failure; posts that fail are not counted in msgs/s).
//
// The store's clock is replaced by one that moves a second per reading, so
// the per-user posting limit (30 a minute) never refuses a post.
func BenchmarkPostMessageSQLite(b *testing.B) {
	const posters = 8
	rates := map[string]float64{}
	for _, m := range []struct {
		name     string
		sync     store.SQLiteSync
		unqueued bool
	}{
		{"NORMAL", store.SyncNormal, false}, {"FULL", store.SyncFull, false},
		{"NORMAL,unqueued", store.SyncNormal, true}, {"FULL,unqueued", store.SyncFull, true},
	} {
		b.Run(m.name, func(b *testing.B) {
			s := openSQLite(b, store.Options{SQLiteSync: m.sync})
			if m.unqueued {
				s.UnqueueWrites()
			}
			var tick atomic.Int64
			base := time.Now().UTC().Truncate(time.Microsecond)
			s.SetClock(func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Second) })
			ana := storetest.AsUser(b, s, "ana.silva@lisboa-credito.example")
			page, err := s.ListProcesses(ana, models.ProcessFilter{Limit: posters})
			storetest.Must(b, err, "processes")
			if len(page.Items) == 0 {
				b.Fatal("no processes")
			}
			var next, failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for range posters {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						p := page.Items[int(i)%len(page.Items)]
						if _, err := s.PostMessage(ana, p.UUID, models.NewMessage{Text: fmt.Sprintf("benchmark message %d", i)}); err != nil {
							if failed.Add(1) == 1 {
								b.Logf("first failed post: %v", err)
							}
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			if n := failed.Load(); n > 0 && !m.unqueued {
				b.Errorf("%d of %d posts failed", n, b.N)
			}
			rate := float64(int64(b.N)-failed.Load()) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "msgs/s")
			b.ReportMetric(float64(failed.Load()), "failed")
			rates[m.name] = rate
		})
	}
	if rates["NORMAL"] > 0 && rates["FULL"] > 0 {
		b.Logf("NORMAL %.0f msgs/s, FULL %.0f msgs/s: FULL/NORMAL = %.2f", rates["NORMAL"], rates["FULL"], rates["FULL"]/rates["NORMAL"])
	}
}
