package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// Marta finds a submitted Lisboa process in the staff list, moves it to
// "In analysis" and then to "Approved", each with a comment; Ana, in a
// browser of her own, sees both steps and both comments on the process.
func TestBrowserStaffDecidesBrokerSees(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	var id, number, lisboa string
	s.Store.DB().Raw(`SELECT p.uuid, p.process_number, f.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = 'BRK-LIS-001' AND p.status_id = 2 ORDER BY p.process_number LIMIT 1`).Row().Scan(&id, &number, &lisboa)
	if id == "" {
		t.Fatal("the demo has no submitted Lisboa process")
	}

	marta := page{t, webtest.Browser(t)}
	marta.signIn(s.URL, "marta.santos@bank.example")
	// The header leads to the staff list; filtered to Lisboa's submitted processes.
	marta.do(chromedp.Click(`header a[href="/staff/processes"]`), chromedp.WaitVisible(`#firm`))
	marta.do(chromedp.Navigate(s.URL+"/staff/processes?status=2&firm="+lisboa), chromedp.WaitVisible(`[data-testid="process-row"]`))
	if got := marta.strings(listedNumbers); !contains(got, number) {
		t.Fatalf("the staff list of Lisboa's submitted processes is %v, without %s", got, number)
	}
	marta.do(chromedp.Click(`[data-testid="process-row"] a[href="/processes/`+id+`"]`), chromedp.WaitVisible(`[data-testid="decide"]`))

	marta.decide("3", "In analysis", "Payslips received, analysing.")
	if !strings.Contains(marta.text(`[data-testid="flash"]`), "The process is now In analysis.") {
		t.Error("no confirmation after the first decision")
	}
	marta.decide("5", "Approved", "Approved at the agreed spread.")
	marta.screenshot("decide-approved")

	ana := page{t, webtest.Browser(t)}
	ana.signIn(s.URL, "ana.silva@lisboa-credito.example")
	ana.do(chromedp.Navigate(s.URL+"/processes/"+id), chromedp.WaitVisible(`[data-testid="process-status"]`))
	if got := ana.text(`[data-testid="process-status"]`); got != "Approved" {
		t.Fatalf("Ana sees status %q", got)
	}
	if ana.bool(`!!document.querySelector('[data-testid="decide"]')`) {
		t.Fatal("Ana sees the bank's decision panel")
	}
	all := ana.strings(`[document.querySelector("main").textContent]`)[0]
	for _, want := range []string{"Payslips received, analysing.", "Approved at the agreed spread.", "In analysis"} {
		if !strings.Contains(all, want) {
			t.Errorf("Ana's process page lacks %q", want)
		}
	}
}

// decide makes the bank's move to status to (its id) on the process page
// shown, with comment, and waits for the page to show label.
func (p page) decide(to, label, comment string) {
	p.t.Helper()
	sel := `[data-testid="decide-move"][data-status="` + to + `"]`
	p.do(chromedp.Click(sel+` summary`), chromedp.WaitVisible(sel+` textarea`),
		chromedp.SendKeys(sel+` textarea`, comment), chromedp.Click(sel+` button[type="submit"]`))
	p.waitFor(`document.readyState === "complete" && !!document.querySelector('[data-testid="process-status"]') && document.querySelector('[data-testid="process-status"]').textContent.trim() === "` + label + `"`)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
