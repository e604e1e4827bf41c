package ui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/session"
	"portal/web/webtest"
)

// A stranger's wrong passwords from other addresses do not stop the owner
// signing in from the address they use; the stranger is slowed down.
func TestStrangerCannotLockTheOwnerOut(t *testing.T) {
	s := webtest.NewWith(t, store.SQLite, webtest.Options{TrustedProxies: []string{"127.0.0.1/32"}})
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
	const home = "198.51.100.1"
	owner := s.Client(t)
	if res := owner.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}}, from(home)...); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner's first sign-in: %d", res.StatusCode)
	}
	stranger := s.Client(t)
	for i := range 50 {
		res := stranger.PostForm("/login", url.Values{"email": {ana}, "password": {"guess"}}, from(fmt.Sprintf("203.0.113.%d", i+1))...)
		want := http.StatusUnprocessableEntity
		if i >= 10 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("stranger's attempt %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	res := stranger.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}}, from("203.0.113.200")...)
	if ra, _ := strconv.Atoi(res.Header.Get("Retry-After")); res.StatusCode != http.StatusTooManyRequests || ra < 1 {
		t.Fatalf("a new address: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	again := s.Client(t)
	res = again.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}}, from(home)...)
	if res.StatusCode != http.StatusSeeOther || again.Cookie(session.CookieName) == nil {
		t.Fatalf("owner from home after the stranger's 50 failures: %d", res.StatusCode)
	}
}

// With every password check busy and the queue full, the login page says
// "busy, retry" (429 with Retry-After), never a 500.
func TestLoginWhenPasswordChecksAreBusy(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	webtest.FillPasswordChecks(t)
	res := s.Client(t).PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") != "1" {
		t.Fatalf("busy: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if msg := res.Doc(t).Find(`[data-testid="login-error"]`).Text(); !strings.Contains(msg, "busy") {
		t.Errorf("busy answer says %q", msg)
	}
}
