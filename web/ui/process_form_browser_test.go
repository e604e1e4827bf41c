package ui_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// fill sets the inputs of the form sel by id (checkboxes: "on" ticks).
func (p page) fill(sel string, values map[string]string) {
	p.t.Helper()
	b, _ := json.Marshal(values)
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const f = document.querySelector(` + strconv.Quote(sel) + `);
		for (const [id, v] of Object.entries(` + string(b) + `)) {
			const el = f.querySelector("#" + CSS.escape(id));
			if (!el) throw new Error("no input " + id);
			if (el.type === "checkbox") el.checked = v === "on"; else el.value = v;
		}
	})()`))
}

// choose picks value in the select sel as a user would: the change event
// fires (the cascade's htmx requests listen to it).
func (p page) choose(sel, value string) {
	p.t.Helper()
	p.do(chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector(` + strconv.Quote(sel) + `);
		el.value = ` + strconv.Quote(value) + `; el.dispatchEvent(new Event("change", {bubbles: true})); })()`))
}

const checklistCount = `document.querySelectorAll('[data-testid="checklist-item"]').length`

func (p page) count(js string) int {
	p.t.Helper()
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](js))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return n
}

// Ana creates a process through the guided form, adds the key borrower
// and a co-borrower, sets the property through the cascade, watches the
// checklist shrink to nothing and submits; the process page shows the
// timeline. Rui, opening the process's address, gets the not-found page.
func TestBrowserGuidedProcessForm(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, ana)

	p.do(chromedp.WaitVisible(`[data-testid="new-process"]`), chromedp.Click(`[data-testid="new-process"]`),
		chromedp.WaitVisible(`#loanAmount`))
	p.do(chromedp.SendKeys(`#loanAmount`, "241 000,00"), chromedp.SendKeys(`#loanDurationMonths`, "30"))
	p.fill(`[data-testid="loan-form"]`, map[string]string{"loanDurationUnit": "years", "productSchemeId": "1",
		"loanPurposeId": "1", "productPurposeId": "1", "hasCrossSelling": "on"})
	p.screenshot("new-process")
	p.do(chromedp.Click(`[data-testid="save-loan"]`))
	p.waitFor(`location.search === "?step=key" && !!document.querySelector('[data-testid="key-borrower-form"]')`)
	id := strings.TrimSuffix(strings.SplitN(p.location(), "/processes/", 2)[1], "/edit?step=key")
	start := p.count(checklistCount)
	if start == 0 || !p.bool(`document.querySelector('[data-testid="checklist-item"] a').getAttribute("href").endsWith("?step=key#name")`) {
		t.Fatalf("checklist at the start: %d items", start)
	}

	key := map[string]string{}
	for k, v := range keyBorrowerForm {
		if k != "borrowerTypeId" {
			key[k] = v[0]
		}
	}
	p.fill(`[data-testid="key-borrower-form"]`, key)
	p.do(chromedp.Click(`[data-testid="save-key-borrower"]`))
	p.waitFor(`location.search === "?step=borrowers" && !!document.querySelector('[data-testid="borrower-form"]')`)
	// On a phone the step and its checklist fit the width.
	p.do(chromedp.EmulateViewport(390, 844), chromedp.Reload())
	p.waitFor(`document.readyState === "complete" && !!document.querySelector('[data-testid="borrower-form"]')`)
	if !p.bool(`document.documentElement.scrollWidth <= window.innerWidth`) {
		t.Error("the borrowers step scrolls sideways on a phone")
	}
	p.screenshot("borrowers-step-phone")
	p.do(chromedp.EmulateViewport(1280, 900))
	afterKey := p.count(checklistCount)
	if afterKey >= start {
		t.Errorf("the checklist did not shrink with the key borrower: %d -> %d", start, afterKey)
	}

	co := map[string]string{}
	for k, v := range coBorrowerForm {
		if k != "borrowerTypeId" {
			co[k] = v[0]
		}
	}
	p.fill(`[data-testid="borrower-form"]`, co)
	p.do(chromedp.Click(`[data-testid="save-borrower"]`))
	p.waitFor(`document.querySelectorAll('[data-testid="other-borrower"]').length === 1`)
	if got := p.text(`[data-testid="other-borrower"]`); !strings.Contains(got, "Tiago Marques") || !strings.Contains(got, "Spouse") {
		t.Errorf("other borrower listed as %q", got)
	}

	// The property: district, then its municipalities arrive, then the parishes.
	p.do(chromedp.Click(`[data-testid="to-property"]`))
	p.waitFor(`!!document.querySelector('[data-testid="property-form"]')`)
	p.choose(`#property-district`, "11")
	p.waitFor(`!!document.querySelector('#property-county option[value="148"]')`)
	p.choose(`#property-county`, "148")
	p.waitFor(`!!document.querySelector('#property-parish option[value="1559"]')`)
	p.choose(`#property-parish`, "1559")
	p.fill(`[data-testid="property-form"]`, map[string]string{"propertyTypologyId": "3", "acquisitionAmount": "300 000",
		"address": "Rua do Sol", "doorNumber": "4", "zipCode": "2580-001", "zipCodeLocal": "Alenquer"})
	p.screenshot("property-step")
	p.do(chromedp.Click(`[data-testid="save-property"]`))
	p.waitFor(`!!document.querySelector('[data-testid="checklist-complete"]')`)
	if n := p.count(checklistCount); n != 0 {
		t.Fatalf("%d checklist items after every step", n)
	}
	if got := p.strings(`[document.querySelector("#property-parish option:checked").textContent]`)[0]; got != "Carnota" {
		t.Errorf("stored parish shows %q", got)
	}

	p.do(chromedp.Click(`[data-testid="submit-process"]`))
	p.waitFor(`!!document.querySelector('[data-testid="process-status"]') && document.querySelector('[data-testid="process-status"]').textContent.trim() === "Submitted"`)
	p.do(chromedp.Click(`#tab-history-tab`), chromedp.Poll[chromedp.Void](`!document.querySelector("#tab-history").hidden`))
	entries := p.strings(`[...document.querySelectorAll('[data-testid="timeline-entry"]')].map(e => e.textContent.replace(/\s+/g, " ").trim())`)
	joined := strings.Join(entries, " | ")
	for _, want := range []string{"Created: In creation", "Borrower added: Tiago Marques", "Property changed", "In creation → Submitted", "Ana Silva"} {
		if !strings.Contains(joined, want) {
			t.Errorf("timeline lacks %q: %s", want, joined)
		}
	}
	p.screenshot("submitted-timeline")

	// Marta, in a browser of her own, takes it into analysis and approves it;
	// Ana sees each step, by whom and with its comment, in the timeline.
	marta := page{t, webtest.Browser(t)}
	marta.signIn(s.URL, "marta.santos@bank.example")
	marta.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.WaitVisible(`[data-testid="decide"]`))
	marta.decide("3", "In analysis", "Documents look complete, analysing.")
	marta.decide("5", "Approved", "Approved as simulated.")
	p.do(chromedp.Reload())
	p.waitFor(`document.readyState === "complete" && document.querySelector('[data-testid="process-status"]').textContent.trim() === "Approved"`)
	p.do(chromedp.Click(`#tab-history-tab`), chromedp.Poll[chromedp.Void](`!document.querySelector("#tab-history").hidden`))
	joined = strings.Join(p.strings(`[...document.querySelectorAll('[data-testid="timeline-entry"]')].map(e => e.textContent.replace(/\s+/g, " ").trim())`), " | ")
	for _, want := range []string{"Submitted → In analysis", "Documents look complete, analysing.", "In analysis → Approved",
		"Approved as simulated.", "Marta Santos"} {
		if !strings.Contains(joined, want) {
			t.Errorf("after the bank's decisions the timeline lacks %q: %s", want, joined)
		}
	}

	// Rui opens the process's address: not found.
	p.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`#email`))
	p.signIn(s.URL, rui)
	p.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.WaitVisible(`[data-testid="error-page"]`))
	if h := p.text(`[data-testid="error-page"] h1`); h != "Page not found" {
		t.Fatalf("Ana's process for Rui shows %q", h)
	}
}
