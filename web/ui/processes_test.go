package ui_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

func rows(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="process-row"] td:first-child a`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

// processOf returns the UUID of a demo process of the firm with broker uid.
func processOf(t *testing.T, s *webtest.Server, brokerUID string) string {
	t.Helper()
	var uuid string
	err := s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = ? ORDER BY p.process_number LIMIT 1`, brokerUID).Scan(&uuid).Error
	if err != nil || uuid == "" {
		t.Fatalf("no process for %s: %v", brokerUID, err)
	}
	return uuid
}

func TestProcessListShowsOnlyTheFirmsProcessesAndPages(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		seen := map[string]bool{}
		path := "/processes"
		pages := 0
		for path != "" {
			res := c.Get(path)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			doc := res.Doc(t)
			for _, n := range rows(doc) {
				if seen[n] {
					t.Fatalf("process %s on two pages", n)
				}
				seen[n] = true
			}
			if got := doc.Find(`[data-testid="current-user"]`).Text(); !strings.Contains(got, "Lisboa Crédito, Lda") {
				t.Errorf("header shows %q", got)
			}
			path, _ = doc.Find(`a[rel="next"]`).Attr("href")
			pages++
		}
		if len(seen) != store.DemoProcesses || pages != 2 {
			t.Fatalf("saw %d processes on %d pages, want %d on 2", len(seen), pages, store.DemoProcesses)
		}
		for n := range seen {
			var uid string
			s.Store.DB().Raw(`SELECT f.broker_uid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
				WHERE p.process_number = ?`, n).Scan(&uid)
			if uid != "BRK-LIS-001" {
				t.Errorf("Ana sees process %s of %s", n, uid)
			}
		}
	})
}

func TestProcessSearchFilterAndEmptyState(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	var num, name, tax string
	s.Store.DB().Raw(`SELECT p.process_number, p.key_borrower_name, p.key_borrower_tax_id FROM processes p
		JOIN broker_firms f ON f.id = p.broker_id WHERE f.broker_uid = 'BRK-LIS-001' ORDER BY p.process_number DESC LIMIT 1`).
		Row().Scan(&num, &name, &tax)
	for _, q := range []string{num, tax} {
		got := rows(c.Get("/processes?q=" + q).Doc(t))
		if len(got) != 1 || got[0] != num {
			t.Errorf("search %q found %v, want [%s]", q, got, num)
		}
	}
	last := strings.Fields(name)[len(strings.Fields(name))-1]
	doc := c.Get("/processes?q=" + strings.ToLower(last)).Doc(t)
	found := false
	doc.Find(`[data-testid="process-row"]`).Each(func(_ int, r *goquery.Selection) {
		if strings.TrimSpace(r.Find("td:first-child").Text()) == num {
			found = true
		}
	})
	if !found {
		t.Errorf("name search %q missed process %s", last, num)
	}
	// A Porto borrower's tax id finds nothing for Ana.
	var portoTax string
	s.Store.DB().Raw(`SELECT p.key_borrower_tax_id FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = 'BRK-POR-002' LIMIT 1`).Scan(&portoTax)
	res := c.Get("/processes?q=" + portoTax)
	if res.StatusCode != http.StatusOK || len(rows(res.Doc(t))) != 0 || res.Doc(t).Find(`[data-testid="empty-state"]`).Length() != 1 {
		t.Errorf("foreign tax id search: %d rows %v", res.StatusCode, rows(res.Doc(t)))
	}
	// Status filter: every row has the chosen status.
	doc = c.Get("/processes?status=5").Doc(t)
	if n := doc.Find(`[data-testid="process-row"]`).Length(); n == 0 {
		t.Fatal("no approved processes listed")
	}
	doc.Find(`[data-testid="row-status"]`).Each(func(_ int, b *goquery.Selection) {
		if strings.TrimSpace(b.Text()) != "Approved" {
			t.Errorf("status filter shows %q", b.Text())
		}
	})
	if bad := c.Get("/processes?status=99"); bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, "Unknown status") {
		t.Errorf("bad status: %d", bad.StatusCode)
	}
	if bad := c.Get("/processes?after=garbage"); bad.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", bad.StatusCode)
	}
}

