package obp_test

// Transport tests on stub services (no database): how DirectLogin and
// token headers are read, what the transport answers by itself (malformed
// JSON, body size, paging, unknown paths, panics) and that the service's
// codes map to OBP's answers. The contract against the real store is in
// contract_test.go.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/obp"
)

const stubToken = "stub-token-123"

// stubAuth accepts one user and one token and records what it was given.
type stubAuth struct {
	logins  []models.DirectLoginInput
	revoked []string
}

func (s *stubAuth) DirectLogin(_ context.Context, in models.DirectLoginInput) (string, error) {
	s.logins = append(s.logins, in)
	if in.Username == "marta.santos@bank.example" && in.Password == "portal-demo" && in.ConsumerKey == "demo-consumer-key" {
		return stubToken, nil
	}
	if in.Username == "throttled@bank.example" {
		return "", models.RateLimited("slow down", 42)
	}
	return "", models.Unauthorized("nope")
}

func (s *stubAuth) ResolveOBPToken(_ context.Context, token string) (*models.Principal, error) {
	if token == stubToken {
		return &models.Principal{UserID: 1, UserUUID: "u-1", Email: "marta.santos@bank.example", Kind: models.KindStaff}, nil
	}
	return nil, models.Unauthorized("bad token")
}

func (s *stubAuth) RevokeOBPToken(_ context.Context, token string) error {
	s.revoked = append(s.revoked, token)
	return nil
}

// stubCustomers answers from err (nil: success) and records the input.
type stubCustomers struct {
	models.CustomerService // unimplemented methods panic
	err                    error
	got                    *models.NewCustomerMessage
	paging                 models.Paging
	panicOnList            bool
}

func (s *stubCustomers) CreateCustomerMessage(ctx context.Context, bankID, customerUUID string, in models.NewCustomerMessage) (*models.CustomerMessage, error) {
	if models.PrincipalFrom(ctx) == nil {
		panic("no principal")
	}
	s.got = &in
	if s.err != nil {
		return nil, s.err
	}
	if in.Undecodable != nil { // the service's contract: after bank and role, before the fields
		return nil, in.Undecodable
	}
	if in.Message == nil {
		return nil, &models.Error{Code: models.CodeInvalid, Fields: []models.FieldError{{Field: "message", Key: "A message is required."}}} // a key outside the catalogue renders as itself
	}
	return &models.CustomerMessage{UUID: "m-1"}, nil
}

func (s *stubCustomers) CustomerMessages(_ context.Context, bankID, customerUUID string, p models.Paging) (*models.CustomerMessagePage, error) {
	if s.panicOnList {
		panic("boom")
	}
	s.paging = p
	if s.err != nil {
		return nil, s.err
	}
	var v models.Validation
	if p.Limit < 0 || p.Limit > models.MaxCustomerPageSize {
		v.Add("limit", "bad limit", nil)
	}
	if p.Offset < 0 || p.Offset > models.MaxCustomerPageOffset {
		v.Add("offset", "bad offset", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	at := time.Date(2024, 10, 16, 14, 19, 53, 987654321, time.FixedZone("x", 3600))
	return &models.CustomerMessagePage{Messages: []models.CustomerMessage{{UUID: "m-1", Message: "hi", Transport: "SMS", CreatedAt: at}}}, nil
}

type stubServer struct {
	*httptest.Server
	auth      *stubAuth
	customers *stubCustomers
}

func newStub(t *testing.T) *stubServer {
	t.Helper()
	gin.SetMode(gin.ReleaseMode)
	s := &stubServer{auth: &stubAuth{}, customers: &stubCustomers{}}
	e := gin.New()
	obp.New(obp.Deps{
		Services: models.Services{OBPAuth: s.auth, Customers: s.customers},
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}).Register(e.Group(""))
	e.NoRoute(obp.NoRoute)
	s.Server = httptest.NewServer(e)
	t.Cleanup(s.Close)
	return s
}

type reply struct {
	Status int
	Header http.Header
	Body   string
}

func (s *stubServer) do(t *testing.T, method, path, body string, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header[headers[i]] = []string{headers[i+1]}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, string(b)}
}

// wantError checks an OBP error answer: status, JSON, exactly {code, message}.
func wantError(t *testing.T, what string, r reply, status int, message string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, status)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	var body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("%s: body %s: %v", what, r.Body, err)
	}
	if body.Code != status {
		t.Errorf("%s: code %d, want %d", what, body.Code, status)
	}
	if strings.HasSuffix(message, "*") {
		if !strings.HasPrefix(body.Message, strings.TrimSuffix(message, "*")) {
			t.Errorf("%s: message %q, want prefix %q", what, body.Message, strings.TrimSuffix(message, "*"))
		}
	} else if body.Message != message {
		t.Errorf("%s: message %q, want %q", what, body.Message, message)
	}
}

