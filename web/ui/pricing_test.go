package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// pricingRow is the one row of the page matching sel, failing t otherwise.
func pricingRow(t *testing.T, doc *goquery.Document, sel string) *goquery.Selection {
	t.Helper()
	row := doc.Find(sel)
	if row.Length() != 1 {
		t.Fatalf("%d rows %s", row.Length(), sel)
	}
	return row
}

func pricingRows(t *testing.T, s *webtest.Server) int64 {
	t.Helper()
	var total int64
	for _, table := range []string{"pricing_index_values", "pricing_spreads", "pricing_fixed_rates", "pricing_product_limits", "pricing_charges"} {
		var n int64
		if err := s.Store.DB().Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		total += n
	}
	return total
}

func TestPricingPageShowsThePricingInForce(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		a := s.Client(t)
		a.Login(adminEmail)
		if a.Get("/admin").Doc(t).Find(`a[href="/admin/pricing"]`).Length() != 1 {
			t.Error("the admin home does not link the pricing page")
		}
		res := a.Get("/admin/pricing?date=2026-06-15")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("pricing page: %d", res.StatusCode)
		}
		doc := res.Doc(t)
		if h := doc.Find(`[data-testid="pricing-in-force"]`).Text(); h != "In force on 15 Jun 2026" {
			t.Errorf("heading %q", h)
		}
		if !strings.Contains(doc.Find(`[data-testid="pricing-history-note"]`).Text(), "simulations keep the values they used") {
			t.Error("no history note")
		}
		if doc.Find(`[data-testid="demo-notice"]`).Length() != 1 {
			t.Error("the demo values are not announced")
		}
		// The seeded values, each labelled a demonstration value.
		idx := pricingRow(t, doc, `[data-testid="index-row"][data-index="1"]`)
		if idx.Find(`[data-testid="rate"]`).Text() != "2.025%" || !strings.Contains(idx.Text(), "3-month Euribor") ||
			!strings.Contains(idx.Text(), "Jan 2026") || idx.Find(`[data-testid="demo-badge"]`).Text() != "Demo" {
			t.Errorf("Euribor 3 months row: %q", idx.Text())
		}
		sp := pricingRow(t, doc, `[data-testid="spread-row"][data-scheme="1"][data-purpose="2"]`)
		if sp.Find(`[data-testid="rate"]`).Text() != "1.500%" || !strings.Contains(sp.Text(), "Second home") {
			t.Errorf("spread row: %q", sp.Text())
		}
		fx := pricingRow(t, doc, `[data-testid="fixed-rate-row"][data-period="3:1"]`)
		if fx.Find(`[data-testid="rate"]`).Text() != "2.900%" || !strings.Contains(fx.Text(), "Mixed rate") || !strings.Contains(fx.Text(), "2 years") {
			t.Errorf("mixed 2 years row: %q", fx.Text())
		}
		lim := pricingRow(t, doc, `[data-testid="limit-row"][data-scheme="2"]`)
		if lim.Find(`[data-testid="min"]`).Text() != "€25,000.00" || lim.Find(`[data-testid="max"]`).Text() != "€450,000.00" {
			t.Errorf("limits row: %q", lim.Text())
		}
		ch := pricingRow(t, doc, `[data-testid="charge-row"][data-charge="5"]`)
		if ch.Find(`[data-testid="amount"]`).Text() != "€2.50" || !strings.Contains(ch.Text(), "Monthly") {
			t.Errorf("instalment charge row: %q", ch.Text())
		}
		if n := doc.Find(`[data-testid="demo-badge"]`).Length(); n != doc.Find(`tbody tr`).Length() {
			t.Errorf("%d demo badges for %d rows", n, doc.Find(`tbody tr`).Length())
		}
		// One form per kind, each posting to its own address.
		for _, kind := range []string{"index", "spread", "fixed-rate", "limit", "charge"} {
			if f := doc.Find(`form[data-testid="` + kind + `-form"]`); f.AttrOr("action", "") != "/admin/pricing/"+kind || f.AttrOr("method", "") != "post" {
				t.Errorf("%s form: %q", kind, f.AttrOr("action", ""))
			}
		}
		// In Portuguese: the rates with a decimal comma, the headings and labels translated.
		pt := s.ClientIn(t, "")
		pt.Login(adminEmail)
		doc = pt.Get("/admin/pricing?date=2026-06-15").Doc(t)
		idx = pricingRow(t, doc, `[data-testid="index-row"][data-index="1"]`)
		if idx.Find(`[data-testid="rate"]`).Text() != "2,025 %" || !strings.Contains(idx.Text(), "Euribor a 3 meses") ||
			idx.Find(`[data-testid="demo-badge"]`).Text() != "Demonstração" {
			t.Errorf("Portuguese index row: %q", idx.Text())
		}
		if h := doc.Find(`[data-testid="pricing-heading"]`).Text(); h != "Preçário e taxas" {
			t.Errorf("Portuguese heading %q", h)
		}
		if l := doc.Find(`label[for="index-value"]`).Text(); l != "Valor" {
			t.Errorf("Portuguese label %q", l)
		}
		if m := pricingRow(t, doc, `[data-testid="limit-row"][data-scheme="2"]`).Find(`[data-testid="min"]`).Text(); m != "25\u00a0000,00 €" {
			t.Errorf("Portuguese minimum %q", m)
		}
		if h := doc.Find(`[data-testid="pricing-in-force"]`).Text(); h != "Em vigor em 15 jun. 2026" || !strings.Contains(idx.Text(), "jan. 2026") {
			t.Errorf("Portuguese dates: %q, %q", h, idx.Text())
		}
		// Before the demo values there is nothing, and nothing says demo.
		doc = a.Get("/admin/pricing?date=2025-06-01").Doc(t)
		if doc.Find(`[data-testid="pricing-empty"]`).Length() != 5 || doc.Find(`[data-testid="demo-notice"]`).Length() != 0 {
			t.Errorf("before the demo values: %d empty tables", doc.Find(`[data-testid="pricing-empty"]`).Length())
		}
		// Without a date: today, written in the date field.
		doc = a.Get("/admin/pricing").Doc(t)
		if d := doc.Find(`#pricing-date`).AttrOr("value", ""); !models.ValidDay(d) {
			t.Errorf("today's date field holds %q", d)
		}
		// A date that is not one: 400, said next to the date field.
		res = a.Get("/admin/pricing?date=2026-02-30")
		if res.StatusCode != http.StatusBadRequest || res.Doc(t).Find(`[data-testid="pricing-date-error"]`).Text() == "" {
			t.Errorf("bad date: %d", res.StatusCode)
		}
	})
}

