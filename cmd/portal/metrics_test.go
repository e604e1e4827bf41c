package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// metricsGet fetches url with an optional bearer token and returns the
// status and body.
func metricsGet(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsOwnListener: with PORTAL_METRICS_ADDR, /metrics is served on
// that listener (and only /metrics there), not on the main one.
func TestMetricsOwnListener(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["PORTAL_ADDR"] = "127.0.0.1:0"
	env["PORTAL_METRICS_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	log := &syncBuffer{}
	addrs := make(chan string, 2)
	a := &app{env: envMap(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: log,
		listen: func(network, address string) (net.Listener, error) {
			ln, err := net.Listen(network, address)
			if err == nil {
				addrs <- ln.Addr().String()
			}
			return ln, err
		}}
	errc := make(chan error, 1)
	go func() { errc <- a.run(ctx, []string{"serve"}) }()
	var main, metrics string
	for _, into := range []*string{&main, &metrics} {
		select {
		case *into = <-addrs:
		case err := <-errc:
			t.Fatalf("serve ended before listening: %v\n%s", err, log)
		case <-time.After(10 * time.Second):
			t.Fatalf("serve did not listen\n%s", log)
		}
	}
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	if code := get(t, "http://"+main+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d\n%s", code, log)
	}
	code, body := metricsGet(t, "http://"+metrics+"/metrics", "")
	if code != http.StatusOK || !strings.Contains(body, "portal_http_request_duration_seconds") {
		t.Fatalf("metrics listener /metrics: %d\n%.500s", code, body)
	}
	if code, _ := metricsGet(t, "http://"+metrics+"/healthz", ""); code != http.StatusNotFound {
		t.Errorf("metrics listener serves /healthz: %d", code)
	}
	if code, _ := metricsGet(t, "http://"+main+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("main listener /metrics: %d, want 404", code)
	}
}

// TestMetricsToken: with PORTAL_METRICS_TOKEN, /metrics on the main
// listener needs that bearer token.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	const token = "scrape-secret-0123456789"
	env := sqliteEnv(t)
	env["PORTAL_METRICS_TOKEN"] = token
	addr, log, _, _ := startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d\n%s", code, log)
	}
	for _, bad := range []string{"", "wrong-token-0123456789", token + "x", token[:len(token)-1]} {
		if code, _ := metricsGet(t, "http://"+addr+"/metrics", bad); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d, want 401", bad, code)
		}
	}
	if code, body := metricsGet(t, "http://"+addr+"/metrics", token); code != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("right token: %d\n%.300s", code, body)
	}
	if strings.Contains(log.String(), token) {
		t.Errorf("the metrics token is in the log")
	}
}
