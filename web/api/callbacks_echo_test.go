package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models/store"
	"portal/models/webhook"
	"portal/models/webhook/webhooktest"
	"portal/web/webtest"
)

type echoBody struct {
	OperationStatus struct {
		Code    string `json:"operationStatusCode"`
		Message string `json:"operationStatusMessage"`
	} `json:"operationStatus"`
	WebhookID          string  `json:"webhookID"`
	AttemptDate        string  `json:"attemptDate"`
	ResponseStatusCode int     `json:"responseStatusCode"`
	DurationMs         int64   `json:"durationMs"`
	ResponseBody       string  `json:"responseBody"`
	Error              *string `json:"error"`
}

// echoReceiver starts a receiver and lets s's callbacks reach it: loopback
// explicitly allowed, for this test's store and sender only.
func echoReceiver(t *testing.T, s *webtest.Server) *webhooktest.Receiver {
	t.Helper()
	rcv := webhooktest.New(t, webhook.NewSecret())
	sender := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()})
	s.Store.SetCallbackSender(sender, store.CallbackOptions{AllowLoopback: true})
	return rcv
}

// Callback Echo: the test event reaches the partner's server signed (the
// receiver verifies it with the Standard Webhooks library and the secret
// Callback Update gave), and the answer says what that server answered,
// a failure of theirs included. Refusals name their field and send
// nothing.
func TestCallbackEcho(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		{
			rcv := echoReceiver(t, s)
			token, partner := s.PartnerSignIn(t, lisboaUID, anaEmail)
			ana := apiSession{s: s, token: token}
			sub := wantSet(t, "subscribe", putCallback(t, ana, partner, "1", `{"url":"`+rcv.URL+`"}`), http.StatusCreated, "080102")
			if err := rcv.SetSecret(sub.Secret); err != nil {
				t.Fatal(err)
			}
			proc := firmProcesses(t, s, lisboaUID)[0]
			data := fmt.Sprintf(`{"processUniqueId":"%s","processNumber":%d,"fromStatusId":1,"toStatusId":2}`, proc.UUID, proc.Number)
			echo := func(body string) apiAnswer {
				t.Helper()
				return ana.post(t, "/v1/partners/"+partner+"/callbacks/echo", body)
			}
			good := `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `","rawBody":` + data + `}`

			a := echo(good)
			if a.Status != http.StatusOK {
				t.Fatalf("echo: %s", a)
			}
			var out echoBody
			webtest.StrictJSON(t, a.Body, &out)
			if out.OperationStatus.Code != "080104" || out.ResponseStatusCode != http.StatusOK || out.ResponseBody != "ok" ||
				out.Error != nil || out.WebhookID == "" || out.DurationMs < 0 {
				t.Fatalf("echo answer %s", a.Body)
			}
			reqs := rcv.Requests()
			if len(reqs) != 1 || !reqs[0].Verified || reqs[0].ID != out.WebhookID || reqs[0].Status != http.StatusOK {
				t.Fatalf("the receiver got %+v, want one verified request with webhook-id %s", reqs, out.WebhookID)
			}
			var payload struct {
				Type               string          `json:"type"`
				NotificationTypeID int             `json:"notificationTypeID"`
				Timestamp          string          `json:"timestamp"`
				Data               json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(reqs[0].Body, &payload); err != nil || payload.Type != "process.status_changed" ||
				payload.NotificationTypeID != 1 || payload.Timestamp == "" || !sameJSON(payload.Data, []byte(data)) {
				t.Fatalf("delivered %s (%v), want the raw body as data of a process.status_changed", reqs[0].Body, err)
			}

			// The partner's server failing: still our 200, with their 500.
			rcv.FailFirst(1)
			a = echo(good)
			webtest.StrictJSON(t, a.Body, &out)
			if a.Status != http.StatusOK || out.ResponseStatusCode != http.StatusInternalServerError || out.WebhookID == reqs[0].ID {
				t.Fatalf("echo to a failing server: %s", a)
			}

			// The partner's server down: no status, the reason instead.
			rcv.Down()
			a = echo(good)
			out = echoBody{}
			webtest.StrictJSON(t, a.Body, &out)
			if a.Status != http.StatusOK || out.ResponseStatusCode != 0 || out.Error == nil || *out.Error == "" || out.WebhookID == "" {
				t.Fatalf("echo to a server that is down: %s", a)
			}
			if err := rcv.Up(); err != nil {
				t.Fatal(err)
			}

			// Refusals: nothing sent.
			sent := len(rcv.Requests())
			sim := uuid.NewString()
			for _, tc := range []struct {
				what, body string
				status     int
				code       string
				fields     []string
			}{
				{"both ids", `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `","simulationUniqueId":"` + sim + `","rawBody":` + data + `}`,
					400, "080001", []string{"processUniqueId", "simulationUniqueId"}},
				{"no id", `{"notificationTypeID":1,"rawBody":` + data + `}`, 400, "080001", []string{"processUniqueId"}},
				{"no raw body", `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `"}`, 400, "080001", []string{"rawBody"}},
				{"raw body an array", `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `","rawBody":[1]}`, 400, "080001", []string{"rawBody"}},
				{"raw body without toStatusId", `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `","rawBody":` +
					strings.Replace(data, `,"toStatusId":2`, "", 1) + `}`, 400, "080001", []string{"rawBody.toStatusId"}},
				{"no type", `{"processUniqueId":"` + proc.UUID + `","rawBody":` + data + `}`, 400, "080001", []string{"notificationTypeID"}},
				{"unknown field", `{"notificationTypeID":1,"processUniqueId":"` + proc.UUID + `","rawBody":` + data + `,"url":"x"}`, 400, "080001", nil},
				{"a type without a subscription", `{"notificationTypeID":2,"processUniqueId":"` + proc.UUID + `","rawBody":{"processUniqueId":"` + proc.UUID +
					`","processNumber":1,"messageUniqueId":"` + sim + `","authorKind":"bank"}}`, 404, "080002", nil},
			} {
				env := wantEnvelope(t, tc.what, echo(tc.body), tc.status, tc.code, tc.fields...)
				for _, e := range env.Errors {
					if strings.HasPrefix(e.Field, "rawBody") && e.Code != "081101" {
						t.Errorf("%s: %s has the code %s, want rawBody's 081101", tc.what, e.Field, e.Code)
					}
				}
			}
			// Another firm's process answers like a missing one.
			porto := firmProcesses(t, s, portoUID)[0]
			theirs := echo(strings.ReplaceAll(good, proc.UUID, porto.UUID))
			none := echo(strings.ReplaceAll(good, proc.UUID, uuid.NewString()))
			wantEnvelope(t, "another firm's process", theirs, http.StatusNotFound, "080002")
			if theirs.String() != none.String() {
				t.Errorf("another firm's process answers unlike a missing one:\n%s\n%s", theirs, none)
			}
			if n := len(rcv.Requests()); n != sent {
				t.Errorf("refused echoes sent %d requests", n-sent)
			}
		}
	})
}

func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return string(bx) == string(by)
}
