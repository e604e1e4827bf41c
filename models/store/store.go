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
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"portal/models"
	"portal/models/store/dbaddr"
)

// Dialect is the database a store talks to (see dbaddr).
type Dialect = dbaddr.Dialect

const (
	Postgres = dbaddr.Postgres
	SQLite   = dbaddr.SQLite
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
	taxonomy taxonomyCache  // reference lists, read once (taxonomy.go)
	totp     *totpConfig    // the second factor's key and policy (totp.go)
	docs     documentConfig // document contents and limits (documents.go)
	// esisValidity is how long an issued ESIS's terms hold (esis.go).
	esisValidity time.Duration
	// mailWake wakes the mail sender after a COMMIT that queued a mail
	// (mail.go, NewMailSender).
	mailWake atomic.Pointer[func()]
	// cbState is the callback delivery runtime (callbackdelivery.go).
	cbState callbackState
	// cbNotice caches DisabledCallbacks per firm (callbackadmin.go).
	cbNotice noticeCache
}

// core is what every service of this package shares.
type core struct {
	db      *gorm.DB
	dialect Dialect
	log     *slog.Logger
	now     func() time.Time
	bus     *models.EventBus // committed events (events.go)
	// tokenLifetime is the absolute lifetime of partner tokens (partner.go).
	tokenLifetime time.Duration
	// writeSlot queues SQLite's write transactions (db.go, awaitWriter);
	// nil on PostgreSQL.
	writeSlot chan struct{}
	// hot holds the prepared statements of the hot paths (db.go).
	hot hotStmts
	// group queues SQLite posts for group commit (db.go, groupWrite).
	group groupQueue
	// noGroupCommit turns group commit off (the benchmark's comparison).
	noGroupCommit bool
	// groupSavepoints runs every group with a savepoint per item, as
	// after a failure (the benchmark's comparison; runGroup).
	groupSavepoints bool
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
	svc.Work = s
	svc.Documents = s
	svc.Pricing, svc.Simulations = s, s
	svc.SimulationMessages = s
	svc.Esis = s
	svc.Callbacks = s
	return svc
}

// SQLiteSync is the synchronous setting of the embedded database.
type SQLiteSync int

const (
	// SyncFull (the default) is synchronous=FULL: in WAL mode SQLite fsyncs
	// the WAL at every COMMIT, before COMMIT returns. A write the portal
	// acknowledges (a 201 is sent only after the transaction committed) is
	// therefore on disk, and survives a power cut or a kill of the machine,
	// not only of the process.
	SyncFull SQLiteSync = iota
	// SyncNormal is synchronous=NORMAL: in WAL mode the WAL is fsynced only
	// at checkpoints, so a COMMIT (and the 201 after it) can precede the
	// fsync and be lost with the machine. For the benchmark that measures
	// what FULL costs; never the portal's setting.
	SyncNormal
)

func (m SQLiteSync) pragma() string {
	if m == SyncNormal {
		return "synchronous(NORMAL)"
	}
	return "synchronous(FULL)"
}

// DefaultPartnerTokenLifetime is the absolute lifetime of a partner API
// token, counted from its creation, however often it is used.
const DefaultPartnerTokenLifetime = 12 * time.Hour

// Options tune a store. The zero value is the portal's default.
type Options struct {
	Logger *slog.Logger // nil: slog.Default()
	// PartnerTokenLifetime is how long a partner token lives from its
	// creation, besides its 30-minute sliding idle expiry (0: the default,
	// DefaultPartnerTokenLifetime).
	PartnerTokenLifetime time.Duration
	// SQLiteSync is the synchronous mode of the embedded database (zero:
	// SyncFull). Ignored for PostgreSQL.
	SQLiteSync SQLiteSync
	// EsisValidity is how long an issued ESIS's terms hold (0: the
	// default, models.DefaultEsisValidity).
	EsisValidity time.Duration
}

// SQLiteDSN returns the DSN for a SQLite file with the pragmas the portal
// needs: foreign keys, WAL, a busy timeout, the synchronous mode (FULL
// unless a benchmark asks otherwise; see SyncFull), temporary storage in
// memory, and immediate transactions (so a read-then-write transaction
// takes the write lock up front instead of failing with "database is
// locked" under concurrency). The pragmas run on every connection the pool
// opens.
//
// temp_store(MEMORY): inside a transaction most writes (upserts, anything
// a foreign key may abort) keep a statement journal of the pages they
// change; with temporary files on disk SQLite buffers it in one 64 KiB
// chunk per statement, which the driver's allocator maps and unmaps each
// time. In memory it grows in small chunks instead: the SQLite post
// benchmark uses about a fifth less CPU per post. Sorts without an index
// and temporary tables are held in memory too; the portal's reads are
// index-ordered pages.
func SQLiteDSN(path string, sync SQLiteSync) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", sync.pragma())
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open connects to databaseURL (any address dbaddr.Parse accepts) with the
// default options.
func Open(databaseURL string, log *slog.Logger) (*Store, error) {
	addr, err := dbaddr.Parse(databaseURL)
	if err != nil {
		return nil, err
	}
	return OpenWith(addr, Options{Logger: log})
}

// OpenWith connects to addr. Its errors are scrubbed of the address's
// passwords (a driver error may quote the DSN).
func OpenWith(addr dbaddr.Addr, opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	lifetime := opts.PartnerTokenLifetime
	if lifetime <= 0 {
		lifetime = DefaultPartnerTokenLifetime
	}
	cfg := &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}
	d := addr.Dialect
	scrub := func(what string, err error) error {
		return fmt.Errorf("%s %s database: %s", what, d, dbaddr.Scrub(err.Error(), addr))
	}
	var dialector gorm.Dialector
	switch d {
	case Postgres:
		dialector = postgres.Open(addr.DSN)
	case SQLite:
		if dir := filepath.Dir(addr.DSN); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dialector = sqlite.Open(SQLiteDSN(addr.DSN, opts.SQLiteSync))
	default:
		return nil, fmt.Errorf("unknown database dialect %q", d)
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, scrub("open", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, scrub("open", err)
	}
	maxOpen := 20
	if d == SQLite {
		// One writer at a time is SQLite's model; a small pool keeps readers
		// concurrent under WAL without piling up writers.
		maxOpen = 8
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	// As many idle as open: under load a pool that keeps fewer closes
	// connections as soon as they are put back and opens new ones a moment
	// later (on PostgreSQL a new backend each time).
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{core: &core{db: db, dialect: d, log: log, now: cfg.NowFunc, bus: &models.EventBus{},
		tokenLifetime: lifetime}, esisValidity: opts.EsisValidity}
	if d == SQLite {
		s.writeSlot = make(chan struct{}, 1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, scrub("connect to", err)
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
