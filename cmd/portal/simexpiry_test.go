package main

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/simulation"
	"portal/models/store"
	"portal/models/store/storetest"
)

func TestSimulationExpiryConfig(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil || cfg.SimulationExpiry != 30*24*time.Hour {
		t.Fatalf("default expiry %v (%v)", cfg.SimulationExpiry, err)
	}
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_SIMULATION_EXPIRY_DAYS": "7"}))
	if err != nil || cfg.SimulationExpiry != 7*24*time.Hour {
		t.Fatalf("7 days: %v (%v)", cfg.SimulationExpiry, err)
	}
	for _, v := range []string{"0", "-3", "2.5", "30d", "9999"} {
		_, err := loadConfig(envMap(map[string]string{"PORTAL_SIMULATION_EXPIRY_DAYS": v}))
		if err == nil || !strings.Contains(err.Error(), "PORTAL_SIMULATION_EXPIRY_DAYS=\""+v+"\"") {
			t.Errorf("%q: %v", v, err)
		}
	}
}

// TestSimulationExpiryLoop: the serve loop expires an open simulation left
// alone longer than the age at its first run, keeps a recent one, and
// stops cleanly.
func TestSimulationExpiryLoop(t *testing.T) {
	st := storetest.OpenDemo(t, store.SQLite)
	ctx := storetest.AsUser(t, st, "ana.silva@lisboa-credito.example")
	bs := []models.SimulationBorrower{{Name: "Carla Rocha", BirthDate: "1990-03-01", MonthlyNetIncomeCents: 2_500_00}}
	in := func() models.SimulationInput {
		amount, months, purpose, rate, period := int64(150_000_00), 360, 1, simulation.RateFixed, 5
		value := int64(200_000_00)
		return models.SimulationInput{LoanAmountCents: &amount, LoanDurationMonths: &months, LoanPurposeID: &purpose,
			ProductPurposeID: &purpose, RateTypeID: &rate, FixedFixedPeriodID: &period, PropertyValueCents: &value, Borrowers: &bs}
	}
	old, err := st.CreateSimulation(ctx, in())
	storetest.Must(t, err, "old")
	recent, err := st.CreateSimulation(ctx, in())
	storetest.Must(t, err, "recent")
	storetest.Must(t, st.DB().Exec("UPDATE simulations SET last_action_at = ? WHERE uuid = ?",
		time.Now().Add(-40*24*time.Hour), old.UUID).Error, "age it")

	e := startSimulationExpiry(st, 30*24*time.Hour, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	status := func(uuid string) int {
		var s int
		storetest.Must(t, st.DB().Raw("SELECT status_id FROM simulations WHERE uuid = ?", uuid).Row().Scan(&s), "status")
		return s
	}
	for deadline := time.Now().Add(30 * time.Second); status(old.UUID) != models.SimulationExpired && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	e.Stop()
	if s := status(old.UUID); s != models.SimulationExpired {
		t.Errorf("old simulation status %d, want expired", s)
	}
	if s := status(recent.UUID); s != models.SimulationInCreation {
		t.Errorf("recent simulation status %d, want in creation", s)
	}
}
