package main

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"portal/models"
	"portal/models/store"
)

// Simulation expiry: `portal serve` moves open simulations (in creation,
// validated) left alone for PORTAL_SIMULATION_EXPIRY_DAYS days to
// "expired", at start and then every simulationExpiryEvery. Every instance
// may run it: the store hands each its own rows.

// simulationExpiryEvery is how often the expiry runs.
const simulationExpiryEvery = time.Hour

// simulationExpiryLimit bounds one run (batches of one transaction each).
const simulationExpiryLimit = 2 * time.Minute

// loadSimulationExpiry reads PORTAL_SIMULATION_EXPIRY_DAYS (a whole number
// of days, at least 1).
func loadSimulationExpiry(get func(name, def string) string, bad func(string, ...any)) time.Duration {
	v := get("PORTAL_SIMULATION_EXPIRY_DAYS", "")
	if v == "" {
		return models.DefaultSimulationExpiry
	}
	days, err := strconv.Atoi(v)
	if err != nil || days < 1 || days > 3650 {
		bad("PORTAL_SIMULATION_EXPIRY_DAYS=%q: want a whole number of days from 1 to 3650, e.g. 30", v)
		return models.DefaultSimulationExpiry
	}
	return time.Duration(days) * 24 * time.Hour
}

// simulationExpirer runs ExpireSimulations until stopped.
type simulationExpirer struct {
	stop context.CancelFunc
	done chan struct{}
}

// startSimulationExpiry starts the expiry loop of st for age.
func startSimulationExpiry(st *store.Store, age time.Duration, every time.Duration, log *slog.Logger) *simulationExpirer {
	ctx, cancel := context.WithCancel(context.Background())
	e := &simulationExpirer{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			rctx, rcancel := context.WithTimeout(ctx, simulationExpiryLimit)
			n, err := st.ExpireSimulations(rctx, time.Now(), age)
			rcancel()
			switch {
			case err != nil && ctx.Err() == nil:
				log.Warn("expiring simulations failed", "err", err)
			case n > 0:
				log.Info("simulations expired", "count", n, "after_days", int(age/(24*time.Hour)))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return e
}

// Stop ends the loop and waits for a run in progress to end.
func (e *simulationExpirer) Stop() {
	e.stop()
	<-e.done
}
