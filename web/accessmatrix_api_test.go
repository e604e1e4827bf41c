package web_test

// The access matrix of the partner API's process operations (issues 12 and
// 13): every /v1 route of processes, borrowers, documents, properties and
// taxonomy, called
// by each kind of caller (accessmatrix_test.go's) against a Lisboa
// process, a Porto one and one that does not exist, on both dialects. As
// there, every answer is checked against the table, and wherever a caller's
// answer for another firm's process equals the table's answer for the
// missing one, it must be that answer byte for byte.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/web/webtest"
)

// Rows run in this order for each caller, Ana first: her writes leave the
// Lisboa process as the later rows need it (Rui's the Porto one). Targets
// are processes "In creation" with a key borrower ({key}), a co-borrower
// ({co}, deleted once by the firm's broker), their property ({property})
// and a document ({doc}, deleted once by the firm's broker);
// for "missing" every id is unknown. Submit answers 400 (the process is
// incomplete): the caller got past the access check. Cancel comes last.
const processAPITable = `
method path                                                   target   Ana     João    Rui     Marta   Maria  anonymous
POST   /v1/authentication                                     -        200     401     200     401     401    401
GET    /v1/openapi.json                                       -        200     200     200     200     200    200
GET    /v1/taxonomy                                           -        200     401     200     401     401    401
GET    /v1/taxonomy/districts                                 -        200     401     200     401     401    401
GET    /v1/taxonomy/workflow-states/proposal                  -        200     401     200     401     401    401
GET    /v1/taxonomy/districts/11/counties                     -        200     401     200     401     401    401
POST   /v1/processes                                          -        201     401     201     401     401    401

PUT    /v1/processes/{id}                                     lisboa   200     401     404     401     401    401
PUT    /v1/processes/{id}                                     porto    404     401     200     401     401    401
PUT    /v1/processes/{id}                                     missing  404     401     404     401     401    401

GET    /v1/processes/{id}/borrowers                           lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}/borrowers                           porto    404     401     200     401     401    401
GET    /v1/processes/{id}/borrowers                           missing  404     401     404     401     401    401

POST   /v1/processes/{id}/borrowers                           lisboa   201     401     404     401     401    401
POST   /v1/processes/{id}/borrowers                           porto    404     401     201     401     401    401
POST   /v1/processes/{id}/borrowers                           missing  404     401     404     401     401    401

GET    /v1/processes/{id}/borrowers/{key}                     lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}/borrowers/{key}                     porto    404     401     200     401     401    401
GET    /v1/processes/{id}/borrowers/{key}                     missing  404     401     404     401     401    401

PUT    /v1/processes/{id}/borrowers/{key}                     lisboa   200     401     404     401     401    401
PUT    /v1/processes/{id}/borrowers/{key}                     porto    404     401     200     401     401    401
PUT    /v1/processes/{id}/borrowers/{key}                     missing  404     401     404     401     401    401

DELETE /v1/processes/{id}/borrowers/{key}                     lisboa   409     401     404     401     401    401
DELETE /v1/processes/{id}/borrowers/{key}                     porto    404     401     409     401     401    401
DELETE /v1/processes/{id}/borrowers/{key}                     missing  404     401     404     401     401    401

DELETE /v1/processes/{id}/borrowers/{co}                      lisboa   200     401     404     401     401    401
DELETE /v1/processes/{id}/borrowers/{co}                      porto    404     401     200     401     401    401
DELETE /v1/processes/{id}/borrowers/{co}                      missing  404     401     404     401     401    401

GET    /v1/processes/{id}/properties                          lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}/properties                          porto    404     401     200     401     401    401
GET    /v1/processes/{id}/properties                          missing  404     401     404     401     401    401

PUT    /v1/processes/{id}/properties/{property}               lisboa   200     401     404     401     401    401
PUT    /v1/processes/{id}/properties/{property}               porto    404     401     200     401     401    401
PUT    /v1/processes/{id}/properties/{property}               missing  404     401     404     401     401    401

GET    /v1/processes/{id}/documents                           lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}/documents                           porto    404     401     200     401     401    401
GET    /v1/processes/{id}/documents                           missing  404     401     404     401     401    401

POST   /v1/processes/{id}/documents                           lisboa   201     401     404     401     401    401
POST   /v1/processes/{id}/documents                           porto    404     401     201     401     401    401
POST   /v1/processes/{id}/documents                           missing  404     401     404     401     401    401

GET    /v1/processes/{id}/documents/{doc}                     lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}/documents/{doc}                     porto    404     401     200     401     401    401
GET    /v1/processes/{id}/documents/{doc}                     missing  404     401     404     401     401    401

PUT    /v1/processes/{id}/documents/{doc}                     lisboa   200     401     404     401     401    401
PUT    /v1/processes/{id}/documents/{doc}                     porto    404     401     200     401     401    401
PUT    /v1/processes/{id}/documents/{doc}                     missing  404     401     404     401     401    401

DELETE /v1/processes/{id}/documents/{doc}                     lisboa   200     401     404     401     401    401
DELETE /v1/processes/{id}/documents/{doc}                     porto    404     401     200     401     401    401
DELETE /v1/processes/{id}/documents/{doc}                     missing  404     401     404     401     401    401

POST   /v1/processes/{id}/submit                              lisboa   400     401     404     401     401    401
POST   /v1/processes/{id}/submit                              porto    404     401     400     401     401    401
POST   /v1/processes/{id}/submit                              missing  404     401     404     401     401    401

DELETE /v1/processes/{id}?cancelReasonId={reason}             lisboa   200     401     404     401     401    401
DELETE /v1/processes/{id}?cancelReasonId={reason}             porto    404     401     200     401     401    401
DELETE /v1/processes/{id}?cancelReasonId={reason}             missing  404     401     404     401     401    401
`

