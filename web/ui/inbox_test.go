package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

const nuno = "nuno.reis@bank.example"

// headerUnread is the unread count in the page header, 0 when no badge.
func headerUnread(t *testing.T, doc *goquery.Document) int {
	t.Helper()
	badge := doc.Find(`header [data-testid="inbox-unread-count"]`)
	if badge.Length() == 0 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(badge.Find(`[aria-hidden="true"]`).Text()))
	if err != nil || n < 1 {
		t.Fatalf("header badge reads %q", badge.Text())
	}
	return n
}

type inboxRow struct {
	ID, Excerpt string
	Unread      bool
	Time        string
}

func inboxRows(doc *goquery.Document) []inboxRow {
	var out []inboxRow
	doc.Find(`[data-testid="inbox-row"]`).Each(func(_ int, r *goquery.Selection) {
		id, _ := r.Attr("data-message")
		u, _ := r.Attr("data-unread")
		tm, _ := r.Find("time").Attr("datetime")
		out = append(out, inboxRow{ID: id, Excerpt: strings.TrimSpace(r.Find(`[data-testid="inbox-excerpt"]`).Text()),
			Unread: u == "true", Time: tm})
	})
	return out
}

// writeTo posts a customer message as staff c, without JavaScript.
func writeTo(t *testing.T, c *webtest.Client, customerUUID, text string) {
	t.Helper()
	res := c.PostForm("/staff/customers/"+customerUUID+"/messages", url.Values{"message": {text},
		"transport": {"IN_APP"}, "from_department": {"Mortgages"}, "from_person": {"Marta Santos"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("writing to %s: %d %s", customerUUID, res.StatusCode, res.Body)
	}
}

func TestInboxNewestFirstUnreadCountAndOpening(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		maria1 := s.CustomerUUID(t, "C-000001")
		staff := s.Client(t)
		staff.Login(marta)
		c := s.Client(t)
		c.Login(maria)

		res := c.Get("/inbox")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("/inbox: %d", res.StatusCode)
		}
		doc := res.Doc(t)
		before := inboxRows(doc)
		var demoUnread int
		for _, r := range before {
			if r.Unread {
				demoUnread++
			}
		}
		if len(before) == 0 || demoUnread == 0 || demoUnread == len(before) {
			t.Fatalf("demo inbox: %d rows, %d unread; want a few, some read", len(before), demoUnread)
		}
		if n := headerUnread(t, doc); n != demoUnread {
			t.Fatalf("header count %d, rows unread %d", n, demoUnread)
		}
		for i := 1; i < len(before); i++ {
			if before[i-1].Time < before[i].Time {
				t.Fatalf("not newest first: %s before %s", before[i-1].Time, before[i].Time)
			}
		}
		// Unread rows are bold and marked; read rows are neither.
		doc.Find(`[data-testid="inbox-row"]`).Each(func(_ int, r *goquery.Selection) {
			unread := r.AttrOr("data-unread", "") == "true"
			marker := r.Find(`[data-testid="inbox-unread"]`).Length() == 1
			bold := r.Find(`.font-semibold`).Length() > 0
			if unread != marker || unread != bold {
				t.Errorf("row %s: unread %v, marker %v, bold %v", r.AttrOr("data-message", ""), unread, marker, bold)
			}
		})

		// A new message: on top, unread, counted; line breaks kept, no HTML.
		text := "Dear Maria,\nyour valuation is booked.\n<b>not bold</b> & <script>alert(1)</script>"
		writeTo(t, staff, maria1, text)
		doc = c.Get("/inbox").Doc(t)
		rows := inboxRows(doc)
		if len(rows) != len(before)+1 || !rows[0].Unread || !strings.HasPrefix(rows[0].Excerpt, "Dear Maria, your valuation") {
			t.Fatalf("after a new message: %+v", rows[0])
		}
		if n := headerUnread(t, doc); n != demoUnread+1 {
			t.Fatalf("header count %d, want %d", n, demoUnread+1)
		}
		row := doc.Find(`[data-testid="inbox-row"]`).First()
		if from := strings.Join(strings.Fields(row.Find(`[data-testid="inbox-from"]`).Text()), " "); from != "Mortgages · Marta Santos" {
			t.Errorf("from shows %q", from)
		}
		// IN_APP: the portal only, no other channel to tell of.
		if tr := row.Find(`[data-testid="inbox-transport"]`); tr.Length() != 0 {
			t.Errorf("a message for the portal only shows a transport %q", tr.Text())
		}

		// Opening it shows it in full and marks it read.
		open := c.Get("/inbox/" + rows[0].ID)
		if open.StatusCode != http.StatusOK {
			t.Fatalf("open: %d", open.StatusCode)
		}
		od := open.Doc(t)
		if body := od.Find(`[data-testid="message-body"]`); body.Text() != text || body.Find("b, script").Length() != 0 {
			t.Fatalf("message body %q (%d elements)", body.Text(), body.Children().Length())
		}
		if !strings.Contains(open.Body, "&lt;b&gt;not bold&lt;/b&gt;") {
			t.Error("markup in the message is not escaped")
		}
		if n := headerUnread(t, od); n != demoUnread {
			t.Errorf("header count on the opened message %d, want %d", n, demoUnread)
		}
		doc = c.Get("/inbox").Doc(t)
		if rows := inboxRows(doc); rows[0].Unread || headerUnread(t, doc) != demoUnread {
			t.Fatalf("after opening: row unread %v, count %d", rows[0].Unread, headerUnread(t, doc))
		}
		// Opening it again keeps it read; the count does not go negative.
		c.Get("/inbox/" + rows[0].ID)
		if n := headerUnread(t, c.Get("/inbox").Doc(t)); n != demoUnread {
			t.Fatalf("after opening twice: %d", n)
		}
	})
}

