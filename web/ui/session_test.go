package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/web/session"
	"portal/web/webtest"
)

// sessionClock reads and moves the last_seen_at of the (only) session row.
type sessionClock struct {
	t    *testing.T
	s    *webtest.Server
	hash string
}

func clockOf(t *testing.T, s *webtest.Server) sessionClock {
	t.Helper()
	var hashes []string
	s.Store.DB().Raw("SELECT token_hash FROM sessions").Scan(&hashes)
	if len(hashes) != 1 {
		t.Fatalf("%d session rows, want 1", len(hashes))
	}
	return sessionClock{t, s, hashes[0]}
}

// age makes the session look idle for d.
func (k sessionClock) age(d time.Duration) {
	k.t.Helper()
	if err := k.s.Store.DB().Model(&models.Session{}).Where("token_hash = ?", k.hash).
		Update("last_seen_at", time.Now().UTC().Add(-d)).Error; err != nil {
		k.t.Fatal(err)
	}
}

func (k sessionClock) lastSeen() time.Time {
	k.t.Helper()
	var row models.Session
	if err := k.s.Store.DB().Where("token_hash = ?", k.hash).Take(&row).Error; err != nil {
		k.t.Fatalf("session row: %v", err)
	}
	return row.LastSeenAt
}

// The idle-timeout warning's "Stay signed in": 204 extends a live session,
// a background request sees it without extending it, and without a live
// session the answer is 401.
func TestKeepAlive(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		if res := s.Client(t).PostForm("/session/keepalive", nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("keepalive without a session: %d", res.StatusCode)
		}
		c := s.Client(t)
		c.Login(ana)
		clock := clockOf(t, s)

		clock.age(20 * time.Minute)
		before := clock.lastSeen()
		if res := c.PostForm("/session/keepalive", nil, session.BackgroundHeader, "1"); res.StatusCode != http.StatusNoContent {
			t.Fatalf("background keepalive: %d", res.StatusCode)
		}
		if !clock.lastSeen().Equal(before) {
			t.Fatal("a background keepalive extended the session")
		}
		res := c.PostForm("/session/keepalive", nil)
		if res.StatusCode != http.StatusNoContent || res.Body != "" {
			t.Fatalf("keepalive: %d %q", res.StatusCode, res.Body)
		}
		if seen := clock.lastSeen(); time.Since(seen) > time.Minute {
			t.Fatalf("keepalive left last_seen_at at %v (was %v)", seen, before)
		}

		// A cross-site page cannot keep a session alive.
		if res := c.PostForm("/session/keepalive", nil, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site keepalive: %d", res.StatusCode)
		}

		clock.age(models.SessionIdleTimeout + time.Minute)
		if res := c.PostForm("/session/keepalive", nil); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("keepalive after the idle timeout: %d", res.StatusCode)
		}
	})
}

// A request whose session has ended is sent to sign in with expired=1, and
// back to the page it came from; a visitor who never signed in is not told
// about a session.
func TestExpiredSessionIsSentToSignInSayingSo(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processOf(t, s, "BRK-LIS-001")
		page := "/processes/" + id
		expired := "/login?next=" + url.QueryEscape(page) + "&expired=1"
		post := url.Values{"text": {"Hello after the timeout"}}

		c := s.Client(t)
		c.Login(ana)
		clockOf(t, s).age(models.SessionIdleTimeout + time.Minute)

		for _, tc := range []struct {
			name string
			res  func() *webtest.Response
			want string
		}{
			{"page", func() *webtest.Response { return c.Get(page) }, expired},
			{"htmx poll", func() *webtest.Response {
				return c.Get(page+"/messages/since?after=", "HX-Request", "true", "HX-Current-URL", s.URL+page,
					session.BackgroundHeader, "1")
			}, expired},
			{"htmx post", func() *webtest.Response {
				return c.PostForm(page+"/messages", post, "HX-Request", "true", "HX-Current-URL", s.URL+page)
			}, expired},
			{"form post", func() *webtest.Response { return c.PostForm(page+"/messages", post, "Referer", s.URL+page) }, expired},
			{"form post without a referrer", func() *webtest.Response { return c.PostForm(page+"/messages", post) }, "/login?expired=1"},
			// Only the path of the page is kept: never another host.
			{"htmx post naming another host", func() *webtest.Response {
				return c.PostForm(page+"/messages", post, "HX-Request", "true", "HX-Current-URL", "https://evil.example/x?y=1")
			}, "/login?next=" + url.QueryEscape("/x?y=1") + "&expired=1"},
			{"htmx post from an unsafe path", func() *webtest.Response {
				return c.PostForm(page+"/messages", post, "HX-Request", "true", "HX-Current-URL", s.URL+"//evil.example/x")
			}, "/login?expired=1"},
		} {
			checkSignInRedirect(t, tc.name, tc.res(), tc.want)
		}

		// Signing in again lands on the page.
		res := c.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}, "next": {page}, "expired": {"1"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
			t.Fatalf("sign-in after expiry: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if res := c.Get(page); res.StatusCode != http.StatusOK {
			t.Fatalf("the page after signing in again: %d", res.StatusCode)
		}
		var count int64
		s.Store.DB().Model(&models.Message{}).Where("text = ?", post.Get("text")).Count(&count)
		if count != 0 {
			t.Fatalf("%d messages posted without a session", count)
		}

		// A session ended elsewhere (deleted) says so too.
		s.Store.DB().Exec("DELETE FROM sessions")
		checkSignInRedirect(t, "session deleted", c.Get(page), expired)

		// Never signed in: no expired=1.
		anon := s.Client(t)
		checkSignInRedirect(t, "anonymous page", anon.Get(page), "/login?next="+url.QueryEscape(page))
		checkSignInRedirect(t, "anonymous htmx post",
			anon.PostForm(page+"/messages", post, "HX-Request", "true", "HX-Current-URL", s.URL+page), "/login")
	})
}

