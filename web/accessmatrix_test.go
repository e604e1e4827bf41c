package web_test

// The access matrix of issue 3: every route of the message threads, in the
// browser and through the partner API, called by each kind of caller
// against their own process, another firm's and one that does not exist.
// Every answer is checked against the table below, and for every caller a
// process that is not theirs must answer exactly like a missing one.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

// The callers, in the order of the table's columns.
var matrixCallers = []struct {
	name, email, firm string // firm: the broker uid a partner system would name for them
}{
	{"Ana", "ana.silva@lisboa-credito.example", "BRK-LIS-001"},    // Lisboa broker, API enabled
	{"João", "joao.costa@lisboa-credito.example", "BRK-LIS-001"},  // Lisboa broker, API not enabled
	{"Rui", "rui.pereira@porto-hipotecas.example", "BRK-POR-002"}, // Porto broker, API enabled
	{"Marta", "marta.santos@bank.example", "BRK-LIS-001"},         // bank staff
	{"Maria", "maria.ferreira@example.com", "BRK-LIS-001"},        // customer
	{"anonymous", "", ""}, // no session, no token
}

// accessTable is the expected answer of each route, per target process and
// caller. Targets: "lisboa" (Ana's and João's firm), "porto" (Rui's firm),
// "missing" (no such process), "-" (the route names no process). HTMX is a
// GET sent as htmx sends it (HX-Request: true). Answers:
//
//	a status code
//	login     303 to /login?next=<the request URI> (anonymous browser GET)
//	login/    303 to /login (anonymous browser POST)
//	hx-login  204 with HX-Redirect to /login?next=<the page that made it> (anonymous htmx request)
//	thread    303 to /processes/{id}#thread (a message posted without JavaScript)
//	older     303 to /processes/{id}?before={before}#thread (the older-messages link
//	          without JavaScript: it leads to the process page, which answers as above)
//
// POST /processes/{id}/status is a staff decision; the matrix posts the
// message form's body, without the status the decision was made on, which
// staff are answered as a stale decision (409) on any process of the bank.
//
// Rows run in this order for each caller. POST /v1/authentication gives the
// token the later /v1 rows send; João (API not enabled), Marta (staff) and
// Maria (customer) are refused, so their /v1 calls carry only their browser
// session cookie, which the API does not accept.
//
// The guided process form's routes (/processes/new, /processes/{id}/edit
// and its posts) are for brokers only; the targets (each firm's longest
// thread) are past "In creation", so their own firm gets 409 there (the
// process can no longer be changed), and the posted "text" field is no
// loan data (422 for a new process).
//
// The document routes name a document of each target ({doc}, uploaded by
// the firm's broker); the targets no longer take documents, so the
// broker's upload, replacement and deletion and the bank's request and
// review are 409 on their own processes (uploads post a PDF, the rest the
// message form's body).
const accessTable = `
method path                                          target   Ana     João    Rui     Marta   Maria  anonymous
GET    /processes                                    -        200     200     200     200     403    login
GET    /staff/threads                                -        403     403     403     200     403    login
GET    /account/2fa                                  -        403     403     403     200     403    login
HTMX   /staff/threads/list                           -        403     403     403     200     403    hx-login
GET    /staff/processes                              -        403     403     403     200     403    login
HTMX   /staff/processes?status=2                     -        403     403     403     200     403    hx-login

GET    /processes/{id}                               lisboa   200     200     404     200     403    login
GET    /processes/{id}                               porto    404     404     200     200     403    login
GET    /processes/{id}                               missing  404     404     404     404     403    login

GET    /processes/new                                -        200     200     200     403     403    login
POST   /processes/new                                -        422     422     422     403     403    login/

GET    /processes/{id}/edit                          lisboa   409     409     404     403     403    login
GET    /processes/{id}/edit                          porto    404     404     409     403     403    login
GET    /processes/{id}/edit                          missing  404     404     404     403     403    login

POST   /processes/{id}/loan                          lisboa   409     409     404     403     403    login/
POST   /processes/{id}/loan                          porto    404     404     409     403     403    login/
POST   /processes/{id}/loan                          missing  404     404     404     403     403    login/

POST   /processes/{id}/borrowers                     lisboa   409     409     404     403     403    login/
POST   /processes/{id}/borrowers                     porto    404     404     409     403     403    login/
POST   /processes/{id}/borrowers                     missing  404     404     404     403     403    login/

POST   /processes/{id}/submit                        lisboa   409     409     404     403     403    login/
POST   /processes/{id}/submit                        porto    404     404     409     403     403    login/
POST   /processes/{id}/submit                        missing  404     404     404     403     403    login/

POST   /processes/{id}/cancel                        lisboa   409     409     404     403     403    login/
POST   /processes/{id}/cancel                        porto    404     404     409     403     403    login/
POST   /processes/{id}/cancel                        missing  404     404     404     403     403    login/

HTMX   /processes/{id}/messages?before={before}      lisboa   200     200     404     200     403    hx-login
HTMX   /processes/{id}/messages?before={before}      porto    404     404     200     200     403    hx-login
HTMX   /processes/{id}/messages?before={before}      missing  404     404     404     404     403    hx-login
GET    /processes/{id}/messages?before={before}      lisboa   older   older   older   older   403    login
GET    /processes/{id}/messages?before={before}      porto    older   older   older   older   403    login
GET    /processes/{id}/messages?before={before}      missing  older   older   older   older   403    login

GET    /processes/{id}/messages/since?after=         lisboa   200     200     404     200     403    login
GET    /processes/{id}/messages/since?after=         porto    404     404     200     200     403    login
GET    /processes/{id}/messages/since?after=         missing  404     404     404     404     403    login

POST   /processes/{id}/messages                      lisboa   thread  thread  404     thread  403    login/
POST   /processes/{id}/messages                      porto    404     404     thread  thread  403    login/
POST   /processes/{id}/messages                      missing  404     404     404     404     403    login/

POST   /processes/{id}/status                        lisboa   403     403     403     409     403    login/
POST   /processes/{id}/status                        porto    403     403     403     409     403    login/
POST   /processes/{id}/status                        missing  403     403     403     404     403    login/

GET    /processes/{id}/documents/{doc}/content       lisboa   200     200     404     200     403    login
GET    /processes/{id}/documents/{doc}/content       porto    404     404     200     200     403    login
GET    /processes/{id}/documents/{doc}/content       missing  404     404     404     404     403    login

POST   /processes/{id}/documents                     lisboa   409     409     404     403     403    login/
POST   /processes/{id}/documents                     porto    404     404     409     403     403    login/
POST   /processes/{id}/documents                     missing  404     404     404     403     403    login/

POST   /processes/{id}/documents/{doc}/replace       lisboa   409     409     404     403     403    login/
POST   /processes/{id}/documents/{doc}/replace       porto    404     404     409     403     403    login/
POST   /processes/{id}/documents/{doc}/replace       missing  404     404     404     403     403    login/

POST   /processes/{id}/documents/{doc}/delete        lisboa   409     409     404     403     403    login/
POST   /processes/{id}/documents/{doc}/delete        porto    404     404     409     403     403    login/
POST   /processes/{id}/documents/{doc}/delete        missing  404     404     404     403     403    login/

POST   /processes/{id}/document-requests             lisboa   403     403     403     409     403    login/
POST   /processes/{id}/document-requests             porto    403     403     403     409     403    login/
POST   /processes/{id}/document-requests             missing  403     403     403     404     403    login/

POST   /processes/{id}/documents/{doc}/review        lisboa   403     403     403     409     403    login/
POST   /processes/{id}/documents/{doc}/review        porto    403     403     403     409     403    login/
POST   /processes/{id}/documents/{doc}/review        missing  403     403     403     404     403    login/

POST   /v1/authentication                            -        200     401     200     401     401    401
GET    /v1/processes                                 -        200     401     200     401     401    401

GET    /v1/processes/{id}                            lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}                            porto    404     401     200     401     401    401
GET    /v1/processes/{id}                            missing  404     401     404     401     401    401

GET    /v1/processes/{id}/message                    lisboa   200     401     404     401     401    401
GET    /v1/processes/{id}/message                    porto    404     401     200     401     401    401
GET    /v1/processes/{id}/message                    missing  404     401     404     401     401    401

POST   /v1/processes/{id}/message                    lisboa   201     401     404     401     401    401
POST   /v1/processes/{id}/message                    porto    404     401     201     401     401    401
POST   /v1/processes/{id}/message                    missing  404     401     404     401     401    401
`

