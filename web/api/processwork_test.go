package api_test

// Contract tests of the process operations of the partner API (issue 12):
// Process Create / Update / Submit / Cancel, Borrower List / Create / Get /
// Update / Delete, Property List / Update, Process Detail's loan data.
// Every exchange is also checked against docs/openapi.yaml (TestMain).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"portal/models"
	"portal/web/webtest"
)

func (p apiSession) do(t testing.TB, method, path, body string, headers ...string) apiAnswer {
	t.Helper()
	return apiMust(t, p.s, method, path, body, p.headers(headers)...)
}

// nif completes 8 digits into a valid Portuguese tax number.
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

// refs are valid taxonomy ids for the bodies of these tests.
type refs struct {
	tax                                      *models.Taxonomy
	scheme, loanPurpose, productPurpose      int
	docType, residence, profession, employed int
	single, relation, typology, cancel       int
	district, county, parish, otherParish    int
}

func first(t testing.TB, tax *models.Taxonomy, list string) int {
	t.Helper()
	l, err := tax.List(list)
	if err != nil || len(l.Items) == 0 {
		t.Fatalf("taxonomy %s: %v", list, err)
	}
	return l.Items[0].ID
}

func testRefs(t testing.TB, s *webtest.Server) refs {
	t.Helper()
	tax, err := s.Store.Taxonomy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := refs{tax: tax,
		scheme: first(t, tax, "product-schemes"), loanPurpose: first(t, tax, "loan-purposes"),
		productPurpose: first(t, tax, "product-purposes"), docType: first(t, tax, "identification-documents"),
		residence: first(t, tax, "residence-types"), profession: first(t, tax, "professions"),
		employed: first(t, tax, "employment-situations"), relation: first(t, tax, "key-borrower-relations"),
		typology: first(t, tax, "property-typologies"), cancel: first(t, tax, "proposal-cancel-reasons"),
		district: 11,
	}
	statuses, _ := tax.List("marital-statuses")
	for _, it := range statuses.Items {
		if it.ID != models.MaritalStatusMarried {
			r.single = it.ID
			break
		}
	}
	counties, err := tax.Children("districts", r.district, "counties")
	if err != nil || len(counties) == 0 {
		t.Fatalf("counties of Lisboa: %v", err)
	}
	r.county = counties[0].ID
	parishes, err := tax.Children("counties", r.county, "parishes")
	if err != nil || len(parishes) == 0 {
		t.Fatalf("parishes: %v", err)
	}
	r.parish = parishes[0].ID
	other, _ := tax.Children("counties", counties[1].ID, "parishes")
	r.otherParish = other[0].ID
	return r
}

func (r refs) loanData() map[string]any {
	return map[string]any{"loanAmount": 150000.5, "loanDurationMonths": 360, "productSchemeId": r.scheme,
		"loanPurposeId": r.loanPurpose, "productPurposeId": r.productPurpose, "hasCrossSelling": true, "branchId": 7}
}

func (r refs) keyBorrower() map[string]any {
	return map[string]any{"name": "Inês Marques", "birthDate": "1985-04-12", "taxId": nif("23456789"),
		"identificationDocumentTypeId": r.docType, "identificationDocumentNumber": "12345678",
		"identificationDocumentExpiryDate": "2034-01-31", "nationalityId": 620, "maritalStatusId": r.single,
		"residenceTypeId": r.residence, "mobile": "+351 912 345 678", "email": "ines@example.com",
		"address": "Rua Augusta 10", "zipCode": "1100-053", "zipCodeLocal": "Lisboa", "professionId": r.profession,
		"employmentSituationId": r.employed, "employerName": "Empresa, SA", "employedSince": "2015-09-01",
		"incomeWagesPensions": 2500.5, "incomeRents": 300, "installmentCreditCard": 45.99}
}

func (r refs) coBorrower() map[string]any {
	return map[string]any{"name": "Rui Marques", "birthDate": "1983-02-01", "taxId": nif("12345678"),
		"keyBorrowerRelationId": r.relation}
}

