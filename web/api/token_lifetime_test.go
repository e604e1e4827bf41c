package api_test

import (
	"net/http"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

// A partner token used a minute ago but created 13 hours ago is past its
// absolute lifetime (12 h by default): /v1 answers 401 as for any unusable
// token, while a fresh token of the same broker answers 200.
func TestPartnerTokenPastItsLifetimeIsRefused(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		old := apiSignIn(t, s, lisboaUID, anaEmail)
		fresh := apiSignIn(t, s, lisboaUID, anaEmail)
		if a := old.get(t, "/v1/processes"); a.Status != http.StatusOK {
			t.Fatalf("new token: %s", a)
		}
		now := time.Now().UTC()
		storetest.Must(t, s.Store.DB().Table("api_tokens").Where("token_hash = ?", store.HashToken(old.token)).
			Updates(map[string]any{"created_at": now.Add(-13 * time.Hour), "last_used_at": now.Add(-time.Minute),
				"expires_at": now.Add(-time.Minute).Add(models.PartnerTokenIdleTimeout)}).Error, "age token")
		wantEnvelope(t, "13-hour-old token", old.get(t, "/v1/processes"), http.StatusUnauthorized, "010004")
		if a := fresh.get(t, "/v1/processes"); a.Status != http.StatusOK {
			t.Fatalf("fresh token: %s", a)
		}
	})
}
