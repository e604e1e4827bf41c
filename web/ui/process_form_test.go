package ui_test

import (
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

// nif completes eight digits with the NIF check digit.
func nif(first8 string) string {
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(first8[i]-'0') * (9 - i)
	}
	check := 11 - sum%11
	if check >= 10 {
		check = 0
	}
	return first8 + strconv.Itoa(check)
}

// The guided form's posts, as a broker fills them in.
var (
	loanForm = url.Values{"loanAmount": {"241 000,00"}, "loanDurationMonths": {"30"}, "loanDurationUnit": {"years"},
		"productSchemeId": {"1"}, "loanPurposeId": {"1"}, "productPurposeId": {"1"}, "hasCrossSelling": {"on"}}
	keyBorrowerForm = url.Values{"borrowerTypeId": {"1"}, "name": {"Sofia Marques"}, "birthDate": {"1985-04-12"},
		"taxId": {nif("23456789")}, "identificationDocumentTypeId": {"1"}, "identificationDocumentNumber": {"12345678 9 ZZ1"},
		"identificationDocumentExpiryDate": {"2031-06-30"}, "nationalityId": {"620"}, "genderId": {"2"},
		"maritalStatusId": {"1"}, "residenceTypeId": {"1"}, "mobile": {"912345678"}, "email": {"sofia@example.com"},
		"address": {"Rua das Flores 10"}, "zipCode": {"1200-192"}, "zipCodeLocal": {"Lisboa"}, "professionId": {"1"},
		"employmentSituationId": {"1"}, "employmentContractTypeId": {"1"}, "employerName": {"Empresa, SA"},
		"employedSince": {"2015-09-01"}, "incomeWagesPensions": {"3 200,00"}, "installmentCreditCard": {"50"}}
	coBorrowerForm = url.Values{"borrowerTypeId": {"2"}, "keyBorrowerRelationId": {"1"}, "name": {"Tiago Marques"},
		"birthDate": {"1984-01-20"}, "taxId": {nif("21234567")}, "incomeWagesPensions": {"1800.50"}}
	propertyForm = url.Values{"propertyTypologyId": {"3"}, "grossBuiltArea": {"95"}, "yearBuilt": {"1998"},
		"acquisitionAmount": {"300 000"}, "acquisitionDate": {"2026-12-20"}, "address": {"Rua do Sol"}, "doorNumber": {"4"},
		"floor": {"2.º Esq."}, "districtId": {"11"}, "countyId": {"148"}, "parishId": {"1559"}, "zipCode": {"2580-001"},
		"zipCodeLocal": {"Alenquer"}}
)

// createProcess posts "New process" and returns the new process's id.
func createProcess(t *testing.T, c *webtest.Client) string {
	t.Helper()
	res := c.PostForm("/processes/new", loanForm)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "/edit?step=key") {
		t.Fatalf("create: %d to %q\n%s", res.StatusCode, loc, clip(res.Body))
	}
	return strings.TrimSuffix(strings.TrimPrefix(loc, "/processes/"), "/edit?step=key")
}

func clip(s string) string {
	if len(s) > 800 {
		return s[:800] + "…"
	}
	return s
}

func mustStatus(t *testing.T, what string, res *webtest.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s: %d, want %d (Location %q)\n%s", what, res.StatusCode, want, res.Header.Get("Location"), clip(res.Body))
	}
}

func checklistHrefs(doc *goquery.Document) []string {
	var out []string
	doc.Find(`[data-testid="checklist-item"] a`).Each(func(_ int, a *goquery.Selection) {
		h, _ := a.Attr("href")
		out = append(out, h)
	})
	return out
}

