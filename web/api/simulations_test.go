package api_test

// Contract tests of the simulation operations (Simulation List / Create /
// Detail / Update / Cancel / Validate; docs/api-error-codes.md, category
// 06): statuses, bodies, codes, descriptions per language, paging limits,
// PATCH semantics, status conflicts, and foreign simulations answered byte
// for byte like missing ones, over HTTP on both dialects.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/web/webtest"
)

// simBorrower and simInput build Create bodies: a variable rate on Euribor
// 12 months, 150 000 € over 30 years, an own permanent home in Lisboa worth
// 200 000 € (LTV 75 %), one borrower earning enough for the DSTI.
func simBorrower(name, birth string, income float64) map[string]any {
	return map[string]any{"name": name, "birthDate": birth, "monthlyNetIncome": income, "monthlyInstalmentsOtherCredit": 0}
}

func simInput(kv ...any) map[string]any {
	return with(map[string]any{"loanAmount": 150000, "loanDurationMonths": 360, "loanPurposeId": 1, "productPurposeId": 1,
		"rateTypeId": 1, "indexTypeId": 3, "propertyValue": 200000, "propertyAcquisitionAmount": 210000, "propertyDistrictId": 11,
		"borrowers": []any{simBorrower("Carla Mendes Rocha", "1990-03-01", 5000)}}, kv...)
}

// simDetail is the part of Simulation Detail the tests read (the OpenAPI
// check holds the whole shape).
type simDetail struct {
	SimulationUniqueID          string  `json:"simulationUniqueID"`
	SimulationNumber            int64   `json:"simulationNumber"`
	SimulationStatusID          int     `json:"simulationStatusID"`
	SimulationStatusDescription string  `json:"simulationStatusDescription"`
	LoanAmount                  float64 `json:"loanAmount"`
	LoanDurationMonths          int     `json:"loanDurationMonths"`
	LoanPurposeDescription      *string `json:"loanPurposeDescription"`
	RateTypeDescription         *string `json:"rateTypeDescription"`
	PropertyDistrictDescription *string `json:"propertyDistrictDescription"`
	Borrowers                   []struct {
		Name             string  `json:"name"`
		BirthDate        string  `json:"birthDate"`
		MonthlyNetIncome float64 `json:"monthlyNetIncome"`
	} `json:"borrowers"`
	PricingDate string `json:"pricingDate"`
	Result      struct {
		TAN                float64 `json:"tan"`
		TAEG               float64 `json:"taeg"`
		MonthlyInstalment  float64 `json:"monthlyInstalment"`
		StressRate         float64 `json:"stressRate"`
		StressedInstalment float64 `json:"stressedInstalment"`
		TotalInterest      float64 `json:"totalInterest"`
		MTIC               float64 `json:"mtic"`
		LTV                float64 `json:"ltv"`
		Charges            []struct {
			BankChargeTypeDescription string `json:"bankChargeTypeDescription"`
		} `json:"charges"`
		Schedule []struct {
			Kind       string  `json:"kind"`
			Period     int     `json:"period"`
			Instalment float64 `json:"instalment"`
			Capital    float64 `json:"capital"`
		} `json:"schedule"`
	} `json:"result"`
	Validation     []simRule `json:"validation"`
	ValidatedAt    *string   `json:"validatedAt"`
	EsisIssuedAt   *string   `json:"esisIssuedAt"`
	EsisState      string    `json:"esisState"`
	CreationDate   string    `json:"creationDate"`
	LastActionDate string    `json:"lastActionDate"`
}

type simRule struct {
	Code                    string   `json:"code"`
	Rule                    string   `json:"rule"`
	Source                  string   `json:"source"`
	Passed                  bool     `json:"passed"`
	Unit                    string   `json:"unit"`
	Value                   float64  `json:"value"`
	Minimum                 *float64 `json:"minimum"`
	Limit                   *float64 `json:"limit"`
	RejectReasonID          *int     `json:"rejectReasonID"`
	RejectReasonDescription *string  `json:"rejectReasonDescription"`
}

type simValidated struct {
	OperationStatus             OperationStatusJSON `json:"operationStatus"`
	Passed                      bool                `json:"passed"`
	SimulationStatusID          int                 `json:"simulationStatusID"`
	SimulationStatusDescription string              `json:"simulationStatusDescription"`
	Validation                  []simRule           `json:"validation"`
}

func cents(euros float64) int64 { return int64(math.Round(euros * 100)) }

