package ui_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// The loop of issue 13 in two browsers: Marta requests a payslip and an
// IRS return for Ana's process; Ana sees both on the checklist and in the
// thread and uploads a file for each, a progress bar per file; Marta
// rejects one with a reason and accepts the other; Ana replaces the
// rejected one; Marta accepts it and the request shows as resolved.
func TestBrowserDocumentRequestLoop(t *testing.T) {
	t.Parallel()
	s := webtest.New(t, store.SQLite)
	id := processIn(t, s, "BRK-LIS-001", models.StatusInAnalysis, 0)
	dir := t.TempDir()
	file := func(name string, seed byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pdfBytes(200<<10, seed), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	payslip, irs, irs2 := file("payslip.pdf", 1), file("irs.pdf", 2), file("irs-2025.pdf", 3)
	docsURL := s.URL + "/processes/" + id + "#tab-documents"
	flash := func(p page, want string) {
		t.Helper()
		p.waitFor(`document.readyState === "complete" && !!document.querySelector('[data-testid="flash"]') && document.querySelector('[data-testid="flash"]').textContent.includes(` + strconv.Quote(want) + `)`)
	}
	// docSel is the selector of the document uploaded as name.
	docSel := func(p page, name string) string {
		t.Helper()
		v := p.strings(`[...document.querySelectorAll('[data-testid="document"]')].filter(d => d.querySelector('[data-testid="document-download"]').textContent.trim() === ` + strconv.Quote(name) + `).map(d => d.dataset.document)`)
		if len(v) != 1 {
			t.Fatalf("documents named %s: %v", name, v)
		}
		return `[data-document="` + v[0] + `"]`
	}

	marta := page{t, webtest.Browser(t)}
	marta.signIn(s.URL, "marta.santos@bank.example")
	marta.do(chromedp.Navigate(docsURL), chromedp.WaitVisible(`[data-testid="request-box"] summary`),
		chromedp.Click(`[data-testid="request-box"] summary`), chromedp.WaitVisible(`#req-type-0`))
	key := marta.strings(`[document.querySelector('#req-borrower-0 option[value]:not([value=""])').value]`)[0]
	marta.do(
		chromedp.SetValue(`#req-type-0`, "6"), chromedp.SetValue(`#req-borrower-0`, key),
		chromedp.SendKeys(`#req-note-0`, "The last three months"),
		chromedp.SetValue(`#req-type-1`, "7"), chromedp.SetValue(`#req-borrower-1`, key),
		chromedp.SendKeys(`#request-note`, "For the risk analysis."),
		chromedp.Click(`[data-testid="request-submit"]`),
	)
	flash(marta, "2 documents requested")

	ana := page{t, webtest.Browser(t)}
	ana.signIn(s.URL, "ana.silva@lisboa-credito.example")
	ana.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.WaitVisible(`#thread`))
	if thread := ana.text(`#thread`); !strings.Contains(thread, "For the risk analysis.") {
		t.Errorf("the thread does not show the request:\n%s", thread)
	}
	ana.do(chromedp.Click(`#tab-documents-tab`), chromedp.WaitVisible(`[data-testid="checklist"]`))
	lines := ana.strings(`[...document.querySelectorAll('[data-testid="checklist-item"][data-requested]')].map(l => l.dataset.type + ":" + l.dataset.state)`)
	if strings.Join(lines, ",") != "6:missing,7:missing" {
		t.Fatalf("requested lines %v", lines)
	}
	if note := ana.text(`[data-testid="checklist-item"][data-requested] [data-testid="checklist-note"]`); note != "The last three months" {
		t.Errorf("the payslip line's note is %q", note)
	}
	// uploaded waits for the file's row in the refreshed tab's results.
	uploaded := func(name string) {
		t.Helper()
		ana.waitFor(`[...document.querySelectorAll('[data-testid="upload-results"] [data-testid="upload-progress"][data-state="done"]')].some(li => li.textContent.includes(` + strconv.Quote(name) + `))`)
	}
	// One file on each requested line, sent by the script with progress.
	upload := func(line, path string) {
		t.Helper()
		sel := `[data-testid="checklist-item"][data-requested][data-type="` + line + `"]`
		ana.do(chromedp.SetUploadFiles(sel+` [data-testid="line-file"]`, []string{path}), chromedp.Click(sel+` [data-testid="line-submit"]`))
		uploaded(filepath.Base(path))
		if v := ana.strings(`[...document.querySelectorAll('[data-testid="upload-results"] progress')].map(p => String(p.value))`); len(v) != 1 || v[0] != "100" {
			t.Errorf("progress after the upload: %v", v)
		}
	}
	upload("6", payslip)
	ana.screenshot("documents-uploaded-one")
	upload("7", irs)
	lines = ana.strings(`[...document.querySelectorAll('[data-testid="checklist-item"][data-requested]')].map(l => l.dataset.state)`)
	if strings.Join(lines, ",") != "uploaded,uploaded" {
		t.Fatalf("after the uploads the lines are %v", lines)
	}

	marta.do(chromedp.Navigate("about:blank"), chromedp.Navigate(docsURL), chromedp.WaitVisible(`[data-testid="checklist"]`))
	irsDoc, payDoc := docSel(marta, "irs.pdf"), docSel(marta, "payslip.pdf")
	marta.do(chromedp.Click(irsDoc+` [data-testid="reject-box"] summary`), chromedp.WaitVisible(irsDoc+` [data-testid="reject-reason"]`),
		chromedp.SendKeys(irsDoc+` [data-testid="reject-reason"]`, "The tax assessment is missing."),
		chromedp.Click(irsDoc+` [data-testid="reject-document"]`))
	flash(marta, "irs.pdf rejected")
	marta.do(chromedp.WaitVisible(payDoc+` [data-testid="accept-document"]`), chromedp.Click(payDoc+` [data-testid="accept-document"]`))
	flash(marta, "payslip.pdf accepted")

	ana.do(chromedp.Navigate("about:blank"), chromedp.Navigate(docsURL), chromedp.WaitVisible(`[data-testid="checklist"]`))
	irsDoc = docSel(ana, "irs.pdf")
	if r := ana.text(irsDoc + ` [data-testid="document-reason"]`); !strings.Contains(r, "The tax assessment is missing.") {
		t.Errorf("Ana sees the rejection as %q", r)
	}
	ana.do(chromedp.SetUploadFiles(irsDoc+` [data-testid="replace-file"]`, []string{irs2}), chromedp.Click(irsDoc+` [data-testid="replace-document"]`))
	uploaded("irs-2025.pdf")
	if got := ana.text(irsDoc + ` [data-testid="document-state"]`); got != "Uploaded, awaiting review" {
		t.Errorf("the replaced document is %q", got)
	}

	marta.do(chromedp.Navigate("about:blank"), chromedp.Navigate(docsURL), chromedp.WaitVisible(`[data-testid="checklist"]`))
	irsDoc = docSel(marta, "irs-2025.pdf")
	marta.do(chromedp.Click(irsDoc + ` [data-testid="accept-document"]`))
	flash(marta, "irs-2025.pdf accepted")
	marta.waitFor(`!!document.querySelector('[data-testid="request"][data-resolved]')`)
	if got := marta.text(`[data-testid="request"] [data-testid="request-state"]`); got != "Resolved" {
		t.Errorf("the request shows %q", got)
	}
	marta.screenshot("documents-resolved")
}
