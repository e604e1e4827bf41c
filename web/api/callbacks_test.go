package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/web/webtest"
)

// callbackBody is one subscription as the callback operations answer it.
type callbackBody struct {
	CallbackUniqueID   string  `json:"callbackUniqueID"`
	PartnerUniqueID    string  `json:"partnerUniqueID"`
	NotificationTypeID int     `json:"notificationTypeID"`
	URL                string  `json:"url"`
	Description        string  `json:"description"`
	Secret             string  `json:"secret"`
	Enabled            bool    `json:"enabled"`
	DisabledReason     *string `json:"disabledReason"`
	DisabledDate       *string `json:"disabledDate"`
	LastSuccessDate    *string `json:"lastSuccessDate"`
	LastFailureDate    *string `json:"lastFailureDate"`
	FailingSince       *string `json:"failingSince"`
	Pending            int64   `json:"pending"`
	CreationDate       string  `json:"creationDate"`
	UpdateDate         string  `json:"updateDate"`
}

type callbackSetBody struct {
	OperationStatus struct {
		Code    string `json:"operationStatusCode"`
		Message string `json:"operationStatusMessage"`
	} `json:"operationStatus"`
	Callback callbackBody `json:"callback"`
}

type callbackListBody struct {
	Callbacks  []callbackBody `json:"callbacks"`
	TotalCount int64          `json:"totalCount"`
	Count      int            `json:"count"`
	Offset     int            `json:"offset"`
	Limit      int            `json:"limit"`
}

// otherPartner adds a second partner network (no firm of the demo world is
// its) and returns its unique id.
func otherPartner(t testing.TB, s *webtest.Server) string {
	t.Helper()
	var demo models.Partner
	if err := s.Store.DB().Where("uuid = ?", demoPartnerUUID(t, s)).Take(&demo).Error; err != nil {
		t.Fatal(err)
	}
	other := models.Partner{UUID: uuid.NewString(), BankID: demo.BankID, Name: "Other Network", ClientID: "other-network-" + uuid.NewString()[:8],
		ClientSecretHash: "unused"}
	if err := s.Store.DB().Create(&other).Error; err != nil {
		t.Fatal(err)
	}
	return other.UUID
}

func putCallback(t testing.TB, p apiSession, partner string, typeID, body string) apiAnswer {
	t.Helper()
	return p.do(t, http.MethodPut, "/v1/partners/"+partner+"/callbacks/"+typeID, body)
}

func wantSet(t testing.TB, what string, a apiAnswer, status int, code string) callbackBody {
	t.Helper()
	if a.Status != status {
		t.Fatalf("%s: %s, want %d", what, a, status)
	}
	var out callbackSetBody
	webtest.StrictJSON(t, a.Body, &out)
	if out.OperationStatus.Code != code || out.OperationStatus.Message == "" {
		t.Fatalf("%s: %+v, want %s", what, out.OperationStatus, code)
	}
	return out.Callback
}

func listCallbacks(t testing.TB, p apiSession, partner, query string) callbackListBody {
	t.Helper()
	a := p.get(t, "/v1/partners/"+partner+"/callbacks"+query)
	if a.Status != http.StatusOK {
		t.Fatalf("list %s: %s", query, a)
	}
	var out callbackListBody
	webtest.StrictJSON(t, a.Body, &out)
	return out
}

