package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// The queue refreshes itself in the browser: not while the tab is hidden,
// at once when it shows again (besides every 30 seconds), with the new
// thread first and the tabs' counts updated.
func TestBrowserReplyQueueRefreshes(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	martaTab := page{t, webtest.Browser(t)}
	martaTab.signIn(s.URL, marta)
	martaTab.do(chromedp.Navigate(s.URL+"/staff/threads?filter=all"), chromedp.WaitVisible(`[data-testid="queue-row"]`))
	const first = `document.querySelector('[data-testid="queue-row"]').dataset.process`
	const waitingCount = `document.querySelector('[data-testid="queue-count-waiting"] [aria-hidden="true"]').textContent`
	before := martaTab.strings(`[` + first + `, ` + waitingCount + `]`)

	a := s.Client(t)
	a.Login(ana)
	if res := a.PostForm("/processes/"+id+"/messages", url.Values{"text": {"Seen from the queue?"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("post: %d", res.StatusCode)
	}
	setHidden := func(hidden bool) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`Object.defineProperty(document, "hidden", {configurable: true, get: () => ` +
			strconv.FormatBool(hidden) + `}); document.dispatchEvent(new Event("visibilitychange"))`)
	}
	martaTab.do(setHidden(true), chromedp.Sleep(time.Second))
	if got := martaTab.strings(`[` + first + `]`); got[0] != before[0] {
		t.Fatalf("a hidden tab refreshed the queue: first row %s", got[0])
	}
	n, _ := strconv.Atoi(before[1])
	martaTab.do(setHidden(false),
		chromedp.Poll[chromedp.Void](first+` === "`+id+`" && `+waitingCount+` === "`+strconv.Itoa(n+1)+`"`, chromedp.WithPollingTimeout(10*time.Second)))
	// One list, one set of tabs, one poll: the refresh replaced, not added.
	if got := martaTab.strings(`["#queue-list", "#queue-tabs", "#queue-poll"].map(s => document.querySelectorAll(s).length + "")`); got[0] != "1" || got[1] != "1" || got[2] != "1" {
		t.Errorf("after the refresh: list, tabs, poll %v", got)
	}
	martaTab.screenshot("queue-refreshed")
}