// createSimulation creates a simulation as p and returns its id, checking
// the answer is exactly the 060102 envelope with the id and number.
func createSimulation(t testing.TB, p apiSession, body map[string]any, headers ...string) (string, int64) {
	t.Helper()
	a := p.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, body), headers...)
	if a.Status != http.StatusCreated {
		t.Fatalf("create simulation: %s", a)
	}
	var out struct {
		OperationStatus    OperationStatusJSON `json:"operationStatus"`
		SimulationUniqueID string              `json:"simulationUniqueID"`
		SimulationNumber   int64               `json:"simulationNumber"`
	}
	webtest.StrictJSON(t, a.Body, &out)
	want := fmt.Sprintf(`{"operationStatus":{"operationStatusCode":"060102","operationStatusMessage":"Simulation created successfully"},"simulationUniqueID":"%s","simulationNumber":%d}`,
		out.SimulationUniqueID, out.SimulationNumber)
	if string(a.Body) != want || out.SimulationNumber <= 0 {
		t.Fatalf("create simulation: %s", a.Body)
	}
	if _, err := uuid.Parse(out.SimulationUniqueID); err != nil {
		t.Fatalf("simulationUniqueID %q", out.SimulationUniqueID)
	}
	return out.SimulationUniqueID, out.SimulationNumber
}

func simulationOf(t testing.TB, p apiSession, id string, headers ...string) simDetail {
	t.Helper()
	a := p.get(t, "/v1/simulations/"+id, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("detail %s: %s", id, a)
	}
	var d simDetail
	if err := json.Unmarshal(a.Body, &d); err != nil {
		t.Fatalf("detail %s: %v", a.Body, err)
	}
	return d
}

func validateSimulation(t testing.TB, p apiSession, id string, headers ...string) simValidated {
	t.Helper()
	a := p.do(t, http.MethodPost, "/v1/simulations/"+id+"/validate", "", headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("validate %s: %s", id, a)
	}
	var v simValidated
	webtest.StrictJSON(t, a.Body, &v)
	wantCode := map[bool]string{true: "060104", false: "060105"}[v.Passed]
	if v.OperationStatus.Code != wantCode {
		t.Errorf("validate: passed %v with code %s", v.Passed, v.OperationStatus.Code)
	}
	return v
}

func ruleOf(t testing.TB, rs []simRule, code string) simRule {
	t.Helper()
	for _, r := range rs {
		if r.Code == code {
			return r
		}
	}
	t.Fatalf("no rule %s among %+v", code, rs)
	return simRule{}
}

// wantChanged checks a PATCH or DELETE answer: the code and the status now.
func wantChanged(t testing.TB, what string, a apiAnswer, code, message string, status int, description string) {
	t.Helper()
	want := fmt.Sprintf(`{"operationStatus":{"operationStatusCode":"%s","operationStatusMessage":"%s"},"simulationStatusID":%d,"simulationStatusDescription":"%s"}`,
		code, message, status, description)
	if a.Status != http.StatusOK || string(a.Body) != want {
		t.Fatalf("%s: %s, want 200 %s", what, a, want)
	}
}

// simState is the simulation state id's taxonomy description in lang.
func simState(t testing.TB, s *webtest.Server, id int, lang string) string {
	t.Helper()
	tax, err := s.Store.Taxonomy(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	d := tax.Description(models.TaxonomySimulationStates, id, lang)
	if d == "" {
		t.Fatalf("no simulation state %d", id)
	}
	return d
}

func TestSimulationsAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		f := &partnerFixture{s: s, ana: apiSignIn(t, s, lisboaUID, anaEmail), rui: apiSignIn(t, s, portoUID, ruiEmail)}
		t.Run("lifecycle", func(t *testing.T) { checkSimulationLifecycle(t, f) })
		t.Run("invalid input", func(t *testing.T) { checkSimulationInvalid(t, f) })
		t.Run("foreign is missing", func(t *testing.T) { checkSimulationForeign(t, f) })
		t.Run("list", func(t *testing.T) { checkSimulationList(t, f) })
	})
}