// Callback Update, List and Delete as a partner uses them: a new
// subscription's secret once, a replacement keeps it unless rotated, the
// list pages and tells health, a deleted one is gone; every refusal names
// its field, and another partner's id answers exactly like a missing one.
func TestCallbackSubscriptions(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		token, partner := s.PartnerSignIn(t, lisboaUID, anaEmail)
		ana := apiSession{s: s, token: token}
		if partner != demoPartnerUUID(t, s) {
			t.Fatalf("Authentication names partner %q, want the demo partner %q", partner, demoPartnerUUID(t, s))
		}

		// New: 201 with the secret.
		first := wantSet(t, "create", putCallback(t, ana, partner, "1", `{"url":"https://hooks.example.com/portal","description":"Status"}`),
			http.StatusCreated, "080102")
		if !strings.HasPrefix(first.Secret, "whsec_") || len(first.Secret) < 20 || first.PartnerUniqueID != partner ||
			first.NotificationTypeID != 1 || first.URL != "https://hooks.example.com/portal" || first.Description != "Status" ||
			!first.Enabled || first.DisabledReason != nil || first.LastSuccessDate != nil || first.FailingSince != nil || first.Pending != 0 {
			t.Fatalf("created %+v", first)
		}
		// Replaced: 200, the same subscription, no secret.
		again := wantSet(t, "replace", putCallback(t, ana, partner, "1", `{"url":"https://hooks.example.com/v2"}`), http.StatusOK, "080101")
		if again.Secret != "" || again.CallbackUniqueID != first.CallbackUniqueID || again.URL != "https://hooks.example.com/v2" || again.Description != "" {
			t.Fatalf("replaced %+v", again)
		}
		// Rotated: 200 with a new secret.
		rotated := wantSet(t, "rotate", putCallback(t, ana, partner, "1", `{"url":"https://hooks.example.com/v2","rotateSecret":true}`),
			http.StatusOK, "080101")
		if !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == first.Secret || rotated.CallbackUniqueID != first.CallbackUniqueID {
			t.Fatalf("rotated %+v (first secret %s)", rotated, first.Secret)
		}
		// rotateSecret on a new one: still a creation.
		fresh := wantSet(t, "create with rotateSecret", putCallback(t, ana, partner, "4", `{"url":"https://hooks.example.com/m","rotateSecret":true}`),
			http.StatusCreated, "080102")
		if !strings.HasPrefix(fresh.Secret, "whsec_") {
			t.Fatalf("created with rotateSecret %+v", fresh)
		}
		wantEnvelope(t, "delete type 4", ana.do(t, http.MethodDelete, "/v1/partners/"+partner+"/callbacks/4", ""), http.StatusOK, "080103")
		second := wantSet(t, "create type 3", putCallback(t, ana, partner, "3", `{"url":"https://hooks.example.com/sims"}`),
			http.StatusCreated, "080102")

		// Refusals name the field.
		for _, tc := range []struct {
			what, typeID, body string
			fields             []string
		}{
			{"unsupported type", "99", `{"url":"https://hooks.example.com/x"}`, []string{"notificationType"}},
			{"type not a number", "status", `{"url":"https://hooks.example.com/x"}`, []string{"notificationType"}},
			{"plain http", "2", `{"url":"http://hooks.example.com/x"}`, []string{"url"}},
			{"loopback", "2", `{"url":"https://127.0.0.1/x"}`, []string{"url"}},
			{"no url", "2", `{"description":"x"}`, []string{"url"}},
			{"url of the wrong type", "2", `{"url":7}`, []string{"url"}},
		} {
			wantEnvelope(t, tc.what, putCallback(t, ana, partner, tc.typeID, tc.body), http.StatusBadRequest, "080001", tc.fields...)
		}
		wantEnvelope(t, "unknown field", putCallback(t, ana, partner, "2", `{"url":"https://hooks.example.com/x","secret":"mine"}`),
			http.StatusBadRequest, "080001")

		// The list: both, by type, with their health; paged.
		l := listCallbacks(t, ana, partner, "")
		if l.TotalCount != 2 || l.Count != 2 || l.Offset != 0 || l.Limit != 25 || len(l.Callbacks) != 2 ||
			l.Callbacks[0].NotificationTypeID != 1 || l.Callbacks[1].NotificationTypeID != 3 ||
			l.Callbacks[0].URL != "https://hooks.example.com/v2" || l.Callbacks[1].CallbackUniqueID != second.CallbackUniqueID {
			t.Fatalf("list %+v", l)
		}
		for _, c := range l.Callbacks {
			if c.Secret != "" || !c.Enabled || c.Pending != 0 {
				t.Errorf("listed %+v: the secret is shown only once; a new subscription is enabled and idle", c)
			}
		}
		if p := listCallbacks(t, ana, partner, "?offset=1&limit=1"); p.TotalCount != 2 || p.Count != 1 || p.Callbacks[0].NotificationTypeID != 3 || p.Limit != 1 {
			t.Fatalf("second page %+v", p)
		}
		if p := listCallbacks(t, ana, partner, "?offset=2"); p.TotalCount != 2 || p.Count != 0 || p.Callbacks == nil {
			t.Fatalf("past the end %+v", p)
		}
		for q, field := range map[string]string{"?limit=101": "limit", "?limit=0": "limit", "?limit=x": "limit", "?offset=-1": "offset"} {
			wantEnvelope(t, "list "+q, ana.get(t, "/v1/partners/"+partner+"/callbacks"+q), http.StatusBadRequest, "080001", field)
		}

		// Delete: gone from the list; again 404.
		if a := ana.do(t, http.MethodDelete, "/v1/partners/"+partner+"/callbacks/3", ""); a.Status != http.StatusOK ||
			!strings.Contains(string(a.Body), `"080103"`) {
			t.Fatalf("delete: %s", a)
		}
		wantEnvelope(t, "delete again", ana.do(t, http.MethodDelete, "/v1/partners/"+partner+"/callbacks/3", ""), http.StatusNotFound, "080002")
		if l := listCallbacks(t, ana, partner, ""); l.TotalCount != 1 || l.Callbacks[0].NotificationTypeID != 1 {
			t.Fatalf("after delete %+v", l)
		}

		// Rui's firm belongs to the same partner: he sees and manages the
		// same subscriptions.
		rui := apiSignIn(t, s, portoUID, ruiEmail)
		if l := listCallbacks(t, rui, partner, ""); l.TotalCount != 1 || l.Callbacks[0].CallbackUniqueID != first.CallbackUniqueID {
			t.Fatalf("Rui's list %+v", l)
		}

		// Another partner's id, and an unknown one: 404, the same bytes on
		// every operation (and nothing is written to the other partner).
		other, missing := otherPartner(t, s), uuid.NewString()
		for _, op := range []struct{ method, path, body string }{
			{http.MethodGet, "/callbacks", ""},
			{http.MethodGet, "/callbacks?offset=0&limit=10", ""},
			{http.MethodPut, "/callbacks/1", `{"url":"https://hooks.example.com/steal"}`},
			{http.MethodDelete, "/callbacks/1", ""},
			{http.MethodPost, "/callbacks/echo", `{"notificationTypeID":1,"processUniqueId":"` + missing + `","rawBody":{}}`},
		} {
			theirs := ana.do(t, op.method, "/v1/partners/"+other+op.path, op.body)
			none := ana.do(t, op.method, "/v1/partners/"+missing+op.path, op.body)
			wantEnvelope(t, op.method+" "+op.path+" of another partner", theirs, http.StatusNotFound, "080002")
			if theirs.String() != none.String() || theirs.Header.Get("Content-Type") != none.Header.Get("Content-Type") {
				t.Errorf("%s %s: another partner's answer differs from a missing one's:\n%s\n%s", op.method, op.path, theirs, none)
			}
		}
		var stolen int64
		if err := s.Store.DB().Table("callback_subscriptions").Where("url LIKE ?", "%steal%").Count(&stolen).Error; err != nil || stolen != 0 {
			t.Errorf("a subscription was written for another partner: %d %v", stolen, err)
		}
	})
}
