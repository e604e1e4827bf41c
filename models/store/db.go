package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"portal/models"
)

// The one way a service method reaches the database. Every method takes its
// handle from conn and runs its writes through transact, so a call made
// inside another operation's transaction (an Idempotent request, a service
// calling a service) joins that transaction instead of opening a second
// connection that would not see its rows, or would wait for its locks.

// txState is the transaction an operation runs in, carried by the context,
// and the events its writes recorded for publishing after COMMIT.
type txState struct {
	tx      *gorm.DB
	pending []models.Event
}

type txKey struct{}

func txFrom(ctx context.Context) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	return st
}

// conn returns the handle for ctx: the enclosing transaction, or the pool.
func (s *core) conn(ctx context.Context) *gorm.DB {
	if st := txFrom(ctx); st != nil {
		return st.tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// transact runs fn in a transaction: a new one, or a savepoint of the
// enclosing one. fn must use the tx it is given (or conn of the ctx it is
// given). Events that fn records (emit) are published once the outermost
// transaction has committed; a rolled-back savepoint drops its own.
func (s *core) transact(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	if st := txFrom(ctx); st != nil {
		mark := len(st.pending)
		outer := st.tx
		err := outer.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			st.tx = tx
			defer func() { st.tx = outer }()
			return fn(ctx, tx)
		})
		if err != nil {
			st.pending = st.pending[:mark]
		}
		return err
	}
	release, err := s.awaitWriter(ctx)
	if err != nil {
		return err
	}
	defer release()
	st := &txState{}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		st.tx = tx
		return fn(context.WithValue(ctx, txKey{}, st), tx)
	})
	release() // before publishing: subscribers may write themselves
	if err != nil {
		return err
	}
	s.publish(ctx, st.pending)
	return nil
}

// writerWait bounds the wait for the write queue: after it (e.g. a
// transaction that, against the rules, opens another without its ctx) the
// transaction goes ahead unqueued and SQLite's busy timeout decides, as
// without the queue.
const writerWait = 5 * time.Second

// awaitWriter takes the SQLite write queue's one slot; release gives it
// back (calling it again does nothing). On SQLite every
// transaction is a write transaction (BEGIN IMMEDIATE takes the database's
// one write lock up front), so letting one in at a time, in arrival order
// (a channel's blocked senders are served first in, first out), costs
// nothing and spares the others SQLite's busy handler, which retries the
// lock with sleeps of up to 100 ms. PostgreSQL (writeSlot nil) has row
// locks and no queue.
func (s *core) awaitWriter(ctx context.Context) (release func(), err error) {
	if s.writeSlot == nil {
		return func() {}, nil
	}
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case s.writeSlot <- struct{}{}:
		done := false
		return func() { // idempotent: called after COMMIT and deferred (panics)
			if !done {
				done = true
				<-s.writeSlot
			}
		}, nil
	case <-t.C:
		return func() {}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// inTransaction reports whether ctx carries an enclosing transaction.
func inTransaction(ctx context.Context) bool { return txFrom(ctx) != nil }

func validUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

func newUUID() string { return uuid.NewString() }

// translate turns database errors into domain errors.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return models.NotFound(what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &models.Error{Code: models.CodeConflict, Message: what + " already exists", Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &models.Error{Code: models.CodeInternal, Message: "request cancelled", Err: err}
	case unavailable(err):
		return models.Unavailable(err)
	}
	var me *models.Error
	if errors.As(err, &me) {
		return me
	}
	return models.Internal(err)
}

// Hot paths (posting, the message API list, the process list's page and
// unread counts, the session lookup of every request) bypass GORM's statement
// builder, callbacks and logger: their SQL is written once, prepared once
// per pooled connection (database/sql's *sql.Stmt) and scanned straight
// into the caller's variables. Elsewhere, read with Find/Take, not GORM's
// Scan: Scan swaps in a recording logger that renders every statement with
// its values, even when the configured logger discards it.

// hotStmts caches the prepared statements of the hot paths, keyed by their
// SQL as written (with ? placeholders).
type hotStmts struct {
	mu sync.RWMutex
	m  map[string]hotStmt
	// trace, when set, hears every hot statement (storetest.RecordSQL, the loadtest recorder).
	trace atomic.Pointer[func(sql string, vars []any)]
}