func checkSimulationLifecycle(t *testing.T, f *partnerFixture) {
	s, ana := f.s, f.ana
	key := []string{"Idempotency-Key", "sim-" + uuid.NewString()}
	id, number := createSimulation(t, ana, simInput(), key...)
	// A retry with the key answers the same and creates nothing.
	again := ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, simInput()), key...)
	if again.Status != http.StatusCreated || !strings.Contains(string(again.Body), id) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s %v", again, again.Header)
	}
	if n := countRows(t, s, `SELECT count(*) FROM simulations WHERE uuid = ?`, id); n != 1 {
		t.Fatalf("%d rows for %s", n, id)
	}

	// Detail: inputs with their descriptions in the request's language,
	// the stored figures and an empty rule list before any check.
	pt := simulationOf(t, ana, id)
	en := simulationOf(t, ana, id, "Accept-Language", "en")
	if pt.SimulationNumber != number || pt.SimulationStatusID != models.SimulationInCreation || pt.LoanAmount != 150000 ||
		pt.LoanDurationMonths != 360 || len(pt.Borrowers) != 1 || pt.Borrowers[0].Name != "Carla Mendes Rocha" ||
		pt.Borrowers[0].MonthlyNetIncome != 5000 || len(pt.Validation) != 0 || pt.ValidatedAt != nil || pt.EsisState != "none" {
		t.Fatalf("detail %+v", pt)
	}
	if pt.SimulationStatusDescription != simState(t, s, 1, "pt") || en.SimulationStatusDescription != simState(t, s, 1, "en") ||
		pt.SimulationStatusDescription == en.SimulationStatusDescription {
		t.Errorf("status described %q / %q", pt.SimulationStatusDescription, en.SimulationStatusDescription)
	}
	if pt.RateTypeDescription == nil || en.RateTypeDescription == nil || *pt.RateTypeDescription == *en.RateTypeDescription ||
		pt.LoanPurposeDescription == nil || *pt.LoanPurposeDescription == *en.LoanPurposeDescription ||
		pt.PropertyDistrictDescription == nil || *pt.PropertyDistrictDescription != "Lisboa" {
		t.Errorf("descriptions pt %+v / en %+v", pt, en)
	}
	if !rfc3339Z.MatchString(pt.CreationDate) || !rfc3339Z.MatchString(pt.LastActionDate) || pt.PricingDate != pt.CreationDate[:10] {
		t.Errorf("dates %s %s %s", pt.CreationDate, pt.LastActionDate, pt.PricingDate)
	}
	// The figures: the stored ones, in euros and percentages; the
	// schedule is the first year month by month, then years, totals last.
	r := pt.Result
	if r.MonthlyInstalment <= 0 || r.TAN <= 0 || r.TAEG < r.TAN || r.StressRate != r.TAN+1.5 || r.StressedInstalment <= r.MonthlyInstalment ||
		r.MTIC <= 150000+r.TotalInterest || r.LTV != 75 || len(r.Charges) == 0 {
		t.Errorf("result %+v", r)
	}
	if len(r.Charges) > 0 && r.Charges[0].BankChargeTypeDescription == "" {
		t.Error("charges without descriptions")
	}
	sch := r.Schedule
	if len(sch) != 12+29+1 || sch[0].Kind != "month" || sch[0].Period != 1 || sch[11].Period != 12 || sch[12].Kind != "year" ||
		sch[12].Period != 2 || sch[40].Period != 30 || sch[41].Kind != "total" || cents(sch[41].Capital) != 150000_00 ||
		sch[0].Instalment != r.MonthlyInstalment {
		t.Errorf("schedule of %d rows: %+v", len(sch), sch)
	}

	// PATCH is partial: only the loan amount changes, the rest is kept.
	a := ana.do(t, http.MethodPatch, "/v1/simulations/"+id, `{"loanAmount": 140000.5}`)
	wantChanged(t, "patch", a, "060101", "Simulation updated successfully", 1, simState(t, s, 1, "pt"))
	d := simulationOf(t, ana, id)
	if d.LoanAmount != 140000.5 || d.LoanDurationMonths != 360 || len(d.Borrowers) != 1 || d.Borrowers[0].BirthDate != "1990-03-01" ||
		d.Result.MonthlyInstalment >= r.MonthlyInstalment || d.Result.LTV != 70.00025 {
		t.Errorf("after patch %+v", d)
	}
	// A PATCH that changes nothing is invalid.
	wantEnvelope(t, "empty patch", ana.do(t, http.MethodPatch, "/v1/simulations/"+id, `{}`), 400, "060001", "simulation")

	// Validate: every rule passes, the simulation is validated; a change
	// sends it back to "in creation" and clears the rule list.
	v := validateSimulation(t, ana, id, "Accept-Language", "en")
	if !v.Passed || v.SimulationStatusID != models.SimulationValidated || v.SimulationStatusDescription != simState(t, s, 2, "en") ||
		len(v.Validation) != 7 {
		t.Fatalf("validate %+v", v)
	}
	for _, rule := range v.Validation {
		if !rule.Passed || rule.RejectReasonID != nil || rule.RejectReasonDescription != nil || rule.Rule == "" || rule.Source == "" {
			t.Errorf("rule %+v", rule)
		}
	}
	d = simulationOf(t, ana, id)
	if d.SimulationStatusID != models.SimulationValidated || len(d.Validation) != 7 || d.ValidatedAt == nil {
		t.Errorf("validated detail %+v", d)
	}
	a = ana.do(t, http.MethodPatch, "/v1/simulations/"+id, jsonBody(t, map[string]any{"loanDurationMonths": 300}))
	wantChanged(t, "patch of a validated simulation", a, "060101", "Simulation updated successfully", 1, simState(t, s, 1, "pt"))
	d = simulationOf(t, ana, id)
	if d.SimulationStatusID != models.SimulationInCreation || len(d.Validation) != 0 || d.ValidatedAt != nil || d.LoanDurationMonths != 300 {
		t.Errorf("changed after validation %+v", d)
	}

	// Cancel from "in creation"; then every change is a conflict.
	a = ana.do(t, http.MethodDelete, "/v1/simulations/"+id, "", "Accept-Language", "en")
	wantChanged(t, "cancel", a, "060103", "Simulation cancelled successfully", 5, simState(t, s, 5, "en"))
	wantEnvelope(t, "cancel twice", ana.do(t, http.MethodDelete, "/v1/simulations/"+id, ""), 409, "060003")
	wantEnvelope(t, "patch cancelled", ana.do(t, http.MethodPatch, "/v1/simulations/"+id, `{"loanAmount":100000}`), 409, "060003")
	wantEnvelope(t, "validate cancelled", ana.do(t, http.MethodPost, "/v1/simulations/"+id+"/validate", ""), 409, "060003")
	if d := simulationOf(t, ana, id); d.SimulationStatusID != models.SimulationCancelled || d.LoanAmount != 140000.5 {
		t.Errorf("cancelled %+v", d)
	}

	// Cancel from "validated" too.
	id2, _ := createSimulation(t, ana, simInput())
	validateSimulation(t, ana, id2)
	wantChanged(t, "cancel validated", ana.do(t, http.MethodDelete, "/v1/simulations/"+id2, ""), "060103",
		"Simulation cancelled successfully", 5, simState(t, s, 5, "pt"))
}