func TestProcessListHtmxGetsOnlyTheResults(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	res := c.Get("/processes?status=2", "HX-Request", "true", "HX-Target", "process-results")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="process-results"`) {
		t.Fatalf("htmx fragment: %d, body starts %q", res.StatusCode, res.Body[:min(80, len(res.Body))])
	}
	full := c.Get("/processes?status=2", "HX-Request", "true", "HX-History-Restore-Request", "true")
	if !strings.Contains(full.Body, "<html") {
		t.Error("history restore did not get the full page")
	}
}

func TestProcessPageAndForeignProcess404(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		lis, por := processOf(t, s, "BRK-LIS-001"), processOf(t, s, "BRK-POR-002")
		c := s.Client(t)
		c.Login(ana)
		res := c.Get("/processes/" + lis)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("own process: %d", res.StatusCode)
		}
		doc := res.Doc(t)
		if doc.Find(`[data-testid="borrower"]`).Length() == 0 || doc.Find(`[data-testid="property"]`).Length() != 1 ||
			doc.Find(`[data-testid="timeline-entry"]`).Length() == 0 {
			t.Error("process page lacks borrowers, property or history")
		}
		foreign := c.Get("/processes/" + por)
		missing := c.Get("/processes/00000000-0000-4000-8000-000000000000")
		malformed := c.Get("/processes/not-a-uuid")
		for _, r := range []*webtest.Response{foreign, missing, malformed} {
			if r.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", r.StatusCode)
			}
		}
		if foreign.Body != missing.Body || missing.Body != malformed.Body {
			t.Fatal("a foreign process answers differently from a missing one")
		}
		// Rui sees the Porto process; staff see both.
		r := s.Client(t)
		r.Login(rui)
		if res := r.Get("/processes/" + por); res.StatusCode != http.StatusOK {
			t.Errorf("Rui's own process: %d", res.StatusCode)
		}
		if res := r.Get("/processes/" + lis); res.StatusCode != http.StatusNotFound {
			t.Errorf("Rui opening Lisboa's process: %d", res.StatusCode)
		}
		m := s.Client(t)
		m.Login(marta)
		for _, id := range []string{lis, por} {
			if res := m.Get("/processes/" + id); res.StatusCode != http.StatusOK {
				t.Errorf("staff opening %s: %d", id, res.StatusCode)
			}
		}
	})
}

func TestCustomerCannotSeeProcesses(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(maria)
	if res := c.Get("/processes"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("customer /processes: %d", res.StatusCode)
	}
	if res := c.Get("/processes/" + processOf(t, s, "BRK-LIS-001")); res.StatusCode != http.StatusForbidden {
		t.Fatalf("customer process page: %d", res.StatusCode)
	}
	var denials int64
	s.Store.DB().Table("audit_events").Where("action = ? AND subject = ?", "access.denied", "GET /processes").Count(&denials)
	if denials != 1 {
		t.Fatalf("%d audited denials for GET /processes, want 1", denials)
	}
}

func TestStaffSeeEveryFirmsProcesses(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(marta)
	doc := c.Get("/processes").Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="process-count"]`).Text()); got != "60 processes" {
		t.Fatalf("staff count %q, want 60 processes", got)
	}
	firms := map[string]bool{}
	doc.Find(`[data-testid="process-row"] td:nth-child(3)`).Each(func(_ int, td *goquery.Selection) {
		firms[strings.TrimSpace(td.Text())] = true
	})
	if !firms["Lisboa Crédito, Lda"] || !firms["Porto Hipotecas, Lda"] {
		t.Fatalf("staff first page shows firms %v", firms)
	}
}

