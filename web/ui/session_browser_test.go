package ui_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/components"
	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// The idle-timeout warning in a browser, on a clock shortened to seconds
// (the pages announce a 10 s timeout, warning 4 s before; the server's own
// timeout stays 30 minutes): it shows although the thread polls in the
// background, "Stay signed in" hides it and extends the session, and when
// the time is up it links to the sign-in page, which says the session
// expired and comes back to the page.
func TestBrowserIdleWarning(t *testing.T) {
	t.Parallel() // each has its own server and browser
	timer := components.SessionTimer{Timeout: 10 * time.Second, Lead: 4 * time.Second}
	s := webtest.NewWith(t, store.SQLite, webtest.Options{SessionTimer: timer})
	id, _ := quietProcess(t, s)
	path := "/processes/" + id
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, ana)
	clock := clockOf(t, s)

	const (
		panel   = `#session-warning [data-session-panel]`
		warning = `[data-testid="session-warning-text"]`
		ended   = `[data-testid="session-ended-text"]`
	)
	// visible is JavaScript telling whether sel is shown: neither it nor an
	// ancestor is hidden.
	visible := func(sel string) string {
		return `(e => !!e && !e.closest('[hidden]'))(document.querySelector('` + sel + `'))`
	}
	wait := func(js string, within time.Duration) {
		t.Helper()
		p.do(chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(within)))
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return v
	}
	shown := func(sel string) bool { t.Helper(); return eval(`String(`+visible(sel)+`)`) == "true" }
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

	loaded := time.Now()
	p.do(chromedp.Navigate(s.URL+path), chromedp.WaitVisible(`#thread`))
	if shown(panel) {
		t.Fatal("the warning shows at page load")
	}
	wait(visible(warning), 15*time.Second)
	if after := time.Since(loaded); after < 5*time.Second || after > 9*time.Second {
		t.Errorf("the warning showed %v after the page loaded, want about 6 s", after)
	}
	// The thread's poll (every 5 s, a background request) ran and did not
	// restart the clock.
	if eval(`String(performance.getEntriesByType("resource").some(e => e.name.includes("/messages/since")))`) != "true" {
		t.Error("the thread did not poll before the warning")
	}
	if got := p.text(warning); got != "Your session will end in 1 minute because of inactivity." {
		t.Errorf("warning %q", got)
	}
	if got := p.text(`#session-warning-title`); got != "Are you still there?" {
		t.Errorf("warning title %q", got)
	}
	axe("idle warning")
	p.screenshot("idle-warning")

	// "Stay signed in" extends the session on the server and hides the warning.
	clock.age(20 * time.Minute)
	p.do(chromedp.Click(`button[data-session-keepalive]`))
	wait(`document.querySelector('`+panel+`').hidden`, 5*time.Second)
	if seen := clock.lastSeen(); time.Since(seen) > time.Minute {
		t.Fatalf("Stay signed in did not extend the session: last seen %v", seen)
	}

	// Time runs out: the session has ended, sign in again to come back.
	wait(visible(ended), 15*time.Second)
	if shown(`button[data-session-keepalive]`) || shown(warning) {
		t.Error("the ended notice still offers to stay signed in")
	}
	if got := p.text(`#session-warning-title`); got != "Session ended" {
		t.Errorf("ended title %q", got)
	}
	if got := strings.Join(strings.Fields(p.text(ended)), " "); got != "Your session has ended. Sign in again: what you typed on this page is kept. Sign in again" {
		t.Errorf("ended text %q", got)
	}
	href := eval(`document.querySelector('[data-session-login]').getAttribute('href')`)
	if want := "/login?next=" + url.QueryEscape(path) + "&expired=1"; href != want {
		t.Fatalf("sign-in link %q, want %q", href, want)
	}
	axe("session ended")
	p.screenshot("session-ended")
	p.do(chromedp.EmulateViewport(390, 844))
	if w := p.strings(`[String(document.documentElement.scrollWidth), String(window.innerWidth)]`); w[0] != w[1] {
		t.Errorf("at 390 px the ended notice makes the page %s px wide", w[0])
	}
	p.screenshot("session-ended-390")
	p.do(chromedp.EmulateViewport(1280, 900))

	// The server's session ends too; the link leads to a sign-in page that
	// says so and back to the process.
	clock.age(models.SessionIdleTimeout + time.Minute)
	p.do(chromedp.Click(`[data-session-login]`), chromedp.WaitVisible(`[data-testid="session-expired"]`))
	if got := p.text(`[data-testid="session-expired"]`); got != "Your session expired. Sign in again to continue; your unsent message is kept." {
		t.Errorf("sign-in notice %q", got)
	}
	p.do(
		chromedp.SendKeys(`#email`, ana),
		chromedp.SendKeys(`#password`, store.DemoPassword),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`#thread`),
	)
	if loc := p.location(); !strings.HasSuffix(loc, path) {
		t.Fatalf("signed in again at %s, want %s", loc, path)
	}
	if shown(panel) {
		t.Error("the warning shows on the page after signing in again")
	}
}