func TestInboxForeignMessageIsTheSame404(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	staff := s.Client(t)
	staff.Login(marta)
	jose := s.CustomerUUID(t, "C-000002")
	writeTo(t, staff, jose, "Hello José.")
	var foreign string
	s.Store.DB().Raw(`SELECT m.uuid FROM customer_messages m JOIN customers c ON c.id = m.customer_id
		WHERE c.customer_number = 'C-000002' ORDER BY m.id DESC LIMIT 1`).Scan(&foreign)
	if foreign == "" {
		t.Fatal("José's message not stored")
	}
	c := s.Client(t)
	c.Login(maria)
	theirs := c.Get("/inbox/" + foreign)
	missing := c.Get("/inbox/" + uuid.NewString())
	junk := c.Get("/inbox/not-a-message")
	for name, r := range map[string]*webtest.Response{"foreign": theirs, "missing": missing, "junk": junk} {
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("%s message: %d, want 404", name, r.StatusCode)
		}
	}
	if theirs.Body != missing.Body || missing.Body != junk.Body {
		t.Fatal("the 404 for another customer's message differs from the one for a missing message")
	}
	// And it stays unread for José.
	var readAt *string
	s.Store.DB().Raw(`SELECT read_at FROM customer_messages WHERE uuid = ?`, foreign).Scan(&readAt)
	if readAt != nil {
		t.Fatal("another customer's message was marked read")
	}
}

