package ui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// checkLayout fails t when the current page scrolls or hides content
// sideways on a phone, or axe-core finds a violation, at both widths (as
// TestBrowserEveryPage does for the pages every demo user sees; these are
// the pages only a user with a second factor reaches).
func (p page) checkLayout(where string) {
	p.t.Helper()
	for _, size := range [][2]int64{{390, 844}, {1280, 900}} {
		p.do(chromedp.EmulateViewport(size[0], size[1]))
		at := fmt.Sprintf("%s at %d px", where, size[0])
		widths := p.strings(`[String(document.documentElement.scrollWidth), String(window.innerWidth)]`)
		if widths[0] > widths[1] && len(widths[0]) >= len(widths[1]) {
			p.t.Errorf("%s scrolls sideways: %s px wide in %s px; widest: %s", at, widths[0], widths[1], strings.Join(p.strings(widest), ", "))
		}
		if size[0] < 640 {
			if cut := p.strings(clipped); len(cut) > 0 {
				p.t.Errorf("%s hides content sideways: %s", at, strings.Join(cut, ", "))
			}
		}
		found, err := webtest.Axe(p.ctx)
		if err != nil {
			p.t.Fatalf("%s: axe: %v", at, err)
		}
		for _, v := range found {
			p.t.Errorf("%s: %s", at, v)
		}
		p.screenshot("totp-" + strings.ReplaceAll(where, " ", "-") + fmt.Sprint("-", size[0]))
	}
}

func (p page) password(base, email string) {
	p.t.Helper()
	p.do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, email),
		chromedp.SendKeys(`#password`, store.DemoPassword),
		chromedp.Submit(`#password`),
	)
}

func (p page) signOut() {
	p.t.Helper()
	p.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`#email`))
}

// Staff sets up the second factor in the browser (reading the key shown on
// the page, as for typing it into an app), signs out, and signs in again
// with the password and a code, then with a recovery code.
func TestBrowserTwoFactor(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	p := page{t, webtest.Browser(t)}

	p.signIn(s.URL, marta)
	p.do(chromedp.Click(`[data-testid="account-link"]`), chromedp.WaitVisible(`[data-testid="account-2fa"]`),
		chromedp.Click(`[data-testid="two-factor-link"]`), chromedp.WaitVisible(`[data-testid="totp-secret"]`))
	if h := p.text(`main h1`); h != "Two-factor authentication" {
		t.Fatalf("two-factor page heading %q", h)
	}
	// The QR code is an image the page's CSP lets through: it has loaded.
	p.waitFor(`(() => { const i = document.querySelector('[data-testid="totp-qr"]'); return i.complete && i.naturalWidth > 0 })()`)
	p.checkLayout("set up")
	secret := strings.ReplaceAll(p.text(`[data-testid="totp-secret"]`), " ", "")
	code, err := models.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	p.do(
		chromedp.SendKeys(`#confirm-code`, code),
		chromedp.Submit(`#confirm-code`),
		chromedp.WaitVisible(`[data-testid="totp-recovery-codes"]`),
	)
	if f := p.text(`[data-testid="flash"]`); f != "Two-factor authentication is on." {
		t.Errorf("flash %q", f)
	}
	recovery := p.strings(`[...document.querySelectorAll('[data-testid="totp-recovery-code"]')].map(c => c.textContent.trim())`)
	if len(recovery) != models.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(recovery))
	}
	p.checkLayout("recovery codes")
	p.do(chromedp.Click(`[data-testid="totp-continue"]`), chromedp.WaitVisible(`[data-testid="current-user"]`))
	p.signOut()

	// Password, then the second step: no session until the code.
	p.password(s.URL, marta)
	p.do(chromedp.WaitVisible(`#code`))
	if loc := p.location(); !strings.HasSuffix(loc, "/login/2fa") {
		t.Fatalf("after the password: %s", loc)
	}
	if e := p.text(`[data-testid="totp-step-email"]`); e != marta {
		t.Errorf("second step names %q", e)
	}
	p.checkLayout("second step")
	// The enrolment's code is spent; the next step's is good (one step of
	// clock difference is allowed).
	next, _ := models.TOTPCode(secret, time.Now().Add(models.TOTPPeriod))
	p.do(chromedp.SendKeys(`#code`, next), chromedp.Submit(`#code`), chromedp.WaitVisible(`[data-testid="current-user"]`))
	if loc := p.location(); !strings.HasSuffix(loc, "/staff/threads") {
		t.Fatalf("signed in at %s", loc)
	}
	p.do(chromedp.Navigate(s.URL+"/account/2fa"), chromedp.WaitVisible(`[data-testid="totp-status"]`))
	p.checkLayout("two-factor on")
	p.signOut()

	// A wrong code says so and keeps the step; a recovery code signs in.
	p.password(s.URL, marta)
	p.do(chromedp.WaitVisible(`#code`), chromedp.SendKeys(`#code`, "000000"), chromedp.Submit(`#code`),
		chromedp.WaitVisible(`[data-testid="totp-error"]`))
	p.checkLayout("second step error")
	p.do(chromedp.SendKeys(`#code`, recovery[0]), chromedp.Submit(`#code`), chromedp.WaitVisible(`[data-testid="current-user"]`))
	if loc := p.location(); !strings.HasSuffix(loc, "/staff/threads") {
		t.Fatalf("signed in with a recovery code at %s", loc)
	}
	p.signOut()

	// The same recovery code does not work twice; five wrong codes end the
	// pending sign-in.
	p.password(s.URL, marta)
	for i := 0; i < models.MaxSecondFactorAttempts; i++ {
		// Mark the page, so the wait below sees the answer's page, not
		// this one's error.
		p.do(chromedp.WaitVisible(`#code`), chromedp.Evaluate[chromedp.Void](`window.beforeSubmit = true`),
			chromedp.SendKeys(`#code`, recovery[0]), chromedp.Submit(`#code`))
		p.waitFor(`!window.beforeSubmit && document.readyState === "complete"`)
		if i < models.MaxSecondFactorAttempts-1 && !p.bool(`!!document.querySelector('[data-testid="totp-error"]')`) {
			t.Fatalf("wrong code %d: no error shown", i+1)
		}
	}
	p.do(chromedp.WaitVisible(`[data-testid="totp-ended"]`))
	p.checkLayout("second step ended")
	p.do(chromedp.Click(`[data-testid="totp-sign-in-again"]`), chromedp.WaitVisible(`#email`))
}
