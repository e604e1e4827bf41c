package ui_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// An admin opens the delivery log and a delivery in a real browser, at a
// phone's width, and nothing overflows sideways.
func TestBrowserAdminOpensTheDeliveryLog(t *testing.T) {
	t.Parallel()
	s := webtest.New(t, store.SQLite)
	sub := subscribe(t, s, models.NotificationProcessStatusChanged, "https://hooks.example.com/a-rather-long-path/that/does/not/fit/on/a/phone/screen?with=query&and=more")
	failed := addDelivery(t, s, sub, models.DeliveryFailed, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC),
		attempt{code: 503, ms: 80, response: "<html><body>Service Unavailable: averyveryverylongwordwithoutanyspacesthatwouldoverflowaphonescreenifnotbroken</body></html>"},
		attempt{code: 0, ms: 10000, err: "timeout"})

	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, adminEmail)
	p.do(chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.URL+"/admin"), chromedp.WaitVisible(`a[href="/admin/callbacks"]`),
		chromedp.Click(`a[href="/admin/callbacks"]`), chromedp.WaitVisible(`[data-testid="delivery-log-link"]`),
		chromedp.Click(`[data-testid="delivery-log-link"]`), chromedp.WaitVisible(`[data-testid="delivery-row"]`))
	p.fitsAPhone("the delivery log")
	if got := p.text(`[data-testid="delivery-row"] [data-testid="status"]`); got != "Failed" {
		t.Errorf("status %q", got)
	}
	p.screenshot("callbacks-log-phone")
	p.do(chromedp.Click(`[data-testid="delivery-link"]`), chromedp.WaitVisible(`[data-testid="attempt"]`))
	if got := p.location(); got != s.URL+"/admin/callbacks/deliveries/"+failed {
		t.Errorf("opened %s", got)
	}
	if n := p.strings(`[...document.querySelectorAll('[data-testid="attempt"]')].map(a => a.dataset.code)`); len(n) != 2 || n[0] != "503" || n[1] != "0" {
		t.Errorf("attempts %v", n)
	}
	p.fitsAPhone("the delivery page")
	p.screenshot("callbacks-delivery-phone")
	p.do(chromedp.Click(`[data-testid="redeliver"]`), chromedp.WaitVisible(`[data-testid="flash"]`))
	if got := p.location(); got != s.URL+"/admin/callbacks/deliveries/"+failed {
		t.Errorf("after Redeliver the page is %s", got)
	}
}

// fitsAPhone checks the page at a phone's width: no sideways scrolling,
// nothing cut at the right edge, and no accessibility violation.
func (p page) fitsAPhone(what string) {
	p.t.Helper()
	if !p.bool(`document.documentElement.scrollWidth <= window.innerWidth`) {
		p.t.Errorf("%s scrolls sideways; widest: %v", what, p.strings(widest))
	}
	if cut := p.strings(clipped); len(cut) > 0 {
		p.t.Errorf("%s hides content sideways: %v", what, cut)
	}
	found, err := webtest.Axe(p.ctx)
	if err != nil {
		p.t.Fatalf("%s: axe: %v", what, err)
	}
	for _, v := range found {
		p.t.Errorf("%s: %s", what, v)
	}
}
