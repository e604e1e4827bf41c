package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"portal/models"
)

// The store's answer to "is the database down?": a driver error that
// means the database cannot be reached, not that the request was wrong,
// becomes models.CodeUnavailable (503 with Retry-After on every route),
// both where the store translates errors and wherever a raw driver error
// reaches a transport (models.AsError consults this check).
func init() { models.RegisterUnavailable(unavailable) }

// SQLite primary result codes that mean "not now" rather than "wrong".
const (
	sqliteBusy     = 5  // SQLITE_BUSY: the busy timeout ran out
	sqliteLocked   = 6  // SQLITE_LOCKED
	sqliteIOErr    = 10 // SQLITE_IOERR: the disk failed
	sqliteCantOpen = 14 // SQLITE_CANTOPEN
)

// unavailable reports whether err means the database cannot be reached:
//   - the pool is closed ("sql: database is closed") or a connection broke
//     (driver.ErrBadConn, sql.ErrConnDone);
//   - PostgreSQL cannot be connected to (*pgconn.ConnectError: refused,
//     unknown host, database dropped, authentication no longer accepted),
//     a network error talking to it (*net.OpError), a request pgx never
//     sent (SafeToRetry), or a server answer of class 08 (connection
//     exception), 57P01-57P03 (shutting down, starting up), 53300 (too many
//     connections) or 3D000 (the database does not exist);
//   - SQLite busy, locked, failing I/O or unable to open its file.
func unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		strings.Contains(err.Error(), "sql: database is closed") {
		return true
	}
	var connect *pgconn.ConnectError
	var op *net.OpError
	if errors.As(err, &connect) || errors.As(err, &op) || pgconn.SafeToRetry(err) {
		return true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case strings.HasPrefix(pg.Code, "08"), pg.Code == "57P01", pg.Code == "57P02", pg.Code == "57P03",
			pg.Code == "53300", pg.Code == "3D000":
			return true
		}
		return false
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff {
		case sqliteBusy, sqliteLocked, sqliteIOErr, sqliteCantOpen:
			return true
		}
	}
	return false
}