// apiTarget is a process of the matrix and its children's ids.
type apiTarget struct{ id, key, co, property, doc string }

func (tg apiTarget) replace(s string, reason int) string {
	return strings.NewReplacer("{id}", tg.id, "{key}", tg.key, "{co}", tg.co, "{property}", tg.property, "{doc}", tg.doc,
		"{reason}", fmt.Sprint(reason)).Replace(s)
}

// apiTargets creates a process "In creation" with two borrowers for each
// firm, through the partner API as its broker.
func apiTargets(t *testing.T, s *webtest.Server) map[string]apiTarget {
	t.Helper()
	out := map[string]apiTarget{"-": {},
		"missing": {uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()}}
	for name, who := range map[string][2]string{"lisboa": {"BRK-LIS-001", "ana.silva@lisboa-credito.example"},
		"porto": {"BRK-POR-002", "rui.pereira@porto-hipotecas.example"}} {
		c := s.Client(t)
		c.Bearer = s.PartnerToken(t, who[0], who[1])
		send := func(method, path, body string) map[string]any {
			req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res := c.Do(req)
			if res.StatusCode >= 300 {
				t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, res.Body)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		var tg apiTarget
		tg.id = send(http.MethodPost, "/v1/processes", `{"loanAmount":120000,"loanDurationMonths":300}`)["processUniqueID"].(string)
		tg.key = send(http.MethodPost, "/v1/processes/"+tg.id+"/borrowers", `{"name":"Key Borrower"}`)["borrowerUniqueID"].(string)
		tg.co = send(http.MethodPost, "/v1/processes/"+tg.id+"/borrowers", `{"name":"Co Borrower","keyBorrowerRelationId":1}`)["borrowerUniqueID"].(string)
		props := send(http.MethodGet, "/v1/processes/"+tg.id+"/properties", "")["properties"].([]any)
		tg.property = props[0].(map[string]any)["propertyUniqueID"].(string)
		tg.doc = send(http.MethodPost, "/v1/processes/"+tg.id+"/documents", apiBodies["POST /v1/processes/{id}/documents"])["documentUniqueID"].(string)
		out[name] = tg
	}
	return out
}

// apiBodies are the JSON bodies the matrix sends, by method and route.
var apiBodies = map[string]string{
	"POST /v1/processes":                                `{"loanAmount":90000,"loanDurationMonths":240}`,
	"PUT /v1/processes/{id}":                            `{"loanAmount":95000.5,"loanDurationMonths":240}`,
	"POST /v1/processes/{id}/borrowers":                 `{"name":"Access Matrix","keyBorrowerRelationId":1}`,
	"PUT /v1/processes/{id}/borrowers/{key}":            `{"name":"Key Borrower, again"}`,
	"PUT /v1/processes/{id}/properties/{property}":      `{"districtId":11,"acquisitionAmount":150000}`,
	"DELETE /v1/processes/{id}?cancelReasonId={reason}": ``,
	"GET /v1/processes/{id}/documents":                  ``,
	"POST /v1/processes/{id}/documents":                 `{"fileName":"matrix.pdf","documentTypeId":6,"content":"` + matrixPDF + `"}`,
	"GET /v1/processes/{id}/documents/{doc}":            ``,
	"PUT /v1/processes/{id}/documents/{doc}":            `{"title":"Access matrix"}`,
	"DELETE /v1/processes/{id}/documents/{doc}":         ``,
	"POST /v1/processes/{id}/submit":                    ``,
	"DELETE /v1/processes/{id}/borrowers/{key}":         ``,
	"DELETE /v1/processes/{id}/borrowers/{co}":          ``,
	"GET /v1/processes/{id}/borrowers/{key}":            ``,
	"GET /v1/processes/{id}/properties":                 ``,
	"GET /v1/processes/{id}/borrowers":                  ``,
	"POST /v1/authentication":                           ``,
	"GET /v1/openapi.json":                              ``,
	"GET /v1/taxonomy":                                  ``,
	"GET /v1/taxonomy/districts":                        ``,
	"GET /v1/taxonomy/workflow-states/proposal":         ``,
	"GET /v1/taxonomy/districts/11/counties":            ``,
}

// matrixPDF is a small PDF in Base64, the content the matrix uploads.
var matrixPDF = base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"))

func TestAccessMatrixProcessAPI(t *testing.T) {
	webtest.EachDialect(t, runProcessAPIMatrix)
}

func runProcessAPIMatrix(t *testing.T, s *webtest.Server) {
	targets := apiTargets(t, s)
	tax, err := s.Store.Taxonomy(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	reasons, _ := tax.List(models.TaxonomyCancelReasons)
	reason := reasons.Items[0].ID
	var table []matrixRow
	for i, line := range strings.Split(strings.TrimSpace(processAPITable), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) == 0 {
			continue
		}
		if len(f) != 3+len(matrixCallers) {
			t.Fatalf("table line %d has %d columns: %q", i+1, len(f), line)
		}
		table = append(table, matrixRow{f[0], f[1], f[2], f[3:]})
	}
	missingWant := map[string][]string{}
	for _, row := range table {
		if _, ok := apiBodies[row.route()]; !ok {
			t.Fatalf("no body for %s", row.route())
		}
		if row.target == "missing" {
			missingWant[row.route()] = row.want
		}
	}
	for col, who := range matrixCallers {
		t.Run(who.name, func(t *testing.T) {
			c := s.Client(t)
			if who.email != "" {
				c.Login(who.email) // a browser session: the API does not take it
			}
			token := ""
			answers := map[string]map[string]string{}
			for _, row := range table {
				tg := targets[row.target]
				path := tg.replace(row.path, reason)
				body := apiBodies[row.route()]
				req, err := http.NewRequest(row.method, s.URL+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if row.route() == "POST /v1/authentication" && who.email != "" {
					h := webtest.PartnerCredentials(who.firm, who.email)
					for i := 0; i+1 < len(h); i += 2 {
						req.Header.Set(h[i], h[i+1])
					}
				} else if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res := c.Do(req)
				what := fmt.Sprintf("%s as %s on %s", row.route(), who.name, row.target)
				checkMatrixAnswer(t, what, row.want[col], req, res, matrixTarget{id: tg.id})
				if row.route() == "POST /v1/authentication" && res.StatusCode == http.StatusOK {
					var out struct{ SessionToken string }
					if err := json.Unmarshal([]byte(res.Body), &out); err != nil || out.SessionToken == "" {
						t.Fatalf("%s: %s", what, res.Body)
					}
					token = out.SessionToken
				}
				if answers[row.route()] == nil {
					answers[row.route()] = map[string]string{}
				}
				answers[row.route()][row.target] = normaliseAPI(res, tg)
			}
			for _, row := range table {
				if row.target == "missing" || row.target == "-" || row.want[col] != missingWant[row.route()][col] {
					continue
				}
				if got, miss := answers[row.route()][row.target], answers[row.route()]["missing"]; got != miss {
					t.Errorf("%s as %s: the %s process answers unlike a missing one:\n--- %s:\n%s\n--- missing:\n%s",
						row.route(), who.name, row.target, row.target, clip(got), clip(miss))
				}
			}
		})
	}
}

// normaliseAPI renders an answer for comparison as normalise does, with the
// target's ids replaced by placeholders.
func normaliseAPI(res *webtest.Response, tg apiTarget) string {
	s := fmt.Sprintf("%d\nContent-Type: %s\nRetry-After: %s\n\n%s", res.StatusCode,
		res.Header.Get("Content-Type"), res.Header.Get("Retry-After"), res.Body)
	if tg.id == "" {
		return s
	}
	return strings.NewReplacer(tg.id, "{id}", tg.key, "{key}", tg.co, "{co}", tg.property, "{property}", tg.doc, "{doc}").Replace(s)
}
