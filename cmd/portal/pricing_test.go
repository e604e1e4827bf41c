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
	for _, args := range [][]string{{"pricing"}, {"pricing", "show"}, {"pricing", "set-index", "--as", "a@b", "--value", "x"}} {
		_, _, err := portal(t, env, "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
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
