package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"portal/models/store"
	"portal/web/webtest"
)

func customerRows(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="customer-row"]`).Each(func(_ int, r *goquery.Selection) {
		out = append(out, r.AttrOr("data-customer", ""))
	})
	return out
}

func TestStaffFindCustomers(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		maria1 := s.CustomerUUID(t, "C-000001")
		var email, tax string
		s.Store.DB().Raw(`SELECT email, tax_id FROM customers WHERE uuid = ?`, maria1).Row().Scan(&email, &tax)
		c := s.Client(t)
		c.Login(marta)
		for _, q := range []string{"Maria Ferreira", "ferreira", email, tax, "C-000001"} {
			res := c.Get("/staff/customers?q=" + url.QueryEscape(q))
			rows := customerRows(res.Doc(t))
			if res.StatusCode != http.StatusOK || len(rows) != 1 || rows[0] != maria1 {
				t.Errorf("search %q: %d, rows %v", q, res.StatusCode, rows)
			}
		}
		res := c.Get("/staff/customers?q=" + url.QueryEscape("no such customer"))
		doc := res.Doc(t)
		if res.StatusCode != http.StatusOK || len(customerRows(doc)) != 0 || !strings.Contains(doc.Find(`[data-testid="empty-state"]`).Text(), "No customer matches") {
			t.Errorf("no match: %d %q", res.StatusCode, doc.Find("main").Text())
		}
		// The form alone, with its label.
		res = c.Get("/staff/customers")
		doc = res.Doc(t)
		if res.StatusCode != http.StatusOK || doc.Find(`label[for="q"]`).Length() != 1 {
			t.Errorf("search page: %d", res.StatusCode)
		}
		if a := strings.TrimSpace(doc.Find(`header nav a[aria-current="page"]`).Text()); a != "Customers" {
			t.Errorf("current nav item %q", a)
		}
	})
}

func TestStaffCustomerPageShowsMessagesAsTheCustomerSeesThem(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		maria1 := s.CustomerUUID(t, "C-000001")
		c := s.Client(t)
		c.Login(marta)
		res := c.Get("/staff/customers/" + maria1)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("customer page: %d", res.StatusCode)
		}
		doc := res.Doc(t)
		if h := doc.Find(`[data-testid="customer-heading"]`).Text(); h != "Maria Ferreira" {
			t.Errorf("heading %q", h)
		}
		var want []struct {
			UUID   string
			IsRead bool
		}
		s.Store.DB().Raw(`SELECT m.uuid, m.read_at IS NOT NULL AS is_read FROM customer_messages m JOIN customers c ON c.id = m.customer_id
			WHERE c.uuid = ? ORDER BY m.created_at DESC, m.id DESC`, maria1).Scan(&want)
		got := doc.Find(`[data-testid="customer-message"]`)
		if got.Length() != len(want) || len(want) == 0 {
			t.Fatalf("%d messages shown, %d stored", got.Length(), len(want))
		}
		got.Each(func(i int, m *goquery.Selection) {
			if m.AttrOr("id", "") != "cmsg-"+want[i].UUID || (m.AttrOr("data-read", "") == "true") != want[i].IsRead {
				t.Errorf("message %d: %s read=%s, want %s read=%v", i, m.AttrOr("id", ""), m.AttrOr("data-read", ""), want[i].UUID, want[i].IsRead)
			}
			state := m.Find(`[data-testid="message-read-state"]`).Text()
			if want[i].IsRead != strings.HasPrefix(state, "Read ") {
				t.Errorf("message %d read state %q", i, state)
			}
		})
		// The compose form: labelled fields; the transport records the
		// channel the bank also used, none (the portal only) first.
		var opts, labels []string
		doc.Find(`#compose select[name="transport"] option`).Each(func(_ int, o *goquery.Selection) {
			if v := o.AttrOr("value", ""); v != "" {
				opts = append(opts, v)
				labels = append(labels, strings.TrimSpace(o.Text()))
			}
		})
		if strings.Join(opts, ",") != "IN_APP,SMS,EMAIL,POST" || strings.Join(labels, ",") != "None: only in the portal,SMS,E-mail,Post" {
			t.Errorf("transports %v %v", opts, labels)
		}
		if l := strings.TrimSpace(doc.Find(`#compose label[for="transport"]`).Text()); l != "Also sent to the customer by" {
			t.Errorf("transport label %q", l)
		}
		if h := doc.Find(`#transport-hint`).Text(); h != "The portal does not send it: record the channel the bank used, if any." ||
			!strings.Contains(doc.Find(`#transport`).AttrOr("aria-describedby", ""), "transport-hint") {
			t.Errorf("transport hint %q", h)
		}
		for _, f := range []string{"from_department", "from_person", "transport", "message"} {
			if doc.Find(`#compose label[for="`+f+`"]`).Length() != 1 || doc.Find(`#compose [name="`+f+`"]`).Length() != 1 {
				t.Errorf("compose field %s missing or unlabelled", f)
			}
		}
		if res := c.Get("/staff/customers/" + uuid.NewString()); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown customer: %d", res.StatusCode)
		}
	})
}

