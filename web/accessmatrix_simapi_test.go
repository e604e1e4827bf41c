package web_test

// The access matrix of the partner API's simulation operations (issue 14):
// every /v1 route of simulations, their ESIS and threads, and the process
// ESIS, called by each kind of caller against a Lisboa simulation (and
// process), a Porto one and one that does not exist, on both dialects. As
// in accessmatrix_api_test.go, every answer is checked against the table,
// and a caller's answer for another firm's simulation that the table says
// equals the missing one's must be that answer byte for byte.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/web/webtest"
)

// Rows run in this order for each caller, Ana first: her writes leave the
// Lisboa simulation as the later rows need it (Rui's the Porto one):
// changed, validated, its ESIS issued and e-mailed, a message, cancelled
// last. The targets' processes were opened without a simulation: their
// ESIS is a conflict for their firm.
const simulationAPITable = `
method path                                                   target   Ana     João    Rui     Marta   Maria  anonymous
POST   /v1/authentication                                     -        200     401     200     401     401    401
GET    /v1/simulations                                        -        200     401     200     401     401    401
POST   /v1/simulations                                        -        201     401     201     401     401    401

GET    /v1/simulations/{sim}                                  lisboa   200     401     404     401     401    401
GET    /v1/simulations/{sim}                                  porto    404     401     200     401     401    401
GET    /v1/simulations/{sim}                                  missing  404     401     404     401     401    401

PATCH  /v1/simulations/{sim}                                  lisboa   200     401     404     401     401    401
PATCH  /v1/simulations/{sim}                                  porto    404     401     200     401     401    401
PATCH  /v1/simulations/{sim}                                  missing  404     401     404     401     401    401

POST   /v1/simulations/{sim}/validate                         lisboa   200     401     404     401     401    401
POST   /v1/simulations/{sim}/validate                         porto    404     401     200     401     401    401
POST   /v1/simulations/{sim}/validate                         missing  404     401     404     401     401    401

GET    /v1/simulations/{sim}/esis?ignoreRules=false           lisboa   200     401     404     401     401    401
GET    /v1/simulations/{sim}/esis?ignoreRules=false           porto    404     401     200     401     401    401
GET    /v1/simulations/{sim}/esis?ignoreRules=false           missing  404     401     404     401     401    401

GET    /v1/simulations/{sim}/esis/email?sendAddress={mail}    lisboa   200     401     404     401     401    401
GET    /v1/simulations/{sim}/esis/email?sendAddress={mail}    porto    404     401     200     401     401    401
GET    /v1/simulations/{sim}/esis/email?sendAddress={mail}    missing  404     401     404     401     401    401

GET    /v1/simulations/{sim}/message                          lisboa   200     401     404     401     401    401
GET    /v1/simulations/{sim}/message                          porto    404     401     200     401     401    401
GET    /v1/simulations/{sim}/message                          missing  404     401     404     401     401    401

POST   /v1/simulations/{sim}/message                          lisboa   201     401     404     401     401    401
POST   /v1/simulations/{sim}/message                          porto    404     401     201     401     401    401
POST   /v1/simulations/{sim}/message                          missing  404     401     404     401     401    401

GET    /v1/processes/{id}/esis                                lisboa   409     401     404     401     401    401
GET    /v1/processes/{id}/esis                                porto    404     401     409     401     401    401
GET    /v1/processes/{id}/esis                                missing  404     401     404     401     401    401

GET    /v1/processes/{id}/esis/email?sendAddress={mail}       lisboa   409     401     404     401     401    401
GET    /v1/processes/{id}/esis/email?sendAddress={mail}       porto    404     401     409     401     401    401
GET    /v1/processes/{id}/esis/email?sendAddress={mail}       missing  404     401     404     401     401    401

DELETE /v1/simulations/{sim}                                  lisboa   200     401     404     401     401    401
DELETE /v1/simulations/{sim}                                  porto    404     401     200     401     401    401
DELETE /v1/simulations/{sim}                                  missing  404     401     404     401     401    401
`

