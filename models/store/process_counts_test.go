package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// countRow is a row of process_counts, or of the same grouping computed
// from processes.
type countRow struct {
	BankID, BrokerID int64
	StatusID         int
	N                int64
}

// checkProcessCounts fails unless process_counts holds exactly the counts
// of processes per (bank, firm, status) and per (bank, status) with firm 0
// (rows at 0 are allowed: a counter that went back to nothing stays), and
// unless the unfiltered and per-status lists of w's broker and staff answer
// the true totals, uncapped.
func checkProcessCounts(t *testing.T, s *store.Store, w *bulkWorld, when string) {
	t.Helper()
	db := s.DB()
	var want, got []countRow
	storetest.Must(t, db.Raw(`SELECT bank_id, broker_id, status_id, n FROM (
			SELECT bank_id, broker_id, status_id, count(*) AS n FROM processes GROUP BY bank_id, broker_id, status_id
			UNION ALL
			SELECT bank_id, 0, status_id, count(*) FROM processes GROUP BY bank_id, status_id) x
		ORDER BY bank_id, broker_id, status_id`).Scan(&want).Error, "%s: expected counts", when)
	storetest.Must(t, db.Raw(`SELECT bank_id, broker_id, status_id, n FROM process_counts WHERE n <> 0
		ORDER BY bank_id, broker_id, status_id`).Scan(&got).Error, "%s: counters", when)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s: process_counts\n %v\nwant\n %v", when, got, want)
	}
	for _, who := range []struct {
		name  string
		ctx   context.Context
		scope string
		id    int64
	}{
		{"broker", w.broker, "broker_id", w.firms[0]},
		{"staff", w.staff, "bank_id", models.PrincipalFrom(w.staff).BankID},
	} {
		for status := 0; status <= 8; status++ {
			q := db.Model(&models.Process{}).Where(who.scope+" = ?", who.id)
			if status != 0 {
				q = q.Where("status_id = ?", status)
			}
			var n int64
			storetest.Must(t, q.Count(&n).Error, "%s: count", when)
			page, err := s.ListProcesses(who.ctx, models.ProcessFilter{StatusID: status, Limit: 5})
			storetest.Must(t, err, "%s: list", when)
			if page.Total != n || page.TotalCapped {
				t.Fatalf("%s: %s list of status %d: total %d (capped %v), want %d", when, who.name, status, page.Total, page.TotalCapped, n)
			}
		}
	}
}

// insertProcess adds a process to bank and firm with plain SQL, as the
// seeders and operators do (no store code).
func insertProcess(t *testing.T, s *store.Store, bank, firm, number int64, status int) {
	t.Helper()
	storetest.Must(t, s.DB().Exec(`INSERT INTO processes (uuid, bank_id, broker_id, process_number, status_id)
		VALUES (?, ?, ?, ?, ?)`, uuid.NewString(), bank, firm, number, status).Error, "insert process %d", number)
}

