package ui_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// readAllOf opens every unread message of the customer signed in as c, so
// the next message is the only unread one.
func readAllOf(t *testing.T, c *webtest.Client) {
	t.Helper()
	for _, r := range inboxRows(c.Get("/inbox?limit=500").Doc(t)) {
		if r.Unread {
			if res := c.Get("/inbox/" + r.ID); res.StatusCode != http.StatusOK {
				t.Fatalf("open %s: %d", r.ID, res.StatusCode)
			}
		}
	}
}

const indicatorHidden = `getComputedStyle(document.querySelector('#compose .htmx-indicator')).opacity === '0'`

const unreadBadge = `document.querySelector('header [data-testid="inbox-unread-count"]')`

func TestBrowserMartaWritesMariaReads(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	setup := s.Client(t)
	setup.Login(maria)
	readAllOf(t, setup)
	martaTab := page{t, webtest.Browser(t)}
	mariaTab := page{t, webtest.Browser(t)}
	text := "Dear Maria,\nthe valuation of your home is booked for Monday at 10:00.\nKind regards"

	// Marta finds Maria and writes to her with htmx: the message is on top,
	// unread, and the form is cleared.
	martaTab.signIn(s.URL, marta)
	martaTab.do(
		chromedp.Click(`header nav a[href="/staff/customers"]`),
		chromedp.WaitVisible(`#q`),
		// The search form is a plain GET; navigating to its URL avoids racing
		// the first page's rows (an empty search lists customers too).
		chromedp.Navigate(s.URL+"/staff/customers?q=Ferreira"),
		chromedp.WaitVisible(`[data-testid="customer-row"]`),
	)
	martaTab.screenshot("customers-search")
	martaTab.do(
		chromedp.Click(`[data-testid="customer-row"] a`),
		chromedp.WaitVisible(`#compose`),
		// An empty message is refused next to the field.
		chromedp.SetValue(`#transport`, "EMAIL"),
		chromedp.Click(`#compose button[type="submit"]`),
		chromedp.WaitVisible(`[data-testid="message-error"]`),
	)
	martaTab.do(chromedp.Poll[chromedp.Void](indicatorHidden))
	martaTab.screenshot("customer-compose-error")
	before := len(martaTab.strings(`[...document.querySelectorAll('[data-testid="customer-message"]')].map(m => m.id)`))
	martaTab.do(
		chromedp.SendKeys(`#from_department`, "Mortgages"),
		chromedp.SendKeys(`#message`, text),
		chromedp.Click(`#compose button[type="submit"]`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('[data-testid="customer-message"]').length === `+strconv.Itoa(before+1)+
			` && document.querySelector('#message').value === '' && !document.querySelector('[data-testid="message-error"]')`),
	)
	if got := martaTab.strings(`[document.querySelector('[data-testid="customer-message"] [data-testid="message-body"]').innerText]`)[0]; got != text {
		t.Fatalf("top message %q", got)
	}
	if st := martaTab.text(`[data-testid="customer-message"] [data-testid="message-read-state"]`); st != "Unread" {
		t.Fatalf("new message state %q", st)
	}
	// The "Sending…" indicator fades out once the answer is in.
	martaTab.do(chromedp.Poll[chromedp.Void](indicatorHidden))
	customerURL := martaTab.location()
	martaTab.screenshot("customer-staff")

	// Maria signs in: one unread in the header, bold at the top.
	mariaTab.signIn(s.URL, maria)
	mariaTab.do(chromedp.WaitVisible(`[data-testid="inbox-row"]`))
	if !strings.HasSuffix(mariaTab.location(), "/inbox") {
		t.Fatalf("Maria landed on %s", mariaTab.location())
	}
	if n := mariaTab.strings(`[` + unreadBadge + `.querySelector('[aria-hidden]').textContent.trim()]`); n[0] != "1" {
		t.Fatalf("header count %v, want 1", n)
	}
	unread := mariaTab.strings(`[...document.querySelectorAll('[data-testid="inbox-row"][data-unread="true"]')].map(r => r.dataset.message)`)
	first := mariaTab.strings(`[document.querySelector('[data-testid="inbox-row"]').dataset.message, getComputedStyle(document.querySelector('[data-testid="inbox-row"] [data-testid="inbox-excerpt"]')).fontWeight]`)
	if len(unread) != 1 || unread[0] != first[0] || first[1] < "600" {
		t.Fatalf("unread rows %v, first row %v", unread, first)
	}
	mariaTab.screenshot("inbox")

	// She opens it: in full with its line breaks; the count is gone.
	mariaTab.do(
		chromedp.Click(`[data-testid="inbox-row"] a`),
		chromedp.WaitVisible(`[data-testid="message-body"]`),
	)
	if body := mariaTab.strings(`[document.querySelector('[data-testid="message-body"]').innerText]`)[0]; body != text {
		t.Fatalf("message body %q", body)
	}
	if gone := mariaTab.strings(`[String(` + unreadBadge + ` === null)]`)[0]; gone != "true" {
		t.Fatal("the header still counts an unread message after opening it")
	}
	mariaTab.screenshot("inbox-message")
	mariaTab.do(chromedp.Click(`a[href="/inbox"].btn-link`), chromedp.WaitVisible(`[data-testid="inbox-row"]`))
	if st := mariaTab.strings(`[document.querySelector('[data-testid="inbox-row"]').dataset.unread, String(` + unreadBadge + ` === null)]`); st[0] != "false" || st[1] != "true" {
		t.Fatalf("after reading: first row unread=%s, badge gone=%s", st[0], st[1])
	}

	// Marta sees it as read.
	martaTab.do(chromedp.Navigate(customerURL), chromedp.WaitVisible(`[data-testid="customer-message"]`))
	if st := martaTab.text(`[data-testid="customer-message"] [data-testid="message-read-state"]`); !strings.HasPrefix(st, "Read ") {
		t.Fatalf("Marta sees the message as %q", st)
	}
	martaTab.screenshot("customer-staff-read")
}

func TestBrowserEntitlementsAndTheRolePage(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	nunoTab := page{t, webtest.Browser(t)}
	adminTab := page{t, webtest.Browser(t)}

	nunoTab.signIn(s.URL, nuno)
	nunoTab.do(chromedp.Click(`header nav a[href="/staff/customers"]`), chromedp.WaitVisible(`[data-testid="error-page"]`))
	if msg := nunoTab.text(`[data-testid="error-page"]`); !strings.Contains(msg, "You need the role "+models.RoleCanGetCustomerMessages) {
		t.Fatalf("Nuno sees %q", msg)
	}
	nunoTab.screenshot("role-needed")

	adminTab.signIn(s.URL, adminEmail)
	row := `[data-testid="entitlement-user"][data-email="` + nuno + `"]`
	adminTab.do(
		chromedp.Click(`a[href="/admin/entitlements"].btn`),
		chromedp.WaitVisible(row),
		chromedp.SetValue(row+` select[name="role"]`, models.RoleCanGetCustomerMessages),
		chromedp.Click(row+` [data-testid="grant-form"] button`),
		chromedp.WaitVisible(`[data-testid="flash"]`),
		chromedp.WaitVisible(row+` [data-testid="entitlement-role"]`),
	)
	adminTab.screenshot("entitlements")

	nunoTab.do(chromedp.Reload(), chromedp.WaitVisible(`#q`))
	adminTab.do(
		chromedp.Click(row+` [data-testid="revoke"]`),
		chromedp.WaitVisible(row+` [data-testid="no-roles"]`),
	)
	nunoTab.do(chromedp.Reload(), chromedp.WaitVisible(`[data-testid="error-page"]`))
}
