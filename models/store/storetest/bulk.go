package storetest

import (
	"fmt"
	"portal/models/store"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// ReplicaRole skips the foreign-key triggers for the rest of a PostgreSQL
// transaction when the role may (a superuser), which halves the time of a
// bulk load whose rows are consistent by construction.
func ReplicaRole(tx *gorm.DB) error {
	var super string
	if err := tx.Raw("SELECT current_setting('is_superuser')").Scan(&super).Error; err != nil {
		return err
	}
	if super == "on" {
		return tx.Exec("SET LOCAL session_replication_role = replica").Error
	}
	return nil
}

// Musts returns Must bound to tb, its messages prefixed with prefix: for
// helpers that check many steps.
func Musts(tb testing.TB, prefix string) func(err error, what string) {
	return func(err error, what string) {
		tb.Helper()
		Must(tb, err, "%s%s", prefix, what)
	}
}

// ExecAll runs stmts in order on tx, naming the first words of the one that
// fails.
func ExecAll(tx *gorm.DB, stmts []string) error {
	for _, q := range stmts {
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("%s: %w", strings.Join(strings.Fields(q)[:3], " "), err)
		}
	}
	return nil
}

// Analyze refreshes the planner's statistics after a bulk load: of tables
// on PostgreSQL, of the whole database on SQLite.
func Analyze(tb testing.TB, s *store.Store, tables ...string) {
	tb.Helper()
	q := "ANALYZE"
	if s.Dialect() == store.Postgres {
		q += " " + strings.Join(tables, ", ")
	}
	Must(tb, s.DB().Exec(q).Error, "analyze")
}

// Settle brings a bulk-loaded store to the steady state of a live database:
// on PostgreSQL tables are vacuumed and analyzed as autovacuum would (the
// visibility map set, so counts can be index-only scans), on SQLite the
// write-ahead log is checkpointed.
func Settle(tb testing.TB, s *store.Store, tables ...string) {
	tb.Helper()
	if s.Dialect() == store.Postgres {
		Must(tb, s.DB().Exec("VACUUM ANALYZE "+strings.Join(tables, ", ")).Error, "vacuum")
	} else {
		Must(tb, s.DB().Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error, "checkpoint")
	}
}
