package models

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fillHashSlots takes every password-check slot until the test ends.
func fillHashSlots(t *testing.T) (release func()) {
	t.Helper()
	n := cap(hashSlots)
	for range n {
		select {
		case hashSlots <- struct{}{}:
		case <-time.After(5 * time.Second):
			t.Fatal("a password-check slot is held by someone else")
		}
	}
	released := 0
	release = func() {
		if released < n {
			released++ // before the receive: it orders this write for the next taker
			<-hashSlots
		}
	}
	t.Cleanup(func() {
		for released < n {
			release()
		}
	})
	return release
}

func TestPasswordChecksAreBounded(t *testing.T) {
	if cap(hashSlots) < 2 {
		t.Fatalf("%d slots", cap(hashSlots))
	}
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

	old := hashWait
	hashWait = 50 * time.Millisecond
	t.Cleanup(func() { hashWait = old })
	release := fillHashSlots(t)

	// All slots taken: after the short wait, a rate-limited answer that
	// asks for a retry in a second.
	start := time.Now()
	ok, err := CheckPasswordOrDummyLimited(ctx, hash, "right")
	var e *Error
	if ok || !errors.As(err, &e) || e.Code != CodeRateLimited || e.RetryAfter != 1 || e.Message == "" {
		t.Fatalf("at capacity: %v %#v", ok, err)
	}
	if d := time.Since(start); d < hashWait || d > 2*time.Second {
		t.Errorf("gave up after %v, want about %v", d, hashWait)
	}
	// A request that ends while waiting gives up at once.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	hashWait = time.Minute
	start = time.Now()
	if _, err := CheckPasswordOrDummyLimited(cctx, hash, "right"); ErrorCode(err) != CodeRateLimited || time.Since(start) > time.Second {
		t.Fatalf("cancelled request: %v after %v", err, time.Since(start))
	}
	// A slot freed during the wait is taken.
	go func() {
		time.Sleep(20 * time.Millisecond)
		release()
	}()
	if ok, err := CheckPasswordOrDummyLimited(ctx, hash, "right"); !ok || err != nil {
		t.Fatalf("slot freed while waiting: %v %v", ok, err)
	}
}
