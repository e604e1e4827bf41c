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

// Writes queued behind the SQLite write slot run in one transaction and
// commit once: a write that fails is rolled back alone (the group runs
// again, one savepoint each) and answered its own error, the others
// commit, and each caller returns only after that COMMIT.
func TestSQLiteGroupCommit(t *testing.T) {
	for _, failing := range []bool{false, true} {
		t.Run(map[bool]string{false: "all succeed", true: "one fails"}[failing], func(t *testing.T) { testGroupCommit(t, failing) })
	}
}

func testGroupCommit(t *testing.T, failing bool) {
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
		wg.Go(func() { errs[i] = s.groupWrite(ctx, write(v, failing && v == "b")) })
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
	want := []string{"a", "b", "c"}
	if failing {
		if errs[0] != nil || errs[2] != nil || errs[1] == nil || errs[1].Error() != "refused b" {
			t.Fatalf("answers %v", errs)
		}
		want = []string{"a", "c"}
	} else if errs[0] != nil || errs[1] != nil || errs[2] != nil {
		t.Fatalf("answers %v", errs)
	}
	// Without a failure each write runs once; with one, the group's last
	// run (the one that commits) has all three, in one transaction.
	if !failing && len(txs) != 3 || failing && len(txs) <= 3 {
		t.Fatalf("%d runs of the writes", len(txs))
	}
	if last := txs[len(txs)-3:]; last[0] != last[1] || last[1] != last[2] {
		t.Fatalf("the three writes ran in %d transactions, want one", len(slices.Compact(last)))
	}
	var got []string
	if err := s.db.Raw("SELECT v FROM g ORDER BY v").Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("committed %v, want %v (b rolled back)", got, want)
	}
	if len(s.writeSlot) != 0 {
		t.Fatal("write slot still held")
	}
}
