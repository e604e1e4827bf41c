package ui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// simForm is the simulator as a broker fills it in: 150 000 € over years
// at a variable rate, one borrower earning 1 600 € a month. At 20 years
// the stressed instalment is above half the income; at 35 it is below.
func simForm(years string) url.Values {
	return url.Values{"loanAmount": {"150 000,00"}, "loanDurationMonths": {years}, "loanDurationUnit": {"years"},
		"loanPurposeId": {"1"}, "productPurposeId": {"1"}, "rateTypeId": {"1"}, "indexTypeId": {"3"},
		"fixedFixedPeriodId": {"5"}, // another rate type's field: not read
		"propertyValue":      {"200000"}, "propertyAcquisitionAmount": {"190 000"}, "propertyDistrictId": {"11"},
		"borrowers[0].birthDate": {"1990-03-01"}, "borrowers[0].monthlyNetIncome": {"1600"},
		"borrowers[0].name": {"Carla Rocha"}, "insurance.life.premium": {"25,50"}, "insurance.life.required": {"on"}}
}

var oneDecimalPercent = regexp.MustCompile(`^\d+[.,]\d(\x{00a0})?%$`)

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// saveSimulation saves the simulator's form and returns the simulation's id.
func saveSimulation(t *testing.T, c *webtest.Client, form url.Values) string {
	t.Helper()
	res := c.PostForm("/simulations/new", with(form, "do", "save"))
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/simulations/") {
		t.Fatalf("save: %d to %q\n%s", res.StatusCode, loc, clip(res.Body))
	}
	return strings.TrimPrefix(loc, "/simulations/")
}

func ruleState(t *testing.T, body, code string) string {
	t.Helper()
	doc := (&webtest.Response{Body: body}).Doc(t)
	return doc.Find(`[data-testid="rule"][data-code="`+code+`"]`).AttrOr("data-passed", "")
}

// Without JavaScript, "Calculate" posts the form and gets the whole page
// with the figures, the rules and the schedule, the form kept as typed.
func TestSimulatorCalculatesWithoutJavaScript(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		for _, tc := range []struct{ lang, failed, rule, instalment string }{
			{"en", "Not met", "DSTI with the rate shock", "Monthly instalment"},
			{"pt-PT", "Não cumprida", "DSTI com choque de taxa", "Prestação mensal"},
		} {
			c := s.ClientIn(t, tc.lang)
			c.Login(ana)
			res := c.PostForm("/simulations/new", with(simForm("20"), "do", "calculate"))
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: calculate %d\n%s", tc.lang, res.StatusCode, clip(res.Body))
			}
			doc := res.Doc(t)
			if doc.Find(`html`).Length() != 1 || doc.Find(`#sim-form`).Length() != 1 {
				t.Fatalf("%s: not the whole simulator", tc.lang)
			}
			if v := doc.Find(`input[name="loanAmount"]`).AttrOr("value", ""); v != "150 000,00" {
				t.Errorf("%s: amount kept as %q", tc.lang, v)
			}
			inst := strings.TrimSpace(doc.Find(`[data-testid="fig-instalment"]`).Text())
			if !strings.Contains(inst, "€") || !strings.Contains(res.Body, tc.instalment) {
				t.Errorf("%s: instalment %q", tc.lang, inst)
			}
			taeg := strings.TrimSpace(doc.Find(`[data-testid="fig-taeg"]`).Text())
			if !oneDecimalPercent.MatchString(taeg) {
				t.Errorf("%s: TAEG shown as %q", tc.lang, taeg)
			}
			if got := ruleState(t, res.Body, "DSTI"); got != "false" {
				t.Errorf("%s: DSTI rule %q at 20 years on 1 600 €", tc.lang, got)
			}
			dsti := doc.Find(`[data-testid="rule"][data-code="DSTI"]`).Text()
			if !strings.Contains(dsti, tc.failed) || !strings.Contains(dsti, tc.rule) || !strings.Contains(dsti, "50") {
				t.Errorf("%s: DSTI rule reads %q", tc.lang, dsti)
			}
			if n := doc.Find(`[data-testid="schedule-row"]`).Length(); n != 12+19+1 {
				t.Errorf("%s: schedule has %d rows, want 12 months, 19 years and the totals", tc.lang, n)
			}
			if n := doc.Find(`[data-testid="schedule-chart-wide"] [data-testid="chart-year"]`).Length(); n != 20 {
				t.Errorf("%s: chart has %d years", tc.lang, n)
			}
			if doc.Find(`svg[data-testid="schedule-chart-phone"] title`).Length() == 0 || doc.Find(`[data-testid="chart-legend"]`).Length() == 0 {
				t.Errorf("%s: chart without title or legend", tc.lang)
			}
			// The longer term passes.
			res = c.PostForm("/simulations/new", with(simForm("35"), "do", "calculate"))
			if got := ruleState(t, res.Body, "DSTI"); res.StatusCode != http.StatusOK || got != "true" {
				t.Errorf("%s: DSTI at 35 years: %d %q", tc.lang, res.StatusCode, got)
			}
		}
	})
}

