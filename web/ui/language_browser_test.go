package ui_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// The header's switch changes the language of the page it is on, works
// without JavaScript (a plain form), and the choice sticks across signing
// out and in again.
func TestBrowserLanguageSwitch(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	p := page{t, webtest.Browser(t)} // an English browser
	lang := func() string {
		t.Helper()
		v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The switch posts a form: the page is replaced, so wait for the new one.
	switchLanguage := func(want string) {
		t.Helper()
		p.do(chromedp.Click(`[data-testid="language-switch"] button`))
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? document.documentElement.lang : ""`))
			if err == nil && v == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the page did not turn %s (last %q, %v)", want, v, err)
			}
		}
	}

	p.do(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(`#email`))
	if got := lang(); got != "en" {
		t.Fatalf("an English browser gets %q", got)
	}
	switchLanguage("pt-PT")
	if title := p.strings(`[document.title]`)[0]; !strings.Contains(title, "Portal de Parceiros") {
		t.Fatalf("Portuguese title %q", title)
	}
	if !strings.HasSuffix(p.location(), "/login") {
		t.Fatalf("the switch left the page: %s", p.location())
	}
	p.signIn(s.URL, ana)
	if got := lang(); got != "pt-PT" {
		t.Fatalf("after signing in: %q", got)
	}
	if nav := p.text(`nav`); !strings.Contains(nav, "Processos") {
		t.Fatalf("navigation %q", nav)
	}
	// Money in Portuguese: "241 000,00 €" (grouping and the euro after).
	amounts := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(p.text(`[data-testid="process-row"]`))
	if !regexp.MustCompile(`\d{1,3}( \d{3})+,\d{2} €`).MatchString(amounts) {
		t.Errorf("no Portuguese amount in the first row: %q", amounts)
	}
	p.screenshot("processes-pt")
	p.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`#email`))
	if got := lang(); got != "pt-PT" {
		t.Fatalf("after signing out: %q, want the choice kept", got)
	}
	switchLanguage("en")
	p.signIn(s.URL, ana)
	if nav := p.text(`nav`); !strings.Contains(nav, "Processes") {
		t.Fatalf("back in English, navigation %q", nav)
	}
}
