package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// Writes queued behind the SQLite write slot run in one transaction, one
// savepoint each, and commit once: a write that fails is rolled back alone
// and answered its own error, the others commit, and each caller returns
// only after that COMMIT.
func TestSQLiteGroupCommit(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.transact(ctx, func(_ context.Context, tx *gorm.DB) error { return tx.Exec("CREATE TABLE g (v TEXT)").Error }); err != nil {
		t.Fatal(err)
	}
	s.writeSlot <- struct{}{} // another writer holds the slot: the writes queue
	var (
		mu  sync.Mutex
		txs []*gorm.DB
	)
	write := func(v string, fail bool) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			st := txFrom(ctx)
			mu.Lock()
			txs = append(txs, st.tx)
			mu.Unlock()
			if err := st.tx.Exec("INSERT INTO g VALUES (?)", v).Error; err != nil {
				return err
			}
			if fail {
				return errors.New("refused " + v)
			}
			return nil
		}
	}
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i, v := range []string{"a", "b", "c"} {
		wg.Go(func() { errs[i] = s.groupWrite(ctx, write(v, v == "b")) })
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		s.group.mu.Lock()
		n := len(s.group.items)
		s.group.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want 3", n)
		}
	}
	<-s.writeSlot // let one of them lead
	wg.Wait()
	if errs[0] != nil || errs[2] != nil || errs[1] == nil || errs[1].Error() != "refused b" {
		t.Fatalf("answers %v", errs)
	}
	if len(txs) != 3 || txs[0] != txs[1] || txs[1] != txs[2] {
		t.Fatalf("the three writes ran in %d transactions, want one", len(slices.Compact(txs)))
	}
	var got []string
	if err := s.db.Raw("SELECT v FROM g ORDER BY v").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("committed %v, want [a c] (b rolled back to its savepoint)", got)
	}
	if len(s.writeSlot) != 0 {
		t.Fatal("write slot still held")
	}
}
