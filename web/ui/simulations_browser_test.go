package ui_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// setField sets a select or date input as a person choosing would, with
// the events they fire.
func setField(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector(` + jsString(sel) + `);
		el.value = ` + jsString(value) + `; el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true})); })()`)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// downloadsTo lets the browser save downloads into dir.
func downloadsTo(dir string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		on := true
		_, err := cdp.Call(ctx, t, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on})
		return err
	})
}

// downloaded waits for a whole PDF in dir and returns it.
func downloaded(t *testing.T, dir string) []byte {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && bytes.HasPrefix(b, []byte("%PDF-")) && bytes.Contains(b[max(0, len(b)-32):], []byte("%%EOF")) {
				return b
			}
		}
	}
	t.Fatal("no PDF was downloaded")
	return nil
}

// Ana simulates a loan as she types: the DSTI fails at 20 years and
// passes at 35; she saves, issues the ESIS (a PDF download), e-mails it
// to the client, converts the simulation into a process, and the process
// page shows the ESIS's validity.
func TestBrowserSimulateIssueAndConvert(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	p := page{t, webtest.Browser(t)}
	dir := t.TempDir()
	p.signIn(s.URL, ana)

	p.do(chromedp.Navigate(s.URL+"/simulations"), chromedp.WaitVisible(`[data-testid="new-simulation"]`),
		chromedp.Click(`[data-testid="new-simulation"]`), chromedp.WaitVisible(`#sim-form`))
	p.do(
		chromedp.SendKeys(`#loanAmount`, "150 000"),
		chromedp.SendKeys(`#loanDurationMonths`, "20"),
		setField(`#loanPurposeId`, "1"), setField(`#productPurposeId`, "1"),
		chromedp.WaitVisible(`[data-testid="index-field"]`), // variable rate, chosen by default
		setField(`#indexTypeId`, "3"),
		chromedp.SendKeys(`#propertyValue`, "200000"),
		chromedp.SendKeys(`#propertyAcquisitionAmount`, "190000"),
		setField(`#propertyDistrictId`, "11"),
		setField(`#borrowers-0--birthDate`, "1990-03-01"),
		chromedp.SendKeys(`#borrowers-0--monthlyNetIncome`, "1600"),
		chromedp.SendKeys(`#borrowers-0--name`, "Carla Rocha"),
	)
	dsti := `document.querySelector('[data-testid="rule"][data-code="DSTI"]')?.dataset.passed`
	p.do(chromedp.Poll[chromedp.Void](dsti + ` === "false"`))
	why := p.text(`[data-testid="rule"][data-code="DSTI"] [data-testid="rule-why"]`)
	if !strings.Contains(why, "above the limit of 50.0%") {
		t.Errorf("failing DSTI explained as %q", why)
	}
	if n := p.strings(`[String(document.querySelectorAll('[data-testid="schedule-chart-wide"] [data-testid="chart-year"]').length)]`)[0]; n != "20" {
		t.Errorf("chart has %s years", n)
	}
	p.screenshot("simulator-dsti-fails")
	p.axe("the simulator with figures")

	// A longer term: the panel recomputes and the DSTI passes.
	p.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#loanDurationMonths").value = ""`), chromedp.SendKeys(`#loanDurationMonths`, "35"),
		chromedp.Poll[chromedp.Void](dsti+` === "true"`))
	if verdict := p.strings(`[document.querySelector('[data-testid="rules-verdict"]').dataset.passed]`)[0]; verdict != "true" {
		t.Errorf("rules verdict %s at 35 years", verdict)
	}
	p.screenshot("simulator-dsti-passes")

	p.do(chromedp.Click(`[data-testid="save"]`), chromedp.WaitVisible(`[data-testid="simulation-heading"]`))
	simURL := p.location()
	if !strings.Contains(p.text(`[data-testid="flash"]`), "saved") {
		t.Errorf("no saved flash")
	}

	// Phone width: nothing scrolls sideways.
	p.do(chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(`[data-testid="simulation-heading"]`))
	if w := p.strings(`[String(document.documentElement.scrollWidth), String(window.innerWidth)]`); w[0] != w[1] {
		t.Errorf("the simulation page is %s px wide on a %s px phone", w[0], w[1])
	}
	p.screenshot("simulation-phone")
	p.axe("the simulation page on a phone")
	p.do(chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(`[data-testid="issue-esis"]`))

	// Issue the ESIS: the browser downloads the PDF; the page then lists it
	// and says until when it is valid.
	p.screenshot("simulation-desktop")
	p.do(downloadsTo(dir), chromedp.Click(`[data-testid="issue-esis"]`))
	downloaded(t, dir)
	p.do(chromedp.Navigate(simURL), chromedp.WaitVisible(`[data-testid="esis-download"]`))
	if st := p.strings(`[document.querySelector('[data-testid="esis-validity"]').dataset.state]`)[0]; st != "valid" {
		t.Errorf("ESIS state %s after the issue", st)
	}
	answer := p.strings(`[document.querySelector('[data-testid="esis-download"]').href]`)[0]
	got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`fetch(`+jsString(answer)+`).then(r => r.status + " " + r.headers.get("content-type"))`,
		chromedp.EvalAwaitPromise))
	if err != nil || got != "200 application/pdf" {
		t.Errorf("the stored ESIS answers %q (%v)", got, err)
	}

	// Send it by e-mail.
	p.do(chromedp.Click(`[data-testid="email-esis"] summary`), chromedp.WaitVisible(`#sendAddress`),
		chromedp.SendKeys(`#sendAddress`, "carla.rocha@example.com"), chromedp.Click(`[data-testid="send-esis"]`),
		chromedp.WaitVisible(`[data-testid="flash"]`))
	if f := p.text(`[data-testid="flash"]`); !strings.Contains(f, "carla.rocha@example.com") {
		t.Errorf("flash after sending: %q", f)
	}
	mails, err := s.Store.QueuedMails(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	attached := false
	for _, m := range mails {
		for _, a := range m.Mail.Attachments {
			attached = attached || (m.Mail.To == "carla.rocha@example.com" && a.ContentType == "application/pdf" && bytes.HasPrefix(a.Data, []byte("%PDF-")))
		}
	}
	if !attached {
		t.Error("no mail with the ESIS PDF queued for the client")
	}

	// The issue checked the rules: the simulation is validated and converts.
	p.do(chromedp.WaitVisible(`[data-testid="convert"]`), chromedp.Click(`[data-testid="convert"]`),
		chromedp.WaitVisible(`[data-testid="process-heading"]`))
	if st := p.strings(`[document.querySelector('[data-testid="esis-validity"]').dataset.state]`)[0]; st != "valid" {
		t.Errorf("process page ESIS state %s", st)
	}
	if v := p.text(`[data-testid="esis-validity"]`); !strings.HasPrefix(v, "ESIS valid until ") {
		t.Errorf("process page says %q", v)
	}
	if href := p.strings(`[document.querySelector('[data-testid="from-simulation"]').href]`)[0]; href != simURL {
		t.Errorf("process links to %s, want %s", href, simURL)
	}
	p.screenshot("process-from-simulation")
	p.axe("the simulation's process")
}

