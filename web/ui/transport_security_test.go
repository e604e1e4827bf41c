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

// setCookie is the Set-Cookie header of res that sets name, "" for none.
func setCookie(res *webtest.Response, name string) string {
	for _, v := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			return v
		}
	}
	return ""
}

// Over TLS the session cookie is __Host-portal_session (Secure, Path=/,
// no Domain), the language cookie __Host-lang, and every answer carries
// HSTS; over plain HTTP (the demo) nothing changes.
func TestTLSCookiesAndHSTS(t *testing.T) {
	tlsSrv := webtest.NewWith(t, store.SQLite, webtest.Options{TLS: true})
	c := tlsSrv.Client(t)
	for _, path := range []string{"/login", "/healthz", "/nowhere"} {
		if got := c.Get(path).Header.Get("Strict-Transport-Security"); got != "max-age=31536000; includeSubDomains" {
			t.Errorf("TLS %s: Strict-Transport-Security %q", path, got)
		}
	}
	login := c.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}})
	if login.StatusCode != http.StatusSeeOther {
		t.Fatalf("login over TLS: %d", login.StatusCode)
	}
	ck := setCookie(login, session.SecureCookieName)
	if ck == "" {
		t.Fatalf("login over TLS sets no %s cookie: %q", session.SecureCookieName, login.Header.Values("Set-Cookie"))
	}
	for _, want := range []string{"Path=/", "Secure", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(ck, want) {
			t.Errorf("TLS session cookie lacks %s: %s", want, ck)
		}
	}
	if strings.Contains(strings.ToLower(ck), "domain=") {
		t.Errorf("TLS session cookie has a Domain: %s", ck)
	}
	if setCookie(login, session.CookieName) != "" {
		t.Errorf("login over TLS also sets %s", session.CookieName)
	}
	if r := c.Get("/processes"); r.StatusCode != http.StatusOK {
		t.Errorf("signed-in page over TLS: %d", r.StatusCode)
	}
	lang := c.PostForm("/lang", url.Values{"lang": {"pt-PT"}})
	if lc := setCookie(lang, "__Host-lang"); !strings.Contains(lc, "Secure") || !strings.Contains(lc, "Path=/") {
		t.Errorf("TLS language cookie %q (all: %q)", lc, lang.Header.Values("Set-Cookie"))
	}
	if got := c.Get("/processes").Header.Get("Content-Language"); got != "pt-PT" {
		t.Errorf("the __Host-lang cookie is not read back: Content-Language %q", got)
	}

	plain := webtest.New(t, store.SQLite)
	p := plain.Client(t)
	if got := p.Get("/login").Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP sends HSTS %q", got)
	}
	login = p.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}})
	ck = setCookie(login, session.CookieName)
	if login.StatusCode != http.StatusSeeOther || ck == "" || strings.Contains(ck, "Secure") {
		t.Errorf("login over HTTP: %d, cookie %q", login.StatusCode, ck)
	}
	if lc := setCookie(p.PostForm("/lang", url.Values{"lang": {"en"}}), "lang"); lc == "" || strings.Contains(lc, "Secure") {
		t.Errorf("HTTP language cookie %q", lc)
	}
}

// A flash belongs to the page it was set for: after posting to a thread
// the "sent" message waits for that process page, does not show on
// another page loaded first, and shows once on its own.
func TestFlashOnlyOnItsPage(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	c := s.Client(t)
	c.Login(ana)
	if post := c.PostForm("/processes/"+id+"/messages", url.Values{"text": {"hello"}}); post.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", post.StatusCode)
	}
	for _, other := range []string{"/processes", "/processes?page=1"} {
		if f := c.Get(other).Doc(t).Find(`[data-testid="flash"]`); f.Length() != 0 {
			t.Errorf("%s shows the thread's flash %q", other, f.Text())
		}
	}
	if f := strings.TrimSpace(c.Get("/processes/" + id).Doc(t).Find(`[data-testid="flash"]`).Text()); f != "Message sent." {
		t.Errorf("its page's flash %q, want Message sent.", f)
	}
	if f := c.Get("/processes/" + id).Doc(t).Find(`[data-testid="flash"]`); f.Length() != 0 {
		t.Errorf("the flash shows twice: %q", f.Text())
	}
}
