package api_test

// Contract tests of the partner API's first capability (issue 3; README.md,
// "Partner API": Authentication and Process messages, plus Process List and
// Detail; codes in docs/api-error-codes.md):
// every status and body, over HTTP against the real router on a fresh demo
// database. Helpers here are prefixed (api..., demo...) so they do not clash
// with the taxonomy tests of this package.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

const (
	anaEmail   = "ana.silva@lisboa-credito.example"
	joaoEmail  = "joao.costa@lisboa-credito.example"
	ruiEmail   = "rui.pereira@porto-hipotecas.example"
	martaEmail = "marta.santos@bank.example"
	lisboaUID  = "BRK-LIS-001"
	portoUID   = "BRK-POR-002"

	// A second API-enabled Lisboa broker, created by some tests.
	beatrizEmail = "beatriz.lopes@lisboa-credito.example"
)

// rfc3339Z is the API's timestamp: UTC, whole seconds, Z.
var rfc3339Z = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

var apiHTTP = &http.Client{Timeout: 60 * time.Second}

// apiAnswer is one HTTP answer, read whole.
type apiAnswer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a apiAnswer) String() string { return fmt.Sprintf("%d %s", a.Status, a.Body) }

// apiDo sends one request. headers are name, value pairs sent with exactly
// that spelling. It returns an error instead of failing the test, so it may
// run on any goroutine.
func apiDo(s *webtest.Server, method, path, body string, headers ...string) (apiAnswer, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return apiAnswer{}, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header[headers[i]] = []string{headers[i+1]}
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := apiHTTP.Do(req)
	if err != nil {
		return apiAnswer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return apiAnswer{}, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	return apiAnswer{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

func apiMust(t testing.TB, s *webtest.Server, method, path, body string, headers ...string) apiAnswer {
	t.Helper()
	a, err := apiDo(s, method, path, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// apiSession is a partner session token on a server.
type apiSession struct {
	s     *webtest.Server
	token string
}

func (p apiSession) headers(extra []string) []string {
	return append([]string{"Authorization", "Bearer " + p.token}, extra...)
}

func (p apiSession) get(t testing.TB, path string, headers ...string) apiAnswer {
	t.Helper()
	return apiMust(t, p.s, http.MethodGet, path, "", p.headers(headers)...)
}

func (p apiSession) post(t testing.TB, path, body string, headers ...string) apiAnswer {
	t.Helper()
	return apiMust(t, p.s, http.MethodPost, path, body, p.headers(headers)...)
}

// apiSignIn authenticates once (argon2 is slow: tests reuse the token).
func apiSignIn(t testing.TB, s *webtest.Server, firm, email string) apiSession {
	t.Helper()
	return apiSession{s: s, token: s.PartnerToken(t, firm, email)}
}

type apiEnvelope struct {
	OperationStatus struct {
		Code    string `json:"operationStatusCode"`
		Message string `json:"operationStatusMessage"`
	} `json:"operationStatus"`
	Errors []struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// wantEnvelope checks an error answer: status, JSON content type, the
// envelope and nothing else, its code, and exactly the named field errors
// (in order), each with a six-digit code and a message.
func wantEnvelope(t testing.TB, what string, a apiAnswer, status int, code string, fields ...string) apiEnvelope {
	t.Helper()
	if a.Status != status {
		t.Fatalf("%s: %s, want %d", what, a, status)
	}
	if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var env apiEnvelope
	webtest.StrictJSON(t, a.Body, &env)
	if env.OperationStatus.Code != code || env.OperationStatus.Message == "" {
		t.Errorf("%s: operation status %+v, want code %s with a message", what, env.OperationStatus, code)
	}
	var got []string
	for _, e := range env.Errors {
		got = append(got, e.Field)
		// A field's code is its entity's: the operation's, a general one, or
		// (Process Submit) a borrower's or the property's.
		entity := e.Code[:min(2, len(e.Code))]
		if len(e.Code) != 6 || entity != code[:2] && entity != "99" && !(code[:2] == "02" && (entity == "03" || entity == "05")) || e.Message == "" {
			t.Errorf("%s: field error %+v", what, e)
		}
	}
	if !slices.Equal(got, fields) {
		t.Errorf("%s: field errors %v, want %v (%s)", what, got, fields, a.Body)
	}
	return env
}

// demoProcess is a demo process with the size of its thread.
type demoProcess struct {
	UUID     string
	Number   int64
	StatusID int
	Messages int64
}

func firmProcesses(t testing.TB, s *webtest.Server, firm string) []demoProcess {
	t.Helper()
	var out []demoProcess
	err := s.Store.DB().Raw(`SELECT p.uuid AS uuid, p.process_number AS number, p.status_id AS status_id,
		COALESCE(th.message_count, 0) AS messages
		FROM processes p JOIN broker_firms f ON f.id = p.broker_id LEFT JOIN threads th ON th.process_id = p.id
		WHERE f.broker_uid = ? ORDER BY p.process_number`, firm).Scan(&out).Error
	if err != nil || len(out) != store.DemoProcesses {
		t.Fatalf("processes of %s: %d, %v", firm, len(out), err)
	}
	return out
}

// longest and an empty thread of a firm.
func longestThread(ps []demoProcess) demoProcess {
	return slices.MaxFunc(ps, func(a, b demoProcess) int { return int(a.Messages - b.Messages) })
}

func emptyThread(t testing.TB, ps []demoProcess, skip int) demoProcess {
	t.Helper()
	for _, p := range ps {
		if p.Messages == 0 {
			if skip == 0 {
				return p
			}
			skip--
		}
	}
	t.Fatal("not enough empty demo threads")
	return demoProcess{}
}

// threadUUIDs are a thread's message ids, newest first, from the database.
func threadUUIDs(t testing.TB, s *webtest.Server, processUUID string) []string {
	t.Helper()
	var out []string
	err := s.Store.DB().Raw(`SELECT m.uuid FROM messages m JOIN processes p ON p.id = m.process_id
		WHERE p.uuid = ? ORDER BY m.seq DESC`, processUUID).Scan(&out).Error
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newBroker creates a broker of firm (store method, one argon2 hash).
func newBroker(t testing.TB, s *webtest.Server, email, firm string, apiEnabled bool) {
	t.Helper()
	_, err := s.Store.CreateUser(context.Background(), models.NewUser{Email: email, Name: strings.Split(email, "@")[0],
		Kind: models.KindBroker, Password: "correct-horse-battery", FirmUID: firm, APIEnabled: apiEnabled})
	storetest.Must(t, err, "create %s", email)
}

func missingUUID() string { return uuid.NewString() }

// partnerFixture is one demo server with partner sessions signed in once
// (argon2 makes each sign-in cost ~40 ms) and shared by a group of checks.
type partnerFixture struct {
	s        *webtest.Server
	ana, rui apiSession
	beatriz  apiSession // a second API-enabled Lisboa broker (writes only)
}

// TestPartnerAPIReads runs the read-only contract checks on one server per
// dialect. Bearer tokens go last: they revoke tokens and take Rui's API
// access away.
func TestPartnerAPIReads(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		f := &partnerFixture{s: s, ana: apiSignIn(t, s, lisboaUID, anaEmail), rui: apiSignIn(t, s, portoUID, ruiEmail)}
		t.Run("authentication header spellings", func(t *testing.T) { checkAuthenticationSpellings(t, f) })
		t.Run("process list", func(t *testing.T) { checkProcessList(t, f) })
		t.Run("process detail", func(t *testing.T) { checkProcessDetail(t, f) })
		t.Run("message list", func(t *testing.T) { checkMessageList(t, f) })
		t.Run("bearer tokens", func(t *testing.T) { checkBearerTokens(t, f) })
	})
}

// TestPartnerAPIWrites runs the posting checks on one server per dialect,
// each on its own empty Lisboa thread. Together they post 21 messages as
// Ana and 14 as Beatriz, under the 30 a minute each may post
// (TestPostMessageRateLimit checks the limit on its own server).
func TestPartnerAPIWrites(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		newBroker(t, s, beatrizEmail, lisboaUID, true)
		f := &partnerFixture{s: s, ana: apiSignIn(t, s, lisboaUID, anaEmail), beatriz: apiSignIn(t, s, lisboaUID, beatrizEmail)}
		t.Run("post message contract", func(t *testing.T) { checkPostMessageContract(t, f) })
		t.Run("idempotency", func(t *testing.T) { checkIdempotency(t, f) })
		t.Run("concurrent posts from two users", func(t *testing.T) { checkConcurrentPosts(t, f) })
		t.Run("browser and API share the thread", func(t *testing.T) { checkBrowserAndAPI(t, f) })
	})
}

// ---------------------------------------------------------------------------
// Authentication

func checkAuthenticationSpellings(t *testing.T, f *partnerFixture) {
	s := f.s
	ids := []string{"xClientID", "x-client-id"}
	secrets := []string{"xClientSecret", "x-client-secret"}
	brokers := []string{"xBrokerUID", "brokerID", "correlationId"}
	users := []string{"xUsername", "username"}
	paths := []string{"/v1/authentication", "/API/partnersPortal/authentication"}
	lisboa := map[string]bool{}
	for _, p := range firmProcesses(t, s, lisboaUID) {
		lisboa[p.UUID] = true
	}
	tokens := map[string]bool{}
	// Every broker spelling with both spellings of the others, at both paths.
	for i := range 6 {
		sp, path := i%2, paths[i/3]
		h := []string{ids[sp], store.DemoPartnerClient, secrets[(sp+i/3)%2], store.DemoPartnerSecret,
			brokers[i%3], lisboaUID, users[(sp+i/3+1)%2], anaEmail}
		a := apiMust(t, s, http.MethodPost, path, "", h...)
		if a.Status != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") ||
			a.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%s with %v: %s (%s, %s)", path, h, a, a.Header.Get("Content-Type"), a.Header.Get("Cache-Control"))
		}
		var out struct {
			SessionToken    string `json:"sessionToken"`
			PartnerUniqueID string `json:"partnerUniqueID"`
		}
		webtest.StrictJSON(t, a.Body, &out)
		// Beside the token, the id of the partner the credentials are.
		if want := `{"sessionToken":"` + out.SessionToken + `","partnerUniqueID":"` + demoPartnerUUID(t, s) + `"}`; string(a.Body) != want || len(out.SessionToken) < 32 {
			t.Fatalf("body %s, want %s", a.Body, want)
		}
		if tokens[out.SessionToken] {
			t.Fatal("the same token twice")
		}
		tokens[out.SessionToken] = true
		// The token acts as Ana: her firm's processes, nothing else.
		list := apiSession{s, out.SessionToken}.get(t, "/v1/processes?lineCount=100")
		var pl processListBody
		if list.Status != http.StatusOK {
			t.Fatalf("token %d: %s", i, list)
		}
		webtest.StrictJSON(t, list.Body, &pl)
		if pl.TotalRecords != store.DemoProcesses || len(pl.Processes) != store.DemoProcesses {
			t.Fatalf("token %d lists %d of %d", i, len(pl.Processes), pl.TotalRecords)
		}
		for _, p := range pl.Processes {
			if !lisboa[p.ProcessUniqueID] {
				t.Fatalf("Ana's token lists %s", p.ProcessUniqueID)
			}
		}
	}
	// Only a hash of the token is stored.
	for tok := range tokens {
		var clear, hashed int64
		s.Store.DB().Table("api_tokens").Where("token_hash = ?", tok).Count(&clear)
		s.Store.DB().Table("api_tokens").Where("token_hash = ?", store.HashToken(tok)).Count(&hashed)
		if clear != 0 || hashed != 1 {
			t.Fatalf("token rows: %d in clear, %d hashed", clear, hashed)
		}
	}
}

func TestAuthenticationFailuresAreOneAnswerAndThrottled(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		db := s.Store.DB()
		var bank models.Bank
		storetest.Must(t, db.Where("bank_id = ?", store.DemoBankID).Take(&bank).Error, "bank")
		var demoPartner models.Partner
		storetest.Must(t, db.Where("client_id = ?", store.DemoPartnerClient).Take(&demoPartner).Error, "partner")
		// Another partner with its own API-enabled firm and broker, and a
		// firm of the demo partner without API access.
		hash, err := models.HashPassword("other-network-secret")
		storetest.Must(t, err, "hash")
		other := models.Partner{UUID: uuid.NewString(), BankID: bank.ID, Name: "Other Network", ClientID: "other-network",
			ClientSecretHash: hash, CreatedAt: time.Now()}
		storetest.Must(t, db.Create(&other).Error, "partner")
		storetest.Must(t, db.Create(&models.BrokerFirm{UUID: uuid.NewString(), BankID: bank.ID, PartnerID: other.ID,
			Name: "Other Firm", BrokerUID: "BRK-OTH-003", TaxID: "514000003", APIEnabled: true, CreatedAt: time.Now()}).Error, "firm")
		storetest.Must(t, db.Create(&models.BrokerFirm{UUID: uuid.NewString(), BankID: bank.ID, PartnerID: demoPartner.ID,
			Name: "Closed Firm", BrokerUID: "BRK-OFF-004", TaxID: "514000004", APIEnabled: false, CreatedAt: time.Now()}).Error, "firm")
		newBroker(t, s, "other@other-firm.example", "BRK-OTH-003", true)
		newBroker(t, s, "closed@closed-firm.example", "BRK-OFF-004", true)
		newBroker(t, s, "disabled@lisboa-credito.example", lisboaUID, true)
		storetest.Must(t, db.Table("users").Where("email = ?", "disabled@lisboa-credito.example").Update("disabled", true).Error, "disable")

		// The other partner can sign its own broker in: the fixtures are sound.
		okOther := apiMust(t, s, http.MethodPost, "/v1/authentication", "", "xClientID", "other-network",
			"xClientSecret", "other-network-secret", "xBrokerUID", "BRK-OTH-003", "xUsername", "other@other-firm.example")
		if okOther.Status != http.StatusOK {
			t.Fatalf("other partner's own broker: %s", okOther)
		}

		with := func(edit func(h map[string]string)) []string {
			h := map[string]string{"xClientID": store.DemoPartnerClient, "xClientSecret": store.DemoPartnerSecret,
				"xBrokerUID": lisboaUID, "xUsername": anaEmail}
			edit(h)
			var out []string
			for k, v := range h {
				out = append(out, k, v)
			}
			return out
		}
		cases := []struct {
			name    string
			path    string
			headers []string
		}{
			{"wrong secret", "/v1/authentication", with(func(h map[string]string) { h["xClientSecret"] = "demo-network-secreT" })},
			{"unknown client", "/v1/authentication", with(func(h map[string]string) { h["xClientID"] = "no-such-network" })},
			{"no headers", "/v1/authentication", nil},
			{"firm of another partner", "/v1/authentication", with(func(h map[string]string) {
				h["xBrokerUID"], h["xUsername"] = "BRK-OTH-003", "other@other-firm.example"
			})},
			{"another partner's credentials for Lisboa", "/v1/authentication", with(func(h map[string]string) {
				h["xClientID"], h["xClientSecret"] = "other-network", "other-network-secret"
			})},
			{"unknown firm", "/v1/authentication", with(func(h map[string]string) { h["xBrokerUID"] = "BRK-NOPE-999" })},
			{"firm without API access", "/v1/authentication", with(func(h map[string]string) {
				h["xBrokerUID"], h["xUsername"] = "BRK-OFF-004", "closed@closed-firm.example"
			})},
			{"João, API not enabled", "/v1/authentication", with(func(h map[string]string) { h["xUsername"] = joaoEmail })},
			{"user of another firm", "/v1/authentication", with(func(h map[string]string) { h["xUsername"] = ruiEmail })},
			{"Rui named with Lisboa's uid via brokerID", "/v1/authentication", with(func(h map[string]string) {
				delete(h, "xBrokerUID")
				h["brokerID"], h["xUsername"] = lisboaUID, ruiEmail
			})},
			{"staff user", "/v1/authentication", with(func(h map[string]string) { h["xUsername"] = martaEmail })},
			{"unknown user", "/v1/authentication", with(func(h map[string]string) { h["xUsername"] = "nobody@lisboa-credito.example" })},
			{"disabled user", "/v1/authentication", with(func(h map[string]string) { h["xUsername"] = "disabled@lisboa-credito.example" })},
			{"alias, wrong secret", "/API/partnersPortal/authentication", with(func(h map[string]string) { h["x-client-secret"] = "x"; delete(h, "xClientSecret") })},
			{"alias, João", "/API/partnersPortal/authentication", with(func(h map[string]string) { h["username"] = joaoEmail; delete(h, "xUsername") })},
		}
		var first apiAnswer
		for i, tc := range cases {
			a := apiMust(t, s, http.MethodPost, tc.path, "", tc.headers...)
			wantEnvelope(t, tc.name, a, http.StatusUnauthorized, "010004")
			if a.Header.Get("Retry-After") != "" {
				t.Errorf("%s: Retry-After before throttling", tc.name)
			}
			if i == 0 {
				first = a
				continue
			}
			if !bytes.Equal(a.Body, first.Body) {
				t.Errorf("%s answers %s, %s answers %s: the failed check shows", tc.name, a.Body, cases[0].name, first.Body)
			}
		}
		var failures int64
		db.Model(&models.AuditEvent{}).Where("action = ?", models.AuditPartnerAuthFailed).Count(&failures)
		if failures != int64(len(cases)) {
			t.Fatalf("%d audited failures, want %d", failures, len(cases))
		}

		// Throttling: after 20 failures per client id and address (here
		// every request comes from 127.0.0.1) the next attempt is 429 with
		// Retry-After, even with good credentials.
		var demoFailures int64
		db.Model(&models.AuditEvent{}).Where("action = ? AND subject = ?", models.AuditPartnerAuthFailed, store.DemoPartnerClient).
			Count(&demoFailures)
		for n := demoFailures; n < int64(models.PartnerAuthThrottle.FreePerSource); n++ {
			a := apiMust(t, s, http.MethodPost, "/v1/authentication", "", cases[0].headers...)
			if a.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: %s", n+1, a)
			}
		}
		for _, h := range [][]string{cases[0].headers, webtest.PartnerCredentials(lisboaUID, anaEmail)} {
			a := apiMust(t, s, http.MethodPost, "/API/partnersPortal/authentication", "", h...)
			env := wantEnvelope(t, "throttled", a, http.StatusTooManyRequests, "010006")
			if ra, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 5 {
				t.Errorf("Retry-After %q", a.Header.Get("Retry-After"))
			}
			if strings.Contains(env.OperationStatus.Message, "secret") {
				t.Errorf("throttled answer names the failed check: %s", a.Body)
			}
		}
	})
}