func checkSignInRedirect(t *testing.T, what string, res *webtest.Response, want string) {
	t.Helper()
	got := res.Header.Get("Location")
	status := http.StatusSeeOther
	if res.Request.Header.Get("HX-Request") == "true" {
		got, status = res.Header.Get("HX-Redirect"), http.StatusNoContent
	}
	if res.StatusCode != status || got != want {
		t.Errorf("%s: %d to %q, want %d to %q", what, res.StatusCode, got, status, want)
	}
}

// The sign-in page after an expired session says so, in both languages,
// and still does after a failed attempt; otherwise it does not.
func TestLoginSaysTheSessionExpired(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, tc := range []struct{ accept, want string }{
		{"", "A sua sessão expirou. Inicie sessão novamente para continuar; a mensagem que não enviou é mantida."},
		{"en", "Your session expired. Sign in again to continue; your unsent message is kept."},
	} {
		c := s.ClientIn(t, tc.accept)
		doc := c.Get("/login?next=%2Fprocesses&expired=1").Doc(t)
		notice := doc.Find(`main [data-testid="session-expired"]`)
		if role, _ := notice.Attr("role"); role != "status" || strings.TrimSpace(notice.Text()) != tc.want {
			t.Errorf("%q: notice %q (role %q)", tc.accept, notice.Text(), role)
		}
		if v, _ := doc.Find(`input[name="next"]`).Attr("value"); v != "/processes" {
			t.Errorf("%q: next %q", tc.accept, v)
		}
		wrong := c.PostForm("/login", url.Values{"email": {ana}, "password": {"wrong"}, "next": {"/processes"}, "expired": {"1"}})
		if got := strings.TrimSpace(wrong.Doc(t).Find(`[data-testid="session-expired"]`).Text()); got != tc.want {
			t.Errorf("%q: after a failed attempt the notice is %q", tc.accept, got)
		}
		if n := c.Get("/login?next=%2Fprocesses").Doc(t).Find(`[data-testid="session-expired"]`).Length(); n != 0 {
			t.Errorf("%q: the notice shows without expired=1", tc.accept)
		}
	}
}

// Signed-in pages carry the idle timeout and the hidden warning, in the
// user's language; the sign-in page carries neither.
func TestPagesCarryTheIdleWarning(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, tc := range []struct{ accept, warning, button, ended string }{
		{"", "A sua sessão vai terminar dentro de 2 minutos por inatividade.", "Manter a sessão iniciada",
			"A sua sessão terminou. Inicie sessão novamente: o que escreveu nesta página é mantido."},
		{"en", "Your session will end in 2 minutes because of inactivity.", "Stay signed in",
			"Your session has ended. Sign in again: what you typed on this page is kept."},
	} {
		c := s.ClientIn(t, tc.accept)
		login := c.Get("/login").Doc(t)
		if _, ok := login.Find("body").Attr("data-idle-timeout"); ok || login.Find("#session-warning").Length() != 0 ||
			login.Find(`script[src^="/static/js/session.js"]`).Length() != 0 {
			t.Errorf("%q: the sign-in page carries the idle warning", tc.accept)
		}
		c.Login(ana)
		doc := c.Get("/processes").Doc(t)
		body := doc.Find("body")
		if v, _ := body.Attr("data-idle-timeout"); v != strconv.Itoa(int(models.SessionIdleTimeout.Seconds())) {
			t.Errorf("%q: data-idle-timeout %q", tc.accept, v)
		}
		if v, _ := body.Attr("data-idle-warn"); v != "120" {
			t.Errorf("%q: data-idle-warn %q", tc.accept, v)
		}
		if doc.Find(`head script[src^="/static/js/session.js?v="][defer]`).Length() != 1 {
			t.Errorf("%q: session.js not loaded", tc.accept)
		}
		region := doc.Find(`#session-warning[role="status"]`)
		label, _ := region.Attr("aria-labelledby")
		if region.Length() != 1 || label == "" || region.Find("#"+label).Length() != 1 {
			t.Fatalf("%q: no labelled warning region", tc.accept)
		}
		if _, hidden := region.Find("[data-session-panel]").Attr("hidden"); !hidden {
			t.Errorf("%q: the warning is not hidden", tc.accept)
		}
		if got := strings.TrimSpace(region.Find(`[data-testid="session-warning-text"]`).Text()); got != tc.warning {
			t.Errorf("%q: warning %q", tc.accept, got)
		}
		if got := strings.TrimSpace(region.Find("button[data-session-keepalive]").Text()); got != tc.button {
			t.Errorf("%q: button %q", tc.accept, got)
		}
		if got := strings.Join(strings.Fields(region.Find(`[data-testid="session-ended-text"]`).Text()), " "); !strings.HasPrefix(got, tc.ended) {
			t.Errorf("%q: ended text %q", tc.accept, got)
		}
		if doc.Find("[style]").Length() != 0 {
			t.Errorf("%q: a style attribute (the CSP forbids them)", tc.accept)
		}
	}
}
