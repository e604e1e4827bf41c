package storetest

import (
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
