package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
)

//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationsFS embed.FS

func (s *Store) provider() (*goose.Provider, error) {
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectPostgres
	dir := "migrations/postgres"
	if s.dialect == SQLite {
		dialect = goose.DialectSQLite3
		dir = "migrations/sqlite"
	}
	sub, err := fs.Sub(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, sqlDB, sub)
}

// LatestVersion is the newest schema version this build knows.
func LatestVersion() int64 {
	entries, _ := fs.ReadDir(migrationsFS, "migrations/postgres")
	var versions []int64
	for _, e := range entries {
		n, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.ParseInt(n, 10, 64); err == nil {
			versions = append(versions, v)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] < versions[j] })
	if len(versions) == 0 {
		return 0
	}
	return versions[len(versions)-1]
}

// SchemaVersion is the version the database is at (0 when never migrated).
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}

// Migrate brings the schema up to date. It refuses a database whose schema
// is newer than this build knows: an older binary must not run against it.
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider()
	if err != nil {
		return err
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if latest := LatestVersion(); cur > latest {
		return fmt.Errorf("database schema is at version %d, newer than this build knows (%d): upgrade the portal", cur, latest)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		s.log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// CheckSchema fails unless the schema is exactly the one this build knows;
// used at start when migrations are switched off.
func (s *Store) CheckSchema(ctx context.Context) error {
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if latest := LatestVersion(); cur != latest {
		return fmt.Errorf("database schema is at version %d, this build needs %d: run `portal migrate`", cur, latest)
	}
	return nil
}
