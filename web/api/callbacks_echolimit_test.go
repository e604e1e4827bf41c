package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"portal/models"
	"portal/web/webtest"
)

// Callback Echo beyond the partner's limit: 429 with Retry-After, and the
// partner's server gets nothing more.
func TestCallbackEchoRateLimited(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		rcv := echoReceiver(t, s)
		token, partner := s.PartnerSignIn(t, lisboaUID, anaEmail)
		ana := apiSession{s: s, token: token}
		sub := wantSet(t, "subscribe", putCallback(t, ana, partner, "1", `{"url":"`+rcv.URL+`"}`), http.StatusCreated, "080102")
		if err := rcv.SetSecret(sub.Secret); err != nil {
			t.Fatal(err)
		}
		proc := firmProcesses(t, s, lisboaUID)[0]
		data := fmt.Sprintf(`{"processUniqueId":"%s","processNumber":%d,"fromStatusId":1,"toStatusId":2}`, proc.UUID, proc.Number)
		good := `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `","rawBody":` + data + `}`
		for i := range models.EchoRateLimit {
			if a := ana.post(t, "/v1/partners/"+partner+"/callbacks/echo", good); a.Status != http.StatusOK {
				t.Fatalf("echo %d: %s", i+1, a)
			}
		}
		a := ana.post(t, "/v1/partners/"+partner+"/callbacks/echo", good)
		wantEnvelope(t, "echo beyond the limit", a, http.StatusTooManyRequests, "080006")
		if n, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || n < 1 || n > int(models.EchoRateWindow.Seconds()) {
			t.Fatalf("Retry-After %q", a.Header.Get("Retry-After"))
		}
		if n := len(rcv.Requests()); n != models.EchoRateLimit {
			t.Fatalf("the receiver got %d echoes", n)
		}
	})
}