// describedByResolves fails t for an aria-describedby naming no element
// of the page, and for an input without a label.
func describedByResolves(t *testing.T, what string, doc *goquery.Document) {
	t.Helper()
	doc.Find(`[aria-describedby]`).Each(func(_ int, e *goquery.Selection) {
		ids, _ := e.Attr("aria-describedby")
		for _, id := range strings.Fields(ids) {
			if doc.Find(`[id="`+id+`"]`).Length() == 0 {
				t.Errorf("%s: aria-describedby names a missing #%s", what, id)
			}
		}
	})
	doc.Find(`main input:not([type="hidden"]), main select, main textarea`).Each(func(_ int, e *goquery.Selection) {
		id, _ := e.Attr("id")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() == 0 {
			t.Errorf("%s: input %q has no label", what, id)
		}
	})
}

func borrowerUUID(t *testing.T, s *webtest.Server, name string) string {
	t.Helper()
	var id string
	s.Store.DB().Raw(`SELECT uuid FROM borrowers WHERE name = ?`, name).Scan(&id)
	if id == "" {
		t.Fatalf("no borrower %s", name)
	}
	return id
}

// Ana fills a process in step by step: each step saves on its own post
// and comes back with what was stored; the checklist shrinks to nothing;
// she submits, and the process can no longer be edited.
func TestGuidedProcessFormSavesEachStepAndSubmits(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		list := c.Get("/processes").Doc(t)
		if h, _ := list.Find(`[data-testid="new-process"]`).Attr("href"); h != "/processes/new" {
			t.Fatalf("the list offers no New process (%q)", h)
		}
		form := c.Get("/processes/new")
		mustStatus(t, "new form", form, http.StatusOK)
		doc := form.Doc(t)
		for _, name := range []string{"loanAmount", "loanDurationMonths", "productSchemeId", "loanPurposeId", "productPurposeId", "hasCrossSelling"} {
			if doc.Find(`label[for="`+name+`"]`).Length() == 0 || doc.Find(`#`+name).Length() != 1 {
				t.Errorf("the new form has no labelled %s", name)
			}
		}
		if got := doc.Find(`#loanPurposeId option[value="1"]`).Text(); got != "Home purchase" {
			t.Errorf("loan purposes in English: %q", got)
		}

		describedByResolves(t, "new", doc)
		id := createProcess(t, c)
		var p models.Process
		s.Store.DB().Raw(`SELECT * FROM processes WHERE uuid = ?`, id).Scan(&p)
		if p.LoanAmountCents != 24100000 || p.LoanDurationMonths != 360 || p.StatusID != models.StatusInCreation ||
			!p.HasCrossSelling || p.LoanPurposeID == nil || *p.LoanPurposeID != 1 {
			t.Fatalf("stored process %+v", p)
		}
		edit := c.Get("/processes/" + id + "/edit?step=key")
		mustStatus(t, "key step", edit, http.StatusOK)
		doc = edit.Doc(t)
		if !strings.Contains(doc.Find(`[data-testid="flash"], [role="status"]`).Text()+edit.Body, "Now add the key borrower") {
			t.Error("no flash after creating")
		}
		if got := checklistHrefs(doc); len(got) == 0 || got[0] != "/processes/"+id+"/edit?step=key#name" {
			t.Errorf("checklist before the key borrower: %v", got)
		}
		if cur, _ := doc.Find(`[aria-current="step"]`).Attr("data-testid"); cur != "step-key" {
			t.Errorf("current step %q", cur)
		}
		for _, step := range []string{"", "?step=key", "?step=borrowers", "?step=property"} {
			describedByResolves(t, "edit"+step, c.Get("/processes/"+id+"/edit"+step).Doc(t))
		}
		// The loan step shows what was stored, in the page's language.
		loan := c.Get("/processes/" + id + "/edit").Doc(t)
		if v, _ := loan.Find(`#loanAmount`).Attr("value"); v != "241000.00" {
			t.Errorf("stored amount shows %q", v)
		}
		if v, _ := loan.Find(`#loanDurationMonths`).Attr("value"); v != "360" {
			t.Errorf("stored duration shows %q", v)
		}
		// Saving the loan step again goes on to the key borrower.
		res := c.PostForm("/processes/"+id+"/loan", url.Values{"loanAmount": {"250000"}, "loanDurationMonths": {"360"},
			"productSchemeId": {"1"}, "loanPurposeId": {"1"}, "productPurposeId": {"1"}})
		mustStatus(t, "save loan", res, http.StatusSeeOther)
		if res.Header.Get("Location") != "/processes/"+id+"/edit?step=key" {
			t.Errorf("after the loan: %q", res.Header.Get("Location"))
		}

		mustStatus(t, "key borrower", c.PostForm("/processes/"+id+"/borrowers", keyBorrowerForm), http.StatusSeeOther)
		key := borrowerUUID(t, s, "Sofia Marques")
		var income int64
		s.Store.DB().Raw(`SELECT income_wages_pensions_cents FROM borrowers WHERE uuid = ?`, key).Scan(&income)
		if income != 320000 {
			t.Errorf("key borrower's income %d", income)
		}
		// The key step now edits her.
		doc = c.Get("/processes/" + id + "/edit?step=key").Doc(t)
		if a, _ := doc.Find(`[data-testid="key-borrower-form"]`).Attr("action"); a != "/processes/"+id+"/borrowers/"+key {
			t.Errorf("key form posts to %q", a)
		}
		if v, _ := doc.Find(`#name`).Attr("value"); v != "Sofia Marques" {
			t.Errorf("key name shows %q", v)
		}

		// Another borrower: added, listed, changed, removed, added again.
		res = c.PostForm("/processes/"+id+"/borrowers", coBorrowerForm)
		mustStatus(t, "co-borrower", res, http.StatusSeeOther)
		co := borrowerUUID(t, s, "Tiago Marques")
		doc = c.Get("/processes/" + id + "/edit?step=borrowers").Doc(t)
		if n := doc.Find(`[data-testid="other-borrower"]`).Length(); n != 1 || !strings.Contains(doc.Find(`[data-testid="other-borrower"]`).Text(), "Spouse") {
			t.Fatalf("other borrowers: %d %q", n, doc.Find(`[data-testid="other-borrowers"]`).Text())
		}
		changed := url.Values{}
		for k, v := range coBorrowerForm {
			changed[k] = v
		}
		changed.Set("name", "Tiago M. Marques")
		mustStatus(t, "change co-borrower", c.PostForm("/processes/"+id+"/borrowers/"+co, changed), http.StatusSeeOther)
		doc = c.Get("/processes/" + id + "/edit?step=borrowers&borrower=" + co).Doc(t)
		if v, _ := doc.Find(`#name`).Attr("value"); v != "Tiago M. Marques" {
			t.Errorf("changed name shows %q", v)
		}
		mustStatus(t, "remove", c.PostForm("/processes/"+id+"/borrowers/"+co+"/delete", nil), http.StatusSeeOther)
		if n := c.Get("/processes/" + id + "/edit?step=borrowers").Doc(t).Find(`[data-testid="other-borrower"]`).Length(); n != 0 {
			t.Errorf("%d other borrowers after removing", n)
		}
		mustStatus(t, "co-borrower again", c.PostForm("/processes/"+id+"/borrowers", coBorrowerForm), http.StatusSeeOther)

		// The property, through the cascade's chain.
		var prop string
		s.Store.DB().Raw(`SELECT pr.uuid FROM properties pr JOIN processes p ON p.id = pr.process_id WHERE p.uuid = ?`, id).Scan(&prop)
		doc = c.Get("/processes/" + id + "/edit?step=property").Doc(t)
		if a, _ := doc.Find(`[data-testid="property-form"]`).Attr("action"); a != "/processes/"+id+"/property/"+prop {
			t.Fatalf("property form posts to %q", a)
		}
		if doc.Find(`[data-testid="property-form"] [data-testid="address-cascade"]`).Length() != 1 {
			t.Error("no cascade in the property form")
		}
		res = c.PostForm("/processes/"+id+"/property/"+prop, propertyForm)
		mustStatus(t, "property", res, http.StatusSeeOther)
		doc = c.Get("/processes/" + id + "/edit?step=property").Doc(t)
		if got := doc.Find(`#property-parish option[selected]`).Text(); got != "Carnota" {
			t.Errorf("stored parish shows %q", got)
		}
		if hrefs := checklistHrefs(doc); len(hrefs) != 0 || doc.Find(`[data-testid="checklist-complete"]`).Length() != 1 {
			t.Fatalf("checklist after every step: %v", hrefs)
		}
		if doc.Find(`[data-testid="step-property"] .sr-only`).Length() != 1 {
			t.Error("the property step is not marked complete")
		}

		res = c.PostForm("/processes/"+id+"/submit", nil)
		mustStatus(t, "submit", res, http.StatusSeeOther)
		if res.Header.Get("Location") != "/processes/"+id {
			t.Fatalf("submit went to %q", res.Header.Get("Location"))
		}
		page := c.Get("/processes/" + id)
		doc = page.Doc(t)
		if got := doc.Find(`[data-testid="process-status"]`).Text(); got != "Submitted" {
			t.Errorf("status after submit %q", got)
		}
		if !strings.Contains(page.Body, "submitted to the bank") {
			t.Error("no flash after submitting")
		}
		if doc.Find(`[data-testid="edit-process"]`).Length() != 0 {
			t.Error("a submitted process still offers Edit")
		}
		names := doc.Find(`[data-testid="borrower-name"]`).Map(func(_ int, s *goquery.Selection) string { return s.Text() })
		if strings.Join(names, ",") != "Sofia Marques,Tiago Marques" {
			t.Errorf("borrowers on the process page: %v", names)
		}
		for _, want := range []string{"Citizen Card (Portugal)", "Portugal", "Single", "€3,200.00", "Alenquer", "Carnota", "Lisbon"} {
			if !strings.Contains(doc.Find(`#tab-borrowers, #tab-property`).Text(), want) {
				t.Errorf("process page lacks %q", want)
			}
		}
		tl := doc.Find(`[data-testid="timeline-entry"]`)
		var whats []string
		tl.Each(func(_ int, e *goquery.Selection) {
			whats = append(whats, e.Find(`[data-testid="timeline-what"]`).Text())
		})
		joined := strings.Join(whats, " | ")
		for _, want := range []string{"Created: In creation", "Borrower added: Sofia Marques", "Borrower removed", "Property changed", "In creation → Submitted"} {
			if !strings.Contains(joined, want) {
				t.Errorf("timeline lacks %q: %s", want, joined)
			}
		}
		if !strings.Contains(tl.Last().Text(), "Ana") || tl.Last().Find("time").Length() != 1 {
			t.Errorf("last timeline entry has no who and when: %q", tl.Last().Text())
		}

		// Bank staff see the same page, without the broker's moves.
		m := s.Client(t)
		m.Login(marta)
		staff := m.Get("/processes/" + id).Doc(t)
		if staff.Find(`[data-testid="timeline-entry"]`).Length() != tl.Length() || staff.Find(`[data-testid="borrower"]`).Length() != 2 {
			t.Errorf("staff see %d timeline entries and %d borrowers", staff.Find(`[data-testid="timeline-entry"]`).Length(), staff.Find(`[data-testid="borrower"]`).Length())
		}
		if staff.Find(`[data-testid="broker-actions"], [data-testid="edit-process"]`).Length() != 0 {
			t.Error("staff are offered the broker's moves")
		}

		// After submitting, the edit page and every step refuse.
		again := c.Get("/processes/" + id + "/edit")
		mustStatus(t, "edit after submit", again, http.StatusConflict)
		if again.Doc(t).Find(`[data-testid="not-editable"] a[href="/processes/`+id+`"]`).Length() != 1 {
			t.Error("the not-editable page has no way back")
		}
		mustStatus(t, "loan after submit", c.PostForm("/processes/"+id+"/loan", loanForm), http.StatusConflict)
		mustStatus(t, "borrower after submit", c.PostForm("/processes/"+id+"/borrowers", coBorrowerForm), http.StatusConflict)
	})
}