// hotStmt is a prepared statement and its SQL as sent.
type hotStmt struct {
	st   *sql.Stmt
	text string
}

// OnHotSQL makes fn hear the SQL and arguments of every statement (query
// or write) the hot paths send without GORM, as GORM's callbacks hear the
// others; nil stops.
func (s *core) OnHotSQL(fn func(sql string, vars []any)) {
	if fn == nil {
		s.hot.trace.Store(nil)
		return
	}
	s.hot.trace.Store(&fn)
}

// pgPlaceholders numbers the ? placeholders of q as PostgreSQL wants them
// ($1, $2...). The hot statements have no ? inside a literal.
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stmt returns q prepared on the pool (not on a transaction, so every
// transaction reuses it on its connection).
func (s *core) stmt(ctx context.Context, q string) (hotStmt, error) {
	s.hot.mu.RLock()
	hs, ok := s.hot.m[q]
	s.hot.mu.RUnlock()
	if ok {
		return hs, nil
	}
	s.hot.mu.Lock()
	defer s.hot.mu.Unlock()
	if hs, ok := s.hot.m[q]; ok {
		return hs, nil
	}
	pool, err := s.db.DB()
	if err != nil {
		return hotStmt{}, err
	}
	hs.text = q
	if s.dialect == Postgres {
		hs.text = pgPlaceholders(q)
	}
	if hs.st, err = pool.PrepareContext(context.WithoutCancel(ctx), hs.text); err != nil {
		return hotStmt{}, err
	}
	if s.hot.m == nil {
		s.hot.m = map[string]hotStmt{}
	}
	s.hot.m[q] = hs
	return hs, nil
}

// hotStmt is q prepared for ctx: on the enclosing transaction's connection
// when there is one (release closes that per-transaction handle), else on
// the pool.
func (s *core) hotStmt(ctx context.Context, q string, args []any) (st *sql.Stmt, release func(), err error) {
	hs, err := s.stmt(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	if fn := s.hot.trace.Load(); fn != nil {
		(*fn)(hs.text, args)
	}
	if c, ok := ctx.Value(queryCounterKey{}).(*QueryCounter); ok && c != nil {
		c.add(hs.text) // a test counting statements per request (querycount.go)
	}
	if t := txFrom(ctx); t != nil {
		if tx, ok := t.tx.Statement.ConnPool.(*sql.Tx); ok {
			ts := tx.StmtContext(ctx, hs.st)
			return ts, func() { ts.Close() }, nil
		}
		return nil, nil, errors.New("store: enclosing transaction is not a *sql.Tx")
	}
	return hs.st, func() {}, nil
}

// hotQuery runs the prepared q with args in ctx's transaction or on the
// pool; the caller closes the rows and then calls done.
func (s *core) hotQuery(ctx context.Context, q string, args ...any) (rows *sql.Rows, done func(), err error) {
	st, release, err := s.hotStmt(ctx, q, args)
	if err != nil {
		return nil, nil, err
	}
	rows, err = st.QueryContext(ctx, args...)
	if err != nil {
		release()
		return nil, nil, err
	}
	return rows, release, nil
}

// hotExec runs the prepared q with args in ctx's transaction or on the pool.
func (s *core) hotExec(ctx context.Context, q string, args ...any) error {
	st, release, err := s.hotStmt(ctx, q, args)
	if err != nil {
		return err
	}
	defer release()
	_, err = st.ExecContext(ctx, args...)
	return err
}

// Group commit (SQLite). Every SQLite COMMIT fsyncs the WAL (synchronous
// FULL), and writers take turns, so under load posts wait for each other's
// fsyncs. groupWrite lets a writer that gets the write slot run the writes
// queued behind it in its own transaction, one savepoint each, and COMMIT
// once: one fsync for the group. Each caller is still answered only after
// the COMMIT that holds its write (or with its own error, its savepoint
// rolled back, or with the COMMIT's error).

// groupItem is one queued write: fn runs in the group's transaction with
// ctx's values (the caller's principal); done receives its outcome.
type groupItem struct {
	ctx     context.Context
	fn      func(ctx context.Context) error
	err     error          // fn's own error (its savepoint rolled back)
	pending []models.Event // the events fn recorded
	done    chan error
}

// groupQueue is the writes waiting for the SQLite write slot.
type groupQueue struct {
	mu    sync.Mutex
	items []*groupItem
}

// maxGroup bounds a group (its latency: every member waits for the last).
const maxGroup = 64

// groupWrite runs fn as part of a group transaction (see above) on SQLite,
// or in its own transaction (transact) on PostgreSQL or inside an enclosing
// transaction.
func (s *core) groupWrite(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.writeSlot == nil || inTransaction(ctx) {
		return s.transact(ctx, func(ctx context.Context, _ *gorm.DB) error { return fn(ctx) })
	}
	it := &groupItem{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan error, 1)}
	s.group.mu.Lock()
	s.group.items = append(s.group.items, it)
	s.group.mu.Unlock()
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case err := <-it.done: // a leader ran it
		return err
	case s.writeSlot <- struct{}{}: // the slot: lead a group
	case <-t.C:
		if !s.unqueue(it) {
			return <-it.done // a leader has it: its COMMIT decides
		}
		// As awaitWriter after its wait: go ahead on its own.
		return s.transact(ctx, func(ctx context.Context, _ *gorm.DB) error { return fn(ctx) })
	case <-ctx.Done():
		if !s.unqueue(it) {
			return <-it.done
		}
		return ctx.Err()
	}
	s.group.mu.Lock()
	n := min(len(s.group.items), maxGroup)
	items := slices.Clone(s.group.items[:n])
	s.group.items = slices.Delete(s.group.items, 0, n)
	s.group.mu.Unlock()
	var err error
	if len(items) > 0 {
		err = s.runGroup(items)
	}
	<-s.writeSlot // before publishing: subscribers may write themselves
	for _, g := range items {
		e := err
		if e == nil {
			e = g.err
		}
		if e == nil {
			s.publish(g.ctx, g.pending)
		}
		g.done <- e
	}
	return <-it.done // sent above, or by the leader that took it before us
}

