package obp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// A stranger's wrong passwords, through DirectLogin or the browser login,
// from other addresses do not stop the owner's DirectLogin from the
// address they use.
func TestDirectLoginStrangerCannotLockTheOwnerOut(t *testing.T) {
	s := obpServer{webtest.NewWith(t, store.SQLite, webtest.Options{TrustedProxies: []string{"127.0.0.1/32"}})}
	login := func(ip, password string) reply {
		return s.call(t, http.MethodPost, "/my/logins/direct", "", "X-Forwarded-For", ip,
			"DirectLogin", `username="`+martaEmail+`", password="`+password+`", consumer_key="`+consumer+`"`)
	}
	const office = "198.51.100.2"
	if r := login(office, store.DemoPassword); r.Status != http.StatusCreated {
		t.Fatalf("owner's first DirectLogin: %d %s", r.Status, r.Body)
	}
	browser := s.Client(t)
	for i := range 50 {
		ip := fmt.Sprintf("203.0.113.%d", i+1)
		status := 0
		if i%2 == 0 {
			status = login(ip, "guess").Status
		} else {
			status = browser.PostForm("/login", url.Values{"email": {martaEmail}, "password": {"guess"}}, "X-Forwarded-For", ip).StatusCode
		}
		if i >= 10 && status != http.StatusTooManyRequests {
			t.Fatalf("stranger's attempt %d: %d, want 429", i+1, status)
		}
	}
	r := login("203.0.113.200", store.DemoPassword)
	if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); r.Status != http.StatusTooManyRequests || ra < 1 {
		t.Fatalf("a new address: %d, Retry-After %q", r.Status, r.Header.Get("Retry-After"))
	}
	if r := login(office, store.DemoPassword); r.Status != http.StatusCreated {
		t.Fatalf("owner from the office after the stranger's failures: %d %s", r.Status, r.Body)
	}
}

// With every password check busy and the queue full, DirectLogin answers
// 429 with Retry-After, never a 500.
func TestDirectLoginWhenPasswordChecksAreBusy(t *testing.T) {
	s := obpServer{webtest.New(t, store.SQLite)}
	webtest.FillPasswordChecks(t)
	r := s.call(t, http.MethodPost, "/my/logins/direct", "",
		"DirectLogin", `username="`+martaEmail+`", password="`+store.DemoPassword+`", consumer_key="`+consumer+`"`)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("busy: %d %s, Retry-After %q", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
}