func checkSimulationInvalid(t *testing.T, f *partnerFixture) {
	ana := f.ana
	env := wantEnvelope(t, "empty create", ana.do(t, http.MethodPost, "/v1/simulations", `{}`), 400, "060001",
		"loanAmount", "loanDurationMonths", "loanPurposeId", "productPurposeId", "rateTypeId", "propertyValue", "borrowers")
	codes := map[string]string{}
	for _, e := range env.Errors {
		codes[e.Field] = e.Code
	}
	if codes["loanAmount"] != "060201" || codes["borrowers"] != "061401" || codes["propertyValue"] != "061101" {
		t.Errorf("codes %v", codes)
	}
	// A borrower's field carries its list's code, whatever its index.
	bad := simInput("borrowers", []any{simBorrower("A", "1990-01-01", 100), simBorrower("B", "2020-01-01", 100)},
		"insurances", []any{map[string]any{"bankChargeTypeId": 3, "monthlyPremium": 10}})
	env = wantEnvelope(t, "bad create", ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, bad)), 400, "060001",
		"borrowers[1].birthDate", "insurances[0].bankChargeTypeId")
	if len(env.Errors) != 2 || env.Errors[0].Code != "061701" || env.Errors[1].Code != "062101" {
		t.Errorf("field codes %+v", env.Errors)
	}
	// Amounts: euros with at most two decimals, checked before the rest.
	env = wantEnvelope(t, "bad amount", ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, with(bad, "loanAmount", raw("1.005"),
		"borrowers", []any{with(simBorrower("A", "1990-01-01", 100), "monthlyNetIncome", "lots")}))), 400, "060001", "loanAmount", "borrowers[0].monthlyNetIncome")
	if env.Errors[0].Code != "060201" || env.Errors[1].Code != "061801" {
		t.Errorf("wrong type code %+v", env.Errors)
	}
	wantEnvelope(t, "three decimals", ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, with(bad, "loanAmount", raw("1.005")))), 400,
		"060001", "loanAmount")
	// Unknown fields and wrong types are refused; so is a term over 40 years.
	wantEnvelope(t, "unknown field", ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, simInput("color", "red"))), 400, "060001")
	wantEnvelope(t, "wrong type", ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, simInput("loanDurationMonths", "360"))), 400,
		"060001", "loanDurationMonths")
	wantEnvelope(t, "term over 40 years", ana.do(t, http.MethodPost, "/v1/simulations", jsonBody(t, simInput("loanDurationMonths", 481))), 400,
		"060001", "loanDurationMonths")
	id, _ := createSimulation(t, ana, simInput())
	wantEnvelope(t, "patch bad", ana.do(t, http.MethodPatch, "/v1/simulations/"+id, `{"rateTypeId": 9}`), 400, "060001", "rateTypeId")
	wantEnvelope(t, "validate with a body", ana.do(t, http.MethodPost, "/v1/simulations/"+id+"/validate", `{"x":1}`), 400, "060001")
	if d := simulationOf(t, ana, id); d.Result.TAN == 0 || d.LoanAmount != 150000 {
		t.Errorf("a refused patch changed %+v", d)
	}
}