// errGroupItem rolls back a group run without savepoints: an item failed.
var errGroupItem = errors.New("store: a group item failed")

// runGroup runs items in one transaction. First without savepoints: a
// savepoint makes SQLite copy every page an item changes first into a
// sub-journal, a write per page that costs more than the item's own
// statements' parsing. Items do not fail but for a fault (a post refused
// by its limit or not found is no error), so when one does the
// transaction is rolled back and the group run again with a savepoint per
// item, which keeps one item's failure from the others. A group of one
// needs no savepoint either way: its error is its own.
func (s *core) runGroup(items []*groupItem) error {
	err := s.runGroupTx(items, s.groupSavepoints)
	if errors.Is(err, errGroupItem) {
		err = s.runGroupTx(items, true)
	}
	return err
}

// runGroupTx runs items in one transaction, each in a savepoint when
// isolated; otherwise an item's error rolls the whole transaction back
// (errGroupItem, or the item's own error in a group of one).
func (s *core) runGroupTx(items []*groupItem, isolated bool) error {
	return s.db.WithContext(context.Background()).Transaction(func(tx *gorm.DB) error {
		st := &txState{tx: tx}
		for _, g := range items {
			g.pending = nil
			if isolated {
				if err := tx.Exec("SAVEPOINT group_item").Error; err != nil {
					return err
				}
			}
			st.pending = nil
			if g.err = g.fn(context.WithValue(g.ctx, txKey{}, st)); g.err == nil {
				g.pending = st.pending
			} else if !isolated {
				if len(items) == 1 {
					return g.err // rolled back: the caller's own answer
				}
				return errGroupItem
			} else if err := tx.Exec("ROLLBACK TO group_item").Error; err != nil {
				return err
			}
			if isolated {
				if err := tx.Exec("RELEASE group_item").Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// unqueue takes it out of the queue; false when a leader already took it.
func (s *core) unqueue(it *groupItem) bool {
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	i := slices.Index(s.group.items, it)
	if i < 0 {
		return false
	}
	s.group.items = slices.Delete(s.group.items, i, i+1)
	return true
}