func (r refs) property() map[string]any {
	return map[string]any{"propertyTypologyId": r.typology, "grossBuiltArea": 95, "yearBuilt": 1998,
		"acquisitionAmount": 200000, "acquisitionDate": "2026-11-30", "address": "Avenida da Liberdade 200",
		"doorNumber": "200", "floor": "3.º Esq.", "districtId": r.district, "countyId": r.county, "parishId": r.parish,
		"zipCode": "1250-147", "zipCodeLocal": "Lisboa"}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// raw is a JSON value sent as written (for amounts like 1.005).
type raw string

func (r raw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// wantStatus checks a write's success: exactly the envelope with code.
func wantStatus(t testing.TB, what string, a apiAnswer, status int, code, message string) {
	t.Helper()
	want := `{"operationStatus":{"operationStatusCode":"` + code + `","operationStatusMessage":"` + message + `"}}`
	if a.Status != status || string(a.Body) != want {
		t.Fatalf("%s: %s, want %d %s", what, a, status, want)
	}
}

// createProcess creates a process as p and returns its id.
func createProcess(t testing.TB, p apiSession, body map[string]any, headers ...string) (string, int64) {
	t.Helper()
	a := p.do(t, http.MethodPost, "/v1/processes", jsonBody(t, body), headers...)
	var out struct {
		OperationStatus OperationStatusJSON `json:"operationStatus"`
		ProcessUniqueID string              `json:"processUniqueID"`
		ProcessNumber   int64               `json:"processNumber"`
	}
	if a.Status != http.StatusCreated {
		t.Fatalf("create: %s", a)
	}
	webtest.StrictJSON(t, a.Body, &out)
	want := fmt.Sprintf(`{"operationStatus":{"operationStatusCode":"020102","operationStatusMessage":"Process created successfully"},"processUniqueID":"%s","processNumber":%d}`,
		out.ProcessUniqueID, out.ProcessNumber)
	if string(a.Body) != want || out.ProcessNumber <= 0 {
		t.Fatalf("create: %s", a.Body)
	}
	return out.ProcessUniqueID, out.ProcessNumber
}

type OperationStatusJSON struct {
	Code    string `json:"operationStatusCode"`
	Message string `json:"operationStatusMessage"`
}

func createBorrower(t testing.TB, p apiSession, process string, body map[string]any) string {
	t.Helper()
	a := p.do(t, http.MethodPost, "/v1/processes/"+process+"/borrowers", jsonBody(t, body))
	var out struct {
		OperationStatus  OperationStatusJSON `json:"operationStatus"`
		BorrowerUniqueID string              `json:"borrowerUniqueID"`
	}
	if a.Status != http.StatusCreated {
		t.Fatalf("create borrower: %s", a)
	}
	webtest.StrictJSON(t, a.Body, &out)
	if string(a.Body) != `{"operationStatus":{"operationStatusCode":"030102","operationStatusMessage":"Borrower created successfully"},"borrowerUniqueID":"`+out.BorrowerUniqueID+`"}` {
		t.Fatalf("create borrower: %s", a.Body)
	}
	return out.BorrowerUniqueID
}

// fieldCodes checks a 400's field errors carry these codes.
func wantCodes(t testing.TB, what string, env apiEnvelope, codes map[string]string) {
	t.Helper()
	for _, e := range env.Errors {
		if want, ok := codes[e.Field]; ok && e.Code != want {
			t.Errorf("%s: %s has code %s, want %s", what, e.Field, e.Code, want)
		}
	}
}

func detailOf(t testing.TB, p apiSession, id string, headers ...string) map[string]any {
	t.Helper()
	a := p.get(t, "/v1/processes/"+id, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("detail: %s", a)
	}
	var out map[string]any
	if err := json.Unmarshal(a.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// processIn is a demo process of firm in status.
func processIn(t testing.TB, s *webtest.Server, firm string, status int) string {
	t.Helper()
	var id string
	err := s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = ? AND p.status_id = ? ORDER BY p.process_number LIMIT 1`, firm, status).Scan(&id).Error
	if err != nil || id == "" {
		t.Fatalf("no process of %s in status %d: %v", firm, status, err)
	}
	return id
}

// processWorkFixture is one server with Ana's and Rui's tokens.
type processWorkFixture struct {
	s        *webtest.Server
	ana, rui apiSession
	r        refs
}

func TestProcessWorkAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		f := &processWorkFixture{s: s, ana: apiSignIn(t, s, lisboaUID, anaEmail), rui: apiSignIn(t, s, portoUID, ruiEmail), r: testRefs(t, s)}
		t.Run("create and update", func(t *testing.T) { checkCreateUpdate(t, f) })
		t.Run("idempotent create", func(t *testing.T) { checkIdempotentCreate(t, f) })
		t.Run("borrowers", func(t *testing.T) { checkBorrowers(t, f) })
		t.Run("property", func(t *testing.T) { checkProperty(t, f) })
		t.Run("submit", func(t *testing.T) { checkSubmit(t, f) })
		t.Run("cancel", func(t *testing.T) { checkCancel(t, f) })
		t.Run("foreign is missing", func(t *testing.T) { checkForeignIsMissing(t, f) })
	})
}

func checkCreateUpdate(t *testing.T, f *processWorkFixture) {
	ana, r := f.ana, f.r
	id, number := createProcess(t, ana, r.loanData())
	d := detailOf(t, ana, id, "Accept-Language", "en")
	scheme, _ := r.tax.List("product-schemes")
	it, _ := scheme.Item(r.scheme)
	for k, want := range map[string]any{"processUniqueID": id, "processNumber": float64(number), "processStatusID": float64(1),
		"processStatusDescription": "In creation", "loanAmount": 150000.5, "loanDurationMonths": float64(360),
		"productSchemeID": float64(r.scheme), "productSchemeDescription": it.EN, "loanPurposeID": float64(r.loanPurpose),
		"productPurposeID": float64(r.productPurpose), "hasCrossSelling": true, "branchID": float64(7), "keyBorrowerName": ""} {
		if d[k] != want {
			t.Errorf("detail %s = %v, want %v", k, d[k], want)
		}
	}
	if pt := detailOf(t, ana, id); pt["productSchemeDescription"] != it.PT || pt["loanPurposeDescription"] == "" {
		t.Errorf("Portuguese descriptions: %v", pt)
	}

	// Update replaces the loan data.
	wantStatus(t, "update", ana.do(t, http.MethodPut, "/v1/processes/"+id, jsonBody(t, with(r.loanData(),
		"loanAmount", 99999.99, "loanDurationMonths", 240, "hasCrossSelling", false, "branchId", nil))),
		http.StatusOK, "020101", "Process Updated successfully")
	d = detailOf(t, ana, id)
	if d["loanAmount"] != 99999.99 || d["loanDurationMonths"] != float64(240) || d["hasCrossSelling"] != false || d["branchID"] != nil {
		t.Errorf("after update: %v", d)
	}

	// Invalid input: each field with its code, on create and on update.
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
		code  string
	}{
		{"amount with 3 decimals", with(r.loanData(), "loanAmount", raw("1000.005")), "loanAmount", "020201"},
		{"amount as a string", with(r.loanData(), "loanAmount", "1000"), "loanAmount", "020201"},
		{"amount in exponent form", with(r.loanData(), "loanAmount", raw("1e5")), "loanAmount", "020201"},
		{"amount missing", with(r.loanData(), "loanAmount", nil), "loanAmount", "020201"},
		{"amount negative", with(r.loanData(), "loanAmount", -5), "loanAmount", "020201"},
		{"amount too large", with(r.loanData(), "loanAmount", 100000000.01), "loanAmount", "020201"},
		{"duration too short", with(r.loanData(), "loanDurationMonths", 11), "loanDurationMonths", "020301"},
		{"duration as a string", with(r.loanData(), "loanDurationMonths", "360"), "loanDurationMonths", "020301"},
		{"unknown scheme", with(r.loanData(), "productSchemeId", 9999), "productSchemeId", "020401"},
		{"unknown loan purpose", with(r.loanData(), "loanPurposeId", 9999), "loanPurposeId", "020501"},
		{"unknown product purpose", with(r.loanData(), "productPurposeId", 9999), "productPurposeId", "020601"},
		{"cross-selling as a string", with(r.loanData(), "hasCrossSelling", "yes"), "hasCrossSelling", "020701"},
		{"branch zero", with(r.loanData(), "branchId", 0), "branchId", "020801"},
	} {
		for _, op := range []struct{ method, path string }{{http.MethodPost, "/v1/processes"}, {http.MethodPut, "/v1/processes/" + id}} {
			env := wantEnvelope(t, op.method+" "+tc.name, ana.do(t, op.method, op.path, jsonBody(t, tc.body)), http.StatusBadRequest, "020001", tc.field)
			wantCodes(t, tc.name, env, map[string]string{tc.field: tc.code})
		}
	}
	for name, body := range map[string]string{"unknown field": `{"loanAmount":1000,"loanDurationMonths":120,"color":"red"}`,
		"malformed": `{"loanAmount":`, "empty": ``, "an array": `[]`} {
		wantEnvelope(t, name, ana.do(t, http.MethodPost, "/v1/processes", body), http.StatusBadRequest, "020001")
	}
	// A simulation that does not exist (simulations are a later capability).
	wantEnvelope(t, "simulation", ana.do(t, http.MethodPost, "/v1/processes", jsonBody(t, with(r.loanData(), "simulationUniqueId", missingUUID()))),
		http.StatusNotFound, "020002")
	// Over 64 KiB: 413.
	wantEnvelope(t, "large", ana.do(t, http.MethodPost, "/v1/processes", `{"loanAmount":1,"x":"`+strings.Repeat("x", 64<<10)+`"}`),
		http.StatusRequestEntityTooLarge, "020007")

	// Only "In creation": a submitted demo process is 409.
	submitted := processIn(t, f.s, lisboaUID, models.StatusSubmitted)
	wantEnvelope(t, "update submitted", ana.do(t, http.MethodPut, "/v1/processes/"+submitted, jsonBody(t, r.loanData())),
		http.StatusConflict, "020003")
}

func checkIdempotentCreate(t *testing.T, f *processWorkFixture) {
	ana, r := f.ana, f.r
	count := func() (n int64) {
		f.s.Store.DB().Raw(`SELECT count(*) FROM processes p JOIN broker_firms b ON b.id = p.broker_id WHERE b.broker_uid = ?`, lisboaUID).Scan(&n)
		return n
	}
	before := count()
	body := jsonBody(t, r.loanData())
	first := ana.do(t, http.MethodPost, "/v1/processes", body, "Idempotency-Key", "create-process-1")
	again := ana.do(t, http.MethodPost, "/v1/processes", body, "Idempotency-Key", "create-process-1")
	if first.Status != http.StatusCreated || again.Status != http.StatusCreated || !bytes.Equal(first.Body, again.Body) ||
		again.Header.Get("Idempotent-Replayed") != "true" || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("replay: %s then %s (%q)", first, again, again.Header.Get("Idempotent-Replayed"))
	}
	if n := count(); n != before+1 {
		t.Fatalf("%d processes created by a replayed create", n-before)
	}
	// The same key with another body is a conflict; nothing is created.
	wantEnvelope(t, "key reused", ana.do(t, http.MethodPost, "/v1/processes", jsonBody(t, with(r.loanData(), "loanDurationMonths", 120)),
		"Idempotency-Key", "create-process-1"), http.StatusConflict, "020003")
	// Another key creates another process.
	if a := ana.do(t, http.MethodPost, "/v1/processes", body, "Idempotency-Key", "create-process-2"); a.Status != http.StatusCreated || bytes.Equal(a.Body, first.Body) {
		t.Fatalf("another key: %s", a)
	}
	if n := count(); n != before+2 {
		t.Fatalf("%d processes after two keys", n-before)
	}

	// Borrower Create too.
	id, _ := createProcess(t, ana, r.loanData())
	path := "/v1/processes/" + id + "/borrowers"
	b1 := ana.do(t, http.MethodPost, path, jsonBody(t, r.keyBorrower()), "Idempotency-Key", "borrower-1")
	b2 := ana.do(t, http.MethodPost, path, jsonBody(t, r.keyBorrower()), "Idempotency-Key", "borrower-1")
	if b1.Status != http.StatusCreated || !bytes.Equal(b1.Body, b2.Body) || b2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("borrower replay: %s then %s", b1, b2)
	}
	var list struct {
		Borrowers []borrowerBody `json:"borrowers"`
	}
	webtest.StrictJSON(t, ana.get(t, path).Body, &list)
	if len(list.Borrowers) != 1 {
		t.Fatalf("%d borrowers after a replayed create", len(list.Borrowers))
	}
	wantEnvelope(t, "borrower key reused", ana.do(t, http.MethodPost, path, jsonBody(t, r.coBorrower()), "Idempotency-Key", "borrower-1"),
		http.StatusConflict, "030003")
}

type borrowerBody map[string]any

func borrowerOf(t testing.TB, p apiSession, process, borrower string, headers ...string) borrowerBody {
	t.Helper()
	a := p.get(t, "/v1/processes/"+process+"/borrowers/"+borrower, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("borrower: %s", a)
	}
	var out borrowerBody
	if err := json.Unmarshal(a.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkBorrowers(t *testing.T, f *processWorkFixture) {
	ana, r := f.ana, f.r
	id, _ := createProcess(t, ana, r.loanData())
	base := "/v1/processes/" + id + "/borrowers"
	if a := ana.get(t, base); a.Status != http.StatusOK || string(a.Body) != `{"borrowers":[]}` {
		t.Fatalf("no borrowers yet: %s", a)
	}
	key := createBorrower(t, ana, id, r.keyBorrower())
	co := createBorrower(t, ana, id, r.coBorrower())

	b := borrowerOf(t, ana, id, key, "Accept-Language", "en")
	for k, want := range map[string]any{"borrowerUniqueID": key, "borrowerTypeID": float64(1), "borrowerTypeDescription": "Key borrower",
		"name": "Inês Marques", "taxId": nif("23456789"), "birthDate": "1985-04-12", "nationalityID": float64(620),
		"nationalityDescription": "Portugal", "incomeWagesPensions": 2500.5, "incomeRents": float64(300),
		"installmentCreditCard": 45.99, "incomeOthers": float64(0), "keyBorrowerRelationID": nil, "genderID": nil,
		"employedSince": "2015-09-01", "hasSocialSecurityDebt": false} {
		if b[k] != want {
			t.Errorf("key borrower %s = %v, want %v", k, b[k], want)
		}
	}
	if c := borrowerOf(t, ana, id, co); c["borrowerTypeID"] != float64(2) || c["borrowerTypeDescription"] != "Titular" ||
		c["keyBorrowerRelationID"] != float64(r.relation) || c["keyBorrowerRelationDescription"] == nil {
		t.Errorf("co-borrower: %v", c)
	}
	// The list: key borrower first; the process list shows the key borrower.
	var list struct {
		Borrowers []borrowerBody `json:"borrowers"`
	}
	webtest.StrictJSON(t, ana.get(t, base).Body, &list)
	if len(list.Borrowers) != 2 || list.Borrowers[0]["borrowerUniqueID"] != key || list.Borrowers[1]["borrowerUniqueID"] != co {
		t.Fatalf("list: %v", list)
	}
	if d := detailOf(t, ana, id); d["keyBorrowerName"] != "Inês Marques" {
		t.Errorf("keyBorrowerName %v", d["keyBorrowerName"])
	}

	// Update replaces the data.
	wantStatus(t, "update", ana.do(t, http.MethodPut, base+"/"+key, jsonBody(t, with(r.keyBorrower(), "name", "Inês Marques Silva",
		"incomeRents", nil, "genderId", first(t, r.tax, "genders")))), http.StatusOK, "030101", "Borrower updated successfully")
	if b := borrowerOf(t, ana, id, key); b["name"] != "Inês Marques Silva" || b["incomeRents"] != float64(0) || b["genderID"] == nil || b["genderDescription"] == nil {
		t.Errorf("after update: %v", b)
	}

	// Invalid input, each field with its code.
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
		code  string
	}{
		{"check digit", with(r.keyBorrower(), "taxId", "123456780"), "taxId", "030601"},
		{"name missing", with(r.keyBorrower(), "name", nil), "name", "030401"},
		{"minor", with(r.keyBorrower(), "birthDate", "2020-01-01"), "birthDate", "030501"},
		{"not a date", with(r.keyBorrower(), "birthDate", "1985-02-30"), "birthDate", "030501"},
		{"unknown nationality", with(r.keyBorrower(), "nationalityId", 99999), "nationalityId", "031001"},
		{"unknown document type", with(r.keyBorrower(), "identificationDocumentTypeId", 99999), "identificationDocumentTypeId", "030701"},
		{"bad e-mail", with(r.keyBorrower(), "email", "not an address"), "email", "031601"},
		{"bad zip", with(r.keyBorrower(), "zipCode", "1100"), "zipCode", "031801"},
		{"bad mobile", with(r.keyBorrower(), "mobile", "call me"), "mobile", "031501"},
		{"income with 3 decimals", with(r.keyBorrower(), "incomeRents", raw("10.001")), "incomeRents", "032701"},
		{"negative instalment", with(r.keyBorrower(), "installmentOther", -1), "installmentOther", "033401"},
		{"instalment as a string", with(r.keyBorrower(), "installmentHousingCredit", "100"), "installmentHousingCredit", "032901"},
		{"unknown type", with(r.keyBorrower(), "borrowerTypeId", 7), "borrowerTypeId", "030201"},
		{"debt as a number", with(r.keyBorrower(), "hasSocialSecurityDebt", 1), "hasSocialSecurityDebt", "033501"},
	} {
		for _, op := range []struct{ method, path string }{{http.MethodPost, base}, {http.MethodPut, base + "/" + key}} {
			env := wantEnvelope(t, op.method+" "+tc.name, ana.do(t, op.method, op.path, jsonBody(t, tc.body)), http.StatusBadRequest, "030001", tc.field)
			wantCodes(t, tc.name, env, map[string]string{tc.field: tc.code})
		}
	}
	wantEnvelope(t, "unknown field", ana.do(t, http.MethodPost, base, `{"name":"X","nickname":"Y"}`), http.StatusBadRequest, "030001")
	// Every field, one bad value each, with the field's own code.
	long := strings.Repeat("x", 300)
	for field, tc := range map[string]struct {
		bad  any
		code string
	}{
		"borrowerTypeId": {3, "030201"}, "keyBorrowerRelationId": {99999, "030301"}, "name": {long, "030401"},
		"birthDate": {"1985-13-01", "030501"}, "taxId": {"999999999", "030601"}, "identificationDocumentTypeId": {99999, "030701"},
		"identificationDocumentNumber": {long, "030801"}, "identificationDocumentExpiryDate": {"31/01/2030", "030901"},
		"nationalityId": {99999, "031001"}, "genderId": {99999, "031101"}, "maritalStatusId": {99999, "031201"},
		"matrimonialRegimeId": {99999, "031301"}, "residenceTypeId": {99999, "031401"}, "mobile": {"12", "031501"},
		"email": {"@", "031601"}, "address": {long, "031701"}, "zipCode": {"ABCD-EFG", "031801"}, "zipCodeLocal": {long, "031901"},
		"professionId": {99999, "032001"}, "employmentSituationId": {99999, "032101"}, "employmentContractTypeId": {99999, "032201"},
		"employerName": {long, "032301"}, "employedSince": {"2999-01-01", "032401"},
		"incomeWagesPensions": {raw("0.001"), "032501"}, "incomeGreenReceipts": {-1, "032601"}, "incomeRents": {"5", "032701"},
		"incomeOthers": {raw("2e2"), "032801"}, "installmentHousingCredit": {raw("1.234"), "032901"},
		"installmentPersonalCredit": {-0.01, "033001"}, "installmentAutoLeasingCredit": {true, "033101"},
		"installmentCreditCard": {raw("1.001"), "033201"}, "installmentBankOverdraft": {-2, "033301"},
		"installmentOther": {"x", "033401"}, "hasSocialSecurityDebt": {"no", "033501"},
	} {
		env := wantEnvelope(t, "bad "+field, ana.do(t, http.MethodPut, base+"/"+key, jsonBody(t, with(r.keyBorrower(), field, tc.bad))),
			http.StatusBadRequest, "030001", field)
		wantCodes(t, "bad "+field, env, map[string]string{field: tc.code})
	}

	// The key borrower cannot be deleted; another can.
	wantEnvelope(t, "delete key", ana.do(t, http.MethodDelete, base+"/"+key, ""), http.StatusConflict, "030003")
	wantStatus(t, "delete co-borrower", ana.do(t, http.MethodDelete, base+"/"+co, ""), http.StatusOK, "030103", "Borrower deleted successfully")
	missing := ana.get(t, base+"/"+missingUUID())
	wantEnvelope(t, "missing borrower", missing, http.StatusNotFound, "030002")
	if a := ana.get(t, base+"/"+co); a.Status != http.StatusNotFound || !bytes.Equal(a.Body, missing.Body) {
		t.Errorf("deleted borrower: %s", a)
	}
	// A borrower of another process of the same firm is missing here.
	other, _ := createProcess(t, ana, r.loanData())
	otherKey := createBorrower(t, ana, other, r.keyBorrower())
	for _, op := range []struct{ method, body string }{{http.MethodGet, ""}, {http.MethodPut, jsonBody(t, r.keyBorrower())}, {http.MethodDelete, ""}} {
		a := ana.do(t, op.method, base+"/"+otherKey, op.body)
		m := ana.do(t, op.method, base+"/"+missingUUID(), op.body)
		if a.Status != http.StatusNotFound || !bytes.Equal(a.Body, m.Body) {
			t.Errorf("%s another process's borrower: %s, a missing one %s", op.method, a, m)
		}
	}
	if b := borrowerOf(t, ana, other, otherKey); b["name"] != "Inês Marques" {
		t.Errorf("the other process's borrower changed: %v", b)
	}
}

func checkProperty(t *testing.T, f *processWorkFixture) {
	ana, r := f.ana, f.r
	id, _ := createProcess(t, ana, r.loanData())
	base := "/v1/processes/" + id + "/properties"
	var list struct {
		Properties []map[string]any `json:"properties"`
	}
	webtest.StrictJSON(t, ana.get(t, base).Body, &list)
	if len(list.Properties) != 1 || list.Properties[0]["parishID"] != nil || list.Properties[0]["acquisitionAmount"] != nil {
		t.Fatalf("a new process's property: %v", list)
	}
	prop := list.Properties[0]["propertyUniqueID"].(string)
	wantStatus(t, "update", ana.do(t, http.MethodPut, base+"/"+prop, jsonBody(t, r.property())), http.StatusOK, "050101", "Property updated successfully")
	webtest.StrictJSON(t, ana.get(t, base, "Accept-Language", "en").Body, &list)
	p := list.Properties[0]
	for k, want := range map[string]any{"propertyUniqueID": prop, "districtID": float64(11), "districtDescription": "Lisbon",
		"countyID": float64(r.county), "parishID": float64(r.parish), "acquisitionAmount": float64(200000), "grossBuiltArea": float64(95),
		"acquisitionDate": "2026-11-30", "floor": "3.º Esq."} {
		if p[k] != want {
			t.Errorf("property %s = %v, want %v", k, p[k], want)
		}
	}
	if p["parishDescription"] == nil || p["countyDescription"] == nil || p["propertyTypologyDescription"] == nil {
		t.Errorf("descriptions: %v", p)
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
		code  string
	}{
		{"parish of another county", with(r.property(), "parishId", r.otherParish), "parishId", "051201"},
		{"amount with 3 decimals", with(r.property(), "acquisitionAmount", raw("1.999")), "acquisitionAmount", "050501"},
		{"area zero", with(r.property(), "grossBuiltArea", 0), "grossBuiltArea", "050301"},
		{"year 1700", with(r.property(), "yearBuilt", 1700), "yearBuilt", "050401"},
		{"unknown typology", with(r.property(), "propertyTypologyId", 9999), "propertyTypologyId", "050201"},
		{"bad zip", with(r.property(), "zipCode", "12345"), "zipCode", "051301"},
		{"district unknown", with(r.property(), "districtId", 9999), "districtId", "051001"},
	} {
		env := wantEnvelope(t, tc.name, ana.do(t, http.MethodPut, base+"/"+prop, jsonBody(t, tc.body)), http.StatusBadRequest, "050001", tc.field)
		wantCodes(t, tc.name, env, map[string]string{tc.field: tc.code})
	}
	long := strings.Repeat("x", 300)
	for field, tc := range map[string]struct {
		bad  any
		code string
	}{
		"acquisitionDate": {"2026-02-30", "050601"}, "address": {long, "050701"}, "doorNumber": {long, "050801"},
		"floor": {long, "050901"}, "countyId": {99999, "051101"}, "zipCodeLocal": {long, "051401"},
		"grossBuiltArea": {"95", "050301"}, "yearBuilt": {1998.5, "050401"}, "acquisitionAmount": {-1, "050501"},
	} {
		env := wantEnvelope(t, "bad "+field, ana.do(t, http.MethodPut, base+"/"+prop, jsonBody(t, with(r.property(), field, tc.bad))),
			http.StatusBadRequest, "050001", field)
		wantCodes(t, "bad "+field, env, map[string]string{field: tc.code})
	}
	// Another process's property is missing here.
	other, _ := createProcess(t, ana, r.loanData())
	var otherList struct {
		Properties []map[string]any `json:"properties"`
	}
	webtest.StrictJSON(t, ana.get(t, "/v1/processes/"+other+"/properties").Body, &otherList)
	a := ana.do(t, http.MethodPut, base+"/"+otherList.Properties[0]["propertyUniqueID"].(string), jsonBody(t, r.property()))
	m := ana.do(t, http.MethodPut, base+"/"+missingUUID(), jsonBody(t, r.property()))
	wantEnvelope(t, "missing property", m, http.StatusNotFound, "050002")
	if a.Status != http.StatusNotFound || !bytes.Equal(a.Body, m.Body) {
		t.Errorf("another process's property: %s, a missing one %s", a, m)
	}
}

func checkSubmit(t *testing.T, f *processWorkFixture) {
	ana, r := f.ana, f.r
	id, _ := createProcess(t, ana, with(r.loanData(), "productSchemeId", nil))
	submit := "/v1/processes/" + id + "/submit"
	env := wantEnvelope(t, "incomplete", ana.post(t, submit, ""), http.StatusBadRequest, "020001",
		"productSchemeId", "keyBorrower", "property.districtId", "property.countyId", "property.parishId", "property.acquisitionAmount")
	wantCodes(t, "incomplete", env, map[string]string{"productSchemeId": "020401", "keyBorrower": "039901",
		"property.districtId": "051001", "property.parishId": "051201", "property.acquisitionAmount": "050501"})

	// A key borrower without their data, a co-borrower without a relation.
	key := createBorrower(t, ana, id, map[string]any{"name": "Inês Marques"})
	createBorrower(t, ana, id, map[string]any{"name": "Rui Marques", "borrowerTypeId": 2, "keyBorrowerRelationId": r.relation})
	a := ana.post(t, submit, "{}")
	if a.Status != http.StatusBadRequest {
		t.Fatalf("still incomplete: %s", a)
	}
	var got apiEnvelope
	webtest.StrictJSON(t, a.Body, &got)
	codes := map[string]string{}
	for _, e := range got.Errors {
		codes[e.Field] = e.Code
	}
	for field, code := range map[string]string{"keyBorrower.taxId": "030601", "keyBorrower.birthDate": "030501",
		"keyBorrower.nationalityId": "031001", "keyBorrower.incomeWagesPensions": "032501", "borrower[2].taxId": "030601",
		"borrower[2].birthDate": "030501", "property.parishId": "051201"} {
		if codes[field] != code {
			t.Errorf("missing %s: code %q, want %s (%s)", field, codes[field], code, a.Body)
		}
	}
	if _, ok := codes["keyBorrower"]; ok {
		t.Errorf("a key borrower exists: %s", a.Body)
	}

	// Complete it: submitted, and then no edit and no second submit.
	wantStatus(t, "loan data", ana.do(t, http.MethodPut, "/v1/processes/"+id, jsonBody(t, r.loanData())), http.StatusOK, "020101", "Process Updated successfully")
	wantStatus(t, "key borrower", ana.do(t, http.MethodPut, "/v1/processes/"+id+"/borrowers/"+key, jsonBody(t, r.keyBorrower())),
		http.StatusOK, "030101", "Borrower updated successfully")
	var bl struct {
		Borrowers []borrowerBody `json:"borrowers"`
	}
	webtest.StrictJSON(t, ana.get(t, "/v1/processes/"+id+"/borrowers").Body, &bl)
	co := bl.Borrowers[1]["borrowerUniqueID"].(string)
	wantStatus(t, "co-borrower", ana.do(t, http.MethodPut, "/v1/processes/"+id+"/borrowers/"+co, jsonBody(t, r.coBorrower())),
		http.StatusOK, "030101", "Borrower updated successfully")
	var pl struct {
		Properties []map[string]any `json:"properties"`
	}
	webtest.StrictJSON(t, ana.get(t, "/v1/processes/"+id+"/properties").Body, &pl)
	prop := pl.Properties[0]["propertyUniqueID"].(string)
	wantStatus(t, "property", ana.do(t, http.MethodPut, "/v1/processes/"+id+"/properties/"+prop, jsonBody(t, r.property())),
		http.StatusOK, "050101", "Property updated successfully")
	wantEnvelope(t, "a body to submit", ana.post(t, submit, `{"now":true}`), http.StatusBadRequest, "020001")

	wantStatus(t, "submit", ana.post(t, submit, ""), http.StatusOK, "020103", "Process submitted successfully")
	if d := detailOf(t, ana, id, "Accept-Language", "en"); d["processStatusID"] != float64(models.StatusSubmitted) || d["processStatusDescription"] != "Submitted" {
		t.Errorf("after submit: %v", d)
	}
	wantEnvelope(t, "submit twice", ana.post(t, submit, ""), http.StatusConflict, "020003")
	for _, op := range []struct{ method, path, body, code string }{
		{http.MethodPut, "/v1/processes/" + id, jsonBody(t, r.loanData()), "020003"},
		{http.MethodPost, "/v1/processes/" + id + "/borrowers", jsonBody(t, r.coBorrower()), "030003"},
		{http.MethodPut, "/v1/processes/" + id + "/borrowers/" + key, jsonBody(t, r.keyBorrower()), "030003"},
		{http.MethodDelete, "/v1/processes/" + id + "/borrowers/" + co, "", "030003"},
		{http.MethodPut, "/v1/processes/" + id + "/properties/" + prop, jsonBody(t, r.property()), "050003"},
	} {
		wantEnvelope(t, "after submit "+op.method+" "+op.path, ana.do(t, op.method, op.path, op.body), http.StatusConflict, op.code)
	}
	// Reads still work.
	if a := ana.get(t, "/v1/processes/"+id+"/borrowers/"+key); a.Status != http.StatusOK {
		t.Errorf("read after submit: %s", a)
	}
}

func checkCancel(t *testing.T, f *processWorkFixture) {
	ana, r := f.ana, f.r
	byQuery, _ := createProcess(t, ana, r.loanData())
	byBody, _ := createProcess(t, ana, r.loanData())
	wantEnvelope(t, "no reason", ana.do(t, http.MethodDelete, "/v1/processes/"+byQuery, ""), http.StatusBadRequest, "020001", "cancelReasonId")
	env := wantEnvelope(t, "unknown reason", ana.do(t, http.MethodDelete, "/v1/processes/"+byQuery+"?cancelReasonId=9999", ""),
		http.StatusBadRequest, "020001", "cancelReasonId")
	wantCodes(t, "unknown reason", env, map[string]string{"cancelReasonId": "021001"})
	wantEnvelope(t, "reason not a number", ana.do(t, http.MethodDelete, "/v1/processes/"+byQuery+"?cancelReasonId=abc", ""),
		http.StatusBadRequest, "020001", "cancelReasonId")
	wantEnvelope(t, "comment too long", ana.do(t, http.MethodDelete, "/v1/processes/"+byBody,
		jsonBody(t, map[string]any{"cancelReasonId": r.cancel, "comment": strings.Repeat("c", models.MaxTransitionComment+1)})),
		http.StatusBadRequest, "020001", "comment")

	wantStatus(t, "cancel by query", ana.do(t, http.MethodDelete, "/v1/processes/"+byQuery+"?cancelReasonId="+strconv.Itoa(r.cancel), ""),
		http.StatusOK, "020104", "Process cancelled successfully")
	wantStatus(t, "cancel by body", ana.do(t, http.MethodDelete, "/v1/processes/"+byBody,
		jsonBody(t, map[string]any{"cancelReasonId": r.cancel, "comment": "The client found another bank."})),
		http.StatusOK, "020104", "Process cancelled successfully")
	for _, id := range []string{byQuery, byBody} {
		if d := detailOf(t, ana, id); d["processStatusID"] != float64(models.StatusCancelled) {
			t.Errorf("after cancel: %v", d)
		}
	}
	wantEnvelope(t, "cancel twice", ana.do(t, http.MethodDelete, "/v1/processes/"+byBody+"?cancelReasonId="+strconv.Itoa(r.cancel), ""),
		http.StatusConflict, "020003")
	// A broker cannot cancel what the bank has decided.
	for _, status := range []int{models.StatusApproved, models.StatusContracted, models.StatusRejected} {
		decided := processIn(t, f.s, lisboaUID, status)
		wantEnvelope(t, "cancel decided", ana.do(t, http.MethodDelete, "/v1/processes/"+decided+"?cancelReasonId="+strconv.Itoa(r.cancel), ""),
			http.StatusConflict, "020003")
	}
}

// Rui (Porto) on Ana's process, and ids nobody has: the same 404 byte for
// byte, for every operation, and nothing changes.
func checkForeignIsMissing(t *testing.T, f *processWorkFixture) {
	ana, rui, r := f.ana, f.rui, f.r
	id, _ := createProcess(t, ana, r.loanData())
	key := createBorrower(t, ana, id, r.keyBorrower())
	var pl struct {
		Properties []map[string]any `json:"properties"`
	}
	webtest.StrictJSON(t, ana.get(t, "/v1/processes/"+id+"/properties").Body, &pl)
	prop := pl.Properties[0]["propertyUniqueID"].(string)
	before := ana.get(t, "/v1/processes/"+id)

	type op struct{ method, path, body string }
	ops := func(process, borrower, property string) []op {
		return []op{
			{http.MethodGet, "/v1/processes/" + process, ""},
			{http.MethodPut, "/v1/processes/" + process, jsonBody(t, r.loanData())},
			{http.MethodDelete, "/v1/processes/" + process + "?cancelReasonId=" + strconv.Itoa(r.cancel), ""},
			{http.MethodPost, "/v1/processes/" + process + "/submit", ""},
			{http.MethodGet, "/v1/processes/" + process + "/borrowers", ""},
			{http.MethodPost, "/v1/processes/" + process + "/borrowers", jsonBody(t, r.coBorrower())},
			{http.MethodGet, "/v1/processes/" + process + "/borrowers/" + borrower, ""},
			{http.MethodPut, "/v1/processes/" + process + "/borrowers/" + borrower, jsonBody(t, r.keyBorrower())},
			{http.MethodDelete, "/v1/processes/" + process + "/borrowers/" + borrower, ""},
			{http.MethodGet, "/v1/processes/" + process + "/properties", ""},
			{http.MethodPut, "/v1/processes/" + process + "/properties/" + property, jsonBody(t, r.property())},
		}
	}
	foreign := ops(id, key, prop)
	missing := ops(missingUUID(), missingUUID(), missingUUID())
	known := ops(missingUUID(), key, prop) // children of Ana's process under a missing one
	for i := range foreign {
		m := rui.do(t, missing[i].method, missing[i].path, missing[i].body)
		if m.Status != http.StatusNotFound {
			t.Fatalf("%s %s missing: %s", missing[i].method, missing[i].path, m)
		}
		for _, a := range []apiAnswer{rui.do(t, foreign[i].method, foreign[i].path, foreign[i].body),
			rui.do(t, foreign[i].method, strings.Replace(foreign[i].path, id, strings.ToUpper(id), 1), foreign[i].body),
			ana.do(t, known[i].method, known[i].path, known[i].body)} {
			if a.Status != m.Status || !bytes.Equal(a.Body, m.Body) {
				t.Errorf("%s %s: %s, a missing one %s", foreign[i].method, foreign[i].path, a, m)
			}
		}
	}
	if after := ana.get(t, "/v1/processes/"+id); !bytes.Equal(before.Body, after.Body) {
		t.Errorf("Rui's calls changed Ana's process: %s -> %s", before.Body, after.Body)
	}
	if b := borrowerOf(t, ana, id, key); b["name"] != "Inês Marques" {
		t.Errorf("Rui's calls changed Ana's borrower: %v", b)
	}
}