func checkBearerTokens(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := apiSignIn(t, s, lisboaUID, anaEmail)
	spare := apiSignIn(t, s, lisboaUID, anaEmail)
	if a := ana.get(t, "/v1/processes"); a.Status != http.StatusOK {
		t.Fatalf("valid token: %s", a)
	}
	own := firmProcesses(t, s, lisboaUID)[0]
	paths := []struct{ method, path, body string }{
		{http.MethodGet, "/v1/processes", ""},
		{http.MethodGet, "/v1/processes/" + own.UUID, ""},
		{http.MethodGet, "/v1/processes/" + own.UUID + "/message", ""},
		{http.MethodPost, "/v1/processes/" + own.UUID + "/message", `{"text":"hello"}`},
		{http.MethodDelete, "/v1/authentication", ""},
	}
	var invalid []byte
	for _, p := range paths {
		missing := apiMust(t, s, p.method, p.path, p.body)
		wantEnvelope(t, "no token "+p.path, missing, http.StatusUnauthorized, "010004")
		for _, auth := range []string{"Bearer", "Bearer ", "Basic " + ana.token, ana.token} {
			a := apiMust(t, s, p.method, p.path, p.body, "Authorization", auth)
			wantEnvelope(t, fmt.Sprintf("Authorization %q", auth), a, http.StatusUnauthorized, "010004")
			if !bytes.Equal(a.Body, missing.Body) {
				t.Errorf("Authorization %q answers unlike no token: %s", auth, a.Body)
			}
		}
		garbage := apiMust(t, s, p.method, p.path, p.body, "Authorization", "Bearer not-a-token")
		wantEnvelope(t, "garbage token", garbage, http.StatusUnauthorized, "010004")
		if invalid == nil {
			invalid = garbage.Body
		} else if !bytes.Equal(invalid, garbage.Body) {
			t.Errorf("garbage token answers differ by route")
		}
	}
	// Nothing was posted without a token.
	if n := len(threadUUIDs(t, s, own.UUID)); int64(n) != own.Messages {
		t.Fatal("a message was posted without a valid token")
	}

	// Sign out: 200 with the envelope; the token is dead, the other
	// session of the same user lives; signing out again is 401.
	out := apiMust(t, s, http.MethodDelete, "/v1/authentication", "", ana.headers(nil)...)
	if want := `{"operationStatus":{"operationStatusCode":"010101","operationStatusMessage":"Session ended"}}`; out.Status != http.StatusOK || string(out.Body) != want {
		t.Fatalf("sign out: %s", out)
	}
	revoked := ana.get(t, "/v1/processes")
	wantEnvelope(t, "revoked token", revoked, http.StatusUnauthorized, "010004")
	if !bytes.Equal(revoked.Body, invalid) {
		t.Errorf("a revoked token answers %s, an unknown one %s", revoked.Body, invalid)
	}
	wantEnvelope(t, "sign out twice", apiMust(t, s, http.MethodDelete, "/v1/authentication", "", ana.headers(nil)...),
		http.StatusUnauthorized, "010004")
	if a := spare.get(t, "/v1/processes"); a.Status != http.StatusOK {
		t.Fatalf("revoking one token ended another: %s", a)
	}

	// Expired (30 minutes idle), and a user who lost API access.
	db := s.Store.DB()
	storetest.Must(t, db.Table("api_tokens").Where("token_hash = ?", store.HashToken(spare.token)).
		Updates(map[string]any{"expires_at": time.Now().UTC().Add(-time.Second), "last_used_at": time.Now().UTC().Add(-31 * time.Minute)}).Error, "expire")
	expired := spare.get(t, "/v1/processes")
	wantEnvelope(t, "expired token", expired, http.StatusUnauthorized, "010004")
	if !bytes.Equal(expired.Body, invalid) {
		t.Errorf("an expired token answers %s", expired.Body)
	}
	rui := apiSignIn(t, s, portoUID, ruiEmail)
	storetest.Must(t, db.Table("users").Where("email = ?", ruiEmail).Update("api_enabled", false).Error, "disable api")
	lost := rui.get(t, "/v1/processes")
	wantEnvelope(t, "user without API access", lost, http.StatusUnauthorized, "010004")
	if !bytes.Equal(lost.Body, invalid) {
		t.Errorf("a user without API access answers %s", lost.Body)
	}
}

