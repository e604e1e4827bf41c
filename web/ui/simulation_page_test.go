package ui_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// "Issue ESIS" answers the PDF as a download; a simulation failing a rule
// gets the failing rules and "Issue anyway" instead (422), which issues.
func TestIssueEsisDownloadsThePDF(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		id := saveSimulation(t, c, simForm("20")) // DSTI not met
		res := c.PostForm("/simulations/"+id+"/esis", url.Values{})
		doc := res.Doc(t)
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="esis-rules-failed"] [data-code="DSTI"]`).Length() != 1 ||
			doc.Find(`[data-testid="issue-anyway"]`).Length() != 1 {
			t.Fatalf("issue with a failing rule: %d\n%s", res.StatusCode, clip(res.Body))
		}
		if why := doc.Find(`[data-testid="esis-rules-failed"] [data-code="DSTI"] [data-testid="rule-why"]`).Text(); !strings.Contains(why, "above the limit of 50.0%") {
			t.Errorf("failing DSTI reads %q", why)
		}
		res = c.PostForm("/simulations/"+id+"/esis", url.Values{"ignoreRules": {"true"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" ||
			!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || !strings.HasPrefix(res.Body, "%PDF-") {
			t.Fatalf("issue anyway: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
		}
		page := c.Get("/simulations/" + id)
		pdoc := page.Doc(t)
		if st := pdoc.Find(`[data-testid="esis-validity"]`).AttrOr("data-state", ""); st != "valid" {
			t.Errorf("ESIS state after the issue: %q", st)
		}
		link, ok := pdoc.Find(`[data-testid="esis-download"]`).Attr("href")
		if !ok {
			t.Fatal("no download link for the issued ESIS")
		}
		dl := c.Get(link)
		if dl.StatusCode != http.StatusOK || dl.Header.Get("Content-Type") != "application/pdf" || dl.Body != res.Body {
			t.Errorf("stored ESIS download: %d %q, same PDF %v", dl.StatusCode, dl.Header.Get("Content-Type"), dl.Body == res.Body)
		}
		// Another firm's broker: the same 404 as a missing simulation, for
		// the download, the issue and the e-mail.
		other := s.Client(t)
		other.Login(rui)
		for _, r := range []*webtest.Response{other.Get(link), other.PostForm("/simulations/"+id+"/esis", url.Values{"ignoreRules": {"true"}}),
			other.PostForm("/simulations/"+id+"/esis/email", url.Values{"sendAddress": {"x@example.com"}})} {
			if r.StatusCode != http.StatusNotFound {
				t.Errorf("Rui on Ana's ESIS: %d", r.StatusCode)
			}
		}
		if r := c.Get("/simulations/00000000-0000-4000-8000-000000000000/esis/" + strings.TrimPrefix(link, "/simulations/"+id+"/esis/")); r.StatusCode != http.StatusNotFound {
			t.Errorf("ESIS under another simulation's address: %d", r.StatusCode)
		}
	})
}

// "Send by e-mail" refuses a bad address next to its field and queues a
// good one's mail with the PDF attached.
func TestEmailEsisQueuesTheMailWithThePDF(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, tc := range []struct{ lang, flash string }{{"en", "being sent to"}, {"pt-PT", "está a ser enviada para"}} {
		c := s.ClientIn(t, tc.lang)
		c.Login(ana)
		id := saveSimulation(t, c, simForm("35"))
		res := c.PostForm("/simulations/"+id+"/esis/email", url.Values{"sendAddress": {"not an address"}})
		doc := res.Doc(t)
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-sendAddress"]`).Length() != 1 ||
			doc.Find(`details[data-testid="email-esis"][open]`).Length() != 1 {
			t.Fatalf("%s: bad address: %d\n%s", tc.lang, res.StatusCode, clip(res.Body))
		}
		to := "cliente-" + tc.lang + "@example.com"
		res = c.PostForm("/simulations/"+id+"/esis/email", url.Values{"sendAddress": {to}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: send: %d\n%s", tc.lang, res.StatusCode, clip(res.Body))
		}
		page := c.Get(res.Header.Get("Location"))
		if !strings.Contains(page.Body, tc.flash) || !strings.Contains(page.Doc(t).Find(`[data-testid="esis-issues"]`).Text(), to) {
			t.Errorf("%s: no flash or no issue row sent to %s", tc.lang, to)
		}
		mails, err := s.Store.QueuedMails(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range mails {
			if m.Mail.To == to {
				for _, a := range m.Mail.Attachments {
					found = found || (a.ContentType == "application/pdf" && bytes.HasPrefix(a.Data, []byte("%PDF-")))
				}
			}
		}
		if !found {
			t.Errorf("%s: no queued mail to %s with a PDF", tc.lang, to)
		}
	}
}

