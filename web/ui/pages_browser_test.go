package ui_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// A visit is a page to check: a path, or the first link matching follow on
// the page at path (the demo world's ids are not fixed), and from there the
// first link matching each of then in turn; fragment opens a tab of it.
type visit struct {
	path, follow string
	then         []string
	fragment     string
}

// everyPage lists the pages each kind of user sees, signed out first.
var everyPage = []struct {
	email  string // "" for signed out
	visits []visit
}{
	{"", []visit{{path: "/login"}, {path: "/no-such-page"}, {path: "/password/forgot"}, {path: "/password/reset?token=spent"}}},
	{ana, []visit{{path: "/account"}, {path: "/processes"}, {path: "/processes?q=zzzz-nothing"}, {path: "/processes", follow: `[data-testid="process-row"] a`},
		{path: "/processes?status=3", follow: `[data-testid="process-row"] a`, fragment: "#tab-documents"}, // the documents tab
		// The guided process form: a process in creation and its steps.
		{path: "/processes/new"}, {path: "/processes?status=1", follow: `[data-testid="process-row"] a`},
		{path: "/processes?status=1", follow: `[data-testid="process-row"] a`, then: []string{`[data-testid="edit-process"]`}},
		{path: "/processes?status=1", follow: `[data-testid="process-row"] a`, then: []string{`[data-testid="edit-process"]`, `[data-testid="step-key"]`}},
		{path: "/processes?status=1", follow: `[data-testid="process-row"] a`, then: []string{`[data-testid="edit-process"]`, `[data-testid="step-borrowers"]`}},
		{path: "/processes?status=1", follow: `[data-testid="process-row"] a`, then: []string{`[data-testid="edit-process"]`, `[data-testid="step-property"]`}}}},
	{marta, []visit{{path: "/staff/threads"}, {path: "/staff/threads?filter=all"}, {path: "/processes"},
		{path: "/processes", follow: `[data-testid="process-row"] a`},
		{path: "/staff/processes"}, {path: "/staff/processes?status=2", follow: `[data-testid="process-row"] a`},
		{path: "/staff/processes?status=3", follow: `[data-testid="process-row"] a`, fragment: "#tab-documents"},
		{path: "/staff/customers"}, {path: "/staff/customers?q=ferreira"},
		{path: "/staff/customers?q=ferreira", follow: `main a[href^="/staff/customers/"]`},
		{path: "/account"}, {path: "/account/2fa"}}},
	{"admin@bank.example", []visit{{path: "/admin"}, {path: "/admin/taxonomies"},
		{path: "/admin/taxonomies", follow: `main a[href^="/admin/taxonomies/"]`}, {path: "/admin/entitlements"},
		{path: "/admin/callbacks"}, {path: "/admin/callbacks", follow: `[data-testid="partner-link"]`}, {path: "/admin/callbacks/deliveries"}}},
	{maria, []visit{{path: "/account"}, {path: "/inbox"}, {path: "/inbox", follow: `main a[href^="/inbox/"]`}}},
}

// Every page, in both languages, on a 390 px phone and on a desktop: it
// never scrolls sideways, and axe-core finds no accessibility violation.
func TestBrowserEveryPage(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	for _, lang := range []string{"pt-PT", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()                                          // a browser each, one server
			p := page{t, webtest.BrowserWithin(t, 6*time.Minute)} // an English browser; ~80 pages
			if lang == "pt-PT" {
				p.do(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(`#email`),
					chromedp.Click(`[data-testid="language-switch"] button`))
				waitLang(t, p, lang)
			}
			for _, who := range everyPage {
				if who.email != "" {
					p.signIn(s.URL, who.email)
				}
				for _, v := range who.visits {
					url := s.URL + v.path
					if v.follow != "" {
						p.do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(url), chromedp.WaitReady(`body`))
						hrefs := p.strings(fmt.Sprintf(`[...document.querySelectorAll(%q)].slice(0, 1).map(a => a.href)`, v.follow))
						if len(hrefs) == 0 {
							t.Errorf("%s: no link %s on %s", who.email, v.follow, v.path)
							continue
						}
						url = hrefs[0]
						for _, sel := range v.then {
							p.do(chromedp.Navigate(url), chromedp.WaitReady(`body`))
							hrefs = p.strings(fmt.Sprintf(`[...document.querySelectorAll(%q)].slice(0, 1).map(a => a.href)`, sel))
							if len(hrefs) == 0 {
								t.Errorf("%s: no link %s on %s", who.email, sel, url)
								break
							}
							url = hrefs[0]
						}
					}
					url += v.fragment
					for _, size := range [][2]int64{{390, 844}, {1280, 900}} {
						p.do(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(url), chromedp.WaitReady(`body`))
						waitLang(t, p, lang)
						where := fmt.Sprintf("%s %s at %d px (%s)", lang, strings.TrimPrefix(url, s.URL), size[0], who.email)
						widths := p.strings(`[String(document.documentElement.scrollWidth), String(window.innerWidth)]`)
						if widths[0] > widths[1] && len(widths[0]) >= len(widths[1]) {
							t.Errorf("%s scrolls sideways: %s px wide in %s px; widest: %s", where, widths[0], widths[1],
								strings.Join(p.strings(widest), ", "))
						}
						// Nor does any of it hide sideways in a scrolling box: on a
						// phone every column of a table stays in view.
						if size[0] < 640 {
							if cut := p.strings(clipped); len(cut) > 0 {
								t.Errorf("%s hides content sideways: %s", where, strings.Join(cut, ", "))
							}
						}
						found, err := webtest.Axe(p.ctx)
						if err != nil {
							t.Fatalf("%s: axe: %v", where, err)
						}
						for _, v := range found {
							t.Errorf("%s: %s", where, v)
						}
						p.screenshot(fmt.Sprintf("page-%s-%d-%s", lang, size[0], strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(strings.TrimPrefix(url, s.URL))))
					}
				}
				if who.email != "" {
					p.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`#email`))
				}
			}
		})
	}
}

// widest names the elements wider than the window, for the failure message.
const widest = `[...document.querySelectorAll("body *")].filter(e => {
    if (e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (getComputedStyle(a).overflowX !== "visible") return false;
    return true;
  }).slice(-4).map(e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className ? "." + e.className.split(/\s+/).slice(0, 3).join(".") : "") + " " + Math.round(e.getBoundingClientRect().right))`

// clipped names visible elements that reach past the window's right edge
// (screen-reader-only text, as the stacked tables' headers on a phone, aside).
const clipped = `[...document.querySelectorAll("body *")].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.right > window.innerWidth + 1 && !e.closest(".sr-only, .table-stack thead");
  }).slice(0, 4).map(e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className ? "." + e.className.split(/\s+/).slice(0, 3).join(".") : "") + " " + Math.round(e.getBoundingClientRect().right))`

func waitLang(t *testing.T, p page, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? document.documentElement.lang : ""`))
		if err == nil && v == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page is not %s (last %q, %v)", want, v, err)
		}
	}
}
