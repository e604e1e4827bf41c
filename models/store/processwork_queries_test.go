package store_test

import (
	"context"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// TestProcessWorkStatements pins the statements of each process work
// operation (both dialects alike: the same GORM statements; the lock is
// SELECT ... FOR UPDATE on PostgreSQL and a plain SELECT in SQLite's
// write transaction). Each is a constant: none grows with the process's
// borrowers, messages or history, except Timeline's one statement's rows.
func TestProcessWorkStatements(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.CountQueries(), "count queries")
		w := newProcessWorld(t, s)
		// The taxonomy is read once per store, not per call.
		_, err := s.Taxonomy(context.Background())
		storetest.Must(t, err, "taxonomy")
		count := func(name string, want int, ctx context.Context, fn func(ctx context.Context) error) {
			t.Helper()
			c := &store.QueryCounter{}
			storetest.Must(t, fn(store.WithQueryCounter(ctx, c)), "%s", name)
			if c.Count() != want {
				t.Errorf("%s: %d statements, want %d:\n%s", name, c.Count(), want, c)
			}
		}
		var p *models.Process
		var prop models.Property
		var co *models.Borrower
		// (PostgreSQL: the number lock,) number, process, property, status
		// change, outbox row
		create := 5
		if s.Dialect() == store.Postgres {
			create = 6
		}
		count("create", create, w.ana, func(ctx context.Context) (err error) { p, err = s.CreateProcess(ctx, loanInput()); return })
		// lock, update, event, last action
		count("update", 4, w.ana, func(ctx context.Context) error { _, err := s.UpdateProcess(ctx, p.UUID, loanInput()); return err })
		// lock, key count, insert, event, last action with the key borrower's copy
		count("add key borrower", 5, w.ana, func(ctx context.Context) error {
			_, err := s.CreateBorrower(ctx, p.UUID, keyBorrowerInput())
			return err
		})
		count("add borrower", 5, w.ana, func(ctx context.Context) (err error) {
			co, err = s.CreateBorrower(ctx, p.UUID, models.BorrowerInput{Name: "Rui Rocha", KeyBorrowerRelationID: ip(1),
				BirthDate: "1983-01-02", TaxID: "200000004"})
			return
		})
		// lock, borrower, update, event, last action
		count("update borrower", 5, w.ana, func(ctx context.Context) error {
			_, err := s.UpdateBorrower(ctx, p.UUID, co.UUID, models.BorrowerInput{Name: "Rui Rocha", KeyBorrowerRelationID: ip(1),
				BirthDate: "1983-01-02", TaxID: "200000004"})
			return err
		})
		count("list borrowers", 2, w.ana, func(ctx context.Context) error { _, err := s.ListBorrowers(ctx, p.UUID); return err })
		count("get borrower", 2, w.ana, func(ctx context.Context) error { _, err := s.GetBorrower(ctx, p.UUID, co.UUID); return err })
		count("list properties", 2, w.ana, func(ctx context.Context) (err error) {
			props, err := s.ListProperties(ctx, p.UUID)
			if err == nil {
				prop = props[0]
			}
			return
		})
		// lock, property, update, event, last action
		count("update property", 5, w.ana, func(ctx context.Context) error {
			_, err := s.UpdateProperty(ctx, p.UUID, prop.UUID, propertyInput())
			return err
		})
		count("check", 3, w.ana, func(ctx context.Context) error { _, err := s.CheckSubmit(ctx, p.UUID); return err })
		// lock, borrowers, property, guarded update, status change, outbox row
		count("submit", 6, w.ana, func(ctx context.Context) error { _, err := s.SubmitProcess(ctx, p.UUID); return err })
		count("move", 4, w.marta, func(ctx context.Context) error {
			_, err := s.MoveProcess(ctx, p.UUID, models.ProcessTransition{ToStatusID: models.StatusInAnalysis})
			return err
		})
		count("cancel", 4, w.ana, func(ctx context.Context) error {
			_, err := s.CancelProcess(ctx, p.UUID, models.CancelInput{ReasonID: 1})
			return err
		})
		count("timeline", 2, w.ana, func(ctx context.Context) error { _, err := s.Timeline(ctx, p.UUID); return err })
	})
}
