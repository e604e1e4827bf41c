package webtest

import (
	"context"
	"testing"
	"time"

	"portal/models"
)

// FillPasswordChecks takes every password-check slot and every place in
// its queue until the test ends, so any sign-in is answered "busy" at once.
func FillPasswordChecks(t testing.TB) {
	t.Helper()
	gate := models.PasswordChecks
	slots, queue := gate.Limits()
	ctx, cancel := context.WithCancel(context.Background())
	var held []func()
	t.Cleanup(func() {
		cancel()
		for _, r := range held {
			r()
		}
	})
	for range slots {
		r, err := gate.Acquire(ctx)
		if err != nil {
			t.Fatalf("a password-check slot: %v", err)
		}
		held = append(held, r)
	}
	for range queue {
		go func() {
			if r, err := gate.Acquire(ctx); err == nil {
				r()
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for gate.Waiting() < queue {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d queue places taken", gate.Waiting(), queue)
		}
		time.Sleep(time.Millisecond)
	}
}