// htmx's preview gets only the results panel.
func TestSimulatorPreviewIsAFragment(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	res := c.PostForm("/simulations/preview", simForm("35"), "HX-Request", "true")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="sim-results"`) {
		t.Fatalf("preview: %d\n%s", res.StatusCode, clip(res.Body))
	}
	if ruleState(t, res.Body, "DSTI") != "true" {
		t.Errorf("preview's DSTI rule not passed")
	}
	// A half-typed form: 422, the panel says what is missing, nothing else.
	res = c.PostForm("/simulations/preview", url.Values{"loanAmount": {"150000"}}, "HX-Request", "true")
	doc := res.Doc(t)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="results-problems"] li`).Length() == 0 ||
		strings.Contains(res.Body, "<html") {
		t.Fatalf("half-typed preview: %d\n%s", res.StatusCode, clip(res.Body))
	}
}

// A refused save is the simulator again (422) with each error next to its
// field, in the page's language.
func TestSimulatorRefusesWithErrorsNextToFields(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, tc := range []struct{ lang, amount string }{
		{"en", "Type an amount in euros"},
		{"pt-PT", "Escreva um montante em euros"},
	} {
		c := s.ClientIn(t, tc.lang)
		c.Login(ana)
		res := c.PostForm("/simulations/new", with(simForm("35"), "do", "save", "loanAmount", "lots",
			"borrowers[0].birthDate", ""))
		doc := res.Doc(t)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", tc.lang, res.StatusCode)
		}
		if e := doc.Find(`[data-testid="error-loanAmount"]`).Text(); !strings.Contains(e, tc.amount) {
			t.Errorf("%s: amount error %q", tc.lang, e)
		}
		if doc.Find(`#loanAmount[aria-invalid="true"]`).Length() != 1 {
			t.Errorf("%s: amount input not marked invalid", tc.lang)
		}
		// Once the amount reads, the service's own refusals land next to
		// their fields too.
		res = c.PostForm("/simulations/new", with(simForm("35"), "do", "save", "borrowers[0].birthDate", ""))
		doc = res.Doc(t)
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-borrowers[0].birthDate"]`).Length() != 1 {
			t.Errorf("%s: birth date refusal: %d\n%s", tc.lang, res.StatusCode, clip(res.Body))
		}
		if v := doc.Find(`input[name="borrowers[0].name"]`).AttrOr("value", ""); v != "Carla Rocha" {
			t.Errorf("%s: name not kept: %q", tc.lang, v)
		}
	}
}