func composeForm(message, transport string) url.Values {
	return url.Values{"message": {message}, "transport": {transport}, "from_department": {"Mortgages"}, "from_person": {"Marta Santos"}}
}

func TestStaffComposeValidationAndPosting(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		jose := s.CustomerUUID(t, "C-000002")
		path := "/staff/customers/" + jose + "/messages"
		c := s.Client(t)
		c.Login(marta)
		stored := func() (n int64) {
			s.Store.DB().Table("customer_messages m").Joins("JOIN customers c ON c.id = m.customer_id").Where("c.uuid = ?", jose).Count(&n)
			return n
		}
		demo := stored()

		// Empty and too long: 422 with the error next to the field, the
		// rest of what was typed kept.
		for name, form := range map[string]url.Values{
			"empty":    composeForm("", "SMS"),
			"too long": composeForm(strings.Repeat("x", 1025), "SMS"),
		} {
			res := c.PostForm(path, form)
			doc := res.Doc(t)
			if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="message-error"]`).Text() == "" {
				t.Errorf("%s message: %d %q", name, res.StatusCode, doc.Find(`#compose`).Text())
			}
			if v := doc.Find(`#from_department`).AttrOr("value", ""); v != "Mortgages" {
				t.Errorf("%s: department not kept: %q", name, v)
			}
			if doc.Find(`#transport option[selected]`).AttrOr("value", "") != "SMS" {
				t.Errorf("%s: transport not kept", name)
			}
			if doc.Find(`#message`).AttrOr("aria-invalid", "") != "true" {
				t.Errorf("%s: message not marked invalid", name)
			}
			// The page around it is the whole customer page.
			if doc.Find(`[data-testid="customer-heading"]`).Length() != 1 {
				t.Errorf("%s: no customer page around the form", name)
			}
		}
		// A header field too long, and a transport not on the list.
		if res := c.PostForm(path, url.Values{"message": {"Hi"}, "transport": {"SMS"}, "from_department": {strings.Repeat("d", 65)}}); res.StatusCode != http.StatusUnprocessableEntity ||
			res.Doc(t).Find(`[data-testid="from_department-error"]`).Text() == "" {
			t.Errorf("long department: %d", res.StatusCode)
		}
		for _, tr := range []string{"", "PIGEON"} {
			if res := c.PostForm(path, composeForm("Hi", tr)); res.StatusCode != http.StatusUnprocessableEntity ||
				res.Doc(t).Find(`[data-testid="transport-error"]`).Text() == "" {
				t.Errorf("transport %q: %d", tr, res.StatusCode)
			}
		}
		if n := stored(); n != demo {
			t.Fatalf("%d messages stored by refused posts", n-demo)
		}

		// htmx: the refused form alone, 422.
		hx := c.PostForm(path, composeForm("", "EMAIL"), "HX-Request", "true")
		if hx.StatusCode != http.StatusUnprocessableEntity || strings.Contains(hx.Body, "<html") ||
			hx.Doc(t).Find(`form#compose [data-testid="message-error"]`).Length() != 1 {
			t.Fatalf("htmx refusal: %d %s", hx.StatusCode, hx.Body)
		}

		// Without JavaScript: 303 back to the page, a flash, the message on top.
		res := c.PostForm(path, composeForm("First line\nsecond line", "POST"))
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/customers/"+jose+"#messages" {
			t.Fatalf("post: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		doc := c.Get("/staff/customers/" + jose).Doc(t)
		if f := doc.Find(`[data-testid="flash"]`).Text(); f == "" {
			t.Error("no flash after posting")
		}
		first := doc.Find(`[data-testid="customer-message"]`).First()
		if first.Find(`[data-testid="message-body"]`).Text() != "First line\nsecond line" || first.AttrOr("data-read", "") != "false" {
			t.Fatalf("posted message shows %q read=%s", first.Find(`[data-testid="message-body"]`).Text(), first.AttrOr("data-read", ""))
		}
		if tr := first.Find(`[data-testid="message-transport"]`).Text(); tr != "Also sent by Post" {
			t.Errorf("posted message's transport %q", tr)
		}
		// None: the portal only, and no channel shown.
		c.PostForm(path, composeForm("Portal only", "IN_APP"))
		first = c.Get("/staff/customers/" + jose).Doc(t).Find(`[data-testid="customer-message"]`).First()
		if first.Find(`[data-testid="message-body"]`).Text() != "Portal only" || first.Find(`[data-testid="message-transport"]`).Length() != 0 {
			t.Errorf("a message for the portal only shows a channel %q", first.Find(`[data-testid="message-transport"]`).Text())
		}

		// htmx: the cleared form (sender kept) and the new message for the top.
		hx = c.PostForm(path, composeForm("Second message", "SMS"), "HX-Request", "true")
		hd := hx.Doc(t)
		if hx.StatusCode != http.StatusOK || strings.Contains(hx.Body, "<html") {
			t.Fatalf("htmx post: %d", hx.StatusCode)
		}
		if hd.Find(`#message`).Text() != "" || hd.Find(`#transport option[selected]`).AttrOr("value", "x") != "" ||
			hd.Find(`#from_department`).AttrOr("value", "") != "Mortgages" {
			t.Error("htmx answer's form is not cleared (or lost the sender)")
		}
		oob := hd.Find(`[hx-swap-oob="afterbegin:#customer-messages"] [data-testid="customer-message"]`)
		if oob.Length() != 1 || oob.Find(`[data-testid="message-body"]`).Text() != "Second message" {
			t.Fatalf("htmx answer lacks the new message: %s", hx.Body)
		}
	})
}

