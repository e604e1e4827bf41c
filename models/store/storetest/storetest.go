// Package storetest gives each test its own, freshly migrated database:
// a new SQLite file, or a new PostgreSQL database created on the server
// named by PORTAL_TEST_POSTGRES_URL and dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"portal/models"
	"portal/models/store"
)

// PostgresURL returns the server to create test databases on. Outside CI a
// missing server skips the test; in CI (CI=true) it fails it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("PORTAL_TEST_POSTGRES_URL")
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PORTAL_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("PostgreSQL tests skipped: set PORTAL_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)")
	}
	return u
}

// Dialects are the databases every store test runs against.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// EachDialect runs fn as a subtest (or sub-benchmark) per dialect, named
// after the dialect. Tests that open their own databases use it; Each and
// EachDemo open one for them.
func EachDialect[T interface{ Run(string, func(T)) bool }](t T, fn func(t T, d store.Dialect)) {
	for _, d := range Dialects {
		t.Run(string(d), func(t T) { fn(t, d) })
	}
}

// Each runs fn as a subtest per dialect, each with its own fresh database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	EachDialect(t, func(t *testing.T, d store.Dialect) { fn(t, Open(t, d)) })
}

// Open returns a migrated, empty store of dialect d, closed and removed
// when t ends.
func Open(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	return open(t, d, false)
}

// OpenDemo is Open plus the demo world.
func OpenDemo(t testing.TB, d store.Dialect) *store.Store {
	t.Helper()
	return open(t, d, true)
}

func open(t testing.TB, d store.Dialect, demo bool) *store.Store {
	t.Helper()
	s, err := store.Open(fromTemplate(t, d, demo), quietLogger())
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewDatabase creates an empty database of dialect d for t and returns its
// URL (a file path for SQLite).
func NewDatabase(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "portal.db")
	}
	return newPostgres(t, "")
}

// newPostgres creates a database for t (a copy of template, or empty) and
// drops it when t ends.
func newPostgres(t testing.TB, template string) string {
	t.Helper()
	admin := PostgresURL(t)
	name := "portal_test_" + randomSuffix()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if _, err := db.ExecContext(ctx, create); err != nil {
		db.Close()
		t.Fatalf("create test database: %v", err)
	}
	// Tests do not assert PostgreSQL's durability: they need not wait for
	// each COMMIT's WAL flush. Benchmarks keep it (they measure commits).
	if _, bench := t.(*testing.B); !bench {
		if _, err := db.ExecContext(ctx, "ALTER DATABASE "+name+" SET synchronous_commit = off"); err != nil {
			db.Close()
			t.Fatalf("configure test database: %v", err)
		}
	}
	t.Cleanup(func() { drop(db, name) })
	return withDatabase(t, admin, name)
}

func withDatabase(t testing.TB, admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func quietLogger() *slog.Logger {
	if os.Getenv("PORTAL_TEST_LOG") != "" {
		return slog.Default()
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// Must fails t on err.
func Must(t testing.TB, err error, what string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprintf(what, args...), err)
	}
}

// EachDemo is Each on a store loaded with the demo world.
func EachDemo(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	EachDialect(t, func(t *testing.T, d store.Dialect) { fn(t, OpenDemo(t, d)) })
}

// As returns a context acting as the user with id userID, with the
// principal the store resolves for a signed-in user.
func As(tb testing.TB, s *store.Store, userID int64) context.Context {
	tb.Helper()
	p, err := s.Principal(context.Background(), userID)
	Must(tb, err, "principal %d", userID)
	return models.WithPrincipal(context.Background(), p)
}

// AsUser is As for the user with that e-mail address.
func AsUser(tb testing.TB, s *store.Store, email string) context.Context {
	tb.Helper()
	var u models.User
	Must(tb, s.DB().Where("email = ?", email).Take(&u).Error, "user %s", email)
	p, err := s.Principal(context.Background(), u.ID)
	Must(tb, err, "principal %s", email)
	return models.WithPrincipal(context.Background(), p)
}

// Map returns f of each element of xs, in order (an empty, non-nil slice
// for none): the ids or names a test compares.
func Map[T, V any](xs []T, f func(T) V) []V {
	out := make([]V, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