// Saving goes to the simulation's page; the firm's list shows it; another
// firm's broker gets the very 404 of a simulation that does not exist.
func TestSimulationSavedListedAndScoped(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		id := saveSimulation(t, c, simForm("35"))
		res := c.Get("/simulations/" + id)
		doc := res.Doc(t)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(doc.Find(`[data-testid="simulation-heading"]`).Text(), "Simulation ") {
			t.Fatalf("page: %d\n%s", res.StatusCode, clip(res.Body))
		}
		if doc.Find(`[data-testid="validate"]`).Length() != 1 || doc.Find(`[data-testid="esis-validity"]`).AttrOr("data-state", "") != "none" {
			t.Errorf("page lacks Validate or the ESIS state")
		}
		res = c.Get("/simulations")
		rows := res.Doc(t).Find(`[data-testid="simulation-row"]`)
		if res.StatusCode != http.StatusOK || rows.Length() != 1 || !strings.Contains(rows.Text(), "Carla Rocha") {
			t.Fatalf("list: %d, %d rows", res.StatusCode, rows.Length())
		}
		res = c.Get("/simulations?q=nobody-here")
		if res.Doc(t).Find(`[data-testid="empty-state"]`).Length() != 1 {
			t.Errorf("filtered list has no empty state")
		}

		other := s.Client(t)
		other.Login(rui)
		foreign := other.Get("/simulations/" + id)
		missing := other.Get("/simulations/00000000-0000-4000-8000-000000000000")
		if foreign.StatusCode != http.StatusNotFound || missing.StatusCode != http.StatusNotFound ||
			strings.ReplaceAll(foreign.Body, id, "ID") != strings.ReplaceAll(missing.Body, "00000000-0000-4000-8000-000000000000", "ID") {
			t.Errorf("foreign %d / missing %d differ", foreign.StatusCode, missing.StatusCode)
		}
		if res := other.PostForm("/simulations/"+id+"/validate", url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("Rui validates Ana's simulation: %d", res.StatusCode)
		}
		if n := other.Get("/simulations").Doc(t).Find(`[data-testid="simulation-row"]`).Length(); n != 0 {
			t.Errorf("Rui's list shows %d of Ana's simulations", n)
		}

		// Staff read it, without the broker's actions.
		staff := s.Client(t)
		staff.Login(marta)
		res = staff.Get("/simulations/" + id)
		if res.StatusCode != http.StatusOK || res.Doc(t).Find(`[data-testid="simulation-actions"]`).Length() != 0 {
			t.Errorf("staff page: %d", res.StatusCode)
		}
		if res := staff.Get("/simulations/new"); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Errorf("staff reach the simulator: %d", res.StatusCode)
		}
	})
}

// Edit is the simulator prefilled; saving changes the stored figures;
// Validate then moves it to validated.
func TestSimulationEditAndValidate(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	id := saveSimulation(t, c, simForm("20"))
	res := c.Get("/simulations/" + id + "/edit")
	doc := res.Doc(t)
	if res.StatusCode != http.StatusOK || doc.Find(`#loanDurationMonths`).AttrOr("value", "") != "20" ||
		doc.Find(`#rateTypeId-1[checked]`).Length() != 1 || doc.Find(`input[name="insurance.life.required"][checked]`).Length() != 1 {
		t.Fatalf("edit form: %d\n%s", res.StatusCode, clip(res.Body))
	}
	res = c.PostForm("/simulations/"+id+"/validate", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("validate: %d", res.StatusCode)
	}
	page := c.Get("/simulations/" + id)
	if ruleState(t, page.Body, "DSTI") != "false" || !strings.Contains(page.Body, "1 rule is not met.") {
		t.Errorf("validated at 20 years: DSTI %q", ruleState(t, page.Body, "DSTI"))
	}
	// "Calculate" on the edit page shows the new figures and stores nothing.
	res = c.PostForm("/simulations/"+id+"/edit", with(simForm("35"), "do", "calculate"))
	if res.StatusCode != http.StatusOK || ruleState(t, res.Body, "DSTI") != "true" || res.Doc(t).Find(`form#sim-form[action="/simulations/`+id+`/edit"]`).Length() != 1 {
		t.Fatalf("calculate on the edit page: %d", res.StatusCode)
	}
	if ruleState(t, c.Get("/simulations/"+id).Body, "DSTI") != "false" {
		t.Error("calculate changed the stored simulation")
	}
	res = c.PostForm("/simulations/"+id+"/edit", with(simForm("35"), "do", "save"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", res.StatusCode, clip(res.Body))
	}
	c.PostForm("/simulations/"+id+"/validate", url.Values{})
	page = c.Get("/simulations/" + id)
	doc = page.Doc(t)
	if st := doc.Find(`[data-testid="simulation-status"]`).Text(); st != "Validated" || doc.Find(`[data-testid="convert"]`).Length() != 1 {
		t.Errorf("after the change and Validate: status %q", st)
	}
	if res := c.PostForm("/simulations/"+id+"/cancel", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.StatusCode)
	}
	if res := c.Get("/simulations/" + id + "/edit"); res.StatusCode != http.StatusConflict {
		t.Errorf("edit of a cancelled simulation: %d", res.StatusCode)
	}
}
