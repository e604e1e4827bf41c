package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/session"
	"portal/web/webtest"
)

const (
	ana   = "ana.silva@lisboa-credito.example"
	rui   = "rui.pereira@porto-hipotecas.example"
	marta = "marta.santos@bank.example"
	maria = "maria.ferreira@example.com"
)

func TestLoginLandsEachKindOnItsHome(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for email, home := range map[string]string{ana: "/processes", marta: "/staff/threads", "admin@bank.example": "/admin", maria: "/inbox"} {
		c := s.Client(t)
		res := c.PostForm("/login", url.Values{"email": {email}, "password": {store.DemoPassword}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != home {
			t.Errorf("%s: %d to %q, want 303 to %s", email, res.StatusCode, res.Header.Get("Location"), home)
		}
		page := c.Get(home)
		if page.StatusCode != http.StatusOK {
			t.Errorf("%s home %s: %d", email, home, page.StatusCode)
		}
		ck := c.Cookie(session.CookieName)
		if ck == nil {
			t.Fatalf("%s: no %s cookie", email, session.CookieName)
		}
	}
}

func TestSessionCookieFlagsAndRotation(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	res := c.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}})
	setCookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{session.CookieName + "=", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(setCookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", setCookie, want)
		}
	}
	if strings.Contains(setCookie, "Domain=") {
		t.Errorf("Set-Cookie names a domain: %q", setCookie)
	}
	first := c.Cookie(session.CookieName).Value
	// Signing in again (as someone else) replaces the session id and the old one stops working.
	old := s.Client(t)
	old.Jar.SetCookies(mustURL(s.URL), []*http.Cookie{{Name: session.CookieName, Value: first}})
	c.PostForm("/login", url.Values{"email": {rui}, "password": {store.DemoPassword}})
	if c.Cookie(session.CookieName).Value == first {
		t.Fatal("session id unchanged by a new sign-in")
	}
	if res := old.Get("/processes"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session still valid: %d", res.StatusCode)
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestLoginFailuresAreGenericAndKeepTheEmail(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	wrong := c.PostForm("/login", url.Values{"email": {ana}, "password": {"not-the-password"}})
	unknown := c.PostForm("/login", url.Values{"email": {"nobody@example.com"}, "password": {"not-the-password"}})
	if wrong.StatusCode != http.StatusUnprocessableEntity || unknown.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("statuses %d, %d, want 422", wrong.StatusCode, unknown.StatusCode)
	}
	we := wrong.Doc(t).Find(`[data-testid="login-error"]`).Text()
	ue := unknown.Doc(t).Find(`[data-testid="login-error"]`).Text()
	if we == "" || we != ue {
		t.Fatalf("errors differ or are empty: %q vs %q", we, ue)
	}
	if v, _ := wrong.Doc(t).Find("#email").Attr("value"); v != ana {
		t.Errorf("email not kept in the form: %q", v)
	}
	if c.Cookie(session.CookieName) != nil {
		t.Error("a failed login set a session cookie")
	}
	empty := c.PostForm("/login", url.Values{"email": {""}, "password": {""}})
	if empty.StatusCode != http.StatusUnprocessableEntity || empty.Doc(t).Find(`[data-testid="login-error"]`).Text() == "" {
		t.Errorf("empty form: %d", empty.StatusCode)
	}
}

func TestLoginIsThrottledAfterRepeatedFailures(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	for i := 0; i < 10; i++ {
		res := c.PostForm("/login", url.Values{"email": {ana}, "password": {"wrong-password"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d answered %d, want 422", i+1, res.StatusCode)
		}
	}
	res := c.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("after 10 failures: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

func TestProtectedPagesRedirectToLoginWithNext(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	res := c.Get("/processes?status=2")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next="+url.QueryEscape("/processes?status=2") {
		t.Fatalf("anonymous /processes: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	hx := c.Get("/processes/x/messages/since?after=y", "HX-Request", "true", "HX-Current-URL", s.URL+"/processes/x")
	if got := hx.Header.Get("HX-Redirect"); got != "/login?next="+url.QueryEscape("/processes/x") {
		t.Errorf("htmx request redirected to %q, want back to the page that polled", got)
	}
	login := c.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}, "next": {"/processes?status=2"}})
	if login.Header.Get("Location") != "/processes?status=2" {
		t.Errorf("next not honoured: %q", login.Header.Get("Location"))
	}
	for _, evil := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
		"/./\\evil.example", "/a/../\\evil.example", "/x\\y"} {
		c2 := s.Client(t)
		res := c2.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}, "next": {evil}})
		if res.Header.Get("Location") != "/processes" {
			t.Errorf("next %q led to %q", evil, res.Header.Get("Location"))
		}
	}
	// Paths that clean to another same-site path are fine, but never leave the site.
	for _, odd := range []string{"/.//evil.example", "/a/..//evil.example"} {
		c2 := s.Client(t)
		res := c2.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}, "next": {odd}})
		if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.Contains(loc, "\\") {
			t.Errorf("next %q led to %q", odd, loc)
		}
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	token := c.Cookie(session.CookieName).Value
	res := c.PostForm("/logout", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	again := s.Client(t)
	again.Jar.SetCookies(mustURL(s.URL), []*http.Cookie{{Name: session.CookieName, Value: token}})
	if res := again.Get("/processes"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("session usable after logout: %d", res.StatusCode)
	}
	var n int64
	s.Store.DB().Table("sessions").Count(&n)
	if n != 0 {
		t.Fatalf("%d session rows left after logout", n)
	}
	if res := c.Get("/logout"); res.StatusCode == http.StatusOK || res.StatusCode == http.StatusSeeOther {
		t.Errorf("GET /logout answered %d; sign-out must be a POST", res.StatusCode)
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	res := c.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}}, "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site login post: %d, want 403", res.StatusCode)
	}
	c.Login(ana)
	res = c.PostForm("/logout", nil, "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site logout: %d, want 403", res.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	res := c.Get("/processes")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "same-origin",
	} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
	if strings.Contains(res.Body, "<script>") || strings.Contains(res.Body, " style=\"") {
		t.Error("page has inline script or style, which the CSP blocks")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		for _, p := range []string{"/healthz", "/readyz"} {
			res := c.Get(p)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: %d %s", p, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
		s.Store.DB().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", store.LatestVersion()+1, true)
		if res := c.Get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("readyz with a newer schema: %d", res.StatusCode)
		}
	})
}