// ---------------------------------------------------------------------------
// Process List and Process Detail

type processListBody struct {
	Processes []struct {
		ProcessUniqueID          string  `json:"processUniqueID"`
		ProcessNumber            int64   `json:"processNumber"`
		ProcessStatusID          int     `json:"processStatusID"`
		ProcessStatusDescription string  `json:"processStatusDescription"`
		KeyBorrowerName          string  `json:"keyBorrowerName"`
		LoanAmount               float64 `json:"loanAmount"`
		CreationDate             string  `json:"creationDate"`
		LastActionDate           string  `json:"lastActionDate"`
	} `json:"processes"`
	TotalRecords   int64  `json:"totalRecords"`
	HasMoreResults bool   `json:"hasMoreResults"`
	NextRecord     string `json:"nextRecord"`
	PreviousRecord string `json:"previousRecord"`
}

func listPage(t testing.TB, p apiSession, query string, headers ...string) processListBody {
	t.Helper()
	a := p.get(t, "/v1/processes"+query, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("/v1/processes%s: %s", query, a)
	}
	var out processListBody
	webtest.StrictJSON(t, a.Body, &out)
	if out.Processes == nil {
		t.Fatalf("/v1/processes%s: processes is not a list: %s", query, a.Body)
	}
	for _, pr := range out.Processes {
		if !rfc3339Z.MatchString(pr.CreationDate) || !rfc3339Z.MatchString(pr.LastActionDate) {
			t.Fatalf("dates %q, %q", pr.CreationDate, pr.LastActionDate)
		}
	}
	return out
}