// checkSimulationForeign: Rui (Porto) calling every operation on Ana's
// simulation gets exactly the answer for one that does not exist.
func checkSimulationForeign(t *testing.T, f *partnerFixture) {
	id, _ := createSimulation(t, f.ana, simInput())
	missing := missingUUID()
	for _, op := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/simulations/%s", ""},
		{http.MethodPatch, "/v1/simulations/%s", `{"loanAmount": 100000}`},
		{http.MethodDelete, "/v1/simulations/%s", ""},
		{http.MethodPost, "/v1/simulations/%s/validate", ""},
		{http.MethodGet, "/v1/simulations/%s/message", ""},
		{http.MethodPost, "/v1/simulations/%s/message", `{"text":"hello"}`},
	} {
		foreign := f.rui.do(t, op.method, fmt.Sprintf(op.path, id), op.body)
		none := f.rui.do(t, op.method, fmt.Sprintf(op.path, missing), op.body)
		if foreign.Status != http.StatusNotFound || string(foreign.Body) != string(none.Body) || none.Status != foreign.Status {
			t.Errorf("%s %s: foreign %s, missing %s", op.method, op.path, foreign, none)
		}
	}
	wantEnvelope(t, "missing", f.rui.get(t, "/v1/simulations/"+missing), 404, "060002")
	wantEnvelope(t, "not a uuid", f.rui.get(t, "/v1/simulations/nope"), 404, "060002")
	// Ana's simulation is untouched and absent from Rui's list.
	if d := simulationOf(t, f.ana, id); d.SimulationStatusID != models.SimulationInCreation || d.LoanAmount != 150000 {
		t.Errorf("after Rui: %+v", d)
	}
	if l := simulationList(t, f.rui, ""); strings.Contains(fmt.Sprint(l), id) {
		t.Errorf("Rui lists Ana's simulation")
	}
}

type simListBody struct {
	Simulations []struct {
		SimulationUniqueID          string  `json:"simulationUniqueID"`
		SimulationNumber            int64   `json:"simulationNumber"`
		SimulationStatusID          int     `json:"simulationStatusID"`
		SimulationStatusDescription string  `json:"simulationStatusDescription"`
		KeyBorrowerName             string  `json:"keyBorrowerName"`
		LoanAmount                  float64 `json:"loanAmount"`
		MonthlyInstalment           float64 `json:"monthlyInstalment"`
		CreationDate                string  `json:"creationDate"`
		LastActionDate              string  `json:"lastActionDate"`
	} `json:"simulations"`
	TotalRecords   int64  `json:"totalRecords"`
	HasMoreResults bool   `json:"hasMoreResults"`
	NextRecord     string `json:"nextRecord"`
	PreviousRecord string `json:"previousRecord"`
}

func simulationList(t testing.TB, p apiSession, query string, headers ...string) simListBody {
	t.Helper()
	a := p.get(t, "/v1/simulations"+query, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("list %s: %s", query, a)
	}
	var l simListBody
	webtest.StrictJSON(t, a.Body, &l)
	return l
}

