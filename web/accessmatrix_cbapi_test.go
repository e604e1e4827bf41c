package web_test

// The access matrix of the partner API's callback operations (issue 15):
// every /v1/partners route called by each kind of caller against the demo
// partner (Ana's and Rui's firms belong to it), another partner network and
// a partner that does not exist, on both dialects. Every answer is checked
// against the table, and wherever a caller's answer for the other partner
// equals the table's answer for the missing one, it must be that answer
// byte for byte.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/webhook"
	"portal/web/webtest"
)

// Rows run in this order for each caller: a broker of the partner creates
// the subscription, lists it, echoes through it and deletes it, so Rui
// (after Ana) creates it anew. The echo's URL does not resolve: the
// partner's "answer" is the failed attempt, which is still a 200.
const callbackAPITable = `
method path                                          target   Ana     João    Rui     Marta   Maria  anonymous
POST   /v1/authentication                            -        200     401     200     401     401    401

PUT    /v1/partners/{partner}/callbacks/1            demo     201     401     201     401     401    401
PUT    /v1/partners/{partner}/callbacks/1            other    404     401     404     401     401    401
PUT    /v1/partners/{partner}/callbacks/1            missing  404     401     404     401     401    401

GET    /v1/partners/{partner}/callbacks              demo     200     401     200     401     401    401
GET    /v1/partners/{partner}/callbacks              other    404     401     404     401     401    401
GET    /v1/partners/{partner}/callbacks              missing  404     401     404     401     401    401

POST   /v1/partners/{partner}/callbacks/echo         demo     200     401     200     401     401    401
POST   /v1/partners/{partner}/callbacks/echo         other    404     401     404     401     401    401
POST   /v1/partners/{partner}/callbacks/echo         missing  404     401     404     401     401    401

DELETE /v1/partners/{partner}/callbacks/1            demo     200     401     200     401     401    401
DELETE /v1/partners/{partner}/callbacks/1            other    404     401     404     401     401    401
DELETE /v1/partners/{partner}/callbacks/1            missing  404     401     404     401     401    401
`

// callbackAPIBodies: {proc} is a process of the caller's own firm.
var callbackAPIBodies = map[string]string{
	"POST /v1/authentication":                    ``,
	"PUT /v1/partners/{partner}/callbacks/1":     `{"url":"https://matrix-hooks.invalid/portal","description":"Matrix"}`,
	"GET /v1/partners/{partner}/callbacks":       ``,
	"DELETE /v1/partners/{partner}/callbacks/1":  ``,
	"POST /v1/partners/{partner}/callbacks/echo": `{"notificationTypeID":1,"processUniqueId":"{proc}","rawBody":{"processUniqueId":"{proc}","processNumber":1,"fromStatusId":1,"toStatusId":2}}`,
}

func TestAccessMatrixCallbackAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		// The real sender, as in production: the echo's name does not
		// resolve, so nothing leaves the machine.
		s.Store.SetCallbackSender(webhook.New(webhook.Options{}), store.CallbackOptions{})
		var demo models.Partner
		if err := s.Store.DB().Where("client_id = ?", store.DemoPartnerClient).Take(&demo).Error; err != nil {
			t.Fatal(err)
		}
		other := models.Partner{UUID: uuid.NewString(), BankID: demo.BankID, Name: "Matrix Network", ClientID: "matrix-network",
			ClientSecretHash: "unused"}
		if err := s.Store.DB().Create(&other).Error; err != nil {
			t.Fatal(err)
		}
		partners := map[string]string{"-": "", "demo": strings.ToLower(demo.UUID), "other": other.UUID, "missing": uuid.NewString()}
		// A process of each caller's firm (the echo names one).
		procs := map[string]string{}
		for _, who := range matrixCallers {
			var id string
			_ = s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
				WHERE f.broker_uid = ? ORDER BY p.process_number LIMIT 1`, who.firm).Scan(&id).Error
			procs[who.name] = id
		}

		var table []matrixRow
		for i, line := range strings.Split(strings.TrimSpace(callbackAPITable), "\n") {
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
			if _, ok := callbackAPIBodies[row.route()]; !ok {
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
					partner := partners[row.target]
					repl := strings.NewReplacer("{partner}", partner, "{proc}", procs[who.name])
					body := repl.Replace(callbackAPIBodies[row.route()])
					req, err := http.NewRequest(row.method, s.URL+repl.Replace(row.path), strings.NewReader(body))
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
					checkMatrixAnswer(t, what, row.want[col], req, res, matrixTarget{id: partner})
					if row.route() == "POST /v1/authentication" && res.StatusCode == http.StatusOK {
						var out struct{ SessionToken, PartnerUniqueID string }
						if err := json.Unmarshal([]byte(res.Body), &out); err != nil || out.SessionToken == "" || out.PartnerUniqueID != partners["demo"] {
							t.Fatalf("%s: %s (want partner %s)", what, res.Body, partners["demo"])
						}
						token = out.SessionToken
					}
					if answers[row.route()] == nil {
						answers[row.route()] = map[string]string{}
					}
					norm := normaliseAPI(res, apiTarget{})
					if partner != "" {
						norm = strings.ReplaceAll(norm, partner, "{partner}")
					}
					answers[row.route()][row.target] = norm
				}
				for _, row := range table {
					if row.target == "missing" || row.target == "-" || row.want[col] != missingWant[row.route()][col] {
						continue
					}
					if got, miss := answers[row.route()][row.target], answers[row.route()]["missing"]; got != miss {
						t.Errorf("%s as %s: the %s partner answers unlike a missing one:\n--- %s:\n%s\n--- missing:\n%s",
							row.route(), who.name, row.target, row.target, clip(got), clip(miss))
					}
				}
			})
		}
	})
}
