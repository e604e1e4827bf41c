package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/session"
	"portal/web/webtest"
)

// queriesPerRequest is how many SQL statements each main path sends to the
// database (store.QueryCounter: every statement, BEGIN and COMMIT not
// counted), in the steady state: the path has been requested once before,
// so reference lists are cached and read marks are set. A change that adds
// a statement to a path fails TestQueriesPerRequest; one that removes one
// lowers the number here.
var queriesPerRequest = []struct {
	path             string
	sqlite, postgres int
}{
	// The list's total rides in its page's statement (process_counts); the
	// broker's notice of disabled callbacks is cached per firm (steady
	// state: no statement).
	{"process list, broker", 3, 3},
	{"process list, staff", 3, 3},
	// The process page's documents tab adds two to the page's five: its
	// documents and its requests' items (ProcessPage reads the checklist with
	// the process and borrowers it has loaded).
	{"process page, broker", 7, 7},
	{"process page, staff", 7, 7},
	{"staff reply queue", 4, 4},
	{"staff reply queue refresh", 3, 3},
	// The hot paths send their own prepared statements (counted too): on
	// PostgreSQL the post is one statement after the token's; on SQLite
	// seven (the process with its thread's count and the posting limit,
	// then the message, thread, read mark, process, audit and outbox rows).
	{"message API list", 2, 2},
	{"message API post", 8, 2},
	// A key adds its claim and its stored answer (SQLite: and the post's
	// savepoint); a replay is the token's and the claim's, which reads the
	// taken key in the same statement.
	{"message API post, Idempotency-Key", 11, 4},
	{"message API post, replayed Idempotency-Key", 2, 2},
	{"OBP customer messages, staff", 5, 5},
	{"OBP my messages, customer", 4, 4},
	{"partner authentication", 8, 10},
}

// TestQueriesPerRequest drives each main path through the real router, per
// dialect, and checks the statements it sends against queriesPerRequest.
func TestQueriesPerRequest(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s := webtest.NewWith(t, d, webtest.Options{CountQueries: true})
			got := measureQueries(t, s)
			for _, w := range queriesPerRequest {
				want := w.sqlite
				if d == store.Postgres {
					want = w.postgres
				}
				q, ok := got[w.path]
				if !ok {
					t.Errorf("%s: not measured", w.path)
					continue
				}
				if q.n != want {
					t.Errorf("%s: %d statements, want %d:\n%s", w.path, q.n, want, q.list)
				}
			}
		})
	}
}

type measured struct {
	n    int
	list string
}

// measureQueries requests every path of queriesPerRequest on s and returns
// the statements each sent.
func measureQueries(t *testing.T, s *webtest.Server) map[string]measured {
	t.Helper()
	out := map[string]measured{}
	record := func(path string, res *http.Response, body string, want int) {
		t.Helper()
		if res.StatusCode != want {
			t.Fatalf("%s: status %d, want %d\n%.400s", path, res.StatusCode, want, body)
		}
		q := s.LastQueries()
		out[path] = measured{q.Count(), q.String()}
	}
	// steady requests a path once unmeasured, then measured.
	steady := func(path string, want int, do func() (*http.Response, string)) {
		t.Helper()
		do()
		res, body := do()
		record(path, res, body, want)
	}

	processID := s.Store.DB().Raw("SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id "+
		"JOIN threads th ON th.process_id = p.id WHERE f.broker_uid = ? ORDER BY th.message_count DESC, p.process_number LIMIT 1",
		"BRK-LIS-001")
	var id string
	if err := processID.Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("no Lisboa process with a thread: %v", err)
	}

	browser := func(email string) func(path string, headers ...string) func() (*http.Response, string) {
		c := s.Client(t)
		c.Login(email)
		return func(path string, headers ...string) func() (*http.Response, string) {
			return func() (*http.Response, string) {
				r := c.Get(path, headers...)
				return r.Response, r.Body
			}
		}
	}
	broker, staff := browser(ana), browser(marta)
	steady("process list, broker", http.StatusOK, broker("/processes"))
	steady("process list, staff", http.StatusOK, staff("/processes"))
	steady("process page, broker", http.StatusOK, broker("/processes/"+id))
	steady("process page, staff", http.StatusOK, staff("/processes/"+id))
	steady("staff reply queue", http.StatusOK, staff("/staff/threads"))
	steady("staff reply queue refresh", http.StatusOK, staff("/staff/threads/list",
		"HX-Request", "true", session.BackgroundHeader, "1"))

	call := func(method, path, body string, headers ...string) func() (*http.Response, string) {
		return func() (*http.Response, string) {
			req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header[headers[i]] = []string{headers[i+1]}
			}
			r := s.Client(t).Do(req)
			return r.Response, r.Body
		}
	}
	token := s.PartnerToken(t, "BRK-LIS-001", ana)
	bearer := []string{"Authorization", "Bearer " + token}
	messages := "/v1/processes/" + id + "/message"
	steady("message API list", http.StatusOK, call(http.MethodGet, messages, "", bearer...))
	n := 0
	post := func(headers ...string) func() (*http.Response, string) {
		n++
		return call(http.MethodPost, messages, fmt.Sprintf(`{"subject":"s","text":"message %d"}`, n), append(headers, bearer...)...)
	}
	steady("message API post", http.StatusCreated, func() (*http.Response, string) { return post()() })
	keyed := 0
	steady("message API post, Idempotency-Key", http.StatusCreated, func() (*http.Response, string) {
		keyed++
		return post("Idempotency-Key", fmt.Sprintf("key-%d", keyed))()
	})
	replay := post("Idempotency-Key", "replayed")
	steady("message API post, replayed Idempotency-Key", http.StatusCreated, replay)

	customer := s.CustomerUUID(t, "C-000001")
	obpStaff := []string{"DirectLogin", `token="` + obpToken(t, s, marta) + `"`}
	steady("OBP customer messages, staff", http.StatusOK,
		call(http.MethodGet, "/obp/v4.0.0/banks/"+store.DemoBankID+"/customers/"+customer+"/messages", "", obpStaff...))
	obpMaria := []string{"DirectLogin", `token="` + obpToken(t, s, "maria.ferreira@example.com") + `"`}
	steady("OBP my messages, customer", http.StatusOK,
		call(http.MethodGet, "/obp/v1.4.0/banks/"+store.DemoBankID+"/customer/messages", "", obpMaria...))

	steady("partner authentication", http.StatusOK, call(http.MethodPost, "/v1/authentication", "",
		webtest.PartnerCredentials("BRK-LIS-001", ana)...))
	return out
}
