package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// TestSeedAndRun keeps the harness from rotting: it seeds a tiny bank into
// an empty database of each dialect and drives every path briefly, then
// checks the report has every path (and the baselines) with requests, a
// non-zero rate and no failed request. Timings are printed, never judged.
func TestSeedAndRun(t *testing.T) {
	limit := models.MessageRateLimit
	t.Cleanup(func() { models.MessageRateLimit = limit })
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		url := storetest.NewDatabase(t, d)
		if d == store.SQLite {
			url = "sqlite:" + url
		}
		ctx := context.Background()
		var out bytes.Buffer
		if err := run(ctx, []string{"seed", "--database", url, "--processes", "300", "--messages", "3000",
			"--brokers", "8", "--customers", "10"}, &out); err != nil {
			t.Fatalf("seed: %v\n%s", err, out.String())
		}
		if !strings.Contains(out.String(), "seeded "+string(d)+": 300 processes, 3000 messages") {
			t.Fatalf("seed output:\n%s", out.String())
		}
		// A second seed refuses the database that is no longer empty.
		if err := run(ctx, []string{"seed", "--database", url, "--processes", "10"}, &out); err == nil ||
			!strings.Contains(err.Error(), "empty") {
			t.Fatalf("second seed: %v", err)
		}
		out.Reset()
		if err := run(ctx, []string{"run", "--database", url, "--clients", "4", "--duration", "200ms", "--warmup", "0s",
			"--rounds", "1", "--users", "8"}, &out); err != nil {
			t.Fatalf("run: %v\n%s", err, out.String())
		}
		report := out.String()
		t.Log("\n" + report)
		want := map[string]bool{}
		for _, p := range allPaths {
			want[p+" "+targetOf(p)] = true
			if baselined[p] {
				want[p+" baseline"] = true
			}
		}
		ratios := 0
		for _, line := range strings.Split(report, "\n") {
			f := strings.Fields(line)
			if len(f) >= 3 && f[1] == "ratio" {
				ratios++
				continue
			}
			if len(f) != 10 || !want[f[0]+" "+f[1]] {
				continue
			}
			delete(want, f[0]+" "+f[1])
			reqs, _ := strconv.Atoi(f[2])
			rps, _ := strconv.ParseFloat(f[3], 64)
			if reqs == 0 || rps <= 0 || (f[9] != "0" && !(f[0] == "simulate" && onlyNumberConflicts(report))) {
				t.Errorf("%s %s: %d requests, %v req/s, %s non-2xx", f[0], f[1], reqs, rps, f[9])
			}
			// Every path reads the database: no statement recorded means
			// the recorder no longer sees the store's SQL.
			if f[8] == "0" {
				t.Errorf("%s %s: no SQL statement recorded", f[0], f[1])
			}
		}
		if len(want) > 0 {
			t.Errorf("report lacks %v", want)
		}
		if ratios != len(baselined) {
			t.Errorf("%d ratio lines, want %d", ratios, len(baselined))
		}
		for _, line := range strings.Split(report, "\n") {
			if (strings.Contains(line, " status ") || strings.Contains(line, "transport errors")) && !numberConflict(line) {
				t.Errorf("failed requests reported: %s", line)
			}
		}
		if onlyNumberConflicts(report) && strings.Contains(report, "simulate portal: ") {
			t.Log("simulate: some Creates lost the race for a simulation number (409); see the store's CreateSimulation")
		}
		// The simulations "simulate" created are deleted with the run's
		// sessions and tokens.
		st, err := openStore(url, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var left int64
		if err := st.DB().Raw("SELECT count(*) FROM simulations").Scan(&left).Error; err != nil || left != 0 {
			t.Errorf("%d simulations left after the run (%v)", left, err)
		}
	})
}

// numberConflict tells whether a failure line is simulate's 409 for a
// simulation number taken by a concurrent Create: the store allocates
// numbers as MAX + 1 with a few retries, which concurrent Creates can
// exhaust. It is the one failure the harness reports without failing here.
func numberConflict(line string) bool {
	return strings.HasPrefix(line, "simulate portal: ") && strings.Contains(line, " status 409, ") &&
		strings.Contains(line, "simulation already exists")
}

// onlyNumberConflicts tells whether every failure line of report is a
// numberConflict.
func onlyNumberConflicts(report string) bool {
	for _, line := range strings.Split(report, "\n") {
		if strings.HasPrefix(line, "simulate portal: ") && !numberConflict(line) {
			return false
		}
	}
	return true
}
