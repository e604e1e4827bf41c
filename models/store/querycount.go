package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// Counting statements per request, for tests: a test attaches a
// QueryCounter to a request's context (WithQueryCounter) on a store whose
// counting is enabled (CountQueries), and every statement the store sends
// on behalf of that context, or of one derived from it, is recorded. A
// query-count test pins the numbers of each main path, so a change that
// adds a statement per request is seen.
//
// What is counted is each SQL statement GORM sends (queries, inserts,
// updates, deletes, raw statements, savepoints); the BEGIN and COMMIT
// of a transaction are not statements of their own here.

// QueryCounter records the statements sent for the contexts that carry it.
type QueryCounter struct {
	mu    sync.Mutex
	stmts []string
}

type queryCounterKey struct{}

// WithQueryCounter returns ctx carrying c.
func WithQueryCounter(ctx context.Context, c *QueryCounter) context.Context {
	return context.WithValue(ctx, queryCounterKey{}, c)
}

// Count is how many statements were recorded.
func (c *QueryCounter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.stmts)
}

// Statements are the recorded statements, in order, without their values.
func (c *QueryCounter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.stmts...)
}

// String lists the statements, one a line, for a test's failure message.
func (c *QueryCounter) String() string {
	var b strings.Builder
	for i, s := range c.Statements() {
		fmt.Fprintf(&b, "%2d. %s\n", i+1, strings.Join(strings.Fields(s), " "))
	}
	return b.String()
}

func (c *QueryCounter) add(stmt string) {
	c.mu.Lock()
	c.stmts = append(c.stmts, stmt)
	c.mu.Unlock()
}

// CountQueries enables the counting on s. Call it before the store serves
// anything (it changes the callbacks every statement runs through); only
// tests call it.
func (s *Store) CountQueries() error {
	count := func(db *gorm.DB) {
		if db.DryRun || db.Statement == nil || db.Statement.SQL.Len() == 0 || db.Statement.Context == nil {
			return
		}
		if c, ok := db.Statement.Context.Value(queryCounterKey{}).(*QueryCounter); ok && c != nil {
			c.add(db.Statement.SQL.String())
		}
	}
	cb := s.db.Callback()
	for _, r := range []struct {
		after    string
		register func(name string, fn func(*gorm.DB)) error
	}{
		{"gorm:query", cb.Query().After("gorm:query").Register},
		{"gorm:create", cb.Create().After("gorm:create").Register},
		{"gorm:update", cb.Update().After("gorm:update").Register},
		{"gorm:delete", cb.Delete().After("gorm:delete").Register},
		{"gorm:row", cb.Row().After("gorm:row").Register},
		{"gorm:raw", cb.Raw().After("gorm:raw").Register},
	} {
		if err := r.register("portal:count_queries", count); err != nil {
			return fmt.Errorf("count queries after %s: %w", r.after, err)
		}
	}
	return nil
}