func TestProcessPagesUseTheTaxonomy(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	tax, err := s.Store.Taxonomy(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	states, _ := tax.List("workflow-states/proposal")
	doc := c.Get("/processes").Doc(t)
	var labels []string
	doc.Find(`#status option[value!=""]`).Each(func(_ int, o *goquery.Selection) { labels = append(labels, o.Text()) })
	if len(labels) != len(states.Items) {
		t.Fatalf("status select has %d choices, the taxonomy %d", len(labels), len(states.Items))
	}
	for i, it := range states.Items {
		if labels[i] != it.EN {
			t.Errorf("choice %d is %q, taxonomy says %q", i, labels[i], it.EN)
		}
	}
	var purpose int
	id := processOf(t, s, "BRK-LIS-001")
	s.Store.DB().Raw("SELECT loan_purpose_id FROM processes WHERE uuid = ?", id).Scan(&purpose)
	want := tax.Description("loan-purposes", purpose, "en")
	if want == "" || !strings.Contains(c.Get("/processes/"+id).Body, want) {
		t.Fatalf("process page does not name its loan purpose %q", want)
	}
}

// euros is how a page writes an amount: "241 000,00 €" in Portuguese (the
// group separator a plain space here; pages use a no-break space),
// "€241,000.00" in English.
func euros(cents int64, pt bool) string {
	group, decimal := ",", "."
	if pt {
		group, decimal = " ", ","
	}
	whole := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	n := fmt.Sprintf("%s%s%02d", b.String(), decimal, cents%100)
	if pt {
		return n + " €"
	}
	return "€" + n
}

func nbsp(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

// The process list and page speak the client's language: the catalogue's
// labels, the taxonomy's status names and loan purpose, the money format.
func TestProcessPagesInPortugueseAndEnglish(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	id := processOf(t, s, "BRK-LIS-001")
	var p struct {
		ProcessNumber   int64
		LoanAmountCents int64
		StatusID        int
		LoanPurposeID   int
	}
	s.Store.DB().Raw(`SELECT process_number, loan_amount_cents, status_id, loan_purpose_id FROM processes WHERE uuid = ?`, id).Scan(&p)
	tax, err := s.Store.Taxonomy(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang, html, title, count, approved, heading, status, purpose, amount, label string
	}{
		{"", "pt-PT", "Processos", fmt.Sprintf("%d processos", store.DemoProcesses), "Aprovado",
			fmt.Sprintf("Processo %d", p.ProcessNumber), tax.StatusDescription(p.StatusID, models.LangPT),
			tax.Description("loan-purposes", p.LoanPurposeID, models.LangPT), euros(p.LoanAmountCents, true), "Montante do empréstimo"},
		{"en", "en", "Processes", fmt.Sprintf("%d processes", store.DemoProcesses), "Approved",
			fmt.Sprintf("Process %d", p.ProcessNumber), tax.StatusDescription(p.StatusID, models.LangEN),
			tax.Description("loan-purposes", p.LoanPurposeID, models.LangEN), euros(p.LoanAmountCents, false), "Loan amount"},
	} {
		c := s.ClientIn(t, tc.lang)
		c.Login(ana)
		list := c.Get("/processes")
		doc := list.Doc(t)
		if got := htmlLang(t, list); got != tc.html {
			t.Errorf("%s list: lang %q", tc.html, got)
		}
		if got := strings.TrimSpace(doc.Find("h1").Text()); got != tc.title {
			t.Errorf("%s list heading %q, want %q", tc.html, got, tc.title)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="process-count"]`).Text()); got != tc.count {
			t.Errorf("%s count %q, want %q", tc.html, got, tc.count)
		}
		if got := doc.Find(`#status option[value="5"]`).Text(); got != tc.approved {
			t.Errorf("%s status choice %q, want %q", tc.html, got, tc.approved)
		}
		filtered := c.Get("/processes?status=5").Doc(t).Find(`[data-testid="row-status"]`)
		if filtered.Length() == 0 {
			t.Fatalf("%s: no approved processes listed", tc.html)
		}
		filtered.Each(func(_ int, b *goquery.Selection) {
			if got := strings.TrimSpace(b.Text()); got != tc.approved {
				t.Errorf("%s row status %q, want %q", tc.html, got, tc.approved)
			}
		})

		page := c.Get("/processes/" + id)
		doc = page.Doc(t)
		if got := htmlLang(t, page); got != tc.html {
			t.Errorf("%s process page: lang %q", tc.html, got)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="process-heading"]`).Text()); got != tc.heading {
			t.Errorf("%s heading %q, want %q", tc.html, got, tc.heading)
		}
		if got := doc.Find("title").Text(); !strings.HasPrefix(got, tc.heading+" · ") {
			t.Errorf("%s title %q", tc.html, got)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="process-status"]`).Text()); tc.status == "" || got != tc.status {
			t.Errorf("%s process status %q, want %q", tc.html, got, tc.status)
		}
		summary := nbsp(doc.Find(`[data-testid="process-summary"]`).Text())
		for _, want := range []string{tc.label, tc.purpose, tc.amount} {
			if !strings.Contains(summary, want) {
				t.Errorf("%s summary lacks %q: %s", tc.html, want, summary)
			}
		}
	}
}
