package main

import (
	"context"
	"log/slog"

	"portal/models/store"
	"portal/models/webhook"
)

// Partner callbacks: `portal serve` runs the store's delivery workers
// beside the mail sender. Every instance on one database may run them; the
// store shares the work out (leases, SKIP LOCKED).

// loadCallbackLoopback reads PORTAL_CALLBACK_ALLOW_LOOPBACK: true lets
// callbacks go to 127.0.0.1 and ::1 (development and tests only; every
// other private address stays refused).
func loadCallbackLoopback(get func(name, def string) string, bad func(string, ...any)) bool {
	v, err := parseBool(get("PORTAL_CALLBACK_ALLOW_LOOPBACK", "false"))
	if err != nil {
		bad("PORTAL_CALLBACK_ALLOW_LOOPBACK=%q: want true or false", get("PORTAL_CALLBACK_ALLOW_LOOPBACK", ""))
	}
	return v
}

// callbackWorkers runs the delivery workers until stopped.
type callbackWorkers struct {
	stop context.CancelFunc
	wait func()
}

func startCallbacks(st *store.Store, allowLoopback bool, log *slog.Logger) *callbackWorkers {
	if allowLoopback {
		log.Warn("callbacks may be delivered to loopback addresses (PORTAL_CALLBACK_ALLOW_LOOPBACK): development and tests only")
	}
	ctx, cancel := context.WithCancel(context.Background())
	sender := webhook.New(webhook.Options{AllowLoopback: allowLoopback})
	wait := st.StartCallbacks(ctx, sender, store.CallbackOptions{AllowLoopback: allowLoopback})
	return &callbackWorkers{stop: cancel, wait: wait}
}

// Stop ends the workers and waits for them; a delivery in flight is
// abandoned and retried after its lease (by this or another instance).
func (w *callbackWorkers) Stop() {
	w.stop()
	w.wait()
}