// axe fails the test for each accessibility violation on the page.
func (p page) axe(where string) {
	p.t.Helper()
	found, err := webtest.Axe(p.ctx)
	if err != nil {
		p.t.Fatalf("%s: axe: %v", where, err)
	}
	for _, v := range found {
		p.t.Errorf("%s: %s", where, v)
	}
}

// The simulations list (empty, then with a row), the simulator and the
// simulation page, in both languages, on a phone and a desktop: nothing
// scrolls sideways and axe-core finds no violation. (The pages' own
// test, beside TestBrowserEveryPage, which is near its time budget.)
func TestBrowserSimulationPages(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	id := saveSimulation(t, c, simForm("20"))
	for _, lang := range []string{"pt-PT", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			p := page{t, webtest.Browser(t)}
			if lang == "pt-PT" {
				p.do(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(`#email`),
					chromedp.Click(`[data-testid="language-switch"] button`))
				waitLang(t, p, lang)
			}
			for _, who := range []struct {
				email string
				paths []string
			}{{ana, []string{"/simulations", "/simulations?q=nothing-like-it", "/simulations/new", "/simulations/" + id,
				"/simulations/" + id + "/edit"}}, {marta, []string{"/simulations", "/simulations/" + id}}} {
				p.signIn(s.URL, who.email)
				for _, path := range who.paths {
					for _, size := range [][2]int64{{390, 844}, {1280, 900}} {
						where := lang + " " + path + " at " + map[int64]string{390: "390 px", 1280: "1280 px"}[size[0]]
						p.do(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(s.URL+path), chromedp.WaitReady(`body`))
						waitLang(t, p, lang)
						if w := p.strings(`[String(document.documentElement.scrollWidth), String(window.innerWidth)]`); w[0] != w[1] {
							t.Errorf("%s (%s) is %s px wide in %s px", where, who.email, w[0], w[1])
						}
						p.axe(where + " (" + who.email + ")")
						p.screenshot(strings.NewReplacer("/", "_", "?", "_", "=", "_", " ", "_").Replace("simpage-" + where))
					}
				}
				p.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`#email`))
			}
		})
	}
}
