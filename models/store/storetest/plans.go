package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"portal/models/store"
)

// Statement is one SQL statement as the store sent it.
type Statement struct {
	SQL  string
	Vars []any
}

// Recorder captures the statements gorm issues on a store, with their
// arguments, while Capture runs.
type Recorder struct {
	s     *store.Store
	mu    sync.Mutex
	on    bool
	stmts []Statement
}

// RecordSQL registers a Recorder on s.
func RecordSQL(tb testing.TB, s *store.Store) *Recorder {
	tb.Helper()
	r := &Recorder{s: s}
	rec := func(db *gorm.DB) {
		r.mu.Lock()
		defer r.mu.Unlock()
		// DryRun statements are subqueries being built, not sent.
		if r.on && db.Statement.SQL.Len() > 0 && !db.DryRun {
			r.stmts = append(r.stmts, Statement{db.Statement.SQL.String(), slices.Clone(db.Statement.Vars)})
		}
	}
	cb := s.DB().Callback()
	Must(tb, cb.Query().After("gorm:query").Register("storetest:record_query", rec), "register query recorder")
	Must(tb, cb.Row().After("gorm:row").Register("storetest:record_row", rec), "register row recorder")
	// The hot paths' queries, which bypass GORM (their writes are not
	// recorded, as GORM's are not).
	s.OnHotSQL(func(sql string, vars []any) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.on && !hotWrite(sql) {
			r.stmts = append(r.stmts, Statement{sql, slices.Clone(vars)})
		}
	})
	tb.Cleanup(func() { s.OnHotSQL(nil) })
	return r
}

// Capture returns the statements fn made the store issue.
func (r *Recorder) Capture(fn func()) []Statement {
	r.mu.Lock()
	r.on, r.stmts = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmts
}

// Plans captures the statements run makes the store issue, fails t unless
// there are exactly calls of them, and returns each with its PostgreSQL
// plan.
func (r *Recorder) Plans(t testing.TB, calls int, run func()) []Plan {
	t.Helper()
	stmts := r.Capture(run)
	if len(stmts) != calls {
		t.Fatalf("%d statements issued, want %d: %v", len(stmts), calls, stmts)
	}
	plans := make([]Plan, len(stmts))
	for i, st := range stmts {
		plans[i] = Explain(t, r.s, st)
	}
	return plans
}

// PlanNode is a node of a PostgreSQL plan, as EXPLAIN (FORMAT JSON) gives it.
type PlanNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	Plans        []PlanNode `json:"Plans"`
}

// Plan is a statement with its PostgreSQL plan.
type Plan struct {
	Statement
	Root PlanNode
	Raw  []byte // the EXPLAIN (FORMAT JSON) answer
}

// Explain returns PostgreSQL's plan for st on s.
func Explain(tb testing.TB, s *store.Store, st Statement) Plan {
	tb.Helper()
	sqlDB, err := s.SQL()
	Must(tb, err, "pool")
	var raw []byte
	if err := sqlDB.QueryRowContext(context.Background(), "EXPLAIN (FORMAT JSON) "+st.SQL, st.Vars...).Scan(&raw); err != nil {
		tb.Fatalf("explain %s: %v", st.SQL, err)
	}
	var plans []struct{ Plan PlanNode }
	Must(tb, json.Unmarshal(raw, &plans), "plan json")
	if len(plans) != 1 {
		tb.Fatalf("plan %s", raw)
	}
	return Plan{Statement: st, Root: plans[0].Plan, Raw: raw}
}

// Outline is a one-line summary of a plan: node types, relations, indexes.
func (n PlanNode) Outline() string {
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
			kids = append(kids, c.Outline())
		}
		s += " [" + strings.Join(kids, "; ") + "]"
	}
	return s
}

// SeqScans returns the tables among tables that the plan reads with a
// sequential scan.
func (n PlanNode) SeqScans(tables map[string]bool) []string {
	var out []string
	if n.NodeType == "Seq Scan" && tables[n.RelationName] {
		out = append(out, n.RelationName)
	}
	for _, c := range n.Plans {
		out = append(out, c.SeqScans(tables)...)
	}
	return out
}

// QueryPlan returns the steps of SQLite's EXPLAIN QUERY PLAN for st on s
// (the detail column).
func QueryPlan(tb testing.TB, s *store.Store, st Statement) []string {
	tb.Helper()
	sqlDB, err := s.SQL()
	Must(tb, err, "pool")
	rows, err := sqlDB.Query("EXPLAIN QUERY PLAN "+st.SQL, st.Vars...)
	Must(tb, err, "explain")
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		Must(tb, rows.Scan(&id, &parent, &unused, &detail), "plan row")
		steps = append(steps, detail)
	}
	return steps
}

// hotWrite tells a hot statement that only writes (INSERT, UPDATE,
// DELETE without RETURNING, as the hot paths' execs are).
func hotWrite(sql string) bool {
	head := strings.ToUpper(strings.TrimSpace(sql))
	for _, w := range []string{"INSERT", "UPDATE", "DELETE"} {
		if strings.HasPrefix(head, w) && !strings.Contains(head, "RETURNING") {
			return true
		}
	}
	return false
}
