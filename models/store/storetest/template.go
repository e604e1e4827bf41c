package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"portal/models/store"
)

// Templates. Migrating a database and loading the demo world (argon2id
// hashes of every demo password) takes 1-3 s on PostgreSQL and about 0.6 s
// on SQLite, and most tests need exactly that starting point. So each test
// process builds it once per dialect and kind (empty or demo) and every
// test gets its own copy: CREATE DATABASE ... TEMPLATE on PostgreSQL, a
// file copy on SQLite. Each copy is still the test's own database.
var templates struct {
	mu    sync.Mutex
	built map[templateKey]string // PostgreSQL database name or SQLite file
	dir   string                 // the SQLite templates' directory
	admin string                 // the PostgreSQL server they were made on
}

type templateKey struct {
	d    store.Dialect
	demo bool
}

// templatePrefix names the PostgreSQL templates: a process's own carry
// its start time, so one left behind by a killed run can be recognised.
const templatePrefix = "portal_tmpl_"

// fromTemplate returns a new database of dialect d for t, a copy of the
// migrated (and with demo, seeded) template.
func fromTemplate(t testing.TB, d store.Dialect, demo bool) string {
	t.Helper()
	src, err := template(t, d, demo)
	if err != nil {
		t.Fatalf("%s template: %v", d, err)
	}
	if d == store.Postgres {
		return newPostgres(t, src)
	}
	dst := filepath.Join(t.TempDir(), "portal.db")
	if err := copyFile(src, dst); err != nil {
		t.Fatalf("copy sqlite template: %v", err)
	}
	return dst
}

// template returns the template for (d, demo), building it on first use.
func template(t testing.TB, d store.Dialect, demo bool) (string, error) {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	k := templateKey{d, demo}
	if name, ok := templates.built[k]; ok {
		return name, nil
	}
	var addr, name string
	switch d {
	case store.SQLite:
		if templates.dir == "" {
			dir, err := os.MkdirTemp("", "portal-templates-")
			if err != nil {
				return "", err
			}
			templates.dir = dir
		}
		name = filepath.Join(templates.dir, fmt.Sprintf("demo-%t.db", demo))
		addr = name
	default:
		admin := PostgresURL(t)
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return "", err
		}
		defer db.Close()
		if templates.admin == "" {
			dropStaleTemplates(db)
		}
		templates.admin = admin
		name = fmt.Sprintf("%s%d_%s", templatePrefix, time.Now().Unix(), randomSuffix())
		if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
			return "", err
		}
		addr = withDatabase(t, admin, name)
	}
	if err := build(addr, demo); err != nil {
		return "", err
	}
	if templates.built == nil {
		templates.built = map[templateKey]string{}
	}
	templates.built[k] = name
	return name, nil
}

// build migrates (and seeds) the database at addr and closes every
// connection to it: a template must have none when it is copied.
func build(addr string, demo bool) error {
	s, err := store.Open(addr, quietLogger())
	if err != nil {
		return err
	}
	ctx := context.Background()
	err = s.Migrate(ctx)
	if err == nil && demo {
		_, err = s.SeedDemo(ctx)
	}
	if err == nil && s.Dialect() == store.SQLite {
		// Everything into the main file: the copy is that file alone.
		err = s.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// dropStaleTemplates drops PostgreSQL templates of test processes that
// ended without DropTemplates (killed) more than a day ago.
func dropStaleTemplates(db *sql.DB) {
	rows, err := db.Query("SELECT datname FROM pg_database WHERE datname LIKE '" + templatePrefix + "%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		at, _, _ := strings.Cut(strings.TrimPrefix(name, templatePrefix), "_")
		if sec, err := strconv.ParseInt(at, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > 24*time.Hour {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	}
}

// Dropping a PostgreSQL database waits for a checkpoint (0.5-1 s). Under
// Main a test does not wait for it: its database is dropped in the
// background and Main waits for every drop before the process ends.
var drops struct {
	mu    sync.Mutex
	queue chan func()
	done  chan struct{}
}

// drop drops the database name with db (and closes db), in the background
// under Main.
func drop(db *sql.DB, name string) {
	do := func() {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop test database %s: %v\n", name, err)
		}
	}
	drops.mu.Lock()
	defer drops.mu.Unlock()
	if drops.queue == nil {
		do()
		return
	}
	drops.queue <- do
}

// Main runs the tests of a package that uses storetest, drops their
// databases and then the templates it built:
//
//	func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }
func Main(m *testing.M) int {
	drops.mu.Lock()
	queue, done := make(chan func(), 1024), make(chan struct{})
	drops.queue, drops.done = queue, done
	drops.mu.Unlock()
	// The worker ranges over its own copy: Main clears drops.queue when the
	// tests end, which may be before this goroutine first runs (a package
	// that runs no test), and ranging over nil would wait for ever.
	go func() {
		for do := range queue {
			do()
		}
		close(done)
	}()
	code := m.Run()
	drops.mu.Lock()
	close(drops.queue)
	drops.queue = nil
	drops.mu.Unlock()
	<-done
	DropTemplates()
	return code
}

// DropTemplates removes the templates this process built.
func DropTemplates() {
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if templates.admin != "" {
		if db, err := sql.Open("pgx", templates.admin); err == nil {
			for k, name := range templates.built {
				if k.d == store.Postgres {
					_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
				}
			}
			db.Close()
		}
	}
	if templates.dir != "" {
		os.RemoveAll(templates.dir)
	}
	templates.built, templates.dir, templates.admin = nil, "", ""
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