func processIDs(l processListBody) []string {
	var out []string
	for _, p := range l.Processes {
		out = append(out, p.ProcessUniqueID)
	}
	return out
}

func checkProcessList(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := f.ana
	lisboa := firmProcesses(t, s, lisboaUID)
	own := map[string]demoProcess{}
	for _, p := range lisboa {
		own[p.UUID] = p
	}

	// Forward with lineCount=7: 7+7+7+7+2, every process once, in
	// last-action order.
	var pages [][]string
	whole := listPage(t, ana, "?lineCount=100")
	if whole.HasMoreResults || whole.NextRecord != "" || whole.PreviousRecord != "" || len(whole.Processes) != 30 {
		t.Fatalf("one page of 100: %d, more %v", len(whole.Processes), whole.HasMoreResults)
	}
	seen := map[string]bool{}
	var walked []string
	var last processListBody
	q := "?lineCount=7"
	for {
		pg := listPage(t, ana, q)
		if pg.TotalRecords != store.DemoProcesses {
			t.Fatalf("totalRecords %d", pg.TotalRecords)
		}
		for _, id := range processIDs(pg) {
			if _, ok := own[id]; !ok || seen[id] {
				t.Fatalf("page %d lists %s (own %v, seen %v)", len(pages)+1, id, ok, seen[id])
			}
			seen[id] = true
		}
		walked = append(walked, processIDs(pg)...)
		pages = append(pages, processIDs(pg))
		last = pg
		if (len(pages) == 1) != (pg.PreviousRecord == "") {
			t.Errorf("page %d: previousRecord %q", len(pages), pg.PreviousRecord)
		}
		if pg.HasMoreResults != (pg.NextRecord != "") {
			t.Fatalf("hasMoreResults %v with nextRecord %q", pg.HasMoreResults, pg.NextRecord)
		}
		if !pg.HasMoreResults {
			break
		}
		q = "?lineCount=7&nextRecord=" + url.QueryEscape(pg.NextRecord)
	}
	if len(pages) != 5 || len(pages[4]) != 2 || len(seen) != store.DemoProcesses {
		t.Fatalf("%d pages, %d processes", len(pages), len(seen))
	}
	if !slices.Equal(walked, processIDs(whole)) {
		t.Fatal("the walk is not in the order of the whole list")
	}
	for i := 1; i < len(whole.Processes); i++ {
		if whole.Processes[i-1].LastActionDate < whole.Processes[i].LastActionDate {
			t.Fatalf("not newest activity first at %d", i)
		}
	}
	// And back with previousRecord from the last page: the same pages.
	back, prev := 3, last.PreviousRecord
	for prev != "" {
		pg := listPage(t, ana, "?lineCount=7&previousRecord="+url.QueryEscape(prev))
		if back < 0 || !slices.Equal(processIDs(pg), pages[back]) {
			t.Fatalf("back to page %d: %v, want %v", back+1, processIDs(pg), pages[max(back, 0)])
		}
		if !pg.HasMoreResults || pg.NextRecord == "" {
			t.Fatalf("page %d reached backwards has no next", back+1)
		}
		prev, back = pg.PreviousRecord, back-1
	}
	if back != -1 {
		t.Fatalf("walking back stopped before page 1 (at %d)", back+1)
	}

	// filterByText: a number, a borrower's name in another case; another
	// firm's number finds nothing.
	target := lisboa[7]
	var name string
	for _, p := range whole.Processes {
		if p.ProcessUniqueID == target.UUID {
			name = p.KeyBorrowerName
		}
	}
	byNumber := listPage(t, ana, "?filterByText="+strconv.FormatInt(target.Number, 10))
	if !slices.Equal(processIDs(byNumber), []string{target.UUID}) || byNumber.TotalRecords != 1 || byNumber.HasMoreResults {
		t.Errorf("by number: %v", processIDs(byNumber))
	}
	byName := listPage(t, ana, "?filterByText="+url.QueryEscape(strings.ToUpper(name)))
	if !slices.Contains(processIDs(byName), target.UUID) || int64(len(byName.Processes)) != byName.TotalRecords {
		t.Errorf("by name %q: %v", name, processIDs(byName))
	}
	for _, id := range processIDs(byName) {
		if _, ok := own[id]; !ok {
			t.Errorf("search lists another firm's %s", id)
		}
	}
	porto := firmProcesses(t, s, portoUID)
	if none := listPage(t, ana, "?filterByText="+strconv.FormatInt(porto[0].Number, 10)); len(none.Processes) != 0 ||
		none.TotalRecords != 0 || none.HasMoreResults {
		t.Errorf("Porto's number found %v", processIDs(none))
	}

	// filterProcessStatus.
	for status := 1; status <= 8; status++ {
		pg := listPage(t, ana, "?lineCount=100&filterProcessStatus="+strconv.Itoa(status))
		want := 0
		for _, p := range lisboa {
			if p.StatusID == status {
				want++
			}
		}
		if len(pg.Processes) != want || pg.TotalRecords != int64(want) {
			t.Errorf("status %d: %d processes, want %d", status, len(pg.Processes), want)
		}
		for _, p := range pg.Processes {
			if p.ProcessStatusID != status {
				t.Errorf("status %d lists a process in %d", status, p.ProcessStatusID)
			}
		}
	}

	// filterStatusLastDateFrom (inclusive) / To (exclusive), as RFC 3339
	// times and as whole days.
	from, to := whole.Processes[20].LastActionDate, whole.Processes[5].LastActionDate
	var want []string
	for _, p := range whole.Processes {
		if p.LastActionDate >= from && p.LastActionDate < to {
			want = append(want, p.ProcessUniqueID)
		}
	}
	got := listPage(t, ana, "?lineCount=100&filterStatusLastDateFrom="+url.QueryEscape(from)+"&filterStatusLastDateTo="+url.QueryEscape(to))
	if !slices.Equal(processIDs(got), want) || len(want) < 2 {
		t.Errorf("from %s to %s: %v, want %v", from, to, processIDs(got), want)
	}
	day := whole.Processes[10].LastActionDate[:10]
	want = nil
	for _, p := range whole.Processes {
		if p.LastActionDate[:10] == day {
			want = append(want, p.ProcessUniqueID)
		}
	}
	got = listPage(t, ana, "?lineCount=100&filterStatusLastDateFrom="+day+"&filterStatusLastDateTo="+day)
	if !slices.Equal(processIDs(got), want) {
		t.Errorf("day %s: %v, want %v", day, processIDs(got), want)
	}
	want = nil
	for _, p := range whole.Processes {
		if p.LastActionDate >= from {
			want = append(want, p.ProcessUniqueID)
		}
	}
	if onlyFrom := listPage(t, ana, "?lineCount=100&filterStatusLastDateFrom="+url.QueryEscape(from)); !slices.Equal(processIDs(onlyFrom), want) {
		t.Errorf("from %s alone: %v, want %v", from, processIDs(onlyFrom), want)
	}

	// Invalid input: 400 in the envelope naming the field.
	for _, tc := range []struct{ query, field string }{
		{"lineCount=0", "lineCount"},
		{"lineCount=101", "lineCount"},
		{"lineCount=abc", "lineCount"},
		{"lineCount=-3", "lineCount"},
		{"filterProcessStatus=99", "filterProcessStatus"},
		{"filterProcessStatus=abc", "filterProcessStatus"},
		{"filterStatusLastDateFrom=yesterday", "filterStatusLastDateFrom"},
		{"filterStatusLastDateTo=2026-13-01", "filterStatusLastDateTo"},
		{"filterStatusLastDateFrom=2026-02-01&filterStatusLastDateTo=2026-01-01", "filterStatusLastDateTo"},
		{"nextRecord=garbage!", "nextRecord"},
		{"previousRecord=garbage!", "previousRecord"},
		{"filterByText=" + strings.Repeat("x", 101), "filterByText"},
	} {
		wantEnvelope(t, tc.query, ana.get(t, "/v1/processes?"+tc.query), http.StatusBadRequest, "020001", tc.field)
	}

	// Accept-Language: descriptions in English or Portuguese (default).
	for _, tc := range []struct {
		header string
		en     bool
	}{{"", false}, {"en", true}, {"pt", false}, {"pt-PT", false}, {"en-GB,en;q=0.9,pt;q=0.8", true},
		{"pt;q=0.9,en;q=0.4", false}, {"fr", false}} {
		var h []string
		if tc.header != "" {
			h = []string{"Accept-Language", tc.header}
		}
		pg := listPage(t, ana, "?lineCount=100", h...)
		for _, p := range pg.Processes {
			st := processState(t, s, p.ProcessStatusID)
			if want := map[bool]string{true: st.EN, false: st.PT}[tc.en]; p.ProcessStatusDescription != want {
				t.Errorf("Accept-Language %q: status %d is %q, want %q", tc.header, p.ProcessStatusID, p.ProcessStatusDescription, want)
				break
			}
		}
	}
}