// A validated simulation converts into a process: the browser lands on the
// process page, which links back and shows the ESIS validity.
func TestConvertSimulationOpensTheProcess(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		id := saveSimulation(t, c, simForm("35"))
		if res := c.PostForm("/simulations/"+id+"/esis", url.Values{}); res.StatusCode != http.StatusOK {
			t.Fatalf("issue: %d\n%s", res.StatusCode, clip(res.Body))
		}
		res := c.PostForm("/simulations/"+id+"/convert", url.Values{})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/processes/") {
			t.Fatalf("convert: %d to %q\n%s", res.StatusCode, loc, clip(res.Body))
		}
		doc := c.Get(loc).Doc(t)
		if href := doc.Find(`[data-testid="from-simulation"]`).AttrOr("href", ""); href != "/simulations/"+id {
			t.Errorf("process links to %q", href)
		}
		if st := doc.Find(`[data-testid="esis-validity"]`).AttrOr("data-state", ""); st != "valid" {
			t.Errorf("process ESIS state %q", st)
		}
		page := c.Get("/simulations/" + id).Doc(t)
		if page.Find(`[data-testid="converted-process"]`).AttrOr("href", "") != loc || page.Find(`[data-testid="convert"]`).Length() != 0 {
			t.Errorf("converted simulation page does not link to %s", loc)
		}
		if res := c.PostForm("/simulations/"+id+"/convert", url.Values{}); res.StatusCode != http.StatusConflict {
			t.Errorf("second convert: %d", res.StatusCode)
		}
		// A borrower without a name cannot become a process's borrower: the
		// page says so.
		nameless := saveSimulation(t, c, with(simForm("35"), "borrowers[0].name", ""))
		c.PostForm("/simulations/"+nameless+"/validate", url.Values{})
		res = c.PostForm("/simulations/"+nameless+"/convert", url.Values{})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(res.Doc(t).Find(`[data-testid="refusal"]`).Text(), "Borrower 1: Name") {
			t.Errorf("convert with a nameless borrower: %d\n%s", res.StatusCode, clip(res.Body))
		}
	})
}

// The simulation's thread is the process thread's component: a plain post
// comes back to the page; htmx gets the appended message.
func TestSimulationThread(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	id := saveSimulation(t, c, simForm("35"))
	page := c.Get("/simulations/" + id).Doc(t)
	if page.Find(`form#compose[action="/simulations/`+id+`/messages"]`).Length() != 1 ||
		page.Find(`#thread-poll[hx-get="/simulations/`+id+`/messages/since"]`).Length() != 1 {
		t.Fatal("the simulation page's thread does not post to the simulation")
	}
	res := c.PostForm("/simulations/"+id+"/messages", url.Values{"text": {"Can the bank lower the spread?"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/simulations/"+id+"#thread" {
		t.Fatalf("post: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res = c.PostForm("/simulations/"+id+"/messages", url.Values{"text": {"Second one"}}, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Doc(t).Find(`[data-testid="message"]`).Last().Text(), "Second one") {
		t.Fatalf("htmx post: %d\n%s", res.StatusCode, clip(res.Body))
	}
	if res := c.PostForm("/simulations/"+id+"/messages", url.Values{"text": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty message: %d", res.StatusCode)
	}
	msgs := c.Get("/simulations/" + id).Doc(t).Find(`[data-testid="message"]`)
	if msgs.Length() != 2 || !strings.Contains(msgs.First().Text(), "lower the spread") {
		t.Errorf("thread shows %d messages", msgs.Length())
	}
	staff := s.Client(t)
	staff.Login(marta)
	if res := staff.PostForm("/simulations/"+id+"/messages", url.Values{"text": {"We can look at it."}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("staff reply: %d", res.StatusCode)
	}
	other := s.Client(t)
	other.Login(rui)
	if res := other.PostForm("/simulations/"+id+"/messages", url.Values{"text": {"hello"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("Rui posts on Ana's simulation: %d", res.StatusCode)
	}
}