func TestCustomerPagesNeedTheRoles(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	maria1 := s.CustomerUUID(t, "C-000001")
	paths := []string{"/staff/customers", "/staff/customers?q=Maria", "/staff/customers/" + maria1}

	// Nuno is staff without roles: a clear page naming the role, 403.
	n := s.Client(t)
	n.Login(nuno)
	for _, p := range paths {
		res := n.Get(p)
		msg := res.Doc(t).Find(`[data-testid="error-page"]`).Text()
		if res.StatusCode != http.StatusForbidden || !strings.Contains(msg, "You need the role CanGetCustomerMessages") {
			t.Errorf("Nuno GET %s: %d %q", p, res.StatusCode, strings.TrimSpace(msg))
		}
	}
	res := n.PostForm("/staff/customers/"+maria1+"/messages", composeForm("Hello", "SMS"))
	if msg := res.Doc(t).Find(`[data-testid="error-page"]`).Text(); res.StatusCode != http.StatusForbidden || !strings.Contains(msg, "CanCreateCustomerMessage") {
		t.Errorf("Nuno posting: %d %q", res.StatusCode, msg)
	}
	// With htmx the refusal reloads the page rather than failing silently.
	if res := n.PostForm("/staff/customers/"+maria1+"/messages", composeForm("Hello", "SMS"), "HX-Request", "true"); res.StatusCode != http.StatusForbidden || res.Header.Get("HX-Refresh") != "true" {
		t.Errorf("Nuno posting with htmx: %d HX-Refresh %q", res.StatusCode, res.Header.Get("HX-Refresh"))
	}

	// Brokers and customers: the ordinary 403; anonymous: sign in.
	for _, who := range []string{ana, maria} {
		c := s.Client(t)
		c.Login(who)
		for _, p := range paths {
			res := c.Get(p)
			if res.StatusCode != http.StatusForbidden || strings.Contains(res.Body, "You need the role") {
				t.Errorf("%s GET %s: %d", who, p, res.StatusCode)
			}
		}
		if res := c.PostForm("/staff/customers/"+maria1+"/messages", composeForm("Hello", "SMS")); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s posting: %d", who, res.StatusCode)
		}
	}
	anon := s.Client(t)
	for _, p := range paths {
		if res := anon.Get(p); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?next="+url.QueryEscape(p) {
			t.Errorf("anonymous GET %s: %d to %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res := anon.PostForm("/staff/customers/"+maria1+"/messages", composeForm("Hello", "SMS")); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Errorf("anonymous post: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var stored int64
	s.Store.DB().Table("customer_messages").Where("message = ?", "Hello").Count(&stored)
	if stored != 0 {
		t.Fatalf("%d refused messages stored", stored)
	}
}

// The staff's customer pages in Portuguese (the default) and English.
func TestCustomerPagesSpeakTheClientsLanguage(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	jose := s.CustomerUUID(t, "C-000002")
	for _, tc := range []struct {
		accept, lang, title, searchLabel, count, details, since, send, sent string
		transport, hint, choices, alsoSent                                  string
	}{
		{"", "pt-PT", "Clientes", "Nome, e-mail, NIF ou número de cliente", "1 cliente", "Dados do cliente", "Cliente desde",
			"Enviar mensagem", "Mensagem enviada.", "Também enviada ao cliente por",
			"O portal não a envia por outro canal: registe o canal que o banco usou, se usou algum.",
			"Escolha uma opção…,Nenhum: apenas no portal,SMS,E-mail,Correio", "Também enviada por SMS"},
		{"en", "en", "Customers", "Name, e-mail, tax id or customer number", "1 customer", "Customer details", "Customer since",
			"Send message", "Message sent.", "Also sent to the customer by",
			"The portal does not send it: record the channel the bank used, if any.",
			"Choose one…,None: only in the portal,SMS,E-mail,Post", "Also sent by SMS"},
	} {
		c := s.ClientIn(t, tc.accept)
		c.Login(marta)
		res := c.Get("/staff/customers?q=C-000002")
		doc := res.Doc(t)
		if got := htmlLang(t, res); got != tc.lang {
			t.Errorf("%s: <html lang=%q>", tc.lang, got)
		}
		if h := strings.TrimSpace(doc.Find("main h1").Text()); h != tc.title {
			t.Errorf("%s: heading %q", tc.lang, h)
		}
		if l := strings.TrimSpace(doc.Find(`label[for="q"]`).Text()); l != tc.searchLabel {
			t.Errorf("%s: search label %q", tc.lang, l)
		}
		if n := strings.TrimSpace(doc.Find(`[data-testid="customer-count"]`).Text()); n != tc.count {
			t.Errorf("%s: count %q", tc.lang, n)
		}
		page := c.Get("/staff/customers/" + jose).Doc(t)
		if h := strings.TrimSpace(page.Find(`#details-h`).Text()); h != tc.details {
			t.Errorf("%s: details heading %q", tc.lang, h)
		}
		if dt := strings.TrimSpace(page.Find(`[data-testid="customer-details"] dt`).Eq(4).Text()); dt != tc.since {
			t.Errorf("%s: detail label %q", tc.lang, dt)
		}
		if b := strings.TrimSpace(page.Find(`#compose button[type="submit"]`).Text()); b != tc.send {
			t.Errorf("%s: send button %q", tc.lang, b)
		}
		if l := strings.TrimSpace(page.Find(`label[for="transport"]`).Text()); l != tc.transport {
			t.Errorf("%s: transport label %q", tc.lang, l)
		}
		if h := page.Find(`#transport-hint`).Text(); h != tc.hint {
			t.Errorf("%s: transport hint %q", tc.lang, h)
		}
		if ch := strings.Join(page.Find(`#transport option`).Map(func(_ int, o *goquery.Selection) string { return o.Text() }), ","); ch != tc.choices {
			t.Errorf("%s: transport choices %q", tc.lang, ch)
		}
		c.PostForm("/staff/customers/"+jose+"/messages", composeForm("Olá / Hello", "SMS"))
		after := c.Get("/staff/customers/" + jose).Doc(t)
		if f := strings.TrimSpace(after.Find(`[data-testid="flash"]`).Text()); f != tc.sent {
			t.Errorf("%s: flash %q", tc.lang, f)
		}
		if tr := after.Find(`[data-testid="customer-message"] [data-testid="message-transport"]`).First().Text(); tr != tc.alsoSent {
			t.Errorf("%s: the new message's transport %q", tc.lang, tr)
		}
	}
}