func TestInboxPagesAndEmptyState(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	staff := s.Client(t)
	staff.Login(marta)
	maria1 := s.CustomerUUID(t, "C-000001")
	for i := 0; i < 25; i++ {
		writeTo(t, staff, maria1, "Paging message "+strconv.Itoa(i))
	}
	var total int
	s.Store.DB().Raw(`SELECT count(*) FROM customer_messages m JOIN customers c ON c.id = m.customer_id
		WHERE c.customer_number = 'C-000001'`).Scan(&total)

	c := s.Client(t)
	c.Login(maria)
	seen := map[string]bool{}
	path, pages := "/inbox", 0
	for path != "" {
		doc := c.Get(path).Doc(t)
		rows := inboxRows(doc)
		if pages == 0 && (len(rows) != 20 || rows[0].Excerpt != "Paging message 24") {
			t.Fatalf("first page: %d rows, first %q", len(rows), rows[0].Excerpt)
		}
		if pages > 0 && doc.Find(`a[rel="prev"]`).Length() != 1 {
			t.Errorf("page %d has no Newer link", pages+1)
		}
		for _, r := range rows {
			if seen[r.ID] {
				t.Fatalf("message %s on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		path, _ = doc.Find(`a[rel="next"]`).Attr("href")
		pages++
	}
	if len(seen) != total || pages != (total+19)/20 {
		t.Fatalf("saw %d messages on %d pages, want %d", len(seen), pages, total)
	}
	// Staff page the customer's messages the same way.
	sd := staff.Get("/staff/customers/" + maria1).Doc(t)
	next, _ := sd.Find(`a[rel="next"]`).Attr("href")
	if n := sd.Find(`[data-testid="customer-message"]`).Length(); n != 20 || next != "/staff/customers/"+maria1+"?offset=20#messages" {
		t.Fatalf("staff first page: %d messages, next %q", n, next)
	}
	sd = staff.Get(strings.TrimSuffix(next, "#messages")).Doc(t)
	if n := sd.Find(`[data-testid="customer-message"]`).Length(); n != total-20 || sd.Find(`a[rel="prev"]`).Length() != 1 {
		t.Fatalf("staff second page: %d messages", n)
	}

	// A smaller page size is honoured and kept in the links.
	doc := c.Get("/inbox?limit=5").Doc(t)
	next, _ = doc.Find(`a[rel="next"]`).Attr("href")
	if n := len(inboxRows(doc)); n != 5 || next != "/inbox?limit=5&offset=5" {
		t.Fatalf("limit=5: %d rows, next %q", n, next)
	}
	// Nonsense paging falls back to the first page.
	if res := c.Get("/inbox?limit=x&offset=-3"); res.StatusCode != http.StatusOK || len(inboxRows(res.Doc(t))) != 20 {
		t.Fatalf("nonsense paging: %d", res.StatusCode)
	}

	// A customer login with no customer record (or no messages): the empty state.
	if _, err := s.Store.CreateUser(context.Background(), models.NewUser{Email: "new.customer@example.com", Name: "New Customer",
		Kind: models.KindCustomer, Password: "Sardinhas-em-Junho-2026"}); err != nil {
		t.Fatal(err)
	}
	empty := s.Client(t)
	if res := empty.PostForm("/login", url.Values{"email": {"new.customer@example.com"}, "password": {"Sardinhas-em-Junho-2026"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new customer's sign-in: %d", res.StatusCode)
	}
	res := empty.Get("/inbox")
	d := res.Doc(t)
	if res.StatusCode != http.StatusOK || d.Find(`[data-testid="inbox-empty"]`).Length() != 1 || len(inboxRows(d)) != 0 || headerUnread(t, d) != 0 {
		t.Fatalf("empty inbox: %d %s", res.StatusCode, d.Find("main").Text())
	}
}

func TestInboxIsForCustomersOnly(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, who := range []string{ana, marta, "admin@bank.example"} {
		c := s.Client(t)
		c.Login(who)
		for _, path := range []string{"/inbox", "/inbox/" + uuid.NewString()} {
			if res := c.Get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", who, path, res.StatusCode)
			}
		}
	}
	anon := s.Client(t)
	if res := anon.Get("/inbox"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Finbox" {
		t.Errorf("anonymous /inbox: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// The customer's inbox in Portuguese (the default) and English.
func TestInboxSpeaksTheClientsLanguage(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, tc := range []struct {
		accept, lang, title, summary, unread, received, back string
	}{
		{"", "pt-PT", "As suas mensagens", "Tem ", "Por ler", "Recebida", "← Todas as mensagens"},
		{"en", "en", "Your messages", "You have ", "Unread", "Received", "← All messages"},
	} {
		c := s.ClientIn(t, tc.accept)
		c.Login(maria)
		res := c.Get("/inbox")
		doc := res.Doc(t)
		if got := htmlLang(t, res); got != tc.lang {
			t.Errorf("%s: <html lang=%q>", tc.lang, got)
		}
		if h := strings.TrimSpace(doc.Find("main h1").Text()); h != tc.title {
			t.Errorf("%s: heading %q", tc.lang, h)
		}
		if sum := strings.TrimSpace(doc.Find(`[data-testid="inbox-summary"]`).Text()); !strings.HasPrefix(sum, tc.summary) {
			t.Errorf("%s: summary %q", tc.lang, sum)
		}
		if u := strings.TrimSpace(doc.Find(`[data-testid="inbox-unread"]`).First().Text()); u != tc.unread {
			t.Errorf("%s: unread marker %q", tc.lang, u)
		}
		// A read message, so that the summary above stays the same.
		var id string
		for _, r := range inboxRows(doc) {
			if !r.Unread {
				id = r.ID
				break
			}
		}
		od := c.Get("/inbox/" + id).Doc(t)
		if b := strings.TrimSpace(od.Find(`main a.btn-link`).Text()); b != tc.back {
			t.Errorf("%s: back link %q", tc.lang, b)
		}
		if dt := od.Find(`[data-testid="inbox-message"] dt`).FilterFunction(func(_ int, d *goquery.Selection) bool {
			return strings.TrimSpace(d.Text()) == tc.received
		}); dt.Length() != 1 {
			t.Errorf("%s: no %q in the message's details", tc.lang, tc.received)
		}
	}
}

// The portal sends nothing but the inbox's message: its transport records
// the channel the bank also used, shown as "Also sent by …" in the
// customer's language, and nothing when none is recorded ("" from the API,
// IN_APP from the form).
func TestInboxTellsOfTheOtherChannelTheBankUsed(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	maria1 := s.CustomerUUID(t, "C-000001")
	staff := s.Client(t)
	staff.Login(marta)
	write := func(text, transport string) string {
		t.Helper()
		res := staff.PostForm("/staff/customers/"+maria1+"/messages", url.Values{"message": {text},
			"transport": {transport}, "from_department": {"Mortgages"}, "from_person": {"Marta Santos"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("writing %q: %d", text, res.StatusCode)
		}
		var id string
		s.Store.DB().Raw(`SELECT uuid FROM customer_messages WHERE message = ?`, text).Scan(&id)
		return id
	}
	byPost := write("By post too", "POST")
	portalOnly := write("Portal only", "IN_APP")
	none := write("No transport given", "SMS")
	// As OBP v1.4.0 stores it: no transport at all.
	if err := s.Store.DB().Exec(`UPDATE customer_messages SET transport = '' WHERE uuid = ?`, none).Error; err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		accept, lang, row, label, channel string
	}{
		{"", "pt-PT", "Também enviada por Correio", "Também enviada por", "Correio"},
		{"en", "en", "Also sent by Post", "Also sent by", "Post"},
	} {
		c := s.ClientIn(t, tc.accept)
		c.Login(maria)
		doc := c.Get("/inbox").Doc(t)
		transportOf := map[string]*goquery.Selection{}
		doc.Find(`[data-testid="inbox-row"]`).Each(func(_ int, r *goquery.Selection) {
			transportOf[r.AttrOr("data-message", "")] = r.Find(`[data-testid="inbox-transport"]`)
		})
		for id, want := range map[string]string{byPost: tc.row, portalOnly: "", none: ""} {
			tr, ok := transportOf[id]
			if !ok {
				t.Fatalf("%s: message %s not in the inbox", tc.lang, id)
			}
			if tr.Text() != want || (want == "") != (tr.Length() == 0) {
				t.Errorf("%s: the row of message %s shows %q, want %q", tc.lang, id, tr.Text(), want)
			}
		}
		od := c.Get("/inbox/" + byPost).Doc(t)
		dd := od.Find(`[data-testid="message-transport"]`)
		if dd.Text() != tc.channel || strings.TrimSpace(dd.Prev().Text()) != tc.label {
			t.Errorf("%s: the message shows %q %q", tc.lang, dd.Prev().Text(), dd.Text())
		}
		for _, id := range []string{portalOnly, none} {
			od := c.Get("/inbox/" + id).Doc(t)
			if od.Find(`[data-testid="message-transport"]`).Length() != 0 || strings.Contains(od.Find("main").Text(), tc.label) {
				t.Errorf("%s: message %s without another channel tells of one", tc.lang, id)
			}
		}
		// No wording of the old "Sent by" is left.
		if strings.Contains(doc.Find("main").Text(), "Sent by") || strings.Contains(doc.Find("main").Text(), "Enviada por") {
			t.Errorf("%s: the inbox still says sent by", tc.lang)
		}
	}
}
