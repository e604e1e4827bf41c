package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// Tables that grow with the business: a plan must never read them whole.
// Small reference tables (banks, broker_firms) may be scanned.
var bigTables = map[string]bool{"processes": true, "borrowers": true, "properties": true, "process_status_changes": true}

type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	Plans        []planNode `json:"Plans"`
}

// outline is a one-line summary of a plan: node types, relations, indexes.
func outline(n planNode) string {
	s := n.NodeType
	if n.RelationName != "" {
		s += " on " + n.RelationName
	}
	if n.IndexName != "" {
		s += " using " + n.IndexName
	}
	if len(n.Plans) > 0 {
		var kids []string
		for _, c := range n.Plans {
			kids = append(kids, outline(c))
		}
		s += " [" + strings.Join(kids, "; ") + "]"
	}
	return s
}

// seqScans returns the big tables the plan reads with a sequential scan.
func seqScans(n planNode) []string {
	var out []string
	if n.NodeType == "Seq Scan" && bigTables[n.RelationName] {
		out = append(out, n.RelationName)
	}
	for _, c := range n.Plans {
		out = append(out, seqScans(c)...)
	}
	return out
}

// TestQueryPlansUseIndexes runs EXPLAIN on the exact statements the store
// issues for the process list and page, on 10^5 processes over 50 firms, and
// fails when one of them would read a growing table sequentially.
func TestQueryPlansUseIndexes(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	w := seedBulk(t, s, 50, 2000)
	ctx := context.Background()
	sqlDB, err := s.SQL()
	storetest.Must(t, err, "pool")
	rec := recordSQL(t, s)

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
		{"broker first page", 2, listing(w.broker, models.ProcessFilter{})},
		{"broker page after a cursor", 2, listing(w.broker, models.ProcessFilter{After: after})},
		{"broker page before a cursor", 2, listing(w.broker, models.ProcessFilter{Before: after})},
		{"broker status filter", 2, listing(w.broker, models.ProcessFilter{StatusID: models.StatusInAnalysis})},
		{"broker status filter after a cursor", 2, listing(w.broker, models.ProcessFilter{StatusID: models.StatusInAnalysis, After: after})},
		{"broker name search", 2, listing(w.broker, models.ProcessFilter{Search: "zeferino silva"})},
		{"broker number search", 2, listing(w.broker, models.ProcessFilter{Search: strconv.FormatInt(target.ProcessNumber, 10)})},
		{"staff first page", 2, listing(w.staff, models.ProcessFilter{})},
		{"staff page after a cursor", 2, listing(w.staff, models.ProcessFilter{After: after})},
		{name: "broker process page", calls: 4, run: func(t *testing.T) {
			d, err := s.GetProcess(w.broker, target.UUID)
			storetest.Must(t, err, "get process")
			if len(d.Borrowers) != 2 || d.Property == nil || len(d.History) == 0 {
				t.Fatalf("process page incomplete: %d borrowers, property %v, %d history", len(d.Borrowers), d.Property, len(d.History))
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
			stmts := rec.capture(func() { c.run(t) })
			if len(stmts) != c.calls {
				t.Fatalf("%d statements issued, want %d: %v", len(stmts), c.calls, stmts)
			}
			for _, st := range stmts {
				var raw []byte
				if err := sqlDB.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+st.SQL, st.Vars...).Scan(&raw); err != nil {
					t.Fatalf("explain %s: %v", st.SQL, err)
				}
				var plans []struct{ Plan planNode }
				storetest.Must(t, json.Unmarshal(raw, &plans), "plan json")
				if len(plans) != 1 {
					t.Fatalf("plan %s", raw)
				}
				scans := seqScans(plans[0].Plan)
				if len(scans) > 0 {
					t.Errorf("sequential scan of %s in\n%s\nargs %v\n%s\nplan %s", strings.Join(scans, ", "), st.SQL, st.Vars, outline(plans[0].Plan), raw)
				} else {
					t.Logf("%s\n  %s", st.SQL, outline(plans[0].Plan))
				}
			}
		})
	}
}