// A refused step renders again (422) with each error next to its field,
// in the page's language, and what was typed kept.
func TestGuidedFormFieldErrors(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	pt := s.ClientIn(t, "pt-PT")
	pt.Login(ana)
	res := pt.PostForm("/processes/new", url.Values{"loanAmount": {"241.000,0x"}, "loanDurationMonths": {"30"}})
	mustStatus(t, "bad amount", res, http.StatusUnprocessableEntity)
	doc := res.Doc(t)
	if got := doc.Find(`[data-testid="loanAmount-error"]`).Text(); !strings.Contains(got, "Escreva um montante em euros") {
		t.Errorf("amount error %q", got)
	}
	if v, _ := doc.Find(`#loanAmount`).Attr("value"); v != "241.000,0x" {
		t.Errorf("typed amount not kept: %q", v)
	}
	if inv, _ := doc.Find(`#loanAmount`).Attr("aria-invalid"); inv != "true" {
		t.Error("the amount is not marked invalid")
	}
	// The service's own rules, worded in Portuguese with the field's label.
	res = pt.PostForm("/processes/new", url.Values{"loanAmount": {""}, "loanDurationMonths": {"5"}})
	mustStatus(t, "missing amount", res, http.StatusUnprocessableEntity)
	doc = res.Doc(t)
	if got := doc.Find(`[data-testid="loanAmount-error"]`).Text(); !strings.Contains(got, "Montante do empréstimo") {
		t.Errorf("required amount error %q", got)
	}
	if got := doc.Find(`[data-testid="loanDurationMonths-error"]`).Text(); got == "" {
		t.Error("no duration error")
	}
	var n int64
	s.Store.DB().Raw(`SELECT count(*) FROM processes WHERE loan_duration_months = 5`).Scan(&n)
	if n != 0 {
		t.Fatal("a refused process was created")
	}

	en := s.Client(t)
	en.Login(ana)
	id := createProcess(t, en)
	bad := url.Values{}
	for k, v := range keyBorrowerForm {
		bad[k] = v
	}
	bad.Set("taxId", "123456780")
	bad.Set("incomeRents", "12,3456")
	res = en.PostForm("/processes/"+id+"/borrowers", bad)
	mustStatus(t, "bad borrower", res, http.StatusUnprocessableEntity)
	doc = res.Doc(t)
	if got := doc.Find(`[data-testid="incomeRents-error"]`).Text(); !strings.Contains(got, "Type an amount in euros") {
		t.Errorf("rents error %q", got)
	}
	bad.Set("incomeRents", "")
	res = en.PostForm("/processes/"+id+"/borrowers", bad)
	mustStatus(t, "bad NIF", res, http.StatusUnprocessableEntity)
	doc = res.Doc(t)
	if got := doc.Find(`[data-testid="taxId-error"]`).Text(); !strings.Contains(got, "Tax id (NIF)") {
		t.Errorf("NIF error %q", got)
	}
	if cur, _ := doc.Find(`[aria-current="step"]`).Attr("data-testid"); cur != "step-key" {
		t.Errorf("a refused key borrower shows step %q", cur)
	}
	if v, _ := doc.Find(`#name`).Attr("value"); v != "Sofia Marques" {
		t.Errorf("typed name not kept: %q", v)
	}
	mustStatus(t, "key", en.PostForm("/processes/"+id+"/borrowers", keyBorrowerForm), http.StatusSeeOther)
	// A second key borrower (the key form posted again) says why.
	res = en.PostForm("/processes/"+id+"/borrowers", keyBorrowerForm)
	mustStatus(t, "second key borrower", res, http.StatusUnprocessableEntity)
	if got := res.Doc(t).Find(`[data-testid="form-error"]`).Text(); !strings.Contains(got, "already has a key borrower") {
		t.Errorf("second key borrower: %q", got)
	}
	// A co-borrower with an unknown relation is refused on the borrowers step.
	noRel := url.Values{"borrowerTypeId": {"2"}, "name": {"Rita"}, "keyBorrowerRelationId": {"999"}}
	res = en.PostForm("/processes/"+id+"/borrowers", noRel)
	mustStatus(t, "no relation", res, http.StatusUnprocessableEntity)
	if got := res.Doc(t).Find(`[data-testid="keyBorrowerRelationId-error"]`).Text(); got != "Choose one of the listed options." {
		t.Errorf("relation error %q", got)
	}
	// A municipality outside the district: the cascade's error names both by their labels.
	var prop string
	s.Store.DB().Raw(`SELECT pr.uuid FROM properties pr JOIN processes p ON p.id = pr.process_id WHERE p.uuid = ?`, id).Scan(&prop)
	res = en.PostForm("/processes/"+id+"/property/"+prop, url.Values{"districtId": {"1"}, "countyId": {"148"}})
	mustStatus(t, "county outside the district", res, http.StatusUnprocessableEntity)
	doc = res.Doc(t)
	if got := doc.Find(`[data-testid="countyId-error"]`).Text(); !strings.Contains(got, "Municipality") || !strings.Contains(got, "District") {
		t.Errorf("cascade error %q", got)
	}
	// The selects show the district chosen and its own municipalities.
	if got := doc.Find(`#property-district option[selected]`).Text(); got != "Aveiro" {
		t.Errorf("district after the refusal %q", got)
	}
	if doc.Find(`#property-county option[value="148"]`).Length() != 0 {
		t.Error("the county select still offers another district's municipality")
	}
}

