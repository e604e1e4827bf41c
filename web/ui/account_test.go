package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

const (
	newPass  = "a long new passphrase for tests"
	newPass2 = "another long passphrase for tests"
)

// Every kind of user has the account page, linked from the header;
// anonymous visitors are sent to sign in.
func TestAccountPageForEveryKind(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, email := range []string{ana, "marta.santos@bank.example", "admin@bank.example", "maria.ferreira@example.com"} {
		c := s.Client(t)
		c.Login(email)
		home := c.Get("/")
		if loc := home.Header.Get("Location"); loc == "" {
			t.Fatalf("%s: no home", email)
		} else if link := c.Get(loc).Doc(t).Find(`header a[data-testid="account-link"]`); link.AttrOr("href", "") != "/account" ||
			strings.TrimSpace(link.Text()) != "Account" {
			t.Errorf("%s: header has no Account link", email)
		}
		res := c.Get("/account")
		doc := res.Doc(t)
		if res.StatusCode != http.StatusOK || doc.Find(`[data-testid="password-form"]`).Length() != 1 ||
			doc.Find(`[data-testid="signin-history"]`).Length() != 1 {
			t.Errorf("%s: /account %d", email, res.StatusCode)
		}
		if doc.Find(`[data-testid="signin"][data-result="ok"]`).Length() < 1 {
			t.Errorf("%s: the sign-in just made is not in the history", email)
		}
	}
	if res := s.Client(t).Get("/account"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous /account: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// The sign-in history shows a failed attempt, with its address and the
// time in the page's language.
func TestAccountHistoryShowsFailedSignIn(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.ClientIn(t, "")
	if res := c.PostForm("/login", url.Values{"email": {ana}, "password": {"not the password"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	c.Login(ana)
	doc := c.Get("/account").Doc(t)
	rows := doc.Find(`[data-testid="signin"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d history rows, want 2", rows.Length())
	}
	failed := rows.Eq(1)
	if failed.AttrOr("data-result", "") != "failed" || strings.TrimSpace(failed.Find(".badge").Text()) != "Palavra-passe errada" ||
		strings.TrimSpace(failed.Find("code").Text()) != "127.0.0.1" {
		t.Fatalf("failed attempt row: %q", failed.Text())
	}
	if when := failed.Find("time"); when.AttrOr("datetime", "") == "" || !regexp.MustCompile(`^\d{1,2} [a-z]{3}\. \d{4}, \d{2}:\d{2}$`).MatchString(strings.TrimSpace(when.Text())) {
		t.Fatalf("time %q is not in the Portuguese format", when.Text())
	}
}

func TestChangePasswordThroughTheRouter(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	other := s.Client(t)
	other.Login(ana)
	c := s.Client(t)
	c.Login(ana)
	before := c.Cookie("portal_session").Value

	res := c.PostForm("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {newPass}, "confirm_password": {newPass}})
	if e := res.Doc(t).Find(`[data-testid="current_password-error"]`).Text(); res.StatusCode != http.StatusUnprocessableEntity ||
		e != "The current password is not correct." {
		t.Fatalf("wrong current password: %d %q", res.StatusCode, e)
	}
	for new, want := range map[string]string{
		"too short":    "The password must have at least 12 characters.",
		"qwerty123456": "This password is one of the most common ones found in data breaches: choose another.",
		ana:            "The password must not be your e-mail address.",
	} {
		res := c.PostForm("/account/password", url.Values{"current_password": {store.DemoPassword}, "new_password": {new}, "confirm_password": {new}})
		doc := res.Doc(t)
		if e := doc.Find(`[data-testid="new_password-error"]`).Text(); res.StatusCode != http.StatusUnprocessableEntity || e != want {
			t.Errorf("new password %q: %d %q", new, res.StatusCode, e)
		}
		if doc.Find(`#new_password[aria-invalid="true"]`).Length() != 1 {
			t.Errorf("new password %q: the field is not marked invalid", new)
		}
	}
	res = c.PostForm("/account/password", url.Values{"current_password": {store.DemoPassword}, "new_password": {newPass}, "confirm_password": {newPass + "!"}})
	if e := res.Doc(t).Find(`[data-testid="confirm_password-error"]`).Text(); res.StatusCode != http.StatusUnprocessableEntity || e != "The two new passwords are not the same." {
		t.Fatalf("mismatch: %d %q", res.StatusCode, e)
	}

	res = c.PostForm("/account/password", url.Values{"current_password": {store.DemoPassword}, "new_password": {newPass}, "confirm_password": {newPass}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("change: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if after := c.Cookie("portal_session"); after == nil || after.Value == before {
		t.Fatal("the session was not renewed")
	}
	page := c.Get("/account")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Doc(t).Find(`[data-testid="flash"]`).Text(), "Your password has been changed") {
		t.Fatalf("after the change: %d, flash %q", page.StatusCode, page.Doc(t).Find(`[data-testid="flash"]`).Text())
	}
	if res := other.Get("/processes"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("the other session still works: %d", res.StatusCode)
	}
	fresh := s.Client(t)
	if res := fresh.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("old password still signs in: %d", res.StatusCode)
	}
	if res := fresh.PostForm("/login", url.Values{"email": {ana}, "password": {newPass}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password does not sign in: %d", res.StatusCode)
	}
}

var mailedToken = regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`)

// lastMailTo is the newest queued mail's subject and the token in its link.
func lastMailTo(t *testing.T, s *webtest.Server, to string) (subject, token string) {
	t.Helper()
	mails, err := s.Store.QueuedMails(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for i := len(mails) - 1; i >= 0; i-- {
		if m := mails[i].Mail; m.To == to {
			if !strings.HasPrefix(m.Text[strings.Index(m.Text, "http"):], s.URL+"/password/reset?token=") {
				t.Fatalf("the link is not on the portal's address %s:\n%s", s.URL, m.Text)
			}
			return m.Subject, mailedToken.FindStringSubmatch(m.Text)[1]
		}
	}
	return "", ""
}

func TestForgotAndResetThroughTheRouter(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.ClientIn(t, "")
	if link := c.Get("/login").Doc(t).Find(`a[data-testid="forgot-link"]`); link.AttrOr("href", "") != "/password/forgot" {
		t.Fatal("the sign-in page has no forgotten-password link")
	}
	signedIn := s.Client(t)
	signedIn.Login(ana)

	// Known and unknown addresses get the same answer; only the known one a mail.
	known := c.PostForm("/password/forgot", url.Values{"email": {ana}})
	unknown := c.PostForm("/password/forgot", url.Values{"email": {"nobody@lisboa-credito.example"}})
	if known.StatusCode != http.StatusSeeOther || unknown.StatusCode != known.StatusCode ||
		known.Header.Get("Location") != unknown.Header.Get("Location") || known.Body != unknown.Body {
		t.Fatalf("answers differ: %d %q / %d %q", known.StatusCode, known.Header.Get("Location"), unknown.StatusCode, unknown.Header.Get("Location"))
	}
	sent := c.Get(known.Header.Get("Location"))
	if !strings.Contains(sent.Doc(t).Find(`[data-testid="forgot-sent"]`).Text(), "Se existir uma conta") {
		t.Fatalf("sent page: %s", sent.Body)
	}
	if subj, _ := lastMailTo(t, s, "nobody@lisboa-credito.example"); subj != "" {
		t.Fatal("a mail was queued for an unknown address")
	}
	subject, token := lastMailTo(t, s, ana)
	if subject != "Redefinir a palavra-passe do Portal de Parceiros" || token == "" {
		t.Fatalf("mail subject %q token %q (want Portuguese, the default)", subject, token)
	}

	form := c.Get("/password/reset?token=" + token)
	if form.StatusCode != http.StatusOK || form.Doc(t).Find(`[data-testid="reset-form"] input[name="token"]`).AttrOr("value", "") != token ||
		!strings.Contains(form.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("reset form: %d", form.StatusCode)
	}
	res := c.PostForm("/password/reset", url.Values{"token": {token}, "new_password": {"curta"}, "confirm_password": {"curta"}})
	if e := res.Doc(t).Find(`[data-testid="new_password-error"]`).Text(); res.StatusCode != http.StatusUnprocessableEntity ||
		e != "A palavra-passe tem de ter pelo menos 12 caracteres." {
		t.Fatalf("short password: %d %q", res.StatusCode, e)
	}
	res = c.PostForm("/password/reset", url.Values{"token": {token}, "new_password": {newPass}, "confirm_password": {newPass}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/password/reset?done=1" {
		t.Fatalf("reset: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if done := c.Get("/password/reset?done=1").Doc(t).Find(`[data-testid="reset-done"]`); done.Length() != 1 {
		t.Fatal("no confirmation")
	}
	again := c.PostForm("/password/reset", url.Values{"token": {token}, "new_password": {newPass2}, "confirm_password": {newPass2}})
	if again.StatusCode != http.StatusUnprocessableEntity || again.Doc(t).Find(`[data-testid="reset-invalid"]`).Length() != 1 {
		t.Fatalf("second use of the link: %d", again.StatusCode)
	}
	if c.Get("/password/reset?token="+token).Doc(t).Find(`[data-testid="reset-invalid"]`).Length() != 1 {
		t.Fatal("the used link still shows the form")
	}
	if res := signedIn.Get("/processes"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a session survived the reset: %d", res.StatusCode)
	}
	if res := c.PostForm("/login", url.Values{"email": {ana}, "password": {newPass}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new password does not sign in: %d", res.StatusCode)
	}
}

// Requests are throttled per e-mail address: the fourth in 15 minutes is
// refused with 429 and Retry-After, as for an unknown address.
func TestForgotThrottled(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	for _, email := range []string{ana, "nobody@lisboa-credito.example"} {
		for i := range 3 {
			if res := c.PostForm("/password/forgot", url.Values{"email": {email}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s request %d: %d", email, i+1, res.StatusCode)
			}
		}
		res := c.PostForm("/password/forgot", url.Values{"email": {email}})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
			res.Doc(t).Find(`[data-testid="forgot-error"]`).Text() != "Too many requests for this address. Please wait a few minutes and try again." {
			t.Fatalf("%s fourth request: %d %q", email, res.StatusCode, res.Doc(t).Find(`[data-testid="forgot-error"]`).Text())
		}
	}
}
