package ui_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	portalmail "portal/models/mail"
	"portal/models/mail/mailtest"
	"portal/models/store"
	"portal/web/webtest"
)

// The forgotten password end to end in a browser: a wrong password, the
// sign-in page's link, the request, the mail (an .eml file written by the
// queue's sender, as in the embedded default), its link, a new password,
// signing in with it, and the account page listing the failed attempt.
func TestBrowserForgotPasswordByMail(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	dir := t.TempDir()
	sender := s.Store.NewMailSender(&portalmail.Dir{Path: dir, From: "Partner Portal <no-reply@bank.example>"},
		store.MailSenderOptions{Poll: 20 * time.Millisecond})
	sender.Start()
	t.Cleanup(sender.Stop)

	p := page{t, webtest.Browser(t)}
	axe := func(where string) {
		t.Helper()
		found, err := webtest.Axe(p.ctx)
		if err != nil {
			t.Fatalf("%s: axe: %v", where, err)
		}
		for _, v := range found {
			t.Errorf("%s: %s", where, v)
		}
	}
	p.do(
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, ana),
		chromedp.SendKeys(`#password`, "not the password"),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`[data-testid="login-error"]`),
		chromedp.Click(`[data-testid="forgot-link"]`),
		chromedp.WaitVisible(`[data-testid="forgot-form"] #email`),
	)
	axe("forgot page")
	p.do(
		chromedp.SendKeys(`#email`, ana),
		chromedp.Submit(`#email`),
		chromedp.WaitVisible(`[data-testid="forgot-sent"]`),
	)

	var files []string
	for deadline := time.Now().Add(15 * time.Second); len(files) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(dir, "*.eml"))
	}
	if len(files) != 1 {
		t.Fatalf("mail files: %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	m := mailedToken.FindStringSubmatch(mailtest.PlainText(raw))
	if m == nil {
		t.Fatalf("no reset link in the mail:\n%s", raw)
	}
	link := s.URL + m[0]

	p.do(chromedp.Navigate(link), chromedp.WaitVisible(`#new_password`))
	axe("reset page")
	p.do(
		chromedp.SendKeys(`#new_password`, newPass),
		chromedp.SendKeys(`#confirm_password`, newPass),
		chromedp.Submit(`#confirm_password`),
		chromedp.WaitVisible(`[data-testid="reset-done"]`),
		chromedp.Click(`[data-testid="reset-done"] ~ p a`),
		chromedp.WaitVisible(`#password`),
		chromedp.SendKeys(`#email`, ana),
		chromedp.SendKeys(`#password`, newPass),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`[data-testid="current-user"]`),
		chromedp.Click(`[data-testid="account-link"]`),
		chromedp.WaitVisible(`[data-testid="signin-history"]`),
	)
	axe("account page")
	results := p.strings(`[...document.querySelectorAll('[data-testid="signin"]')].map(r => r.dataset.result)`)
	if len(results) != 2 || results[0] != "ok" || results[1] != "failed" {
		t.Fatalf("sign-in history %v, want the sign-in then the failed attempt", results)
	}
	// The link was used up.
	p.do(chromedp.Navigate(link), chromedp.WaitVisible(`[data-testid="reset-invalid"]`))
}