type matrixRow struct {
	method, path, target string
	want                 []string // per caller, in the order of matrixCallers
}

func (r matrixRow) route() string { return r.method + " " + r.path }

func parseAccessTable(t *testing.T) []matrixRow {
	t.Helper()
	var rows []matrixRow
	for i, line := range strings.Split(strings.TrimSpace(accessTable), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) == 0 {
			continue
		}
		if len(f) != 3+len(matrixCallers) {
			t.Fatalf("access table line %d has %d columns: %q", i+1, len(f), line)
		}
		rows = append(rows, matrixRow{f[0], f[1], f[2], f[3:]})
	}
	return rows
}

// matrixTarget is a process the matrix calls: its id and a cursor into its
// thread (the newest message: ?before= gives the older page).
// doc is a document of the process (the document routes' {doc}).
type matrixTarget struct{ id, before, doc string }

func matrixTargets(t *testing.T, s *webtest.Server) map[string]matrixTarget {
	t.Helper()
	out := map[string]matrixTarget{"-": {}, "missing": {uuid.NewString(), uuid.NewString(), uuid.NewString()}}
	for name, firm := range map[string]string{"lisboa": "BRK-LIS-001", "porto": "BRK-POR-002"} {
		var row struct{ ID, Before string }
		// The firm's longest thread.
		err := s.Store.DB().Raw(`SELECT p.uuid AS id, th.last_message_uuid AS before FROM processes p
			JOIN broker_firms f ON f.id = p.broker_id JOIN threads th ON th.process_id = p.id
			WHERE f.broker_uid = ? ORDER BY th.message_count DESC, p.process_number LIMIT 1`, firm).Scan(&row).Error
		if err != nil || row.ID == "" || row.Before == "" {
			t.Fatalf("no thread for %s: %v", firm, err)
		}
		out[name] = matrixTarget{row.ID, row.Before, matrixDocument(t, s, row.ID, map[string]string{"lisboa": matrixCallers[0].email, "porto": matrixCallers[2].email}[name])}
	}
	return out
}