// simMatrixInput is a simulation every rule passes (LTV 75 %, a young
// borrower earning enough).
const simMatrixInput = `{"loanAmount":150000,"loanDurationMonths":360,"loanPurposeId":1,"productPurposeId":1,"rateTypeId":1,
"indexTypeId":3,"propertyValue":200000,"propertyAcquisitionAmount":210000,"propertyDistrictId":11,
"borrowers":[{"name":"Matrix Borrower","birthDate":"1995-05-05","monthlyNetIncome":6000}]}`

var simAPIBodies = map[string]string{
	"POST /v1/simulations":                                    simMatrixInput,
	"PATCH /v1/simulations/{sim}":                             `{"loanAmount":149000.5}`,
	"POST /v1/simulations/{sim}/message":                      `{"subject":"Matrix","text":"Access matrix"}`,
	"POST /v1/simulations/{sim}/validate":                     ``,
	"DELETE /v1/simulations/{sim}":                            ``,
	"GET /v1/simulations/{sim}":                               ``,
	"GET /v1/simulations/{sim}/message":                       ``,
	"POST /v1/authentication":                                 ``,
	"GET /v1/simulations":                                     ``,
	"GET /v1/processes/{id}/esis":                             ``,
	"GET /v1/simulations/{sim}/esis/email?sendAddress={mail}": ``,
	"GET /v1/simulations/{sim}/esis?ignoreRules=false":        ``,
	"GET /v1/processes/{id}/esis/email?sendAddress={mail}":    ``,
}

type simTarget struct{ sim, process string }

// simTargets creates a simulation and a process for each firm through the
// partner API as its broker.
func simTargets(t *testing.T, s *webtest.Server) map[string]simTarget {
	t.Helper()
	out := map[string]simTarget{"-": {}, "missing": {uuid.NewString(), uuid.NewString()}}
	for name, who := range map[string][2]string{"lisboa": {"BRK-LIS-001", "ana.silva@lisboa-credito.example"},
		"porto": {"BRK-POR-002", "rui.pereira@porto-hipotecas.example"}} {
		c := s.Client(t)
		c.Bearer = s.PartnerToken(t, who[0], who[1])
		send := func(path, body string) map[string]any {
			req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			res := c.Do(req)
			if res.StatusCode >= 300 {
				t.Fatalf("POST %s: %d %s", path, res.StatusCode, res.Body)
			}
			var out map[string]any
			if err := json.Unmarshal([]byte(res.Body), &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		out[name] = simTarget{sim: send("/v1/simulations", simMatrixInput)["simulationUniqueID"].(string),
			process: send("/v1/processes", `{"loanAmount":120000,"loanDurationMonths":300}`)["processUniqueID"].(string)}
	}
	return out
}

func (tg simTarget) replace(s string) string {
	return strings.NewReplacer("{sim}", tg.sim, "{id}", tg.process, "{mail}", "carla.rocha%40example.com").Replace(s)
}

func TestAccessMatrixSimulationAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		targets := simTargets(t, s)
		var table []matrixRow
		for i, line := range strings.Split(strings.TrimSpace(simulationAPITable), "\n") {
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
			if _, ok := simAPIBodies[row.route()]; !ok {
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
					body := simAPIBodies[row.route()]
					req, err := http.NewRequest(row.method, s.URL+tg.replace(row.path), strings.NewReader(body))
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
					checkMatrixAnswer(t, what, row.want[col], req, res, matrixTarget{id: tg.sim})
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
					answers[row.route()][row.target] = strings.NewReplacer(tg.sim, "{sim}", tg.process, "{id}").
						Replace(normaliseAPI(res, apiTarget{}))
				}
				for _, row := range table {
					if row.target == "missing" || row.target == "-" || row.want[col] != missingWant[row.route()][col] {
						continue
					}
					if got, miss := answers[row.route()][row.target], answers[row.route()]["missing"]; got != miss {
						t.Errorf("%s as %s: the %s simulation answers unlike a missing one:\n--- %s:\n%s\n--- missing:\n%s",
							row.route(), who.name, row.target, row.target, clip(got), clip(miss))
					}
				}
			})
		}
	})
}
