package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
)

// The SQLite write queue's slot is given back after a commit, a rollback
// and a panic, and a caller that gives up while waiting for it leaves
// without running its transaction.
func TestSQLiteWriteQueueReleases(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "q.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.writeSlot == nil {
		t.Fatal("SQLite store without a write queue")
	}
	ctx := context.Background()
	exec := func(sql string) func(context.Context, *gorm.DB) error {
		return func(_ context.Context, tx *gorm.DB) error { return tx.Exec(sql).Error }
	}
	if err := s.transact(ctx, exec("CREATE TABLE q (n INTEGER)")); err != nil {
		t.Fatal(err)
	}
	if err := s.transact(ctx, func(context.Context, *gorm.DB) error { return errors.New("roll back") }); err == nil {
		t.Fatal("error lost")
	}
	func() {
		defer func() { _ = recover() }()
		_ = s.transact(ctx, func(context.Context, *gorm.DB) error { panic("boom") })
	}()
	if n := len(s.writeSlot); n != 0 {
		t.Fatalf("slot held after commit, rollback and panic (%d)", n)
	}

	s.writeSlot <- struct{}{} // another writer holds it
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err = s.transact(cancelled, func(context.Context, *gorm.DB) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled wait: err %v, ran %v", err, ran)
	}
	<-s.writeSlot
	if err := s.transact(ctx, exec("INSERT INTO q VALUES (1)")); err != nil {
		t.Fatal(err)
	}
}
