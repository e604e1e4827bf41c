package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

// waitFor polls cond until it holds (fails t after 5 s): the gate's
// waiters are goroutines the test cannot join directly.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func wantBusy(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.Is(err, ErrHashingBusy) || !errors.As(err, &e) || e.Code != CodeRateLimited ||
		e.RetryAfter != HashingBusyRetryAfter || e.Message == "" {
		t.Fatalf("%s: %#v, want the busy answer", what, err)
	}
}

// acquired is one Acquire run in the background.
type acquired struct {
	release func()
	err     error
}

func acquireAsync(g *CheckGate, ctx context.Context) <-chan acquired {
	ch := make(chan acquired, 1)
	go func() {
		r, err := g.Acquire(ctx)
		ch <- acquired{r, err}
	}()
	return ch
}

func TestCheckGateSlots(t *testing.T) {
	g := NewCheckGate(2, 4, time.Minute)
	ctx := context.Background()
	r1, err1 := g.Acquire(ctx)
	r2, err2 := g.Acquire(ctx)
	if err1 != nil || err2 != nil || g.InUse() != 2 || g.Waiting() != 0 {
		t.Fatalf("two free slots: %v %v, %d in use", err1, err2, g.InUse())
	}
	// A third caller waits (it is not refused) and gets the first slot
	// given back.
	third := acquireAsync(g, ctx)
	waitFor(t, "the third caller to queue", func() bool { return g.Waiting() == 1 })
	r1()
	r1() // a second release of the same slot does nothing
	a := <-third
	if a.err != nil || g.InUse() != 2 || g.Waiting() != 0 {
		t.Fatalf("waiter: %v, %d in use, %d waiting", a.err, g.InUse(), g.Waiting())
	}
	r2()
	a.release()
	if g.InUse() != 0 {
		t.Fatalf("%d in use after all released", g.InUse())
	}
}

// Waiters are served in their order of arrival, and a newcomer does not
// take a freed slot ahead of them.
func TestCheckGateIsFirstComeFirstServed(t *testing.T) {
	g := NewCheckGate(1, 10, time.Minute)
	ctx := context.Background()
	hold, err := g.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var queue []<-chan acquired
	for i := range 3 {
		queue = append(queue, acquireAsync(g, ctx))
		waitFor(t, "a waiter to queue", func() bool { return g.Waiting() == i+1 })
	}
	hold()
	for i, ch := range queue {
		a := <-ch
		if a.err != nil {
			t.Fatalf("waiter %d: %v", i, a.err)
		}
		// Nobody else holds the slot: the next waiter is still waiting,
		// and a newcomer queues behind them.
		for j, later := range queue[i+1:] {
			select {
			case <-later:
				t.Fatalf("waiter %d served before waiter %d released", i+1+j, i)
			default:
			}
		}
		if i == 0 {
			late := acquireAsync(g, ctx)
			waitFor(t, "the newcomer to queue", func() bool { return g.Waiting() == 3 })
			defer func() {
				a := <-late
				if a.err != nil {
					t.Errorf("newcomer: %v", a.err)
					return
				}
				a.release()
			}()
		}
		a.release()
	}
}

func TestCheckGateQueueIsBounded(t *testing.T) {
	g := NewCheckGate(1, 2, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hold, _ := g.Acquire(ctx)
	defer hold()
	w1, w2 := acquireAsync(g, ctx), acquireAsync(g, ctx)
	waitFor(t, "two waiters", func() bool { return g.Waiting() == 2 })
	// The queue is full: the answer is busy at once, without waiting.
	_, err := g.Acquire(ctx)
	wantBusy(t, "full queue", err)
	cancel()
	wantBusy(t, "cancelled waiter", (<-w1).err)
	wantBusy(t, "cancelled waiter", (<-w2).err)
}

func TestCheckGateWaitTimesOut(t *testing.T) {
	g := NewCheckGate(1, 2, 20*time.Millisecond)
	hold, _ := g.Acquire(context.Background())
	defer hold()
	_, err := g.Acquire(context.Background())
	wantBusy(t, "wait ran out", err)
	if g.Waiting() != 0 || g.InUse() != 1 {
		t.Fatalf("after the timeout: %d waiting, %d in use", g.Waiting(), g.InUse())
	}
}

// A request that ends while waiting leaves the queue: its place goes to
// the next caller, and the slot it would have had is not lost.
func TestCheckGateCancellationFreesItsPlace(t *testing.T) {
	g := NewCheckGate(1, 2, time.Minute)
	hold, _ := g.Acquire(context.Background())
	cctx, cancel := context.WithCancel(context.Background())
	gone := acquireAsync(g, cctx)
	waitFor(t, "the first waiter", func() bool { return g.Waiting() == 1 })
	next := acquireAsync(g, context.Background())
	waitFor(t, "the second waiter", func() bool { return g.Waiting() == 2 })
	cancel()
	wantBusy(t, "cancelled", (<-gone).err)
	if g.Waiting() != 1 {
		t.Fatalf("%d waiting after the cancellation, want 1", g.Waiting())
	}
	// The full queue had room again: a third caller can queue.
	third := acquireAsync(g, context.Background())
	waitFor(t, "the third waiter", func() bool { return g.Waiting() == 2 })
	hold()
	a := <-next
	if a.err != nil {
		t.Fatalf("next waiter: %v", a.err)
	}
	a.release()
	b := <-third
	if b.err != nil {
		t.Fatalf("third waiter: %v", b.err)
	}
	b.release()
	if g.InUse() != 0 || g.Waiting() != 0 {
		t.Fatalf("%d in use, %d waiting at the end", g.InUse(), g.Waiting())
	}
}

func TestPasswordChecksAreBounded(t *testing.T) {
	hash, err := HashPassword("right")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if ok, err := CheckPasswordOrDummyLimited(ctx, hash, "right"); !ok || err != nil {
		t.Fatalf("free slots: %v %v", ok, err)
	}
	if ok, err := CheckPasswordOrDummyLimited(ctx, "", "right"); ok || err != nil {
		t.Fatalf("dummy: %v %v", ok, err)
	}
	if PasswordChecks.slots < 2 || PasswordChecks.queue < PasswordChecks.slots || PasswordChecks.wait <= 0 {
		t.Fatalf("gate %d slots, queue %d, wait %v", PasswordChecks.slots, PasswordChecks.queue, PasswordChecks.wait)
	}
	// Every slot taken: a check waits for one instead of being refused.
	var held []func()
	for range PasswordChecks.slots {
		r, err := PasswordChecks.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, r)
	}
	done := make(chan error, 1)
	go func() {
		ok, err := CheckPasswordOrDummyLimited(ctx, hash, "right")
		if err == nil && !ok {
			err = errors.New("right password refused")
		}
		done <- err
	}()
	waitFor(t, "the check to queue", func() bool { return PasswordChecks.Waiting() == 1 })
	held[0]()
	if err := <-done; err != nil {
		t.Fatalf("queued check: %v", err)
	}
	for _, r := range held {
		r()
	}
}