// The checklist lists what is missing, each a link to the field's input
// on its step; submitting an incomplete process is refused with it.
func TestSubmitChecklistLinksToTheFields(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	id := createProcess(t, c)
	key := url.Values{"borrowerTypeId": {"1"}, "name": {"Sofia Marques"}}
	mustStatus(t, "key", c.PostForm("/processes/"+id+"/borrowers", key), http.StatusSeeOther)
	mustStatus(t, "co", c.PostForm("/processes/"+id+"/borrowers", url.Values{"borrowerTypeId": {"2"}, "name": {"Tiago"}, "keyBorrowerRelationId": {"1"}}), http.StatusSeeOther)
	doc := c.Get("/processes/" + id + "/edit?step=borrowers").Doc(t)
	hrefs := checklistHrefs(doc)
	co := borrowerUUID(t, s, "Tiago")
	want := map[string]bool{
		"/processes/" + id + "/edit?step=key#taxId":                           false,
		"/processes/" + id + "/edit?step=property#property-parish":            false,
		"/processes/" + id + "/edit?step=borrowers&borrower=" + co + "#taxId": false,
	}
	for _, h := range hrefs {
		if _, ok := want[h]; ok {
			want[h] = true
		}
	}
	for h, seen := range want {
		if !seen {
			t.Errorf("checklist lacks %s: %v", h, hrefs)
		}
	}
	// Every link leads to a page with that input.
	for _, h := range hrefs {
		path, anchor, _ := strings.Cut(h, "#")
		page := c.Get(path)
		if page.StatusCode != http.StatusOK || page.Doc(t).Find(`[id="`+anchor+`"]`).Length() == 0 {
			t.Errorf("%s: %d, no #%s", h, page.StatusCode, anchor)
		}
	}
	if got := doc.Find(`[data-testid="checklist-count"]`).Text(); !strings.Contains(got, strconv.Itoa(len(hrefs))) {
		t.Errorf("count %q for %d items", got, len(hrefs))
	}
	res := c.PostForm("/processes/"+id+"/submit", url.Values{"step": {"property"}})
	mustStatus(t, "incomplete submit", res, http.StatusUnprocessableEntity)
	doc = res.Doc(t)
	if doc.Find(`[data-testid="submit-refused"]`).Length() != 1 || len(checklistHrefs(doc)) != len(hrefs) {
		t.Errorf("refused submit shows %d items", len(checklistHrefs(doc)))
	}
	if cur, _ := doc.Find(`[aria-current="step"]`).Attr("data-testid"); cur != "step-property" {
		t.Errorf("a refused submit shows step %q, not the one it came from", cur)
	}
	var status int
	s.Store.DB().Raw(`SELECT status_id FROM processes WHERE uuid = ?`, id).Scan(&status)
	if status != models.StatusInCreation {
		t.Fatalf("an incomplete process was submitted (%d)", status)
	}
}

