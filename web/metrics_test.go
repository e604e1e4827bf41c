package web_test

import (
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"portal/models/store"
	"portal/web/webtest"
)

// seriesCount is how many series the registry holds for the HTTP
// histogram (one per label combination).
func seriesCount(t *testing.T, reg *prometheus.Registry) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "portal_http_request_duration_seconds" {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func randomToken(r *rand.Rand, n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[r.IntN(len(letters))]
	}
	return string(b)
}

// TestMetricsLabelsAreBounded: 5,000 made-up methods on known and unknown
// paths, and 5,000 unknown paths, add no series to /metrics.
func TestMetricsLabelsAreBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := webtest.NewWith(t, store.SQLite, webtest.Options{Registry: reg})
	client := s.Server.Client()
	do := func(method, path string) {
		t.Helper()
		req, err := http.NewRequest(method, s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	r := rand.New(rand.NewPCG(1, 2))
	// One of each kind first, so the series they map to exist.
	do("BREW", "/login")
	do("BREW", "/nowhere")
	do(http.MethodGet, "/nowhere")
	do(http.MethodGet, "/v1/nowhere")
	do(http.MethodGet, "/obp/nowhere")
	before := seriesCount(t, reg)
	if before == 0 {
		t.Fatal("no series after the first requests")
	}
	for i := 0; i < 5000; i++ {
		method := "X" + randomToken(r, 1+r.IntN(12))
		paths := []string{"/login", "/nowhere", "/" + randomToken(r, 10), "/v1/" + randomToken(r, 8), "/obp/" + randomToken(r, 8)}
		do(method, paths[r.IntN(len(paths))])
		do(http.MethodGet, "/"+randomToken(r, 12))
	}
	if after := seriesCount(t, reg); after != before {
		t.Fatalf("series grew from %d to %d", before, after)
	}
	// The labels themselves come from the closed sets.
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "portal_http_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "method":
					if !strings.Contains(" GET HEAD POST PUT PATCH DELETE OPTIONS other ", " "+l.GetValue()+" ") {
						t.Errorf("method label %q", l.GetValue())
					}
				case "route":
					if l.GetValue() != "unmatched" && !strings.HasPrefix(l.GetValue(), "/") {
						t.Errorf("route label %q", l.GetValue())
					}
				}
			}
		}
	}
}

// TestMetricsEndpoint: /metrics is not on the main handler without a token
// (404); with one it needs exactly that bearer token.
func TestMetricsEndpoint(t *testing.T) {
	plain := webtest.NewWith(t, store.SQLite, webtest.Options{})
	if r := plain.Client(t).Get("/metrics"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics without a token configured: %d, want 404", r.StatusCode)
	}
	if r := plain.Client(t).Get("/metrics", "Authorization", "Bearer anything"); r.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics with a token but none configured: %d, want 404", r.StatusCode)
	}

	const token = "metrics-token-for-tests"
	s := webtest.NewWith(t, store.SQLite, webtest.Options{MetricsToken: token})
	c := s.Client(t)
	for _, auth := range []string{"", "Bearer", "Bearer wrong", "Bearer " + token + "x", "Basic " + token, token} {
		if r := c.Get("/metrics", "Authorization", auth); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", auth, r.StatusCode)
		}
	}
	r := c.Get("/metrics", "Authorization", "Bearer "+token)
	if r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "portal_http_request_duration_seconds") {
		t.Errorf("right token: %d\n%.300s", r.StatusCode, r.Body)
	}
}