// matrixDocument uploads a document to the process as broker (the process
// is taken back to "In analysis" for it, then put back where it was: it
// takes no more documents, so the broker's own changes are 409).
func matrixDocument(t *testing.T, s *webtest.Server, id, broker string) string {
	t.Helper()
	var status int
	if err := s.Store.DB().Raw("SELECT status_id FROM processes WHERE uuid = ?", id).Scan(&status).Error; err != nil {
		t.Fatal(err)
	}
	set := func(st int) {
		if err := s.Store.DB().Exec("UPDATE processes SET status_id = ? WHERE uuid = ?", st, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	set(models.StatusInAnalysis)
	d, err := s.Store.CreateDocument(storetest.AsUser(t, s.Store, broker), id, models.NewDocument{
		FileName: "matrix.pdf", DocumentTypeID: 10, Content: strings.NewReader(browserMatrixPDF)})
	if err != nil {
		t.Fatalf("document for the matrix: %v", err)
	}
	set(status)
	if models.AcceptsDocuments(status) {
		t.Fatalf("the matrix's process %s takes documents (status %d): the table expects 409", id, status)
	}
	return d.UUID
}

// browserMatrixPDF is the content the browser matrix uploads.
const browserMatrixPDF = "%PDF-1.4\n%matrix\n"

func TestAccessMatrix(t *testing.T) {
	webtest.EachDialect(t, runAccessMatrix)
}

func runAccessMatrix(t *testing.T, s *webtest.Server) {
	targets := matrixTargets(t, s)
	table := parseAccessTable(t)
	missingWant := map[string][]string{} // route -> answers for the missing process
	for _, row := range table {
		if row.target == "missing" {
			missingWant[row.route()] = row.want
		}
	}
	for col, who := range matrixCallers {
		t.Run(who.name, func(t *testing.T) {
			c := s.Client(t)
			if who.email != "" {
				c.Login(who.email)
			}
			token := ""
			// answers[route][target] is the normalised answer, for comparing.
			answers := map[string]map[string]string{}
			for _, row := range table {
				want := row.want[col]
				tg := targets[row.target]
				method, path := row.method, row.path
				path = strings.NewReplacer("{id}", tg.id, "{before}", tg.before, "{doc}", tg.doc).Replace(path)
				api := strings.HasPrefix(path, "/v1/")
				var body, contentType string
				switch {
				case method == http.MethodPost && (strings.HasSuffix(path, "/documents") || strings.HasSuffix(path, "/replace")):
					var buf strings.Builder
					w := multipart.NewWriter(&buf)
					_ = w.WriteField("documentTypeId", "10")
					fw, _ := w.CreateFormFile("file", "matrix.pdf")
					_, _ = io.WriteString(fw, browserMatrixPDF)
					_ = w.Close()
					body, contentType = buf.String(), w.FormDataContentType()
				case method == http.MethodPost && row.route() == "POST /v1/authentication":
				case method == http.MethodPost && api:
					body = `{"text":"Access matrix: ` + who.name + `"}`
				case method == http.MethodPost:
					body = url.Values{"text": {"Access matrix: " + who.name}}.Encode()
				}
				httpMethod := method
				if method == "HTMX" {
					httpMethod = http.MethodGet
				}
				req, err := http.NewRequest(httpMethod, s.URL+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case method == "HTMX":
					req.Header.Set("HX-Request", "true")
					req.Header.Set("HX-Current-URL", s.URL+"/processes/"+tg.id)
				case row.route() == "POST /v1/authentication" && who.email != "":
					h := webtest.PartnerCredentials(who.firm, who.email)
					for i := 0; i+1 < len(h); i += 2 {
						req.Header.Set(h[i], h[i+1])
					}
				case contentType != "":
					req.Header.Set("Content-Type", contentType)
				case body != "" && api:
					req.Header.Set("Content-Type", "application/json")
				case body != "":
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if token != "" && api && row.route() != "POST /v1/authentication" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				res := c.Do(req)
				what := fmt.Sprintf("%s as %s on %s", row.route(), who.name, row.target)
				checkMatrixAnswer(t, what, want, req, res, tg)

				if row.route() == "POST /v1/authentication" && res.StatusCode == http.StatusOK {
					var out struct{ SessionToken string }
					if err := json.Unmarshal([]byte(res.Body), &out); err != nil || out.SessionToken == "" {
						t.Fatalf("%s: %s", what, res.Body)
					}
					token = out.SessionToken
				}
				// A browser follows the redirect after posting a form: that
				// page takes the "sent" flash, so it cannot surface on a later
				// answer of this table.
				if method == http.MethodPost && res.StatusCode == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login") {
					if next := c.Get(res.Header.Get("Location")); next.StatusCode != http.StatusOK {
						t.Errorf("%s: following the redirect: %d", what, next.StatusCode)
					}
				}
				if answers[row.route()] == nil {
					answers[row.route()] = map[string]string{}
				}
				answers[row.route()][row.target] = normalise(res, tg)
			}

			// Wherever the table expects a process to answer like the missing
			// one, it must answer exactly alike: status, headers that say
			// where to go, and body byte for byte (the id asked for aside).
			for _, row := range table {
				if row.target == "missing" || row.target == "-" || row.want[col] != missingWant[row.route()][col] {
					continue // their own process (or, for staff, any of the bank's)
				}
				if got, miss := answers[row.route()][row.target], answers[row.route()]["missing"]; got != miss {
					t.Errorf("%s as %s: the %s process answers unlike a missing one:\n--- %s:\n%s\n--- missing:\n%s",
						row.route(), who.name, row.target, row.target, clip(got), clip(miss))
				}
			}
		})
	}
}

// checkMatrixAnswer compares one answer with its table entry.
func checkMatrixAnswer(t *testing.T, what, want string, req *http.Request, res *webtest.Response, tg matrixTarget) {
	t.Helper()
	loc, hx := res.Header.Get("Location"), res.Header.Get("HX-Redirect")
	next := "/login?next=" + url.QueryEscape(req.URL.RequestURI())
	var ok bool
	switch want {
	case "login":
		ok = res.StatusCode == http.StatusSeeOther && loc == next
	case "login/":
		ok = res.StatusCode == http.StatusSeeOther && loc == "/login"
	case "hx-login":
		ok = res.StatusCode == http.StatusNoContent && hx == "/login?next="+url.QueryEscape("/processes/"+tg.id)
	case "thread":
		ok = res.StatusCode == http.StatusSeeOther && loc == "/processes/"+tg.id+"#thread"
	case "older":
		ok = res.StatusCode == http.StatusSeeOther && loc == "/processes/"+tg.id+"?before="+tg.before+"#thread"
	default:
		ok = fmt.Sprint(res.StatusCode) == want
	}
	if !ok {
		t.Errorf("%s: %d (Location %q, HX-Redirect %q), want %s\n%s", what, res.StatusCode, loc, hx, want, clip(res.Body))
		return
	}
	ct := res.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(req.URL.Path, "/v1/"):
		if !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
		if res.StatusCode >= 400 && !strings.Contains(res.Body, `"operationStatus"`) {
			t.Errorf("%s: not the envelope: %s", what, res.Body)
		}
	case strings.HasSuffix(req.URL.Path, "/content") && res.StatusCode == http.StatusOK: // a document's download
		if ct != "application/pdf" || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
			t.Errorf("%s: Content-Type %q, Content-Disposition %q", what, ct, res.Header.Get("Content-Disposition"))
		}
	case res.StatusCode == http.StatusOK || res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusForbidden:
		if !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", what, ct)
		}
	}
}

// normalise renders an answer for comparison, with the process id and cursor
// asked for replaced by placeholders.
func normalise(res *webtest.Response, tg matrixTarget) string {
	s := fmt.Sprintf("%d\nContent-Type: %s\nLocation: %s\nHX-Redirect: %s\nRetry-After: %s\n\n%s", res.StatusCode,
		res.Header.Get("Content-Type"), res.Header.Get("Location"), res.Header.Get("HX-Redirect"), res.Header.Get("Retry-After"), res.Body)
	if tg.id == "" {
		return s
	}
	return strings.NewReplacer(tg.id, "{id}", tg.before, "{before}", tg.doc, "{doc}").Replace(s)
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