// Ana cancels a process with a reason; without one she is asked for it.
func TestCancelProcessWithAReason(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(ana)
		id := createProcess(t, c)
		page := c.Get("/processes/" + id).Doc(t)
		if page.Find(`[data-testid="cancel-form"] select#cancelReasonId option`).Length() < 2 {
			t.Fatal("no cancel form with reasons")
		}
		if h, _ := page.Find(`[data-testid="edit-process"]`).Attr("href"); h != "/processes/"+id+"/edit" {
			t.Errorf("edit link %q", h)
		}
		res := c.PostForm("/processes/"+id+"/cancel", url.Values{"comment": {"No reason given"}})
		mustStatus(t, "cancel without reason", res, http.StatusUnprocessableEntity)
		doc := res.Doc(t)
		if doc.Find(`[data-testid="cancelReasonId-error"]`).Text() == "" {
			t.Error("no reason error")
		}
		if _, open := doc.Find(`[data-testid="cancel-box"]`).Attr("open"); !open {
			t.Error("the refused cancel form is closed")
		}
		if got := doc.Find(`#comment`).Text(); got != "No reason given" {
			t.Errorf("comment not kept: %q", got)
		}
		mustStatus(t, "message", c.PostForm("/processes/"+id+"/messages", url.Values{"subject": {"Payslips"}, "text": {"Are they needed?"}}), http.StatusSeeOther)
		res = c.PostForm("/processes/"+id+"/cancel", url.Values{"cancelReasonId": {"1"}, "comment": {"The clients found another bank."}})
		mustStatus(t, "cancel", res, http.StatusSeeOther)
		doc = c.Get("/processes/" + id).Doc(t)
		if got := doc.Find(`[data-testid="process-status"]`).Text(); got != "Cancelled" {
			t.Errorf("status %q", got)
		}
		if doc.Find(`[data-testid="cancel-form"]`).Length() != 0 {
			t.Error("a cancelled process still offers cancelling")
		}
		msg := doc.Find(`[data-testid="timeline-entry"][data-kind="message"]`)
		if msg.Length() != 1 || !strings.Contains(msg.Text(), "Message: Payslips") || !strings.Contains(msg.Text(), "Ana Silva (broker)") ||
			strings.Contains(msg.Text(), "Are they needed?") {
			t.Errorf("timeline's message: %q", msg.Text())
		}
		last := doc.Find(`[data-testid="timeline-entry"][data-kind="status"]`).Last()
		if !strings.Contains(last.Text(), "Customer withdrew") || !strings.Contains(last.Text(), "The clients found another bank.") {
			t.Errorf("timeline's cancellation: %q", last.Text())
		}
	})
}