func (l simListBody) ids() []string {
	var out []string
	for _, s := range l.Simulations {
		out = append(out, s.SimulationUniqueID)
	}
	return out
}

func checkSimulationList(t *testing.T, f *partnerFixture) {
	s, p := f.s, f.rui // Rui's firm has no simulation yet: the list is this test's
	if l := simulationList(t, p, ""); len(l.Simulations) != 0 || l.TotalRecords != 0 || l.HasMoreResults {
		t.Fatalf("empty list %+v", l)
	}
	name := "Zacarias Pinto " + uuid.NewString()[:6]
	var ids []string
	for i := 0; i < 3; i++ {
		id, _ := createSimulation(t, p, simInput("borrowers", []any{simBorrower(fmt.Sprintf("%s %d", name, i), "1985-05-05", 6000)}))
		ids = append([]string{id}, ids...) // newest first
	}
	validateSimulation(t, p, ids[2]) // now the newest activity
	want := []string{ids[2], ids[0], ids[1]}

	l := simulationList(t, p, "?lineCount=2", "Accept-Language", "en")
	if fmt.Sprint(l.ids()) != fmt.Sprint(want[:2]) || l.TotalRecords != 3 || !l.HasMoreResults || l.NextRecord == "" {
		t.Fatalf("page 1 %+v, want %v", l, want)
	}
	top := l.Simulations[0]
	if top.SimulationStatusID != 2 || top.SimulationStatusDescription != simState(t, s, 2, "en") || top.LoanAmount != 150000 ||
		top.MonthlyInstalment <= 0 || !strings.HasPrefix(top.KeyBorrowerName, name) || !rfc3339Z.MatchString(top.LastActionDate) {
		t.Errorf("row %+v", top)
	}
	l2 := simulationList(t, p, "?lineCount=2&nextRecord="+url.QueryEscape(l.NextRecord))
	if fmt.Sprint(l2.ids()) != fmt.Sprint(want[2:]) || l2.HasMoreResults || l2.PreviousRecord == "" {
		t.Fatalf("page 2 %+v", l2)
	}
	back := simulationList(t, p, "?lineCount=2&previousRecord="+url.QueryEscape(l2.PreviousRecord))
	if fmt.Sprint(back.ids()) != fmt.Sprint(want[:2]) {
		t.Errorf("back to page 1: %v", back.ids())
	}
	// Filters: status, text (a borrower's name), last action dates.
	if l := simulationList(t, p, "?filterSimulationStatus=2"); fmt.Sprint(l.ids()) != fmt.Sprint(want[:1]) || l.TotalRecords != 1 {
		t.Errorf("validated only: %v", l.ids())
	}
	if l := simulationList(t, p, "?filterByText="+url.QueryEscape(name+" 1")); fmt.Sprint(l.ids()) != fmt.Sprint([]string{ids[1]}) {
		t.Errorf("by name: %v", l.ids())
	}
	day := top.LastActionDate[:10]
	if l := simulationList(t, p, "?filterStatusLastDateFrom="+day+"&filterStatusLastDateTo="+day); l.TotalRecords != 3 {
		t.Errorf("today: %d", l.TotalRecords)
	}
	if l := simulationList(t, p, "?filterStatusLastDateTo=2000-01-01"); l.TotalRecords != 0 {
		t.Errorf("before 2000: %d", l.TotalRecords)
	}
	// Limits: lineCount 1..100, a known status, dates.
	wantEnvelope(t, "lineCount 101", p.get(t, "/v1/simulations?lineCount=101"), 400, "060001", "lineCount")
	wantEnvelope(t, "lineCount 0", p.get(t, "/v1/simulations?lineCount=0"), 400, "060001", "lineCount")
	wantEnvelope(t, "lineCount x", p.get(t, "/v1/simulations?lineCount=x"), 400, "060001", "lineCount")
	wantEnvelope(t, "status 9", p.get(t, "/v1/simulations?filterSimulationStatus=9"), 400, "060001", "filterSimulationStatus")
	wantEnvelope(t, "bad date", p.get(t, "/v1/simulations?filterStatusLastDateFrom=yesterday"), 400, "060001", "filterStatusLastDateFrom")
	if l := simulationList(t, p, "?lineCount=100"); len(l.Simulations) != 3 {
		t.Errorf("lineCount 100: %d", len(l.Simulations))
	}
}
