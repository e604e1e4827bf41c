package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

// 30+ bad secrets for the partner's (public) client id from one address do
// not stop the same client id from another address: no firm of the
// partner is locked out by a stranger.
func TestPartnerClientIDIsNotLockedByStrangers(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		s := webtest.NewWith(t, d, webtest.Options{TrustedProxies: []string{"127.0.0.1/32"}})
		const partner, stranger = "198.51.100.3", "203.0.113.50"
		bad := []string{"X-Forwarded-For", stranger, "xClientID", store.DemoPartnerClient, "xClientSecret", "guess",
			"xBrokerUID", lisboaUID, "xUsername", anaEmail}
		sawThrottle := false
		for i := range 35 {
			a := apiMust(t, s, http.MethodPost, "/v1/authentication", "", bad...)
			switch a.Status {
			case http.StatusUnauthorized:
				if sawThrottle {
					t.Fatalf("attempt %d answered 401 after a 429", i+1)
				}
			case http.StatusTooManyRequests:
				sawThrottle = true
			default:
				t.Fatalf("attempt %d: %s", i+1, a)
			}
		}
		if !sawThrottle {
			t.Fatal("the stranger was never throttled")
		}
		// Other strangers' addresses too.
		for i := range 10 {
			bad[1] = fmt.Sprintf("203.0.113.%d", 60+i)
			apiMust(t, s, http.MethodPost, "/v1/authentication", "", bad...)
		}
		good := append([]string{"X-Forwarded-For", partner}, webtest.PartnerCredentials(lisboaUID, anaEmail)...)
		if a := apiMust(t, s, http.MethodPost, "/v1/authentication", "", good...); a.Status != http.StatusOK {
			t.Fatalf("the partner from its own address: %s", a)
		}
		// The stranger's address stays throttled, with a real Retry-After.
		bad[1] = stranger
		a := apiMust(t, s, http.MethodPost, "/v1/authentication", "", bad...)
		if ra, err := strconv.Atoi(a.Header.Get("Retry-After")); a.Status != http.StatusTooManyRequests || err != nil || ra < 1 {
			t.Fatalf("the stranger again: %s", a)
		}
	})
}

// With every password check busy and the queue full, authentication
// answers 429 with Retry-After, never a 500.
func TestAuthenticationWhenPasswordChecksAreBusy(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	webtest.FillPasswordChecks(t)
	a := apiMust(t, s, http.MethodPost, "/v1/authentication", "", webtest.PartnerCredentials(lisboaUID, anaEmail)...)
	if a.Status != http.StatusTooManyRequests || a.Header.Get("Retry-After") != "1" {
		t.Fatalf("busy: %s, Retry-After %q", a, a.Header.Get("Retry-After"))
	}
}