// TestProcessCountsStayExact checks the maintained process counts (and so
// the list totals) through bulk and single inserts, status and firm
// changes, updates that do not move a process, deletes, concurrent
// inserts and crossing concurrent status changes.
func TestProcessCountsStayExact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := seedBulk(t, s, 4, 30) // one set-based INSERT (replica role on PostgreSQL)
		bank := models.PrincipalFrom(w.staff).BankID
		db := s.DB()
		checkProcessCounts(t, s, w, "after the bulk insert")

		insertProcess(t, s, bank, w.firms[0], 5_000_000, models.StatusInAnalysis)
		checkProcessCounts(t, s, w, "after one insert")

		storetest.Must(t, db.Exec("UPDATE processes SET status_id = 8 WHERE broker_id = ? AND status_id IN (1, 2)", w.firms[0]).Error, "statuses")
		checkProcessCounts(t, s, w, "after status changes")

		storetest.Must(t, db.Exec("UPDATE processes SET status_id = status_id, last_action_at = ? WHERE broker_id = ?",
			time.Now().UTC(), w.firms[1]).Error, "no move")
		checkProcessCounts(t, s, w, "after an update that moves nothing")

		storetest.Must(t, db.Exec("UPDATE processes SET broker_id = ?, status_id = 3 WHERE broker_id = ? AND status_id = 4",
			w.firms[0], w.firms[2]).Error, "firm change")
		checkProcessCounts(t, s, w, "after a change of firm and status")

		storetest.Must(t, db.Exec("DELETE FROM processes WHERE broker_id = ? AND status_id = 8", w.firms[0]).Error, "delete")
		checkProcessCounts(t, s, w, "after deletes")

		// Writers on their own connections at once: on PostgreSQL they
		// contend for the same counter rows.
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					err := db.Exec(`INSERT INTO processes (uuid, bank_id, broker_id, process_number, status_id) VALUES (?, ?, ?, ?, ?)`,
						uuid.NewString(), bank, w.firms[g%2], 6_000_000+g*100+i, 1+i%3).Error
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent insert: %v", err)
		}
		checkProcessCounts(t, s, w, "after concurrent inserts")

		// Crossing moves (1 -> 2 and 2 -> 1 at once, one process per
		// transaction) lock the same two counters from both sides: they
		// must neither deadlock nor lose a change.
		var ids []struct {
			ID       int64
			StatusID int
		}
		storetest.Must(t, db.Raw("SELECT id, status_id FROM processes WHERE broker_id = ? AND status_id IN (1, 2) ORDER BY id",
			w.firms[0]).Scan(&ids).Error, "movers")
		errs = make(chan error, len(ids))
		for _, p := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := db.Exec("UPDATE processes SET status_id = ? WHERE id = ?", 3-p.StatusID, p.ID).Error; err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent status change: %v", err)
		}
		checkProcessCounts(t, s, w, "after crossing status changes")

		// A page past the end has no row to carry the total: it comes from
		// the counters on their own.
		first, err := s.ListProcesses(w.broker, models.ProcessFilter{StatusID: 5, Limit: 1})
		storetest.Must(t, err, "first page")
		if len(first.Items) != 1 || first.NextCursor == "" {
			t.Fatalf("first page %+v", first)
		}
		storetest.Must(t, db.Exec("DELETE FROM processes WHERE broker_id = ? AND status_id = 5 AND uuid <> ?",
			w.firms[0], first.Items[0].UUID).Error, "delete the rest")
		past, err := s.ListProcesses(w.broker, models.ProcessFilter{StatusID: 5, Limit: 1, After: first.NextCursor})
		storetest.Must(t, err, "page past the end")
		if len(past.Items) != 0 || past.Total != 1 || past.TotalCapped {
			t.Fatalf("page past the end: %d rows, total %d (capped %v), want none of 1", len(past.Items), past.Total, past.TotalCapped)
		}
	})
}

// TestProcessListTotalsPastTheCap: the common lists answer exact totals
// past MaxProcessCount; a date range (counted, narrow by design) is still
// capped.
func TestProcessListTotalsPastTheCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := seedBulk(t, s, 2, models.MaxProcessCount/2+1)
		all := int64(2 * (models.MaxProcessCount/2 + 1))
		page, err := s.ListProcesses(w.staff, models.ProcessFilter{})
		storetest.Must(t, err, "staff list")
		if page.Total != all || page.TotalCapped {
			t.Fatalf("staff list: total %d (capped %v), want %d", page.Total, page.TotalCapped, all)
		}
		page, err = s.ListProcesses(w.staff, models.ProcessFilter{LastActionFrom: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
		storetest.Must(t, err, "staff list by date")
		if page.Total != models.MaxProcessCount || !page.TotalCapped {
			t.Fatalf("staff list by date: total %d (capped %v), want the cap", page.Total, page.TotalCapped)
		}
	})
}