func TestPricingSetEveryKind(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		a := s.Client(t)
		a.Login(adminEmail)
		set := func(kind string, form url.Values, date string) *goquery.Document {
			t.Helper()
			form.Set("shown", "2026-06-15")
			res := a.PostForm("/admin/pricing/"+kind, form)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/pricing?date="+date {
				t.Fatalf("%s: %d to %q: %s", kind, res.StatusCode, res.Header.Get("Location"), res.Body)
			}
			doc := a.Get(res.Header.Get("Location")).Doc(t)
			if f := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(f, "Value saved") {
				t.Errorf("%s: flash %q", kind, f)
			}
			return doc
		}
		doc := set("index", url.Values{"indexTypeId": {"1"}, "month": {"2030-03"}, "value": {"2,345"}}, "2030-03-01")
		row := pricingRow(t, doc, `[data-testid="index-row"][data-index="1"]`)
		if row.Find(`[data-testid="rate"]`).Text() != "2.345%" || row.Find(`[data-testid="demo-badge"]`).Length() != 0 || !strings.Contains(row.Text(), "Mar 2030") {
			t.Errorf("index row after setting it: %q", row.Text())
		}
		if r := pricingRow(t, doc, `[data-testid="index-row"][data-index="2"]`); r.Find(`[data-testid="demo-badge"]`).Length() != 1 {
			t.Error("the other indexes lost their demo label")
		}
		doc = set("spread", url.Values{"productSchemeId": {"1"}, "productPurposeId": {"2"}, "validFrom": {"2030-03-10"}, "spread": {"1.1"}}, "2030-03-10")
		if r := pricingRow(t, doc, `[data-testid="spread-row"][data-scheme="1"][data-purpose="2"]`); r.Find(`[data-testid="rate"]`).Text() != "1.100%" ||
			!strings.Contains(r.Text(), "10 Mar 2030") {
			t.Errorf("spread row: %q", r.Text())
		}
		doc = set("fixed-rate", url.Values{"period": {"3:2"}, "validFrom": {"2030-03-10"}, "rate": {"3,125"}}, "2030-03-10")
		if r := pricingRow(t, doc, `[data-testid="fixed-rate-row"][data-period="3:2"]`); r.Find(`[data-testid="rate"]`).Text() != "3.125%" {
			t.Errorf("fixed rate row: %q", r.Text())
		}
		doc = set("limit", url.Values{"productSchemeId": {"2"}, "validFrom": {"2030-03-10"}, "minAmount": {"30 000,00"}, "maxAmount": {"400.000,00"}}, "2030-03-10")
		if r := pricingRow(t, doc, `[data-testid="limit-row"][data-scheme="2"]`); r.Find(`[data-testid="min"]`).Text() != "€30,000.00" ||
			r.Find(`[data-testid="max"]`).Text() != "€400,000.00" {
			t.Errorf("limit row: %q", r.Text())
		}
		doc = set("charge", url.Values{"chargeTypeId": {"4"}, "validFrom": {"2030-03-10"}, "amount": {"150"}, "percentage": {"0,5"},
			"periodicity": {"1"}, "active": {"on"}}, "2030-03-10")
		if r := pricingRow(t, doc, `[data-testid="charge-row"][data-charge="4"]`); r.Find(`[data-testid="amount"]`).Text() != "€150.00" ||
			!strings.Contains(r.Text(), "0.500%") || !strings.Contains(r.Text(), "Upfront") {
			t.Errorf("charge row: %q", r.Text())
		}
		// An inactive line takes a charge off the list from its date.
		doc = set("charge", url.Values{"chargeTypeId": {"1"}, "validFrom": {"2030-04-01"}, "amount": {"0"}, "periodicity": {"1"}}, "2030-04-01")
		if doc.Find(`[data-testid="charge-row"][data-charge="1"]`).Length() != 0 || doc.Find(`[data-testid="charge-row"][data-charge="4"]`).Length() != 1 {
			t.Error("the inactive charge is still listed, or the other one is gone")
		}
		// The changes are history: the earlier date still shows the demo values.
		doc = a.Get("/admin/pricing?date=2026-06-15").Doc(t)
		if r := pricingRow(t, doc, `[data-testid="index-row"][data-index="1"]`); r.Find(`[data-testid="rate"]`).Text() != "2.025%" {
			t.Errorf("the earlier pricing changed: %q", r.Text())
		}
		var audits int64
		s.Store.DB().Table("audit_events").Where("action = ?", models.AuditPricingChanged).Count(&audits)
		if audits != 6 {
			t.Errorf("%d pricing audit rows, want 6", audits)
		}
	})
}

