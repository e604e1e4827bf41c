package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"portal/models"
)

// liteError stands for the SQLite driver's error (a Code method).
type liteError int

func (e liteError) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e liteError) Code() int     { return int(e) }

func TestUnavailable(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"pool closed", fmt.Errorf("query: %w", errors.New("sql: database is closed")), true},
		{"bad connection", fmt.Errorf("x: %w", driver.ErrBadConn), true},
		{"connection done", sql.ErrConnDone, true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}, true},
		{"postgres shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"postgres starting", &pgconn.PgError{Code: "57P03"}, true},
		{"postgres connection exception", &pgconn.PgError{Code: "08006"}, true},
		{"database dropped", &pgconn.PgError{Code: "3D000"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"sqlite busy", liteError(5), true},
		{"sqlite busy snapshot", liteError(5 | 2<<8), true},
		{"sqlite constraint", liteError(19), false},
		{"cancelled", context.Canceled, false},
		{"other", errors.New("boom"), false},
	} {
		if got := unavailable(c.err); got != c.want {
			t.Errorf("%s: unavailable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

// The store's check is the one models applies: raw driver errors reaching
// a transport are CodeUnavailable, with a Retry-After.
func TestUnavailableIsRegistered(t *testing.T) {
	e := models.AsError(fmt.Errorf("list: %w", driver.ErrBadConn))
	if e.Code != models.CodeUnavailable || e.RetryAfter <= 0 {
		t.Fatalf("AsError = %+v", e)
	}
	if e := models.AsError(models.Internal(&pgconn.PgError{Code: "57P01"})); e.Code != models.CodeUnavailable {
		t.Fatalf("an internal error wrapping a shutdown: %+v", e)
	}
	if e := models.AsError(models.Internal(errors.New("boom"))); e.Code != models.CodeInternal {
		t.Fatalf("internal: %+v", e)
	}
	if err := translate(&pgconn.PgError{Code: "57P01"}, "process"); models.ErrorCode(err) != models.CodeUnavailable {
		t.Fatalf("translate: %v", err)
	}
}
