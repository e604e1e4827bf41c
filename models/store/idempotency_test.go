package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// A duplicate that waits for a first call which then rolls back claims the
// key itself and runs its own fn (the claim's statement returns its new row,
// not the aborted one); a later retry replays the second's answer.
func TestIdempotentAfterAConcurrentRollback(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newThreadWorld(t, s)
		p := w.fresh(t, w.lisboa)
		post := func(ctx context.Context, text string) (models.StoredResponse, error) {
			m, err := s.PostMessage(ctx, p.UUID, models.NewMessage{Text: text})
			if err != nil {
				return models.StoredResponse{}, err
			}
			return models.StoredResponse{Status: 201, Body: []byte(m.UUID)}, nil
		}
		posted, release := make(chan struct{}), make(chan struct{})
		boom := errors.New("boom")
		first := make(chan error, 1)
		go func() {
			_, _, err := s.Idempotent(w.ana, "rolled-back", "fp", func(ctx context.Context) (models.StoredResponse, error) {
				if _, err := post(ctx, "first"); err != nil {
					return models.StoredResponse{}, err
				}
				close(posted)
				<-release
				return models.StoredResponse{}, boom
			})
			first <- err
		}()
		<-posted
		type result struct {
			resp     models.StoredResponse
			replayed bool
			err      error
		}
		second := make(chan result, 1)
		go func() {
			resp, replayed, err := s.Idempotent(w.ana, "rolled-back", "fp", func(ctx context.Context) (models.StoredResponse, error) {
				return post(ctx, "second")
			})
			second <- result{resp, replayed, err}
		}()
		time.Sleep(200 * time.Millisecond) // the second waits on the first's key (or write lock)
		close(release)
		if err := <-first; !errors.Is(err, boom) && models.ErrorCode(err) != models.CodeInternal {
			t.Fatalf("first: %v", err)
		}
		r := <-second
		storetest.Must(t, r.err, "second")
		if r.replayed || r.resp.Status != 201 {
			t.Fatalf("second %+v replayed %v, want its own run", r.resp, r.replayed)
		}
		again, replayed, err := s.Idempotent(w.ana, "rolled-back", "fp", func(ctx context.Context) (models.StoredResponse, error) {
			t.Error("fn ran on a replay")
			return models.StoredResponse{}, nil
		})
		storetest.Must(t, err, "retry")
		if !replayed || string(again.Body) != string(r.resp.Body) {
			t.Fatalf("retry %q replayed %v, want %q", again.Body, replayed, r.resp.Body)
		}
		if n := messageCount(t, s, "process_id = ?", p.ID); n != 1 {
			t.Fatalf("%d messages, want the second's only", n)
		}
	})
}
