package main

import (
	"errors"
	"strings"
	"testing"
)

func TestPricingCommand(t *testing.T) {
	env := sqliteEnv(t)
	if _, _, err := portal(t, env, "", "seed", "--demo"); err != nil {
		t.Fatalf("seed: %v", err)
	}
	out, _, err := portal(t, env, "", "pricing", "show", "--as", "ana.silva@lisboa-credito.example", "--date", "2026-03-01")
	if err != nil {
		t.Fatalf("show: %v", err)
	}
	if out = squeeze(out); !strings.Contains(out, "pricing in force on 2026-03-01") || !strings.Contains(out, "index 3 2026-01 2.250 % DEMO") {
		t.Errorf("show printed:\n%s", out)
	}
	// Only an admin sets an index value.
	_, _, err = portal(t, env, "", "pricing", "set-index", "--as", "marta.santos@bank.example", "--index", "3", "--month", "2026-02", "--value", "2.4")
	if err == nil || !strings.Contains(err.Error(), "administrators") {
		t.Errorf("staff set-index: %v", err)
	}
	if _, _, err := portal(t, env, "", "pricing", "set-index", "--as", "admin@bank.example", "--index", "3", "--month", "2026-02", "--value", "2.412"); err != nil {
		t.Fatalf("set-index: %v", err)
	}
	out, _, err = portal(t, env, "", "pricing", "show", "--as", "admin@bank.example", "--date", "2026-03-01")
	if out = squeeze(out); err != nil || !strings.Contains(out, "index 3 2026-02 2.412 %\n") {
		t.Errorf("after set-index (%v):\n%s", err, out)
	}
	for _, args := range [][]string{{"pricing"}, {"pricing", "show"}, {"pricing", "set-index", "--as", "a@b", "--value", "x"},
		{"pricing", "set-index", "--as", "a@b", "--value", "2.3456"}, {"pricing", "discount"},
		{"pricing", "set-spread", "--as", "a@b", "--spread", "1..2"},
		{"pricing", "set-fixed-rate", "--as", "a@b", "--rate-type", "floating", "--rate", "3"},
		{"pricing", "set-limit", "--as", "a@b", "--min", "25 000", "--max", "1"},
		{"pricing", "set-charge", "--as", "a@b", "--periodicity", "yearly"},
		{"pricing", "set-charge", "--as", "a@b", "--index", "1"}} {
		_, _, err := portal(t, env, "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// Every kind of value is set from the command line by an admin, shows
// in "pricing show" from its date (no longer DEMO), and a refusal names
// the field.
func TestPricingCommandSetsEveryKind(t *testing.T) {
	env := sqliteEnv(t)
	if _, _, err := portal(t, env, "", "seed", "--demo"); err != nil {
		t.Fatalf("seed: %v", err)
	}
	const admin = "admin@bank.example"
	for _, tc := range []struct {
		args []string
		said string
	}{
		{[]string{"set-spread", "--scheme", "1", "--purpose", "2", "--from", "2030-03-10", "--spread", "1,125"},
			"spread, scheme 1 purpose 2, from 2030-03-10: 1.125 %"},
		{[]string{"set-fixed-rate", "--rate-type", "mixed", "--period", "3", "--from", "2030-03-10", "--rate", "3.05"},
			"fixed rate, rate type 3 period 3, from 2030-03-10: 3.050 %"},
		{[]string{"set-limit", "--scheme", "2", "--from", "2030-03-10", "--min", "30000", "--max", "400000.50"},
			"limits, scheme 2, from 2030-03-10: 30000.00–400000.50 €"},
		{[]string{"set-charge", "--charge", "4", "--from", "2030-03-10", "--amount", "150", "--percentage", "0.5"},
			"charge 4, from 2030-03-10: 150.00 € + 0.500 %"},
		{[]string{"set-charge", "--charge", "1", "--from", "2030-03-10", "--inactive"},
			"charge 1, from 2030-03-10: off the price list"},
	} {
		out, _, err := portal(t, env, "", append([]string{"pricing"}, append(tc.args, "--as", admin)...)...)
		if err != nil || strings.TrimSpace(out) != tc.said {
			t.Errorf("%v: %q, %v", tc.args, out, err)
		}
	}
	out, _, err := portal(t, env, "", "pricing", "show", "--as", admin, "--date", "2030-03-10")
	out = squeeze(out)
	for _, want := range []string{
		"spread scheme 1 purpose 2 2030-03-10 1.125 %\n",
		"fixed rate rate type 3 period 3 2030-03-10 3.050 %\n",
		"limits scheme 2 2030-03-10 30000.00–400000.50 €\n",
		"charge type 4 periodicity 1 2030-03-10 150.00 € + 0.500 %\n",
		"spread scheme 1 purpose 1 2026-01-01 1.000 % DEMO\n", // the others stay as they were
	} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("show after the changes (%v) lacks %q:\n%s", err, want, out)
		}
	}
	if strings.Contains(out, "charge type 1 ") {
		t.Errorf("the inactive charge is still listed:\n%s", out)
	}
	// The day before, the demo values.
	if out, _, _ := portal(t, env, "", "pricing", "show", "--as", admin, "--date", "2030-03-09"); !strings.Contains(squeeze(out), "spread scheme 1 purpose 2 2026-01-01 1.500 % DEMO") {
		t.Errorf("the day before:\n%s", out)
	}
	// The service's refusals name the field; staff may not set.
	_, _, err = portal(t, env, "", "pricing", "set-limit", "--as", admin, "--scheme", "1", "--from", "2030-03-10", "--min", "500000", "--max", "1000")
	if err == nil || !strings.Contains(err.Error(), "maxAmount: The minimum cannot be above the maximum.") {
		t.Errorf("min above max: %v", err)
	}
	_, _, err = portal(t, env, "", "pricing", "set-charge", "--as", admin, "--charge", "10", "--from", "2030-03-10")
	if err == nil || !strings.Contains(err.Error(), "chargeTypeId") {
		t.Errorf("stamp duty as a charge: %v", err)
	}
	_, _, err = portal(t, env, "", "pricing", "set-spread", "--as", "marta.santos@bank.example", "--scheme", "1", "--purpose", "1", "--from", "2030-03-10", "--spread", "1")
	if err == nil || !strings.Contains(err.Error(), "administrators") {
		t.Errorf("staff set-spread: %v", err)
	}
	// Each subcommand explains itself.
	for verb := range pricingVerbs {
		_, errOut, err := portal(t, env, "", "pricing", verb, "-h")
		if err != nil || !strings.Contains(errOut, "portal pricing "+verb+": ") || !strings.Contains(errOut, "-as") {
			t.Errorf("%s -h: %v\n%s", verb, err, errOut)
		}
	}
}

// squeeze writes each line's columns one space apart.
func squeeze(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		b.WriteString(strings.Join(strings.Fields(l), " ") + "\n")
	}
	return b.String()
}
