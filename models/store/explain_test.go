package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// Tables that grow with the business: a plan must never read them whole.
// Small reference tables (banks, broker_firms) may be scanned.
var bigTables = map[string]bool{"processes": true, "borrowers": true, "properties": true, "process_status_changes": true}

// TestQueryPlansUseIndexes runs EXPLAIN on the exact statements the store
// issues for the process list and page, on 10^5 processes over 50 firms, and
// fails when one of them would read a growing table sequentially.
func TestQueryPlansUseIndexes(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	w := seedBulk(t, s, 50, 2000)
	rec := storetest.RecordSQL(t, s)

	listing := func(who context.Context, f models.ProcessFilter) func(t *testing.T) {
		return func(t *testing.T) {
			if _, err := s.ListProcesses(who, f); err != nil {
				t.Fatalf("ListProcesses(%+v): %v", f, err)
			}
		}
	}
	var after string
	for range 10 { // 10 pages of 100 into the firm's 2,000
		page, err := s.ListProcesses(w.broker, models.ProcessFilter{Limit: 100, After: after})
		storetest.Must(t, err, "walk")
		after = page.NextCursor
	}
	var target models.Process
	storetest.Must(t, s.DB().Where("broker_id = ? AND status_id <> 1", w.firms[0]).
		Where("EXISTS (SELECT 1 FROM borrowers b WHERE b.process_id = processes.id AND b.borrower_type_id = 2)").
		Where("EXISTS (SELECT 1 FROM properties p WHERE p.process_id = processes.id)").Order("id DESC").Take(&target).Error, "target")

	cases := []struct {
		name  string
		calls int // statements the operation must issue
		run   func(t *testing.T)
	}{
		// The common lists carry their total from process_counts in the
		// page's statement; searches and date ranges count on their own.
		{"broker first page", 1, listing(w.broker, models.ProcessFilter{})},
		{"broker page after a cursor", 1, listing(w.broker, models.ProcessFilter{After: after})},
		{"broker page before a cursor", 1, listing(w.broker, models.ProcessFilter{Before: after})},
		{"broker status filter", 1, listing(w.broker, models.ProcessFilter{StatusID: models.StatusInAnalysis})},
		{"broker status filter after a cursor", 1, listing(w.broker, models.ProcessFilter{StatusID: models.StatusInAnalysis, After: after})},
		{"broker name search", 2, listing(w.broker, models.ProcessFilter{Search: "zeferino silva"})},
		{"broker number search", 2, listing(w.broker, models.ProcessFilter{Search: strconv.FormatInt(target.ProcessNumber, 10)})},
		{"broker date range", 2, listing(w.broker, models.ProcessFilter{LastActionFrom: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})},
		{"staff first page", 1, listing(w.staff, models.ProcessFilter{})},
		{"staff page after a cursor", 1, listing(w.staff, models.ProcessFilter{After: after})},
		{"staff status filter", 1, listing(w.staff, models.ProcessFilter{StatusID: models.StatusInAnalysis})},
		{name: "broker process page", calls: 4, run: func(t *testing.T) {
			d, err := s.GetProcess(w.broker, target.UUID)
			storetest.Must(t, err, "get process")
			if len(d.Borrowers) != 2 || d.Property == nil || len(d.History) == 0 {
				t.Fatalf("process page incomplete: %d borrowers, property %v, %d history", len(d.Borrowers), d.Property, len(d.History))
			}
		}},
		{name: "timeline", calls: 2, run: func(t *testing.T) {
			tl, err := s.Timeline(w.broker, target.UUID)
			storetest.Must(t, err, "timeline")
			if len(tl) == 0 {
				t.Fatal("empty timeline")
			}
		}},
		{name: "submit check", calls: 3, run: func(t *testing.T) {
			if _, err := s.CheckSubmit(w.staff, target.UUID); err != nil {
				t.Fatalf("check: %v", err)
			}
		}},
		{name: "staff process page", calls: 4, run: func(t *testing.T) {
			if _, err := s.GetProcess(w.staff, target.UUID); err != nil {
				t.Fatalf("get process: %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range rec.Plans(t, c.calls, func() { c.run(t) }) {
				scans := p.Root.SeqScans(bigTables)
				if len(scans) > 0 {
					t.Errorf("sequential scan of %s in\n%s\nargs %v\n%s\nplan %s", strings.Join(scans, ", "), p.SQL, p.Vars, p.Root.Outline(), p.Raw)
				} else {
					t.Logf("%s\n  %s", p.SQL, p.Root.Outline())
				}
			}
		})
	}
}
