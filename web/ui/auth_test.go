package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// The sign-in page and its errors in Portuguese (the default) and English.
func TestLoginSpeaksTheClientsLanguage(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, tc := range []struct {
		accept, lang, heading, password, wrong, required, signedOut string
	}{
		{"", "pt-PT", "Iniciar sessão", "Palavra-passe", "O e-mail ou a palavra-passe estão incorretos.",
			"Introduza o seu endereço de e-mail e a palavra-passe.", "A sua sessão foi terminada."},
		{"en", "en", "Sign in", "Password", "The e-mail or password is incorrect.",
			"Enter your e-mail address and password.", "You have been signed out."},
	} {
		c := s.ClientIn(t, tc.accept)
		res := c.Get("/login?signed_out=1")
		doc := res.Doc(t)
		if got := htmlLang(t, res); got != tc.lang {
			t.Errorf("%s: <html lang=%q>", tc.lang, got)
		}
		if h := strings.TrimSpace(doc.Find("h1").Text()); h != tc.heading {
			t.Errorf("%s: heading %q", tc.lang, h)
		}
		if l := strings.TrimSpace(doc.Find(`label[for="password"]`).Text()); l != tc.password {
			t.Errorf("%s: password label %q", tc.lang, l)
		}
		if b := strings.TrimSpace(doc.Find(`button[type="submit"].w-full`).Text()); b != tc.heading {
			t.Errorf("%s: button %q", tc.lang, b)
		}
		if st := strings.TrimSpace(doc.Find(`main [role="status"]`).Text()); st != tc.signedOut {
			t.Errorf("%s: signed out note %q", tc.lang, st)
		}
		wrong := c.PostForm("/login", url.Values{"email": {ana}, "password": {"not-the-password"}})
		if e := wrong.Doc(t).Find(`[data-testid="login-error"]`).Text(); wrong.StatusCode != http.StatusUnprocessableEntity || e != tc.wrong {
			t.Errorf("%s: wrong password: %d %q", tc.lang, wrong.StatusCode, e)
		}
		empty := c.PostForm("/login", url.Values{"email": {""}, "password": {""}})
		if e := empty.Doc(t).Find(`[data-testid="login-error"]`).Text(); e != tc.required {
			t.Errorf("%s: empty form %q", tc.lang, e)
		}
	}
}
