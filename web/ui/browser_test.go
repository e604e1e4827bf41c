package ui_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// page wraps a browser tab with test-failing helpers.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		p.t.Fatal(err)
	}
}

func (p page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(sel))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (p page) strings(js string) []string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (p page) location() string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return v
}

func (p page) signIn(base, email string) {
	p.t.Helper()
	p.do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`#email`),
		chromedp.SendKeys(`#email`, email),
		chromedp.SendKeys(`#password`, store.DemoPassword),
		chromedp.Submit(`#password`),
		chromedp.WaitVisible(`[data-testid="current-user"]`),
	)
}

func (p page) screenshot(name string) {
	dir := os.Getenv("PORTAL_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		_ = os.WriteFile(dir+"/"+name+".png", png, 0o644)
	}
}

const listedNumbers = `[...document.querySelectorAll('[data-testid="process-row"] td:first-child a')].map(a => a.textContent.trim())`

func firmOf(t *testing.T, s *webtest.Server, number string) string {
	var uid string
	s.Store.DB().Raw(`SELECT f.broker_uid FROM processes p JOIN broker_firms f ON f.id = p.broker_id WHERE p.process_number = ?`, number).Scan(&uid)
	return uid
}

func TestBrowserBrokerProcesses(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	p := page{t, webtest.Browser(t)}
	porto := processOf(t, s, "BRK-POR-002")

	p.signIn(s.URL, ana)
	p.do(chromedp.WaitVisible(`[data-testid="process-row"]`))
	if user := p.text(`[data-testid="current-user"]`); !strings.Contains(user, "Ana Silva") || !strings.Contains(user, "Lisboa") {
		t.Errorf("header shows %q", user)
	}
	p.screenshot("processes")
	numbers := p.strings(listedNumbers)
	if len(numbers) != 20 {
		t.Fatalf("first page has %d rows, want 20", len(numbers))
	}
	for _, n := range numbers {
		if firm := firmOf(t, s, n); firm != "BRK-LIS-001" {
			t.Errorf("Ana's list shows process %s of %s", n, firm)
		}
	}

	// Next page through htmx: the URL changes and the remaining rows appear.
	p.do(chromedp.Click(`a[rel="next"]`), chromedp.WaitVisible(`a[rel="prev"]`))
	second := p.strings(listedNumbers)
	if len(second) != store.DemoProcesses-20 || !strings.Contains(p.location(), "after=") {
		t.Fatalf("second page: %d rows at %s", len(second), p.location())
	}

	// Typing a process number filters the list without a submit.
	want := numbers[3]
	p.do(
		chromedp.SendKeys(`#q`, want),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="process-row"]').length === 1`),
	)
	if got := p.strings(listedNumbers); len(got) != 1 || got[0] != want || !strings.Contains(p.location(), "q="+want) {
		t.Fatalf("search for %s shows %v at %s", want, got, p.location())
	}

	// Open the process.
	p.do(chromedp.Click(`[data-testid="process-row"] a`), chromedp.WaitVisible(`[data-testid="process-heading"]`))
	if h := p.text(`[data-testid="process-heading"]`); h != "Process "+want {
		t.Fatalf("opened %q, want Process %s", h, want)
	}
	p.screenshot("process")

	// A Porto process URL is the not-found page.
	p.do(chromedp.Navigate(s.URL+"/processes/"+porto), chromedp.WaitVisible(`[data-testid="error-page"]`))
	if h := p.text(`[data-testid="error-page"] h1`); h != "Page not found" {
		t.Fatalf("Porto process for Ana shows %q", h)
	}

	// Sign out; Rui sees only Porto.
	p.do(
		chromedp.Navigate(s.URL+"/processes"),
		chromedp.Click(`form[action="/logout"] button`),
		chromedp.WaitVisible(`#email`),
	)
	p.signIn(s.URL, rui)
	p.do(chromedp.WaitVisible(`[data-testid="process-row"]`))
	numbers = p.strings(listedNumbers)
	if len(numbers) != 20 {
		t.Fatalf("Rui's first page has %d rows", len(numbers))
	}
	for _, n := range numbers {
		if firm := firmOf(t, s, n); firm != "BRK-POR-002" {
			t.Errorf("Rui's list shows process %s of %s", n, firm)
		}
	}
}

func (p page) bool(js string) bool {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// waitFor evaluates js until it is true, across navigations (a Poll fails
// when the page it runs in goes away).
func (p page) waitFor(js string) {
	p.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s: %v", js, err)
		}
	}
}