// Refused values: 422, the page again with the values typed and the
// reason next to the field, in the client's language; nothing written.
func TestPricingRefusalsInBothLanguages(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		before := pricingRows(t, s)
		for _, tc := range []struct {
			kind, field string
			form        url.Values
			en, pt      string
		}{
			{"index", "value", url.Values{"indexTypeId": {"1"}, "month": {"2030-03"}, "value": {"2,3456"}},
				"Enter a percentage with up to three decimals, such as 1.234.", "Indique uma percentagem com até três casas decimais, por exemplo 1,234."},
			{"index", "month", url.Values{"indexTypeId": {"1"}, "month": {"March"}, "value": {"2"}},
				"Month must be a month (YYYY-MM).", "Mês tem de ser um mês (AAAA-MM)."},
			{"spread", "validFrom", url.Values{"productSchemeId": {"1"}, "productPurposeId": {"1"}, "validFrom": {"2030-13-01"}, "spread": {"1"}},
				"Start date must be a date (YYYY-MM-DD).", "Data de início tem de ser uma data (AAAA-MM-DD)."},
			{"spread", "spread", url.Values{"productSchemeId": {"1"}, "productPurposeId": {"1"}, "validFrom": {"2030-03-01"}, "spread": {"45"}},
				"Enter a percentage between 0.000% and 30.000%.", "Indique uma percentagem entre 0,000 % e 30,000 %."},
			{"fixed-rate", "period", url.Values{"period": {""}, "validFrom": {"2030-03-01"}, "rate": {"3"}},
				"Choose a value from the list.", "Escolha um valor da lista."},
			{"fixed-rate", "period", url.Values{"period": {"2:99"}, "validFrom": {"2030-03-01"}, "rate": {"3"}},
				"Choose a value from the list.", "Escolha um valor da lista."},
			{"limit", "maxAmount", url.Values{"productSchemeId": {"1"}, "validFrom": {"2030-03-01"}, "minAmount": {"500 000"}, "maxAmount": {"100 000"}},
				"The minimum cannot be above the maximum.", "O mínimo não pode ser superior ao máximo."},
			{"charge", "amount", url.Values{"chargeTypeId": {"2"}, "validFrom": {"2030-03-01"}, "amount": {"12,3456"}, "periodicity": {"1"}},
				"Enter an amount in euros, such as 2,500.00.", "Indique um montante em euros, por exemplo 2 500,00."},
			{"charge", "chargeTypeId", url.Values{"chargeTypeId": {"10"}, "validFrom": {"2030-03-01"}, "amount": {"1"}, "periodicity": {"1"}},
				"Charge is not allowed here.", "Comissão não é permitido aqui."},
		} {
			for _, lang := range []string{"en", ""} {
				c := s.ClientIn(t, lang)
				c.Login(adminEmail)
				res := c.PostForm("/admin/pricing/"+tc.kind, tc.form)
				doc := res.Doc(t)
				want := tc.en
				if lang == "" {
					want = tc.pt
				}
				id := tc.kind + "-" + tc.field
				if got := doc.Find(`[data-testid="` + id + `-error"]`).Text(); res.StatusCode != http.StatusUnprocessableEntity || got != want {
					t.Errorf("%s %s (%q): %d, error %q, want %q", tc.kind, tc.field, lang, res.StatusCode, got, want)
				}
				if in := doc.Find("#" + id); in.AttrOr("aria-invalid", "") != "true" || in.AttrOr("aria-describedby", "") == "" {
					t.Errorf("%s: the field is not marked invalid", id)
				}
				if tc.field != "period" && tc.field != "chargeTypeId" {
					if got := doc.Find("#"+id).AttrOr("value", ""); got != tc.form.Get(tc.field) {
						t.Errorf("%s: the typed value is not kept: %q", id, got)
					}
				}
				if doc.Find(`[data-testid="index-row"]`).Length() == 0 {
					t.Errorf("%s: the refused page lost the pricing tables", id)
				}
			}
		}
		if after := pricingRows(t, s); after != before {
			t.Errorf("refused values wrote %d rows", after-before)
		}
	})
}

// Only admins see and change the pricing; the others get the 403 page the
// other admin pages answer.
func TestPricingIsForAdmins(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	before := pricingRows(t, s)
	form := url.Values{"indexTypeId": {"1"}, "month": {"2030-03"}, "value": {"2"}}
	for _, who := range []string{marta, nuno, ana, maria} {
		c := s.Client(t)
		c.Login(who)
		if res := c.Get("/admin/pricing"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET: %d", who, res.StatusCode)
		}
		if res := c.PostForm("/admin/pricing/index", form); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST: %d", who, res.StatusCode)
		}
	}
	anon := s.Client(t)
	if res := anon.Get("/admin/pricing"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	a := s.Client(t)
	a.Login(adminEmail)
	if res := a.PostForm("/admin/pricing/index", form, "Sec-Fetch-Site", "cross-site"); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: %d", res.StatusCode)
	}
	if res := a.PostForm("/admin/pricing/everything", form); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown kind: %d", res.StatusCode)
	}
	if after := pricingRows(t, s); after != before {
		t.Errorf("refused requests wrote %d rows", after-before)
	}
}