const (
	msgNotLoggedIn  = "OBP-20001: User not logged in. Authentication is required!"
	msgInvalidLogin = "OBP-20004: Invalid login credentials. Check username/password."
	msgInvalidJSON  = "OBP-10001: Incorrect json format. "
)

func TestDirectLoginHeaderForms(t *testing.T) {
	s := newStub(t)
	forms := []struct{ name, value string }{
		{"DirectLogin", `username="marta.santos@bank.example", password="portal-demo", consumer_key="demo-consumer-key"`},
		{"DirectLogin", `DirectLogin username="marta.santos@bank.example",password="portal-demo",consumer_key="demo-consumer-key"`},
		{"DirectLogin", `username=marta.santos@bank.example, password=portal-demo, consumer_key=demo-consumer-key`},
		{"DirectLogin", `username = "marta.santos@bank.example" password="portal-demo"   consumer_key=demo-consumer-key`},
		{"DirectLogin", `consumer_key="demo-consumer-key",username="marta.santos@bank.example",password="portal-demo"`},
		{"Directlogin", `USERNAME="marta.santos@bank.example", Password="portal-demo", consumer_key="demo-consumer-key"`},
		{"Authorization", `DirectLogin username="marta.santos@bank.example", password="portal-demo", consumer_key="demo-consumer-key"`},
		{"Authorization", `directlogin username=marta.santos@bank.example,password=portal-demo,consumer_key=demo-consumer-key`},
		{"Authorization", `DirectLogin   username="marta.santos@bank.example" , password="portal-demo" , consumer_key="demo-consumer-key" ,`},
		{"Authorization", `DirectLogin,username="marta.santos@bank.example",password="portal-demo",consumer_key="demo-consumer-key"`},
	}
	for _, f := range forms {
		r := s.do(t, http.MethodPost, "/my/logins/direct", "", f.name, f.value)
		if r.Status != http.StatusCreated || r.Body != `{"token":"`+stubToken+`"}` {
			t.Errorf("%s: %s: %d %s", f.name, f.value, r.Status, r.Body)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", f.value, cc)
		}
	}
	if len(s.auth.logins) != len(forms) {
		t.Fatalf("service saw %d logins, want %d", len(s.auth.logins), len(forms))
	}
	if ip := s.auth.logins[0].ClientIP; ip != "127.0.0.1" {
		t.Errorf("client IP %q", ip)
	}

	// Quoted values keep commas, spaces and escaped quotes.
	s.do(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin", `username="a@b.example", password="p, \"q\" r\\", consumer_key="k"`)
	if got := s.auth.logins[len(s.auth.logins)-1]; got.Password != `p, "q" r\` || got.Username != "a@b.example" || got.ConsumerKey != "k" {
		t.Errorf("quoted values parsed as %+v", got)
	}

	// Every refusal of the credentials is one answer.
	for _, v := range []string{
		`username="marta.santos@bank.example", password="wrong", consumer_key="demo-consumer-key"`,
		`username="nobody@bank.example", password="portal-demo", consumer_key="demo-consumer-key"`,
		`username="marta.santos@bank.example", password="portal-demo", consumer_key="not-a-consumer"`,
		`username="marta.santos@bank.example", password="` + strings.Repeat("x", 2000) + `", consumer_key="demo-consumer-key"`,
	} {
		wantError(t, v[:40], s.do(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin", v), http.StatusUnauthorized, msgInvalidLogin)
	}
	// Missing parameters are named (they say nothing about accounts).
	wantError(t, "no header", s.do(t, http.MethodPost, "/my/logins/direct", ""), http.StatusUnauthorized,
		"OBP-20002: These DirectLogin parameters are missing: username, password, consumer_key")
	wantError(t, "empty password", s.do(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin", `username="a", password="", consumer_key="k"`),
		http.StatusUnauthorized, "OBP-20002: These DirectLogin parameters are missing: password")
	wantError(t, "unterminated quote", s.do(t, http.MethodPost, "/my/logins/direct", "", "Authorization", `DirectLogin username="a", password="p, consumer_key=k`),
		http.StatusUnauthorized, "OBP-20002: These DirectLogin parameters are missing: password, consumer_key")
	wantError(t, "bearer is no login", s.do(t, http.MethodPost, "/my/logins/direct", "", "Authorization", "Bearer x"),
		http.StatusUnauthorized, "OBP-20002: These DirectLogin parameters are missing: username, password, consumer_key")

	// Throttling answers 429 with Retry-After.
	r := s.do(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin", `username="throttled@bank.example", password="x", consumer_key="k"`)
	wantError(t, "throttled", r, http.StatusTooManyRequests, "OBP-10018: Too Many Requests.")
	if r.Header.Get("Retry-After") != "42" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
}

func TestTokenHeaderForms(t *testing.T) {
	s := newStub(t)
	path := "/obp/v4.0.0/banks/demo.bank/customers/c-1/messages"
	for _, h := range [][]string{
		{"DirectLogin", `token="` + stubToken + `"`},
		{"DirectLogin", `token=` + stubToken},
		{"DirectLogin", `DirectLogin token="` + stubToken + `"`},
		{"Authorization", `DirectLogin token="` + stubToken + `"`},
		{"Authorization", `DirectLogin token=` + stubToken},
		{"Authorization", `Bearer ` + stubToken},
		{"Authorization", `bearer  ` + stubToken},
		// A DirectLogin header without a token does not hide a bearer token.
		{"DirectLogin", `consumer_key="k"`, "Authorization", "Bearer " + stubToken},
	} {
		r := s.do(t, http.MethodGet, path, "", h...)
		if r.Status != http.StatusOK {
			t.Errorf("%v: %d %s", h, r.Status, r.Body)
		}
	}
	for _, h := range [][]string{
		nil,
		{"DirectLogin", `token="wrong"`},
		{"DirectLogin", `token=""`},
		{"DirectLogin", stubToken},
		{"Authorization", `DirectLogin token="wrong"`},
		{"Authorization", `Bearer wrong`},
		{"Authorization", `Bearer`},
		{"Authorization", `Basic ` + stubToken},
		{"Authorization", `Bearer ` + strings.Repeat("x", 5000)},
		{"DirectLogin", `username="marta.santos@bank.example", password="portal-demo", consumer_key="demo-consumer-key"`},
	} {
		wantError(t, strings.Join(h, " "), s.do(t, http.MethodGet, path, "", h...), http.StatusUnauthorized, msgNotLoggedIn)
	}
}

func TestTransportAnswers(t *testing.T) {
	s := newStub(t)
	auth := []string{"Authorization", "Bearer " + stubToken}
	jsonCT := []string{"Content-Type", "application/json"}
	post := "/obp/v4.0.0/banks/demo.bank/customers/c-1/messages"

	// Malformed JSON declared as JSON: 400 before authentication, with the
	// parser's message.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/vnd.api+json", "text/json"} {
		r := s.do(t, http.MethodPost, post, `{"message": "hi",}`, "Content-Type", ct)
		wantError(t, ct, r, http.StatusBadRequest, msgInvalidJSON+"invalid character '}' looking for beginning of object key string (at byte 18).")
	}
	wantError(t, "empty JSON body", s.do(t, http.MethodPost, post, "", jsonCT...), http.StatusBadRequest, msgInvalidJSON+"unexpected end of JSON input (at byte 0).")
	wantError(t, "trailing data", s.do(t, http.MethodPost, post, `{} {}`, jsonCT...), http.StatusBadRequest, msgInvalidJSON+"invalid character '{' after top-level value*")
	if s.customers.got != nil {
		t.Fatal("the service was called for malformed JSON")
	}
	// Not declared JSON: authentication first, then the body at its place.
	wantError(t, "form body, no token", s.do(t, http.MethodPost, post, `{"message": "hi",}`, "Content-Type", "text/plain"), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "form body", s.do(t, http.MethodPost, post, `{"message": "hi",}`, append([]string{"Content-Type", "text/plain"}, auth...)...),
		http.StatusBadRequest, msgInvalidJSON+"invalid character '}'*")

	// The service's role refusal comes before the body's shape...
	s.customers.err = models.MissingRole("CanCreateCustomerMessage", "demo.bank")
	wantError(t, "wrong type, no role", s.do(t, http.MethodPost, post, `{"message": 5}`, append(jsonCT, auth...)...),
		http.StatusForbidden, "OBP-20006: User is missing one or more roles: CanCreateCustomerMessage for BankId(demo.bank).")
	s.customers.err = nil
	// ...and the shape is reported in OBP-10001 when it is the first problem.
	for body, want := range map[string]string{
		`{"message": 5, "transport": "SMS", "from_department": "d", "from_person": "p"}`:           "The field message must be a string, not number.",
		`{"message": "m", "transport": "SMS", "from_department": "d", "from_person": "p", "x": 1}`: `Unknown field "x".`,
		`["message"]`: "The body must be a JSON object.",
		`null`:        "The body must be a JSON object.",
		`{}`:          "A message is required.",
	} {
		wantError(t, body, s.do(t, http.MethodPost, post, body, append(jsonCT, auth...)...), http.StatusBadRequest, msgInvalidJSON+want)
		// The body's problem travels in the input, for the service to
		// report in its place in the order of checks.
		if g := s.customers.got; g == nil || (body == `{}`) != (g.Undecodable == nil) ||
			g.Undecodable != nil && !strings.HasSuffix(models.AsError(g.Undecodable).Message, want) {
			t.Errorf("%s: the service got %+v, want the body's problem as its input", body, s.customers.got)
		}
	}
	// v1.4.0 passes an empty transport and knows no transport key.
	r := s.do(t, http.MethodPost, "/obp/v1.4.0/banks/demo.bank/customer/c-1/messages", `{"message":"m","from_department":"d","from_person":"p"}`, append(jsonCT, auth...)...)
	if r.Status != http.StatusCreated || r.Body != `{"success":"Success"}` {
		t.Fatalf("v1.4.0 create: %d %s", r.Status, r.Body)
	}
	if g := s.customers.got; g.Transport == nil || *g.Transport != "" || *g.Message != "m" || *g.FromDepartment != "d" || *g.FromPerson != "p" {
		t.Errorf("v1.4.0 input %+v", g)
	}
	wantError(t, "v1.4.0 transport", s.do(t, http.MethodPost, "/obp/v1.4.0/banks/demo.bank/customer/c-1/messages",
		`{"message":"m","transport":"SMS","from_department":"d","from_person":"p"}`, append(jsonCT, auth...)...),
		http.StatusBadRequest, msgInvalidJSON+`Unknown field "transport".`)

	// Bodies are capped at 64 KiB (before authentication).
	big := `{"message":"` + strings.Repeat("x", 70<<10) + `"}`
	wantError(t, "large body", s.do(t, http.MethodPost, post, big, jsonCT...), http.StatusRequestEntityTooLarge,
		msgInvalidJSON+"The request body is larger than 65536 bytes.")

	// Service codes.
	get := "/obp/v4.0.0/banks/demo.bank/customers/c-1/messages"
	for _, c := range []struct {
		err     error
		status  int
		message string
	}{
		{models.NotFound("bank"), 404, "OBP-30001: Bank not found. Please specify a valid value for BANK_ID. Current BankId is demo.bank"},
		{models.NotFound("customer"), 404, "OBP-30046: Customer not found. Please specify a valid value for CUSTOMER_ID.. Current CustomerId(c-1)"},
		{models.NotFound("user"), 404, "OBP-20005: User not found. Please specify a valid value for USER_ID."},
		{models.MissingRole("CanGetCustomerMessages", "demo.bank"), 403, "OBP-20006: User is missing one or more roles: CanGetCustomerMessages for BankId(demo.bank)."},
		{models.Internal(io.ErrUnexpectedEOF), 500, "OBP-50000: Unknown Error."},
		{io.ErrUnexpectedEOF, 500, "OBP-50000: Unknown Error."},
	} {
		s.customers.err = c.err
		wantError(t, c.err.Error(), s.do(t, http.MethodGet, get, "", auth...), c.status, c.message)
	}
	s.customers.err = nil

	// Paging: OBP's clients send none; ours may.
	r = s.do(t, http.MethodGet, get, "", auth...)
	if s.customers.paging != (models.Paging{}) {
		t.Errorf("default paging %+v", s.customers.paging)
	}
	if want := `{"messages":[{"id":"m-1","date":"2024-10-16T13:19:53Z","transport":"SMS","message":"hi","from_department":"","from_person":""}]}`; r.Body != want {
		t.Errorf("list body\n got %s\nwant %s", r.Body, want)
	}
	s.do(t, http.MethodGet, get+"?limit=500&offset=20", "", auth...)
	if s.customers.paging != (models.Paging{Limit: 500, Offset: 20}) {
		t.Errorf("paging %+v", s.customers.paging)
	}
	for _, q := range []string{"limit=0", "limit=501", "limit=x", "limit=", "limit=-3", "limit=99999999999999999999"} {
		wantError(t, q, s.do(t, http.MethodGet, get+"?"+q, "", auth...), 400, "OBP-10025: wrong value for limit parameter. Please send a positive integer (=>1) up to 500!")
	}
	for _, q := range []string{"offset=-1", "offset=x", "offset=10001"} {
		wantError(t, q, s.do(t, http.MethodGet, get+"?"+q, "", auth...), 400, "OBP-10024: wrong value for offset parameter. Please send a positive integer (=>0) up to 10000!")
	}
	// Paging is input: the bank and role checks answer first.
	s.customers.err = models.MissingRole("CanGetCustomerMessages", "demo.bank")
	wantError(t, "paging without role", s.do(t, http.MethodGet, get+"?limit=x", "", auth...), 403, "OBP-20006: User is missing one or more roles: CanGetCustomerMessages for BankId(demo.bank).")
	s.customers.err = nil

	// Unknown paths under /obp, and panics, answer OBP bodies.
	wantError(t, "unknown path", s.do(t, http.MethodGet, "/obp/v4.0.0/nothing", ""), 404, "OBP-10404: 404 Not Found.*")
	s.customers.panicOnList = true
	wantError(t, "panic", s.do(t, http.MethodGet, get, "", auth...), 500, "OBP-50005: An unspecified or internal error occurred.")
}
