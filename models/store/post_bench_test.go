package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// postWorld is a bulk bank (seedBulk) with usersPerFirm broker users in each
// firm, as principals the store would resolve, and each firm's processes.
type postWorld struct {
	users     []context.Context
	processes [][]string // per user: the UUIDs of their firm's processes
}

func seedPosters(tb testing.TB, s *store.Store, firms, perFirm, usersPerFirm int) *postWorld {
	tb.Helper()
	w := seedBulk(tb, s, firms, perFirm)
	db := s.DB()
	var bank models.Bank
	storetest.Must(tb, db.Where("bank_id = ?", "bulk.bank").Take(&bank).Error, "bank")
	pw := &postWorld{}
	for i, firm := range w.firms {
		var uuids []string
		storetest.Must(tb, db.Model(&models.Process{}).Where("broker_id = ?", firm).Order("id").Pluck("uuid", &uuids).Error, "processes")
		for j := range usersPerFirm {
			firmID := firm
			u := models.User{UUID: uuid.NewString(), BankID: bank.ID, Email: fmt.Sprintf("poster%02d.%02d@bulk.example", i, j),
				Name: fmt.Sprintf("Poster %d.%d", i, j), Kind: models.KindBroker, PasswordHash: "unused", FirmID: &firmID, APIEnabled: true}
			storetest.Must(tb, db.Create(&u).Error, "user")
			pw.users = append(pw.users, models.WithPrincipal(context.Background(), &models.Principal{UserID: u.ID, UserUUID: u.UUID,
				Email: u.Email, Name: u.Name, Kind: models.KindBroker, BankID: bank.ID, BankPublicID: "bulk.bank", FirmID: firm, APIEnabled: true}))
			pw.processes = append(pw.processes, uuids)
		}
	}
	return pw
}

// BenchmarkPostMessage measures posting through the service (PostMessage:
// each post acknowledged after its COMMIT) with 32 concurrent posters,
// each a different broker user of 16 firms (64 users in all, 3,200
// processes), on each dialect: SQLite as the portal runs it
// (synchronous=FULL, the write queue, group commit; ",savepoints": every
// group with a savepoint per post, as before groups ran without; and
// ",one-by-one": without group commit, every post its own COMMIT) and PostgreSQL (skipped without
// PORTAL_TEST_POSTGRES_URL outside CI). It reports msgs/s and the p50/p99
// latency of a post. fsync is part of what is measured: run it on the disk
// the portal uses (TMPDIR; a tmpfs makes fsync free), e.g.
//
//	TMPDIR=/var/tmp go test ./models/store -run '^$' -bench 'PostMessage$' -benchtime 20000x
//
// and, for the profile, add -cpuprofile cpu.out (go tool pprof -top).
//
// The store's clock moves a second per reading, so the per-user posting
// limit (30 a minute) never refuses a post.
func BenchmarkPostMessage(b *testing.B) {
	const posters = 32
	for _, c := range []struct {
		name                 string
		d                    store.Dialect
		noGroup, savepointed bool
	}{{"sqlite", store.SQLite, false, false}, {"sqlite,savepoints", store.SQLite, false, true},
		{"sqlite,one-by-one", store.SQLite, true, false}, {"postgres", store.Postgres, false, false}} {
		b.Run(c.name, func(b *testing.B) {
			s := storetest.Open(b, c.d)
			if c.noGroup {
				s.NoGroupCommit()
			}
			if c.savepointed {
				s.GroupSavepoints()
			}
			w := seedPosters(b, s, 16, 200, 4)
			var tick atomic.Int64
			base := time.Now().UTC().Truncate(time.Microsecond)
			s.SetClock(func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Second) })
			var next, failed atomic.Int64
			lat := make([][]time.Duration, posters)
			var wg sync.WaitGroup
			b.ResetTimer()
			cpu0 := processCPU()
			for g := range posters {
				wg.Go(func() {
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						u := int(i % int64(len(w.users)))
						ps := w.processes[u]
						start := time.Now()
						_, err := s.PostMessage(w.users[u], ps[int(i*7919%int64(len(ps)))], models.NewMessage{Text: fmt.Sprintf("benchmark message %d", i)})
						lat[g] = append(lat[g], time.Since(start))
						if err != nil && failed.Add(1) == 1 {
							b.Logf("first failed post: %v", err)
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			cpu := processCPU() - cpu0
			if n := failed.Load(); n > 0 {
				b.Errorf("%d of %d posts failed", n, b.N)
			}
			all := slices.Concat(lat...)
			slices.Sort(all)
			q := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(int64(b.N)-failed.Load())/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
			// This process's CPU per post (SQLite's engine runs in it;
			// PostgreSQL's server does not): steadier than msgs/s on a
			// shared machine.
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
