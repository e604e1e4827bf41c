// Package store implements the models services on GORM, for PostgreSQL and
// the embedded SQLite database: queries, transactions, ownership checks and
// error translation live here and nowhere else.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"portal/models"
)

type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Store implements the models services of the capabilities built so far.
// Each new capability is a service struct of its own that embeds the same
// *core (the connection path, transactions and events of db.go and
// events.go) beside its own collaborators, e.g.
//
//	type Documents struct {
//		*core
//		blobs BlobStore
//	}
//
// made from the Store (NewDocuments(st, blobs)) so every service shares
// one pool, one transaction per operation and one event bus.
type Store struct {
	*core
	taxonomy taxonomyCache // reference lists, read once (taxonomy.go)
	totp     *totpConfig   // the second factor's key and policy (totp.go)
}

// core is what every service of this package shares.
type core struct {
	db      *gorm.DB
	dialect Dialect
	log     *slog.Logger
	now     func() time.Time
	bus     *models.EventBus // committed events (events.go)
}

var (
	_ models.AuthService    = (*Store)(nil)
	_ models.SessionService = (*Store)(nil)
	_ models.ProcessService = (*Store)(nil)
	_ models.UserService    = (*Store)(nil)
	_ models.HealthService  = (*Store)(nil)

	_ models.MessageService     = (*Store)(nil)
	_ models.PartnerAuthService = (*Store)(nil)
	_ models.IdempotencyService = (*Store)(nil)
	_ models.TaxonomyService    = (*Store)(nil)

	_ models.CustomerService    = (*Store)(nil)
	_ models.EntitlementService = (*Store)(nil)
	_ models.OBPAuthService     = (*Store)(nil)

	_ models.TOTPService = (*Store)(nil)
)

// Services returns the store as the bundle the transports use.
func (s *Store) Services() models.Services {
	svc := models.Services{Auth: s, Sessions: s, Processes: s, Users: s, Health: s, Taxonomy: s}
	svc.Messages, svc.Partners, svc.Idempotency = s, s, s
	svc.Customers, svc.Entitlements, svc.OBPAuth = s, s, s
	svc.TOTP = s
	svc.Account = s
	return svc
}

// DialectOf tells which database a URL names: postgres:// or postgresql://
// is PostgreSQL, anything else is a SQLite file path.
func DialectOf(databaseURL string) Dialect {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// SQLiteDSN returns the DSN for a SQLite file with the pragmas the portal
// needs: foreign keys, WAL, a busy timeout, and immediate transactions (so a
// read-then-write transaction takes the write lock up front instead of
// failing with "database is locked" under concurrency).
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open connects to databaseURL (a postgres:// URL or a SQLite file path).
func Open(databaseURL string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.Default()
	}
	cfg := &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}
	d := DialectOf(databaseURL)
	var dialector gorm.Dialector
	switch d {
	case Postgres:
		dialector = postgres.Open(databaseURL)
	default:
		if dir := filepath.Dir(databaseURL); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dialector = sqlite.Open(SQLiteDSN(databaseURL))
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if d == SQLite {
		// One writer at a time is SQLite's model; a small pool keeps readers
		// concurrent under WAL without piling up writers.
		sqlDB.SetMaxOpenConns(8)
	} else {
		sqlDB.SetMaxOpenConns(20)
	}
	sqlDB.SetMaxIdleConns(8)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{core: &core{db: db, dialect: d, log: log, now: cfg.NowFunc, bus: &models.EventBus{}}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d, err)
	}
	return s, nil
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Dialect reports which database the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the handle for tests and benchmarks of this package's callers.
func (s *Store) DB() *gorm.DB { return s.db }

// SQL returns the underlying pool.
func (s *Store) SQL() (*sql.DB, error) { return s.db.DB() }

// Ready implements models.HealthService: the database answers and its
// schema is the one this build knows.
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.CheckSchema(ctx)
}
