package obp_test

// Authorization refusals are audited, and DirectLogin tokens can be ended
// with DELETE /my/logins/direct.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/obp"
	"portal/web/webtest"
)

// stubAudit records audit events.
type stubAudit struct {
	models.AuthService // unimplemented methods panic
	events             []models.AuditEvent
}

func (s *stubAudit) Audit(_ context.Context, ev models.AuditEvent) error {
	s.events = append(s.events, ev)
	return nil
}

func TestForbiddenIsAuditedOnStubs(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	audit := &stubAudit{}
	s := &stubServer{auth: &stubAuth{}, customers: &stubCustomers{}}
	e := gin.New()
	obp.New(obp.Deps{
		Services: models.Services{Auth: audit, OBPAuth: s.auth, Customers: s.customers},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}).Register(e.Group(""))
	s.Server = httptest.NewServer(e)
	t.Cleanup(s.Close)
	auth := []string{"Authorization", "Bearer " + stubToken}
	path := "/obp/v4.0.0/banks/demo.bank/customers/c-1/messages"

	// Other failures are not access denials.
	for _, err := range []error{models.NotFound("customer"), models.Unauthorized("x"), models.Conflict("x")} {
		s.customers.err = err
		s.do(t, http.MethodGet, path, "", auth...)
	}
	s.do(t, http.MethodGet, path, "") // no token
	if len(audit.events) != 0 {
		t.Fatalf("non-denials audited: %+v", audit.events)
	}

	s.customers.err = models.MissingRole("CanGetCustomerMessages", "demo.bank")
	wantError(t, "denied", s.do(t, http.MethodGet, path, "", auth...), http.StatusForbidden, "OBP-20006: *")
	s.customers.err = models.Forbidden("not for you")
	wantError(t, "denied", s.do(t, http.MethodPost, path, `{}`, append([]string{"Content-Type", "application/json"}, auth...)...),
		http.StatusForbidden, "OBP-20006: *")
	if len(audit.events) != 2 {
		t.Fatalf("%d audit events for 2 denials: %+v", len(audit.events), audit.events)
	}
	for i, want := range []string{"GET " + path, "POST " + path} {
		ev := audit.events[i]
		if ev.Action != models.AuditAccessDenied || ev.Subject != want || ev.Outcome != "denied" ||
			ev.ClientIP != "127.0.0.1" || ev.ActorUserID == nil || *ev.ActorUserID != 1 {
			t.Errorf("denial %d audited as %+v", i, ev)
		}
	}
	if d := audit.events[0].Detail; !strings.Contains(d, "CanGetCustomerMessages") || !strings.Contains(d, "demo.bank") {
		t.Errorf("detail %q does not name the missing role", d)
	}
}

func TestLogoutOnStubs(t *testing.T) {
	s := newStub(t)
	r := s.do(t, http.MethodDelete, "/my/logins/direct", "", "DirectLogin", `token="`+stubToken+`"`)
	if r.Status != http.StatusOK || r.Body != `{"success":"Success"}` || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("logout: %d %s %v", r.Status, r.Body, r.Header)
	}
	if len(s.auth.revoked) != 1 || s.auth.revoked[0] != stubToken {
		t.Fatalf("revoked %q", s.auth.revoked)
	}
	// Without a live token: the authenticated calls' 401, not the login's.
	wantError(t, "no token", s.do(t, http.MethodDelete, "/my/logins/direct", ""), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "bad token", s.do(t, http.MethodDelete, "/my/logins/direct", "", "Authorization", "Bearer nope"),
		http.StatusUnauthorized, msgNotLoggedIn)
	if len(s.auth.revoked) != 1 {
		t.Fatalf("revoked without a live token: %q", s.auth.revoked)
	}
}

// On the real store, per dialect: a denial leaves an access.denied row
// naming the user, and a revoked token stops working at once.
func TestDenialAuditAndLogout(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, ws *webtest.Server) {
		s := obpServer{ws}
		nuno, marta := s.login(t, nunoEmail), s.login(t, martaEmail)
		path := v4Path("no-such-customer")
		wantError(t, "nuno lists messages", nuno.get(t, path), http.StatusForbidden, msgMissingRole+"*")

		var rows []models.AuditEvent
		if err := s.Store.DB().Where("action = ?", models.AuditAccessDenied).Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var nunoUser models.User
		if err := s.Store.DB().Where("email = ?", nunoEmail).Take(&nunoUser).Error; err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Subject != "GET "+path || rows[0].ActorUserID == nil || *rows[0].ActorUserID != nunoUser.ID ||
			rows[0].ClientIP != "127.0.0.1" || rows[0].Outcome != "denied" || !strings.Contains(rows[0].Detail, "CanGetCustomerMessages") {
			t.Fatalf("access.denied rows %+v", rows)
		}

		// Logout ends the token it is sent with and no other: a second
		// token of marta's still works until it is ended too.
		other := s.login(t, martaEmail)
		r := s.call(t, http.MethodDelete, "/my/logins/direct", "", marta.auth()...)
		if r.Status != http.StatusOK || r.Body != `{"success":"Success"}` {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		wantError(t, "after logout", marta.get(t, "/obp/v4.0.0/users/current"), http.StatusUnauthorized, msgNotLoggedIn)
		wantError(t, "logout again", s.call(t, http.MethodDelete, "/my/logins/direct", "", marta.auth()...),
			http.StatusUnauthorized, msgNotLoggedIn)
		if got := currentUser(t, other); got.Email != martaEmail {
			t.Fatalf("other token: %+v", got)
		}
		// Bearer form too.
		r = s.call(t, http.MethodDelete, "/my/logins/direct", "", "Authorization", "Bearer "+other.token)
		if r.Status != http.StatusOK {
			t.Fatalf("bearer logout: %d %s", r.Status, r.Body)
		}
		wantError(t, "after bearer logout", other.get(t, "/obp/v4.0.0/users/current"), http.StatusUnauthorized, msgNotLoggedIn)
	})
}