// Rui (Porto) gets the same 404 for Ana's process as for one that does
// not exist, on every route of the form; staff cannot create or edit.
func TestGuidedFormAccess(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		a := s.Client(t)
		a.Login(ana)
		id := createProcess(t, a)
		mustStatus(t, "key", a.PostForm("/processes/"+id+"/borrowers", keyBorrowerForm), http.StatusSeeOther)
		mustStatus(t, "co", a.PostForm("/processes/"+id+"/borrowers", coBorrowerForm), http.StatusSeeOther)
		co := borrowerUUID(t, s, "Tiago Marques")
		var prop string
		s.Store.DB().Raw(`SELECT pr.uuid FROM properties pr JOIN processes p ON p.id = pr.process_id WHERE p.uuid = ?`, id).Scan(&prop)
		missing := uuid.NewString()
		routes := []struct {
			method, path string
			form         url.Values
		}{
			{"GET", "/processes/{id}/edit", nil},
			{"GET", "/processes/{id}/edit?step=borrowers&borrower=" + co, nil},
			{"POST", "/processes/{id}/loan", loanForm},
			{"POST", "/processes/{id}/borrowers", coBorrowerForm},
			{"POST", "/processes/{id}/borrowers/" + co, coBorrowerForm},
			{"POST", "/processes/{id}/borrowers/" + co + "/delete", nil},
			{"POST", "/processes/{id}/property/" + prop, propertyForm},
			{"POST", "/processes/{id}/submit", nil},
			{"POST", "/processes/{id}/cancel", url.Values{"cancelReasonId": {"1"}}},
		}
		r := s.Client(t)
		r.Login(rui)
		m := s.Client(t)
		m.Login(marta)
		call := func(c *webtest.Client, method, path string, form url.Values) *webtest.Response {
			if method == "GET" {
				return c.Get(path)
			}
			return c.PostForm(path, form)
		}
		for _, rt := range routes {
			foreign := call(r, rt.method, strings.ReplaceAll(rt.path, "{id}", id), rt.form)
			unknown := call(r, rt.method, strings.ReplaceAll(rt.path, "{id}", missing), rt.form)
			if foreign.StatusCode != http.StatusNotFound || unknown.StatusCode != http.StatusNotFound {
				t.Errorf("Rui %s %s: %d, unknown %d", rt.method, rt.path, foreign.StatusCode, unknown.StatusCode)
			}
			if strings.ReplaceAll(foreign.Body, id, "{id}") != strings.ReplaceAll(unknown.Body, missing, "{id}") {
				t.Errorf("Rui %s %s: Ana's process answers unlike a missing one", rt.method, rt.path)
			}
			if got := call(m, rt.method, strings.ReplaceAll(rt.path, "{id}", id), rt.form); got.StatusCode != http.StatusForbidden {
				t.Errorf("Marta %s %s: %d", rt.method, rt.path, got.StatusCode)
			}
		}
		// Ana's borrower under another of her processes is missing too.
		other := createProcess(t, a)
		if res := a.Get("/processes/" + other + "/edit?step=borrowers&borrower=" + co); res.StatusCode != http.StatusNotFound {
			t.Errorf("a borrower of another process: %d", res.StatusCode)
		}
		if res := a.PostForm("/processes/"+other+"/borrowers/"+co, coBorrowerForm); res.StatusCode != http.StatusNotFound {
			t.Errorf("posting a borrower of another process: %d", res.StatusCode)
		}
		// Nothing changed for Rui's attempts.
		var status, borrowers int
		s.Store.DB().Raw(`SELECT status_id FROM processes WHERE uuid = ?`, id).Scan(&status)
		s.Store.DB().Raw(`SELECT count(*) FROM borrowers b JOIN processes p ON p.id = b.process_id WHERE p.uuid = ?`, id).Scan(&borrowers)
		if status != models.StatusInCreation || borrowers != 2 {
			t.Errorf("after Rui: status %d, %d borrowers", status, borrowers)
		}
		// Staff cannot create; Rui creates for his own firm.
		if res := m.Get("/processes/new"); res.StatusCode != http.StatusForbidden {
			t.Errorf("Marta GET new: %d", res.StatusCode)
		}
		if res := m.PostForm("/processes/new", loanForm); res.StatusCode != http.StatusForbidden {
			t.Errorf("Marta POST new: %d", res.StatusCode)
		}
		if m.Get("/processes").Doc(t).Find(`[data-testid="new-process"]`).Length() != 0 {
			t.Error("staff are offered New process")
		}
		mine := createProcess(t, r)
		var firm string
		s.Store.DB().Raw(`SELECT f.broker_uid FROM processes p JOIN broker_firms f ON f.id = p.broker_id WHERE p.uuid = ?`, mine).Scan(&firm)
		if firm != "BRK-POR-002" {
			t.Errorf("Rui's process belongs to %q", firm)
		}
		if res := a.Get("/processes/" + mine + "/edit"); res.StatusCode != http.StatusNotFound {
			t.Errorf("Ana opens Rui's new process: %d", res.StatusCode)
		}
	})
}
