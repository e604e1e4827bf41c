package ui_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portal/models/store"
	"portal/web/webtest"
)

// A process of Lisboa whose thread is empty in the demo data.
func quietProcess(t *testing.T, s *webtest.Server) (uuid, number string) {
	t.Helper()
	err := s.Store.DB().Raw(`SELECT p.uuid, p.process_number FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = 'BRK-LIS-001' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.process_id = p.id)
		ORDER BY p.process_number LIMIT 1`).Row().Scan(&uuid, &number)
	if err != nil {
		t.Fatalf("no quiet Lisboa process: %v", err)
	}
	return uuid, number
}

func TestBrowserThreadBrokerAndStaff(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	id, number := quietProcess(t, s)
	anaTab := page{t, webtest.Browser(t)}
	martaTab := page{t, webtest.Browser(t)}

	// Ana opens the empty thread and posts with htmx: the message appears,
	// the form is cleared.
	anaTab.signIn(s.URL, ana)
	anaTab.do(
		chromedp.Navigate(s.URL+"/processes/"+id),
		chromedp.WaitVisible(`[data-testid="thread-empty"]`),
		// An empty text is refused inline.
		chromedp.Click(`#compose button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="text-error"]`),
		chromedp.Click(`[data-testid="add-subject"]`),
		chromedp.SendKeys(`#subject`, "Payslips"),
		chromedp.SendKeys(`#text`, "Hello,\nthe client's last three payslips are attached.\n<b>not bold</b>"),
		chromedp.Click(`#compose button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="message"]`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#text').value === '' && !document.querySelector('[data-testid="text-error"]')`),
	)
	if got := anaTab.text(`[data-testid="message-text"]`); !strings.Contains(got, "<b>not bold</b>") {
		t.Errorf("message text shown as %q", got)
	}
	anaTab.screenshot("thread-broker")

	// Marta finds it in the queue as waiting for the bank and replies.
	martaTab.signIn(s.URL, marta)
	martaTab.do(
		chromedp.Navigate(s.URL+"/staff/threads?filter=waiting"),
		chromedp.WaitVisible(`[data-testid="queue-row"]`),
	)
	martaTab.screenshot("queue")
	rows := martaTab.strings(`[...document.querySelectorAll('[data-testid="queue-row"]')].map(r => r.dataset.process)`)
	found := false
	for _, r := range rows {
		found = found || r == id
	}
	if !found {
		t.Fatalf("process %s not in the waiting queue %v", number, rows)
	}
	martaTab.do(
		chromedp.Click(`[data-testid="queue-row"][data-process="`+id+`"] a`),
		chromedp.WaitVisible(`[data-testid="process-summary"]`),
		chromedp.SendKeys(`#text`, "Thank you, received. The valuation is scheduled for Monday."),
		chromedp.Click(`#compose button[type="submit"]`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="message"]').length === 2`),
	)
	martaTab.screenshot("thread-staff")

	// Ana's open page shows the reply within the poll interval, without reloading.
	start := time.Now()
	anaTab.do(chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="message"]').length === 2`,
		chromedp.WithPollingTimeout(12*time.Second)))
	if waited := time.Since(start); waited > 11*time.Second {
		t.Errorf("reply took %s to appear", waited)
	}
	kinds := anaTab.strings(`[...document.querySelectorAll('[data-testid="message"]')].map(m => m.dataset.authorKind)`)
	if strings.Join(kinds, ",") != "broker,bank" {
		t.Errorf("thread order/kinds %v", kinds)
	}

	// Back on her list, Ana sees a second reply as unread.
	anaTab.do(chromedp.Navigate(s.URL+"/processes?q="+number), chromedp.WaitVisible(`[data-testid="process-row"]`))
	martaTab.do(
		chromedp.SendKeys(`#text`, "One more thing: please confirm the deed date."),
		chromedp.Click(`#compose button[type="submit"]`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="message"]').length === 3`),
	)
	anaTab.do(chromedp.Reload(), chromedp.WaitVisible(`[data-testid="unread-count"]`))
	if n := anaTab.text(`[data-testid="unread-count"]`); !strings.HasPrefix(n, "1") {
		t.Errorf("unread count shows %q, want 1", n)
	}

	// The partner API lists all three, newest first, with the right sides.
	c := s.Client(t)
	token := s.PartnerToken(t, "BRK-LIS-001", ana)
	res := c.Get("/v1/processes/"+id+"/message", "Authorization", "Bearer "+token)
	var list struct {
		Messages []struct {
			Text, AuthorType, Username string
		}
		TotalCount int
	}
	if err := json.Unmarshal([]byte(res.Body), &list); err != nil || res.StatusCode != 200 {
		t.Fatalf("API list: %d %s", res.StatusCode, res.Body)
	}
	if list.TotalCount != 3 || len(list.Messages) != 3 || list.Messages[0].AuthorType != "bank" ||
		list.Messages[2].AuthorType != "broker" || list.Messages[2].Username != ana {
		t.Fatalf("API list %+v", list)
	}

	// The waiting queue no longer lists it; answered does.
	martaTab.do(chromedp.Navigate(s.URL+"/staff/threads?filter=waiting"), chromedp.WaitVisible(`h1`))
	if n := martaTab.strings(`[...document.querySelectorAll('[data-testid="queue-row"][data-process="` + id + `"]')].map(r => r.dataset.process)`); len(n) != 0 {
		t.Error("answered thread still waiting")
	}
}
