package ui_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// An admin adds an index value in a real browser and sees it in force
// from its month, no longer labelled a demonstration value.
func TestBrowserAdminSetsAnIndexValue(t *testing.T) {
	t.Parallel()
	s := webtest.New(t, store.SQLite)
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, adminEmail)
	p.do(chromedp.Navigate(s.URL+"/admin"), chromedp.WaitVisible(`a[href="/admin/pricing"]`),
		chromedp.Click(`a[href="/admin/pricing"]`), chromedp.WaitVisible(`[data-testid="index-form"]`))
	if p.text(`[data-testid="demo-notice"]`) == "" {
		t.Error("the demo values are not announced")
	}
	const row = `[data-testid="index-row"][data-index="2"]`
	p.do(
		chromedp.SetValue(`#index-indexTypeId`, "2"),
		chromedp.SetValue(`#index-month`, "2031-05"),
		chromedp.SendKeys(`#index-value`, "2,468"),
		chromedp.Click(`[data-testid="index-submit"]`),
		chromedp.WaitVisible(`[data-testid="flash"]`),
	)
	p.screenshot("pricing-index-set")
	if got := p.location(); got != s.URL+"/admin/pricing?date=2031-05-01" {
		t.Errorf("after saving the page is %s", got)
	}
	if got := p.text(row + ` [data-testid="rate"]`); got != "2.468%" {
		t.Errorf("6-month Euribor shows %q", got)
	}
	if p.bool(`document.querySelector('` + row + ` [data-testid="demo-badge"]') !== null`) {
		t.Error("the admin's value is labelled a demo value")
	}
	// A value that is not a percentage is refused next to its field.
	p.do(
		chromedp.SetValue(`#index-indexTypeId`, "1"),
		chromedp.SendKeys(`#index-value`, "two"),
		chromedp.Click(`[data-testid="index-submit"]`),
		chromedp.WaitVisible(`[data-testid="index-value-error"]`),
	)
	if got := p.text(`[data-testid="index-value-error"]`); got != "Enter a percentage with up to three decimals, such as 1.234." {
		t.Errorf("refusal %q", got)
	}
}