// processState is workflow state id as the taxonomy describes it.
func processState(t *testing.T, s *webtest.Server, id int) models.TaxonomyItem {
	t.Helper()
	tax, err := s.Store.Taxonomy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l, err := tax.List(models.TaxonomyProcessStates)
	if err != nil {
		t.Fatal(err)
	}
	it, ok := l.Item(id)
	if !ok {
		t.Fatalf("no workflow state %d", id)
	}
	return it
}

func checkProcessDetail(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := f.ana
	own := firmProcesses(t, s, lisboaUID)[3]
	foreign := firmProcesses(t, s, portoUID)[3]
	a := ana.get(t, "/v1/processes/"+own.UUID, "Accept-Language", "en")
	if a.Status != http.StatusOK {
		t.Fatalf("own process: %s", a)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(a.Body, &fields); err != nil {
		t.Fatal(err)
	}
	// The fields the bank documents for Process Detail.
	for _, f := range []string{"processUniqueID", "processNumber", "simulationUniqueID", "simulationNumber",
		"creationDate", "lastActionDate", "branchID", "branchDescription", "processStatusID", "processStatusDescription"} {
		if _, ok := fields[f]; !ok {
			t.Errorf("Process Detail lacks %s: %s", f, a.Body)
		}
	}
	var d struct {
		ProcessUniqueID          string `json:"processUniqueID"`
		ProcessNumber            int64  `json:"processNumber"`
		CreationDate             string `json:"creationDate"`
		LastActionDate           string `json:"lastActionDate"`
		ProcessStatusID          int    `json:"processStatusID"`
		ProcessStatusDescription string `json:"processStatusDescription"`
	}
	if err := json.Unmarshal(a.Body, &d); err != nil {
		t.Fatal(err)
	}
	st := processState(t, s, own.StatusID)
	if d.ProcessUniqueID != own.UUID || d.ProcessNumber != own.Number || d.ProcessStatusID != own.StatusID ||
		d.ProcessStatusDescription != st.EN || !rfc3339Z.MatchString(d.CreationDate) || !rfc3339Z.MatchString(d.LastActionDate) {
		t.Errorf("detail %s, want process %+v", a.Body, own)
	}
	if pt := ana.get(t, "/v1/processes/"+own.UUID); !bytes.Contains(pt.Body, []byte(`"processStatusDescription":"`+st.PT+`"`)) {
		t.Errorf("default language: %s", pt.Body)
	}
	// Ids are case-insensitive.
	if upper := ana.get(t, "/v1/processes/"+strings.ToUpper(own.UUID), "Accept-Language", "en"); upper.Status != http.StatusOK || !bytes.Equal(upper.Body, a.Body) {
		t.Errorf("upper-case id: %s", upper)
	}
	// Another firm's process is exactly a missing one, and a malformed id.
	missing := ana.get(t, "/v1/processes/"+missingUUID())
	wantEnvelope(t, "missing process", missing, http.StatusNotFound, "020002")
	for name, id := range map[string]string{"foreign": foreign.UUID, "foreign upper-case": strings.ToUpper(foreign.UUID),
		"another missing": missingUUID(), "malformed": "not-a-uuid"} {
		b := ana.get(t, "/v1/processes/"+id)
		if b.Status != missing.Status || !bytes.Equal(b.Body, missing.Body) {
			t.Errorf("%s process answers %s, a missing one %s", name, b, missing)
		}
	}
	// Rui sees his firm's and not Lisboa's.
	rui := f.rui
	if b := rui.get(t, "/v1/processes/"+foreign.UUID); b.Status != http.StatusOK {
		t.Errorf("Rui's own process: %s", b)
	}
	if b := rui.get(t, "/v1/processes/"+own.UUID); !bytes.Equal(b.Body, missing.Body) || b.Status != http.StatusNotFound {
		t.Errorf("Rui opening Lisboa's process: %s", b)
	}
}

// ---------------------------------------------------------------------------
// Messages: list

type messageListBody struct {
	Messages []struct {
		MessageUniqueID string `json:"messageUniqueID"`
		Username        string `json:"username"`
		Subject         string `json:"subject"`
		Text            string `json:"text"`
		CreationDate    string `json:"creationDate"`
		AuthorType      string `json:"authorType"`
	} `json:"messages"`
	TotalCount int64 `json:"totalCount"`
	Count      int   `json:"count"`
}

func (l messageListBody) ids() []string {
	var out []string
	for _, m := range l.Messages {
		out = append(out, m.MessageUniqueID)
	}
	return out
}

func messagesOf(t testing.TB, p apiSession, processUUID, query string) messageListBody {
	t.Helper()
	a := p.get(t, "/v1/processes/"+processUUID+"/message"+query)
	if a.Status != http.StatusOK {
		t.Fatalf("messages%s: %s", query, a)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(a.Body, &raw); err != nil {
		t.Fatal(err)
	}
	// Integers, not strings (the bank's schema says int32).
	for _, k := range []string{"totalCount", "count"} {
		if _, err := strconv.Atoi(string(raw[k])); err != nil {
			t.Fatalf("%s is %s, not a JSON integer", k, raw[k])
		}
	}
	if string(raw["messages"]) == "null" {
		t.Fatalf("messages is null: %s", a.Body)
	}
	var out messageListBody
	webtest.StrictJSON(t, a.Body, &out)
	if out.Count != len(out.Messages) {
		t.Fatalf("count %d for %d messages", out.Count, len(out.Messages))
	}
	for _, m := range out.Messages {
		if !rfc3339Z.MatchString(m.CreationDate) || m.MessageUniqueID == "" || m.Username == "" || m.Text == "" ||
			(m.AuthorType != "broker" && m.AuthorType != "bank") {
			t.Fatalf("message %+v", m)
		}
	}
	return out
}

func checkMessageList(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := f.ana
	lisboa := firmProcesses(t, s, lisboaUID)
	long := longestThread(lisboa)
	if long.Messages < 60 {
		t.Fatalf("longest demo thread has %d messages", long.Messages)
	}
	want := threadUUIDs(t, s, long.UUID) // newest first

	// Defaults: page 1 of 20, the newest 20.
	def := messagesOf(t, ana, long.UUID, "")
	if def.TotalCount != long.Messages || def.Count != 20 || !slices.Equal(def.ids(), want[:20]) {
		t.Fatalf("default page: total %d count %d", def.TotalCount, def.Count)
	}
	explicit := ana.get(t, "/v1/processes/"+long.UUID+"/message?pageNumber=1&pageSize=20")
	if !bytes.Equal(explicit.Body, ana.get(t, "/v1/processes/"+long.UUID+"/message").Body) {
		t.Error("the defaults are not pageNumber=1&pageSize=20")
	}
	kinds, users := map[string]bool{}, map[string]bool{}
	var walked []string
	for n := 1; ; n++ {
		pg := messagesOf(t, ana, long.UUID, fmt.Sprintf("?pageNumber=%d&pageSize=7", n))
		if pg.TotalCount != long.Messages {
			t.Fatalf("page %d: totalCount %d", n, pg.TotalCount)
		}
		if pg.Count == 0 {
			break
		}
		for _, m := range pg.Messages {
			kinds[m.AuthorType], users[m.Username] = true, true
		}
		walked = append(walked, pg.ids()...)
	}
	if !slices.Equal(walked, want) {
		t.Fatalf("pages of 7 give %d messages, not the thread newest first", len(walked))
	}
	if !kinds["bank"] || !kinds["broker"] || !users[anaEmail] || !users[martaEmail] {
		t.Errorf("authors %v, kinds %v", users, kinds)
	}
	// Dates never increase down the list.
	full := messagesOf(t, ana, long.UUID, "?pageSize=100")
	for i := 1; i < len(full.Messages); i++ {
		if full.Messages[i-1].CreationDate < full.Messages[i].CreationDate {
			t.Fatalf("not newest first at %d", i)
		}
	}
	// The last partial page, a page past the end, the deepest page allowed.
	lastN := int(long.Messages+19) / 20
	if pg := messagesOf(t, ana, long.UUID, fmt.Sprintf("?pageNumber=%d", lastN)); pg.Count != int(long.Messages)-(lastN-1)*20 ||
		!slices.Equal(pg.ids(), want[(lastN-1)*20:]) {
		t.Errorf("last page: %d messages", pg.Count)
	}
	for _, q := range []string{"?pageNumber=99", "?pageNumber=100&pageSize=100", "?pageNumber=500", "?pageNumber=10000&pageSize=1"} {
		if pg := messagesOf(t, ana, long.UUID, q); pg.Count != 0 || pg.TotalCount != long.Messages {
			t.Errorf("%s: %d messages", q, pg.Count)
		}
	}
	// An empty thread.
	empty := emptyThread(t, lisboa, 0)
	if pg := messagesOf(t, ana, empty.UUID, ""); pg.TotalCount != 0 || pg.Count != 0 {
		t.Errorf("empty thread: %+v", pg)
	}

	// Invalid paging: 400 naming the field; deeper than 10,000 messages too.
	for _, tc := range []struct{ query, field string }{
		{"pageNumber=0", "pageNumber"},
		{"pageNumber=-1", "pageNumber"},
		{"pageNumber=abc", "pageNumber"},
		{"pageNumber=1.5", "pageNumber"},
		{"pageSize=0", "pageSize"},
		{"pageSize=101", "pageSize"},
		{"pageSize=x", "pageSize"},
		{"pageNumber=101&pageSize=100", "pageNumber"},
		{"pageNumber=501", "pageNumber"},
		{"pageNumber=10001&pageSize=1", "pageNumber"},
	} {
		env := wantEnvelope(t, tc.query, ana.get(t, "/v1/processes/"+long.UUID+"/message?"+tc.query), http.StatusBadRequest, "070001", tc.field)
		if code := map[string]string{"pageNumber": "990101", "pageSize": "990201"}[tc.field]; len(env.Errors) == 1 && env.Errors[0].Code != code {
			t.Errorf("%s: field code %s, want %s", tc.query, env.Errors[0].Code, code)
		}
	}
	wantEnvelope(t, "both invalid", ana.get(t, "/v1/processes/"+long.UUID+"/message?pageNumber=0&pageSize=0"),
		http.StatusBadRequest, "070001", "pageNumber", "pageSize")

	// Another firm's thread is exactly a missing one (even with bad paging).
	porto := firmProcesses(t, s, portoUID)
	missing := ana.get(t, "/v1/processes/"+missingUUID()+"/message")
	wantEnvelope(t, "missing", missing, http.StatusNotFound, "070002")
	for _, path := range []string{longestThread(porto).UUID + "/message", longestThread(porto).UUID + "/message?pageSize=0",
		"not-a-uuid/message", missingUUID() + "/message?pageNumber=2"} {
		if b := ana.get(t, "/v1/processes/"+path); b.Status != http.StatusNotFound || !bytes.Equal(b.Body, missing.Body) {
			t.Errorf("%s: %s, want %s", path, b, missing)
		}
	}
}

// ---------------------------------------------------------------------------
// Messages: post

const createdPrefix = `{"operationStatus":{"operationStatusCode":"020101","operationStatusMessage":"Process Updated successfully"},"messageUniqueID":"`

// wantCreated checks a 201 is exactly the 020101 envelope plus the new
// message's id, and returns the id.
func wantCreated(t testing.TB, what string, a apiAnswer) string {
	t.Helper()
	if a.Status != http.StatusCreated || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: %s, want 201", what, a)
	}
	var out struct {
		OperationStatus struct {
			Code    string `json:"operationStatusCode"`
			Message string `json:"operationStatusMessage"`
		} `json:"operationStatus"`
		MessageUniqueID string `json:"messageUniqueID"`
	}
	webtest.StrictJSON(t, a.Body, &out)
	if string(a.Body) != createdPrefix+out.MessageUniqueID+`"}` {
		t.Fatalf("%s: body %s", what, a.Body)
	}
	if _, err := uuid.Parse(out.MessageUniqueID); err != nil {
		t.Fatalf("%s: messageUniqueID %q", what, out.MessageUniqueID)
	}
	return out.MessageUniqueID
}

func jsonBody(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkPostMessageContract(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := f.ana
	beatriz := f.beatriz
	lisboa := firmProcesses(t, s, lisboaUID)
	porto := firmProcesses(t, s, portoUID)
	thread := emptyThread(t, lisboa, 0) // each write check has its own threads
	path := "/v1/processes/" + thread.UUID + "/message"

	// 201, exactly the documented result plus the id; attributed to the
	// token's user; trimmed; line breaks kept; HTML left as written.
	id := wantCreated(t, "post", ana.post(t, path, `{"subject":"  Valuation  ","text":"  Line one\r\nLine <b>two</b> & more  "}`))
	pg := messagesOf(t, ana, thread.UUID, "")
	if pg.TotalCount != 1 || pg.Messages[0].MessageUniqueID != id {
		t.Fatalf("after posting: %+v", pg)
	}
	m := pg.Messages[0]
	if m.Username != anaEmail || m.AuthorType != "broker" || m.Subject != "Valuation" || m.Text != "Line one\nLine <b>two</b> & more" {
		t.Errorf("stored %+v", m)
	}
	if raw := ana.get(t, path); !bytes.Contains(raw.Body, []byte(`Line <b>two</b> & more`)) {
		t.Errorf("text escaped in JSON: %s", raw.Body)
	}
	if age := time.Since(mustTime(t, m.CreationDate)); age < -2*time.Second || age > time.Minute {
		t.Errorf("creationDate %s is not now", m.CreationDate)
	}
	id2 := wantCreated(t, "beatriz", beatriz.post(t, path, `{"text":"Subject is optional"}`))
	pg = messagesOf(t, ana, thread.UUID, "")
	if pg.TotalCount != 2 || pg.Messages[0].MessageUniqueID != id2 || pg.Messages[0].Username != beatrizEmail || pg.Messages[0].Subject != "" {
		t.Errorf("the second user's message: %+v", pg.Messages[0])
	}
	// The thread summary and process last action follow (one transaction).
	var summary struct {
		MessageCount    int64
		LastMessageUUID string
		LastAuthorKind  string
	}
	s.Store.DB().Raw(`SELECT message_count, last_message_uuid, last_author_kind FROM threads th JOIN processes p ON p.id = th.process_id
			WHERE p.uuid = ?`, thread.UUID).Scan(&summary)
	if summary.MessageCount != 2 || summary.LastMessageUUID != id2 || summary.LastAuthorKind != "broker" {
		t.Errorf("thread summary %+v", summary)
	}
	var audited int64
	s.Store.DB().Model(&models.AuditEvent{}).Where("action = ? AND subject = ?", models.AuditMessagePosted, thread.UUID).Count(&audited)
	if audited != 2 {
		t.Errorf("%d audit rows for 2 posts", audited)
	}

	// Limits are characters, not bytes: 4000 and 200 pass, one more fails.
	wantCreated(t, "4000 characters", ana.post(t, path, jsonBody(t, map[string]string{
		"subject": strings.Repeat("ç", 200), "text": strings.Repeat("é", 4000)})))
	posted := int64(3)

	for _, tc := range []struct {
		name, body string
		fields     []string
	}{
		{"text missing", `{"subject":"Hello"}`, []string{"text"}},
		{"text empty", `{"text":""}`, []string{"text"}},
		{"text blank", `{"text":" \n\t  "}`, []string{"text"}},
		{"text null", `{"text":null}`, []string{"text"}},
		{"text 4001 characters", jsonBody(t, map[string]string{"text": strings.Repeat("a", 4001)}), []string{"text"}},
		{"text 4001 characters after trimming", jsonBody(t, map[string]string{"text": "  " + strings.Repeat("é", 4001) + "  "}), []string{"text"}},
		{"subject 201 characters", jsonBody(t, map[string]string{"subject": strings.Repeat("s", 201), "text": "ok"}), []string{"subject"}},
		{"subject on two lines", `{"subject":"a\nb","text":"ok"}`, []string{"subject"}},
		{"both", jsonBody(t, map[string]string{"subject": strings.Repeat("s", 201), "text": ""}), []string{"subject", "text"}},
		{"unknown field", `{"text":"hello","priority":"high"}`, nil},
		{"wrong type", `{"text":42}`, []string{"text"}},
		{"malformed JSON", `{"text":"hello"`, nil},
		{"not an object", `["hello"]`, nil},
		{"two objects", `{"text":"a"}{"text":"b"}`, nil},
		{"empty body", ``, nil},
	} {
		env := wantEnvelope(t, tc.name, ana.post(t, path, tc.body), http.StatusBadRequest, "070001", tc.fields...)
		for _, e := range env.Errors {
			if e.Field == "text" && e.Code != "070201" {
				t.Errorf("%s: text's code %s, want 070201 (spec example)", tc.name, e.Code)
			}
		}
		if tc.name == "unknown field" && !strings.Contains(env.OperationStatus.Message, "priority") {
			t.Errorf("unknown field not named: %s", env.OperationStatus.Message)
		}
	}

	// Bodies: exactly 64 KiB is read (and then invalid), one byte more is 413.
	filler := func(n int) string { return `{"text":"` + strings.Repeat("x", n-len(`{"text":""}`)) + `"}` }
	wantEnvelope(t, "64 KiB", ana.post(t, path, filler(64<<10)), http.StatusBadRequest, "070001", "text")
	wantEnvelope(t, "64 KiB + 1", ana.post(t, path, filler(64<<10+1)), http.StatusRequestEntityTooLarge, "070007")
	// A body this large is refused from its Content-Length, unread; a client
	// that sends it without waiting (no Expect: 100-continue) may be reset
	// while still writing, before it reads the answer.
	wantEnvelope(t, "1 MiB", ana.post(t, path, filler(1<<20), "Expect", "100-continue"), http.StatusRequestEntityTooLarge, "070007")

	if n := messagesOf(t, ana, thread.UUID, "").TotalCount; n != posted {
		t.Fatalf("%d messages after the refused posts, want %d", n, posted)
	}

	// Another firm's process is exactly a missing one, valid body or not,
	// and nothing lands there.
	foreign := longestThread(porto)
	for _, body := range []string{`{"text":"hello"}`, `{"text":""}`, `{"subject":"` + strings.Repeat("s", 201) + `","text":"x"}`} {
		missing := ana.post(t, "/v1/processes/"+missingUUID()+"/message", body)
		wantEnvelope(t, "missing", missing, http.StatusNotFound, "070002")
		for _, p := range []string{foreign.UUID, strings.ToUpper(foreign.UUID), "not-a-uuid"} {
			b := ana.post(t, "/v1/processes/"+p+"/message", body)
			if b.Status != http.StatusNotFound || !bytes.Equal(b.Body, missing.Body) {
				t.Errorf("post %s to %s: %s, a missing process %s", body, p, b, missing)
			}
		}
	}
	if n := len(threadUUIDs(t, s, foreign.UUID)); int64(n) != foreign.Messages {
		t.Fatalf("a message landed in another firm's thread")
	}
	// Malformed JSON to a foreign process is the same 400 as to a missing one.
	a := ana.post(t, "/v1/processes/"+foreign.UUID+"/message", `{`)
	b := ana.post(t, "/v1/processes/"+missingUUID()+"/message", `{`)
	if a.Status != b.Status || !bytes.Equal(a.Body, b.Body) {
		t.Errorf("malformed body: foreign %s, missing %s", a, b)
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPostMessageRateLimit(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	ana := apiSignIn(t, s, lisboaUID, anaEmail)
	rui := apiSignIn(t, s, portoUID, ruiEmail)
	lisboa := firmProcesses(t, s, lisboaUID)
	thread := emptyThread(t, lisboa, 0)
	path := "/v1/processes/" + thread.UUID + "/message"
	for i := range models.MessageRateLimit {
		wantCreated(t, fmt.Sprintf("post %d", i+1), ana.post(t, path, fmt.Sprintf(`{"text":"message %d"}`, i+1)))
	}
	a := ana.post(t, path, `{"text":"one too many"}`)
	wantEnvelope(t, "over the limit", a, http.StatusTooManyRequests, "070006")
	if ra, err := strconv.Atoi(a.Header.Get("Retry-After")); err != nil || ra < 1 || ra > int(models.MessageRateWindow.Seconds()) {
		t.Errorf("Retry-After %q", a.Header.Get("Retry-After"))
	}
	// With an Idempotency-Key too; the refusal is not remembered.
	wantEnvelope(t, "over the limit, keyed", ana.post(t, path, `{"text":"keyed"}`, "Idempotency-Key", "rate-1"),
		http.StatusTooManyRequests, "070006")
	var keys int64
	s.Store.DB().Model(&models.IdempotencyKey{}).Count(&keys)
	if keys != 0 {
		t.Errorf("a refused request left %d idempotency keys", keys)
	}
	if n := messagesOf(t, ana, thread.UUID, "").TotalCount; n != int64(models.MessageRateLimit) {
		t.Fatalf("%d messages stored, want %d", n, models.MessageRateLimit)
	}
	// The limit is per user, and shared with the browser.
	wantCreated(t, "Rui", rui.post(t, "/v1/processes/"+emptyThread(t, firmProcesses(t, s, portoUID), 0).UUID+"/message", `{"text":"hi"}`))
	c := s.Client(t)
	c.Login(anaEmail)
	res := c.PostForm("/processes/"+thread.UUID+"/messages", url.Values{"text": {"from the browser"}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("browser post over the limit: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

// ---------------------------------------------------------------------------
// Idempotency and concurrency

func checkIdempotency(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := f.ana
	beatriz := f.beatriz
	lisboa := firmProcesses(t, s, lisboaUID)
	thread, other := emptyThread(t, lisboa, 1), emptyThread(t, lisboa, 2)
	path := "/v1/processes/" + thread.UUID + "/message"
	count := func() int64 { return int64(len(threadUUIDs(t, s, thread.UUID))) }

	body := `{"subject":"Retry","text":"Sent once, however often it is retried."}`
	first := ana.post(t, path, body, "Idempotency-Key", "key-1")
	id := wantCreated(t, "first", first)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Error("the first answer says it is replayed")
	}
	again := ana.post(t, path, body, "Idempotency-Key", "key-1")
	if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %s, first %s", again, first)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d messages after a retried post", n)
	}
	// Same key, different body or process: 409; nothing created.
	wantEnvelope(t, "same key, other body", ana.post(t, path, `{"text":"something else"}`, "Idempotency-Key", "key-1"),
		http.StatusConflict, "070003")
	wantEnvelope(t, "same key, other process", ana.post(t, "/v1/processes/"+other.UUID+"/message", body, "Idempotency-Key", "key-1"),
		http.StatusConflict, "070003")
	if n := count(); n != 1 || len(threadUUIDs(t, s, other.UUID)) != 0 {
		t.Fatalf("a conflicting key created a message")
	}
	// Keys belong to a user: Beatriz's key-1 is hers.
	hers := beatriz.post(t, path, body, "Idempotency-Key", "key-1")
	if wantCreated(t, "another user's key", hers) == id {
		t.Fatal("another user's request replayed Ana's answer")
	}
	// A refused request is not remembered: the same key then works.
	wantEnvelope(t, "invalid under a key", ana.post(t, path, `{"text":""}`, "Idempotency-Key", "key-2"),
		http.StatusBadRequest, "070001", "text")
	wantCreated(t, "valid under the same key", ana.post(t, path, `{"text":"now with text"}`, "Idempotency-Key", "key-2"))
	// Malformed keys.
	for name, k := range map[string]string{"too long": strings.Repeat("k", models.MaxIdempotencyKey+1), "not ASCII": "clé"} {
		wantEnvelope(t, "key "+name, ana.post(t, path, body, "Idempotency-Key", k), http.StatusBadRequest, "070001", "Idempotency-Key")
	}
	wantCreated(t, "longest key", ana.post(t, path, `{"text":"long key"}`, "Idempotency-Key", strings.Repeat("k", models.MaxIdempotencyKey)))
	if n := count(); n != 4 {
		t.Fatalf("%d messages, want 4", n)
	}

	// Eight concurrent posts with one key: one message, eight identical answers.
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	answers := make([]apiAnswer, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			answers[i], errs[i] = apiDo(s, http.MethodPost, path, `{"text":"concurrent"}`, ana.headers([]string{"Idempotency-Key", "key-3"})...)
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if i == 0 {
			wantCreated(t, "concurrent", answers[0])
		}
		if answers[i].Status != answers[0].Status || !bytes.Equal(answers[i].Body, answers[0].Body) {
			t.Errorf("concurrent answer %d: %s, first %s", i, answers[i], answers[0])
		}
	}
	if got := count(); got != 5 {
		t.Fatalf("%d messages after 8 concurrent keyed posts, want 5", got)
	}
}

func checkConcurrentPosts(t *testing.T, f *partnerFixture) {
	s := f.s
	users := map[string]apiSession{
		anaEmail:     f.ana,
		beatrizEmail: f.beatriz,
	}
	thread := emptyThread(t, firmProcesses(t, s, lisboaUID), 3)
	path := "/v1/processes/" + thread.UUID + "/message"
	const each = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	start := make(chan struct{})
	posted := map[string][]string{} // user -> message ids in posting order
	var failures []string
	for email, p := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				a, err := apiDo(s, http.MethodPost, path, fmt.Sprintf(`{"text":"%s %d"}`, email, i), p.headers(nil)...)
				var out struct {
					MessageUniqueID string `json:"messageUniqueID"`
				}
				if err == nil {
					err = json.Unmarshal(a.Body, &out)
				}
				mu.Lock()
				if err != nil || a.Status != http.StatusCreated {
					failures = append(failures, fmt.Sprintf("%s %d: %v %s", email, i, err, a))
				} else {
					posted[email] = append(posted[email], out.MessageUniqueID)
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("failed posts: %v", failures)
	}
	list := messagesOf(t, users[anaEmail], thread.UUID, "?pageSize=100")
	if list.TotalCount != 2*each || list.Count != 2*each {
		t.Fatalf("totalCount %d, count %d, want %d", list.TotalCount, list.Count, 2*each)
	}
	// Each user's messages are listed (newest first) in the reverse of
	// their posting order, each once, with the right author and text.
	for email := range users {
		var mine []string
		for _, m := range list.Messages {
			if m.Username == email {
				mine = append(mine, m.MessageUniqueID)
			}
		}
		slices.Reverse(mine)
		if !slices.Equal(mine, posted[email]) {
			t.Errorf("%s: listed %v, posted %v", email, mine, posted[email])
		}
	}
	for i := 1; i < len(list.Messages); i++ {
		if list.Messages[i-1].CreationDate < list.Messages[i].CreationDate {
			t.Fatalf("not newest first at %d", i)
		}
	}
	// Seqs run 1..n without gaps and the summary names the newest.
	var seqs []int64
	s.Store.DB().Raw(`SELECT m.seq FROM messages m JOIN processes p ON p.id = m.process_id WHERE p.uuid = ? ORDER BY m.seq`,
		thread.UUID).Scan(&seqs)
	for i, q := range seqs {
		if q != int64(i+1) {
			t.Fatalf("seqs %v", seqs)
		}
	}
	var last string
	s.Store.DB().Raw(`SELECT th.last_message_uuid FROM threads th JOIN processes p ON p.id = th.process_id WHERE p.uuid = ?`,
		thread.UUID).Scan(&last)
	if last != list.Messages[0].MessageUniqueID {
		t.Errorf("summary's last message %s, newest listed %s", last, list.Messages[0].MessageUniqueID)
	}
}

// ---------------------------------------------------------------------------
// The browser and the API share one thread

func checkBrowserAndAPI(t *testing.T, f *partnerFixture) {
	s := f.s
	ana := f.ana
	thread := emptyThread(t, firmProcesses(t, s, lisboaUID), 4)
	anaWeb, martaWeb := s.Client(t), s.Client(t)
	anaWeb.Login(anaEmail)
	martaWeb.Login(martaEmail)

	// Ana writes in the browser (no JavaScript): the API lists it.
	res := anaWeb.PostForm("/processes/"+thread.UUID+"/messages", url.Values{
		"subject": {"From the browser"}, "text": {"Line one\r\nLine two"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/processes/"+thread.UUID+"#thread" {
		t.Fatalf("browser post: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	pg := messagesOf(t, ana, thread.UUID, "")
	if pg.TotalCount != 1 {
		t.Fatalf("API lists %d messages", pg.TotalCount)
	}
	if m := pg.Messages[0]; m.Username != anaEmail || m.AuthorType != "broker" || m.Subject != "From the browser" || m.Text != "Line one\nLine two" {
		t.Errorf("browser message through the API: %+v", m)
	}

	// Ana writes through the API: the page shows it, escaped.
	apiID := wantCreated(t, "API post", ana.post(t, "/v1/processes/"+thread.UUID+"/message", `{"subject":"From the API","text":"Not <b>bold</b>"}`))
	page := anaWeb.Get("/processes/" + thread.UUID)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("process page: %d", page.StatusCode)
	}
	msgs := page.Doc(t).Find(`[data-testid="message"]`)
	if msgs.Length() != 2 {
		t.Fatalf("page shows %d messages", msgs.Length())
	}
	lastMsg := msgs.Last()
	if id, _ := lastMsg.Attr("id"); id != "msg-"+apiID || strings.TrimSpace(lastMsg.Find(`[data-testid="message-text"]`).Text()) != "Not <b>bold</b>" {
		t.Errorf("API message on the page: %q", lastMsg.Text())
	}
	if strings.Contains(page.Body, "Not <b>bold</b>") {
		t.Error("message HTML interpreted on the page")
	}

	// Marta replies in the browser: the API shows the bank's reply.
	res = martaWeb.PostForm("/processes/"+thread.UUID+"/messages", url.Values{"text": {"Received, thank you."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("staff reply: %d", res.StatusCode)
	}
	pg = messagesOf(t, ana, thread.UUID, "")
	if m := pg.Messages[0]; pg.TotalCount != 3 || m.AuthorType != "bank" || m.Username != martaEmail || m.Text != "Received, thank you." {
		t.Errorf("staff reply through the API: %+v", pg.Messages[0])
	}
	if k, _ := anaWeb.Get("/processes/" + thread.UUID).Doc(t).Find(`[data-testid="message"]`).Last().Attr("data-author-kind"); k != "bank" {
		t.Errorf("staff reply on Ana's page marked %q", k)
	}
}

// demoPartnerUUID is the demo partner network's unique id, as stored.
func demoPartnerUUID(t testing.TB, s *webtest.Server) string {
	t.Helper()
	var id string
	if err := s.Store.DB().Raw("SELECT uuid FROM partners WHERE client_id = ?", store.DemoPartnerClient).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("demo partner: %q %v", id, err)
	}
	return strings.ToLower(id)
}
