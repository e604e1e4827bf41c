package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"

	"portal/models/store"
	"portal/models/store/dbaddr"
)

// statement is one SQL statement the store sent, with its arguments.
type statement struct {
	sql  string
	args []any
}

// recorder records the statements the store sends while capturing (GORM
// callbacks after each kind of statement; off, they cost an atomic load).
type recorder struct {
	on    atomic.Bool
	mu    sync.Mutex
	stmts []statement
}

func newRecorder(st *store.Store) (*recorder, error) {
	r := &recorder{}
	rec := func(db *gorm.DB) {
		if !r.on.Load() || db.DryRun || db.Statement.SQL.Len() == 0 {
			return
		}
		q := db.Statement.SQL.String()
		if transactionControl(q) {
			return
		}
		r.mu.Lock()
		r.stmts = append(r.stmts, statement{q, slices.Clone(db.Statement.Vars)})
		r.mu.Unlock()
	}
	cb := st.DB().Callback()
	for _, err := range []error{
		cb.Query().After("gorm:query").Register("loadtest:query", rec),
		cb.Row().After("gorm:row").Register("loadtest:row", rec),
		cb.Raw().After("gorm:raw").Register("loadtest:raw", rec),
		cb.Create().After("gorm:create").Register("loadtest:create", rec),
		cb.Update().After("gorm:update").Register("loadtest:update", rec),
		cb.Delete().After("gorm:delete").Register("loadtest:delete", rec),
	} {
		if err != nil {
			return nil, err
		}
	}
	// The hot paths (posting, the message API list) send theirs without GORM.
	st.OnHotSQL(func(q string, vars []any) {
		if !r.on.Load() || transactionControl(q) {
			return
		}
		r.mu.Lock()
		r.stmts = append(r.stmts, statement{q, slices.Clone(vars)})
		r.mu.Unlock()
	})
	return r, nil
}

// transactionControl tells savepoint statements (GORM's nested
// transactions), which mean nothing outside the transaction.
func transactionControl(q string) bool {
	q = strings.ToUpper(strings.TrimSpace(q))
	return strings.HasPrefix(q, "SAVEPOINT") || strings.HasPrefix(q, "RELEASE") || strings.HasPrefix(q, "ROLLBACK")
}

// capture runs fn (one request, nothing else running) and returns the
// statements it made the store send; *n is set to their number.
func (r *recorder) capture(fn func() error, n *int) ([]statement, error) {
	r.mu.Lock()
	r.stmts = nil
	r.mu.Unlock()
	r.on.Store(true)
	err := fn()
	r.on.Store(false)
	r.mu.Lock()
	defer r.mu.Unlock()
	*n = len(r.stmts)
	return r.stmts, err
}

// captured is one portal request as the baseline replays it.
type captured struct {
	stmts  []statement
	answer answer
}

// baseline is the minimal program the portal is compared with: plain
// net/http, pgx (PostgreSQL) or database/sql (SQLite), executing the SQL
// the portal executed for the same request and writing the bytes it wrote.
type baseline struct {
	pg   *pgxpool.Pool
	db   *sql.DB // SQLite: the store's own pool
	mu   sync.RWMutex
	reqs map[string][]captured
}

func newBaseline(ctx context.Context, st *store.Store, database string) (*baseline, error) {
	b := &baseline{reqs: map[string][]captured{}}
	if st.Dialect() != store.Postgres {
		db, err := st.SQL()
		if err != nil {
			return nil, err
		}
		b.db = db
		return b, nil
	}
	addr, err := dbaddr.Parse(database)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(addr.DSN)
	if err != nil {
		return nil, fmt.Errorf("baseline pool: %s", dbaddr.Scrub(err.Error(), addr))
	}
	cfg.MaxConns = 20 // as the portal's pool
	if b.pg, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("baseline pool: %s", dbaddr.Scrub(err.Error(), addr))
	}
	return b, nil
}

func (b *baseline) close() {
	if b.pg != nil {
		b.pg.Close()
	}
}

// prepare records, for each of the first n brokers, the statements and
// the answer of one portal request of path (after a first one), and
// replays each once.
func (b *baseline) prepare(path string, rec *recorder, reqs requestFunc, n int) (int, error) {
	var caps []captured
	for i := range n {
		if _, err := doOnce(reqs(i, 0)); err != nil {
			return 0, err
		}
		var a answer
		var count int
		stmts, err := rec.capture(func() (err error) { a, err = doOnce(reqs(i, 0)); return err }, &count)
		if err != nil {
			return 0, err
		}
		if len(stmts) == 0 {
			// The store sent its SQL some way the recorder does not see
			// (not through GORM): replaying nothing would flatter nobody.
			return 0, fmt.Errorf("no SQL recorded for %s: hook the recorder (newRecorder) where the store now sends its statements", path)
		}
		c := captured{stmts: stmts, answer: a}
		if err := b.exec(context.Background(), c.stmts); err != nil {
			return 0, fmt.Errorf("replay: %w", err)
		}
		caps = append(caps, c)
	}
	b.mu.Lock()
	b.reqs[path] = caps
	b.mu.Unlock()
	return n, nil
}

func (b *baseline) statements(path string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if len(b.reqs[path]) == 0 {
		return 0
	}
	return len(b.reqs[path][0].stmts)
}

func (b *baseline) describe(path string) string {
	b.mu.RLock()
	n := len(b.reqs[path])
	b.mu.RUnlock()
	return fmt.Sprintf("the portal's SQL for the same request recorded once for each of %d users (each statement on its own, "+
		"outside the portal's transactions) and the portal's response bytes copied once, written with the same headers", n)
}

// requests are path's baseline requests, as the same users in the same turn
// as the portal's.
func (b *baseline) requests(path, base string, n int) requestFunc {
	return func(c, k int) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, base+"/"+path+"/"+strconv.Itoa((c+k*7)%n), nil)
		return r
	}
}

func (b *baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, idx, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	i, err := strconv.Atoi(idx)
	b.mu.RLock()
	caps := b.reqs[path]
	b.mu.RUnlock()
	if err != nil || i < 0 || i >= len(caps) {
		http.NotFound(w, r)
		return
	}
	c := &caps[i]
	if err := b.exec(r.Context(), c.stmts); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	for k, v := range c.answer.header {
		if k != "Date" && k != "Content-Length" {
			h[k] = v
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(c.answer.body)))
	w.WriteHeader(c.answer.status)
	_, _ = w.Write(c.answer.body)
}

// exec runs stmts and reads every row and column of their results.
func (b *baseline) exec(ctx context.Context, stmts []statement) error {
	for _, s := range stmts {
		if b.pg != nil {
			rows, err := b.pg.Query(ctx, s.sql, s.args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				if _, err := rows.Values(); err != nil {
					rows.Close()
					return err
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			continue
		}
		rows, err := b.db.QueryContext(ctx, s.sql, s.args...)
		if err != nil {
			return err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
