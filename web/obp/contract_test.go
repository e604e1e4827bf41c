package obp_test

// Contract tests of the OBP-compatible API (README.md, "Customer messages
// API") over HTTP against the real router on a fresh demo database, per
// dialect: DirectLogin and token headers, every check in OBP's order with
// its exact text, the success bodies, ordering, paging, and that v1.4.0 and
// v4.0.0 list the same messages.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models/store"
	"portal/web/webtest"
)

const (
	martaEmail = "marta.santos@bank.example" // CanCreateCustomerMessage, CanGetCustomerMessages, CanCreateCustomer
	nunoEmail  = "nuno.reis@bank.example"    // no roles
	adminEmail = "admin@bank.example"        // CanCreateEntitlementAtAnyBank
	mariaEmail = "maria.ferreira@example.com"
	consumer   = store.DemoConsumerKey
	bank       = store.DemoBankID

	msgBankNotFound = "OBP-30001: Bank not found. Please specify a valid value for BANK_ID. Current BankId is "
	msgCustNotFound = "OBP-30046: Customer not found. Please specify a valid value for CUSTOMER_ID.. Current CustomerId("
	msgMissingRole  = "OBP-20006: User is missing one or more roles: "
	msgUserNotFound = "OBP-20005: User not found. Please specify a valid value for USER_ID."
)

// obpDate is OBP's date: UTC to whole seconds.
var obpDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

var httpClient = &http.Client{Timeout: 60 * time.Second}

// obpServer is the portal on a demo database.
type obpServer struct{ *webtest.Server }

// call sends one request; headers are name, value pairs sent with exactly
// that spelling. A body gets Content-Type application/json unless one is
// given.
func (s obpServer) call(t testing.TB, method, path, body string, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header[headers[i]] = []string{headers[i+1]}
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// session is a DirectLogin token on a server.
type session struct {
	s     obpServer
	token string
}

func (u session) auth() []string { return []string{"DirectLogin", `token="` + u.token + `"`} }

func (u session) get(t testing.TB, path string) reply {
	t.Helper()
	return u.s.call(t, http.MethodGet, path, "", u.auth()...)
}

func (u session) post(t testing.TB, path, body string) reply {
	t.Helper()
	return u.s.call(t, http.MethodPost, path, body, u.auth()...)
}

// login is DirectLogin with the demo password (argon2: tests reuse tokens).
func (s obpServer) login(t testing.TB, email string) session {
	t.Helper()
	r := s.call(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin",
		`username="`+email+`", password="`+store.DemoPassword+`", consumer_key="`+consumer+`"`)
	if r.Status != http.StatusCreated {
		t.Fatalf("DirectLogin %s: %d %s", email, r.Status, r.Body)
	}
	var out struct {
		Token string `json:"token"`
	}
	webtest.StrictJSON(t, r.Body, &out)
	if len(out.Token) < 20 {
		t.Fatalf("DirectLogin %s: token %q", email, out.Token)
	}
	return session{s: s, token: out.Token}
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Wire shapes.
type (
	messageV4 struct {
		ID             string `json:"id"`
		Date           string `json:"date"`
		Transport      string `json:"transport"`
		Message        string `json:"message"`
		FromDepartment string `json:"from_department"`
		FromPerson     string `json:"from_person"`
	}
	messageV14 struct {
		ID             string `json:"id"`
		Date           string `json:"date"`
		Message        string `json:"message"`
		FromDepartment string `json:"from_department"`
		FromPerson     string `json:"from_person"`
	}
	newMessageV4 struct {
		Message        string `json:"message"`
		Transport      string `json:"transport"`
		FromDepartment string `json:"from_department"`
		FromPerson     string `json:"from_person"`
	}
	newMessageV14 struct {
		Message        string `json:"message"`
		FromDepartment string `json:"from_department"`
		FromPerson     string `json:"from_person"`
	}
	customerOut struct {
		BankID         string `json:"bank_id"`
		CustomerID     string `json:"customer_id"`
		CustomerNumber string `json:"customer_number"`
		LegalName      string `json:"legal_name"`
		MobilePhone    string `json:"mobile_phone_number"`
		Email          string `json:"email"`
	}
	entitlementOut struct {
		EntitlementID string `json:"entitlement_id"`
		RoleName      string `json:"role_name"`
		BankID        string `json:"bank_id"`
	}
	currentUserOut struct {
		UserID       string `json:"user_id"`
		Email        string `json:"email"`
		Username     string `json:"username"`
		Entitlements struct {
			List []entitlementOut `json:"list"`
		} `json:"entitlements"`
	}
)

func v4Path(customer string) string {
	return "/obp/v4.0.0/banks/" + bank + "/customers/" + customer + "/messages"
}
func v14Path(customer string) string {
	return "/obp/v1.4.0/banks/" + bank + "/customer/" + customer + "/messages"
}

const (
	myMessagesV14 = "/obp/v1.4.0/banks/" + bank + "/customer/messages"
	myMessagesV4  = "/obp/v4.0.0/banks/" + bank + "/customer/messages"
)

// wantSuccess checks a create answer: 201 {"success":"Success"} exactly.
func wantSuccess(t testing.TB, what string, r reply) {
	t.Helper()
	if r.Status != http.StatusCreated || r.Body != `{"success":"Success"}` {
		t.Fatalf("%s: %d %s, want 201 {\"success\":\"Success\"}", what, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
}

func listV4(t testing.TB, u session, customer, query string) []messageV4 {
	t.Helper()
	r := u.get(t, v4Path(customer)+query)
	if r.Status != http.StatusOK {
		t.Fatalf("list %s%s: %d %s", customer, query, r.Status, r.Body)
	}
	var out struct {
		Messages []messageV4 `json:"messages"`
	}
	webtest.StrictJSON(t, r.Body, &out)
	if out.Messages == nil {
		t.Fatalf("list %s: messages is not an array: %s", customer, r.Body)
	}
	return out.Messages
}

func listMine(t testing.TB, u session, path string) []messageV14 {
	t.Helper()
	r := u.get(t, path)
	if r.Status != http.StatusOK {
		t.Fatalf("my messages %s: %d %s", path, r.Status, r.Body)
	}
	var out struct {
		Messages []messageV14 `json:"messages"`
	}
	webtest.StrictJSON(t, r.Body, &out) // no transport in v1.4.0 items
	if out.Messages == nil {
		t.Fatalf("my messages %s: messages is not an array: %s", path, r.Body)
	}
	return out.Messages
}

func myCustomers(t testing.TB, u session) []customerOut {
	t.Helper()
	r := u.get(t, "/obp/v4.0.0/users/current/customers")
	if r.Status != http.StatusOK {
		t.Fatalf("my customers: %d %s", r.Status, r.Body)
	}
	var out struct {
		Customers []customerOut `json:"customers"`
	}
	webtest.StrictJSON(t, r.Body, &out)
	if out.Customers == nil {
		t.Fatalf("my customers: not an array: %s", r.Body)
	}
	return out.Customers
}

func currentUser(t testing.TB, u session) currentUserOut {
	t.Helper()
	r := u.get(t, "/obp/v4.0.0/users/current")
	if r.Status != http.StatusOK {
		t.Fatalf("current user: %d %s", r.Status, r.Body)
	}
	var out currentUserOut
	webtest.StrictJSON(t, r.Body, &out)
	return out
}

func isUUID(s string) bool { _, err := uuid.Parse(s); return err == nil && len(s) == 36 }

// fixture is one demo server with tokens signed in once.
type fixture struct {
	s                         obpServer
	marta, nuno, admin, maria session
	mariaID                   string // Maria Ferreira's customer_id
}

func newFixture(t *testing.T, s obpServer) *fixture {
	f := &fixture{s: s, marta: s.login(t, martaEmail), nuno: s.login(t, nunoEmail), admin: s.login(t, adminEmail), maria: s.login(t, mariaEmail)}
	cs := myCustomers(t, f.maria)
	if len(cs) != 1 || cs[0].CustomerNumber != "C-000001" || cs[0].LegalName != "Maria Ferreira" || cs[0].BankID != bank || !isUUID(cs[0].CustomerID) {
		t.Fatalf("Maria's customers: %+v", cs)
	}
	f.mariaID = cs[0].CustomerID
	return f
}

func TestOBPContract(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, ws *webtest.Server) {
		s := obpServer{ws}
		f := newFixture(t, s)
		t.Run("order of checks: create v4.0.0", func(t *testing.T) { checkCreateOrder(t, f, v4Path, "CanCreateCustomerMessage", true) })
		t.Run("order of checks: create v1.4.0", func(t *testing.T) { checkCreateOrder(t, f, v14Path, "CanCreateCustomerMessage", false) })
		t.Run("order of checks: list v4.0.0", func(t *testing.T) { checkListOrder(t, f) })
		t.Run("input limits", func(t *testing.T) { checkInputLimits(t, f) })
		t.Run("lists: newest first, both versions alike", func(t *testing.T) { checkLists(t, f) })
		t.Run("supporting endpoints", func(t *testing.T) { checkSupporting(t, f) })
		t.Run("entitlements", func(t *testing.T) { checkEntitlements(t, f) })
		t.Run("create customer", func(t *testing.T) { checkCreateCustomer(t, f) })
		t.Run("token headers", func(t *testing.T) { checkTokenHeaders(t, f) })
	})
}

// checkCreateOrder walks OBP's checks one at a time: each request is
// wrong in the checked way and in every later way, so the answer proves
// which check comes first.
func checkCreateOrder(t *testing.T, f *fixture, path func(string) string, role string, v4 bool) {
	s := f.s
	missing := uuid.NewString()
	good := jsonOf(t, newMessageV14{Message: "order", FromDepartment: "Crédito", FromPerson: "Marta"})
	lacking := `{"message":"order","from_department":"Crédito"}` // from_person absent
	if v4 {
		good = jsonOf(t, newMessageV4{Message: "order", Transport: "SMS", FromDepartment: "Crédito", FromPerson: "Marta"})
		lacking = `{"message":"order","from_department":"Crédito","from_person":"Marta"}` // transport absent
	}
	unknownBank := strings.Replace(path(missing), "/"+bank+"/", "/no.such.bank/", 1)

	// (1) Malformed JSON: 400 before authentication, and before all else.
	for _, u := range [][]string{nil, {"DirectLogin", `token="not-a-token"`}, f.nuno.auth(), f.marta.auth()} {
		r := s.call(t, http.MethodPost, unknownBank, `{"message": "x"`, u...)
		wantError(t, "malformed JSON", r, http.StatusBadRequest, msgInvalidJSON+"*")
		if !strings.Contains(r.Body, "unexpected end of JSON input") {
			t.Errorf("malformed JSON: no parser message in %s", r.Body)
		}
	}
	wantError(t, "malformed JSON, charset", s.call(t, http.MethodPost, path(f.mariaID), `{message: "x"}`, "Content-Type", "application/json; charset=utf-8"),
		http.StatusBadRequest, msgInvalidJSON+"invalid character 'm' looking for beginning of object key string*")

	// (2) Not authenticated: the exact text, with or without a bad token.
	for _, u := range [][]string{nil, {"DirectLogin", `token="not-a-token"`}, {"Authorization", "Bearer not-a-token"}, {"Authorization", `DirectLogin token="x"`}} {
		wantError(t, "not logged in", s.call(t, http.MethodPost, unknownBank, lacking, u...), http.StatusUnauthorized, msgNotLoggedIn)
	}

	// (3) Unknown bank, even for a user without roles and a bad body.
	for _, u := range []session{f.nuno, f.marta} {
		wantError(t, "unknown bank", u.post(t, unknownBank, lacking), http.StatusNotFound, msgBankNotFound+"no.such.bank")
	}

	// (4) Missing role, named with the bank, before the body and customer.
	for _, body := range []string{lacking, good, `{"message": 42}`, `[]`} {
		wantError(t, "missing role", f.nuno.post(t, path(missing), body), http.StatusForbidden, msgMissingRole+role+" for BankId("+bank+").")
	}
	// Customers hold no roles either.
	wantError(t, "customer posting", f.maria.post(t, path(f.mariaID), good), http.StatusForbidden, msgMissingRole+role+" for BankId("+bank+").")

	// (5) A body that parses but does not fit, before the customer.
	bad := []string{lacking, `{}`, `{"message": 42, "from_department": "d", "from_person": "p"}`, `"text"`, `null`,
		strings.Replace(good, `{`, `{"extra":1,`, 1)}
	for _, body := range bad {
		wantError(t, "bad body "+body, f.marta.post(t, path(missing), body), http.StatusBadRequest, msgInvalidJSON+"*")
	}
	// Not declared JSON: still answered in the body's place.
	wantError(t, "text/plain body", s.call(t, http.MethodPost, path(missing), `{"message": "x"`, append(f.marta.auth(), "Content-Type", "text/plain")...),
		http.StatusBadRequest, msgInvalidJSON+"*")

	// (6) Unknown customer, with OBP's double period.
	for _, id := range []string{missing, "testCustomerId"} {
		wantError(t, "unknown customer", f.marta.post(t, path(id), good), http.StatusNotFound, msgCustNotFound+id+")")
	}

	// Success.
	wantSuccess(t, "create", f.marta.post(t, path(f.mariaID), good))
}

func checkListOrder(t *testing.T, f *fixture) {
	s := f.s
	missing := uuid.NewString()
	unknownBank := "/obp/v4.0.0/banks/no.such.bank/customers/" + missing + "/messages"
	wantError(t, "no token", s.call(t, http.MethodGet, unknownBank, ""), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "bad token", s.call(t, http.MethodGet, unknownBank, "", "Authorization", "Bearer nope"), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "unknown bank", f.nuno.get(t, unknownBank+"?limit=x"), http.StatusNotFound, msgBankNotFound+"no.such.bank")
	wantError(t, "missing role", f.nuno.get(t, v4Path(missing)+"?limit=x"), http.StatusForbidden, msgMissingRole+"CanGetCustomerMessages for BankId("+bank+").")
	wantError(t, "customer reading", f.maria.get(t, v4Path(f.mariaID)), http.StatusForbidden, msgMissingRole+"CanGetCustomerMessages for BankId("+bank+").")
	wantError(t, "bad limit", f.marta.get(t, v4Path(missing)+"?limit=x"), http.StatusBadRequest, "OBP-10025: *")
	wantError(t, "bad limit", f.marta.get(t, v4Path(missing)+"?limit=501"), http.StatusBadRequest, "OBP-10025: *")
	wantError(t, "bad offset", f.marta.get(t, v4Path(missing)+"?offset=-1"), http.StatusBadRequest, "OBP-10024: *")
	wantError(t, "unknown customer", f.marta.get(t, v4Path(missing)), http.StatusNotFound, msgCustNotFound+missing+")")
	wantError(t, "unknown bank, my messages", f.maria.get(t, "/obp/v1.4.0/banks/no.such.bank/customer/messages"), http.StatusNotFound, msgBankNotFound+"no.such.bank")
	wantError(t, "my messages, no token", s.call(t, http.MethodGet, myMessagesV14, ""), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "unknown path", s.call(t, http.MethodGet, "/obp/v4.0.0/no/such/thing", ""), http.StatusNotFound, "OBP-10404: *")
}

func checkInputLimits(t *testing.T, f *fixture) {
	ok := newMessageV4{Message: strings.Repeat("é", 1024), Transport: strings.Repeat("T", 64),
		FromDepartment: strings.Repeat("ç", 64), FromPerson: strings.Repeat("p", 64)}
	wantSuccess(t, "longest values", f.marta.post(t, v4Path(f.mariaID), jsonOf(t, ok)))
	if got := listV4(t, f.marta, f.mariaID, "?limit=1")[0]; got.Message != ok.Message || got.Transport != ok.Transport ||
		got.FromDepartment != ok.FromDepartment || got.FromPerson != ok.FromPerson {
		t.Errorf("longest values came back as %+v", got)
	}
	for name, m := range map[string]newMessageV4{
		"message too long":         {Message: ok.Message + "x", Transport: "SMS", FromDepartment: "d", FromPerson: "p"},
		"transport too long":       {Message: "m", Transport: ok.Transport + "x", FromDepartment: "d", FromPerson: "p"},
		"from_department too long": {Message: "m", Transport: "SMS", FromDepartment: ok.FromDepartment + "x", FromPerson: "p"},
		"from_person too long":     {Message: "m", Transport: "SMS", FromDepartment: "d", FromPerson: ok.FromPerson + "x"},
		"empty message":            {Message: "", Transport: "SMS", FromDepartment: "d", FromPerson: "p"},
	} {
		wantError(t, name, f.marta.post(t, v4Path(f.mariaID), jsonOf(t, m)), http.StatusBadRequest, msgInvalidJSON+"*")
	}
	// OBP accepts empty strings in the other fields.
	wantSuccess(t, "empty headers", f.marta.post(t, v4Path(f.mariaID), `{"message":"m","transport":"","from_department":"","from_person":""}`))
	// Bodies are capped at 64 KiB.
	big := jsonOf(t, newMessageV4{Message: strings.Repeat("x", 70<<10), Transport: "SMS"})
	wantError(t, "large body", f.marta.post(t, v4Path(f.mariaID), big), http.StatusRequestEntityTooLarge, msgInvalidJSON+"*")
}

func checkLists(t *testing.T, f *fixture) {
	before := listV4(t, f.marta, f.mariaID, "?limit=500")
	start := time.Now().UTC().Truncate(time.Second)
	posted := []newMessageV4{
		{Message: "Primeira mensagem", Transport: "SMS", FromDepartment: "Crédito Habitação", FromPerson: "Marta Santos"},
		{Message: "Second <b>message</b> & more", Transport: "EMAIL", FromDepartment: "Mortgages", FromPerson: "Marta"},
		{Message: "Terceira", Transport: "IN_APP", FromDepartment: "Apoio", FromPerson: "Marta"},
	}
	for _, m := range posted {
		wantSuccess(t, "post", f.marta.post(t, v4Path(f.mariaID), jsonOf(t, m)))
	}
	v14 := newMessageV14{Message: "Via v1.4.0", FromDepartment: "Legacy", FromPerson: "Marta"}
	wantSuccess(t, "post v1.4.0", f.marta.post(t, v14Path(f.mariaID), jsonOf(t, v14)))
	end := time.Now().UTC()

	all := listV4(t, f.marta, f.mariaID, "?limit=500")
	if len(all) != len(before)+4 {
		t.Fatalf("list has %d messages, want %d", len(all), len(before)+4)
	}
	// Newest first: the v1.4.0 post, then the v4.0.0 posts in reverse.
	want := []messageV4{{Message: v14.Message, FromDepartment: v14.FromDepartment, FromPerson: v14.FromPerson}}
	for i := len(posted) - 1; i >= 0; i-- {
		m := posted[i]
		want = append(want, messageV4{Message: m.Message, Transport: m.Transport, FromDepartment: m.FromDepartment, FromPerson: m.FromPerson})
	}
	seen := map[string]bool{}
	for i, got := range all {
		if !isUUID(got.ID) || seen[got.ID] {
			t.Errorf("message %d: id %q", i, got.ID)
		}
		seen[got.ID] = true
		if !obpDate.MatchString(got.Date) {
			t.Errorf("message %d: date %q", i, got.Date)
		}
		if i > 0 && got.Date > all[i-1].Date {
			t.Errorf("message %d (%s) is newer than message %d (%s)", i, got.Date, i-1, all[i-1].Date)
		}
		if i < len(want) {
			w := want[i]
			w.ID, w.Date = got.ID, got.Date
			if got != w {
				t.Errorf("message %d: %+v, want %+v", i, got, w)
			}
			at, err := time.Parse(time.RFC3339, got.Date)
			if err != nil || at.Before(start) || at.After(end) {
				t.Errorf("message %d: date %s not within %s..%s", i, got.Date, start.Format(time.RFC3339), end.Format(time.RFC3339))
			}
		}
	}
	if !slices.Equal(ids(all[4:]), ids(before)) {
		t.Errorf("older messages changed order")
	}

	// Paging (ours): the same order, cut.
	if got := listV4(t, f.marta, f.mariaID, ""); len(got) != min(len(all), 50) || !slices.Equal(ids(got), ids(all[:len(got)])) {
		t.Errorf("default page: %d messages", len(got))
	}
	if got := listV4(t, f.marta, f.mariaID, "?limit=2"); !slices.Equal(ids(got), ids(all[:2])) {
		t.Errorf("limit=2: %v", ids(got))
	}
	if got := listV4(t, f.marta, f.mariaID, "?limit=2&offset=1"); !slices.Equal(ids(got), ids(all[1:3])) {
		t.Errorf("limit=2&offset=1: %v", ids(got))
	}
	if got := listV4(t, f.marta, f.mariaID, "?offset=10000"); len(got) != 0 {
		t.Errorf("offset past the end: %d messages", len(got))
	}

	// The customer sees the same rows through v1.4.0 and v4.0.0.
	for _, path := range []string{myMessagesV14, myMessagesV4} {
		mine := listMine(t, f.maria, path+"?limit=500")
		if len(mine) != len(all) {
			t.Fatalf("%s: %d messages, staff see %d", path, len(mine), len(all))
		}
		for i, m := range mine {
			a := all[i]
			if m != (messageV14{ID: a.ID, Date: a.Date, Message: a.Message, FromDepartment: a.FromDepartment, FromPerson: a.FromPerson}) {
				t.Errorf("%s message %d: %+v, staff see %+v", path, i, m, a)
			}
		}
		if got := listMine(t, f.maria, path+"?limit=1&offset=1"); len(got) != 1 || got[0].ID != all[1].ID {
			t.Errorf("%s paged: %+v", path, got)
		}
	}
	// Staff have no customer of their own: an empty list, not an error.
	if got := listMine(t, f.marta, myMessagesV14); len(got) != 0 {
		t.Errorf("Marta's own messages: %+v", got)
	}
	// Another customer's messages are not Maria's.
	other := createCustomer(t, f.marta, `{"legal_name":"Outro Cliente","mobile_phone_number":"+351910000001","email":"outro@example.com"}`)
	wantSuccess(t, "post to another", f.marta.post(t, v4Path(other.CustomerID), jsonOf(t, posted[0])))
	if got := listV4(t, f.marta, other.CustomerID, ""); len(got) != 1 {
		t.Errorf("new customer's list: %+v", got)
	}
	if got := listMine(t, f.maria, myMessagesV4+"?limit=500"); len(got) != len(all) {
		t.Errorf("Maria sees %d messages after a post to another customer, want %d", len(got), len(all))
	}
}

func ids[M messageV4 | messageV14](ms []M) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		switch v := any(m).(type) {
		case messageV4:
			out[i] = v.ID
		case messageV14:
			out[i] = v.ID
		}
	}
	return out
}

func checkSupporting(t *testing.T, f *fixture) {
	s := f.s
	// Banks: public.
	r := s.call(t, http.MethodGet, "/obp/v4.0.0/banks", "")
	if r.Status != http.StatusOK {
		t.Fatalf("banks: %d %s", r.Status, r.Body)
	}
	var banks struct {
		Banks []struct {
			ID        string `json:"id"`
			ShortName string `json:"short_name"`
			FullName  string `json:"full_name"`
		} `json:"banks"`
	}
	webtest.StrictJSON(t, r.Body, &banks)
	if !slices.ContainsFunc(banks.Banks, func(b struct {
		ID        string `json:"id"`
		ShortName string `json:"short_name"`
		FullName  string `json:"full_name"`
	}) bool {
		return b.ID == bank && b.ShortName != "" && b.FullName != ""
	}) {
		t.Errorf("banks: %s", r.Body)
	}

	// Current user, with entitlements.
	m := currentUser(t, f.marta)
	if !isUUID(m.UserID) || m.Email != martaEmail || m.Username != martaEmail {
		t.Errorf("Marta: %+v", m)
	}
	var roles []string
	for _, e := range m.Entitlements.List {
		if !isUUID(e.EntitlementID) || e.BankID != bank {
			t.Errorf("Marta's entitlement %+v", e)
		}
		roles = append(roles, e.RoleName)
	}
	slices.Sort(roles)
	if want := []string{"CanCreateCustomer", "CanCreateCustomerMessage", "CanGetCustomerMessages"}; !slices.Equal(roles, want) {
		t.Errorf("Marta's roles %v, want %v", roles, want)
	}
	if n := currentUser(t, f.nuno); n.Email != nunoEmail || len(n.Entitlements.List) != 0 || n.UserID == m.UserID {
		t.Errorf("Nuno: %+v", n)
	}
	if c := currentUser(t, f.maria); c.Email != mariaEmail || len(c.Entitlements.List) != 0 {
		t.Errorf("Maria: %+v", c)
	}
	wantError(t, "current user, no token", s.call(t, http.MethodGet, "/obp/v4.0.0/users/current", ""), http.StatusUnauthorized, msgNotLoggedIn)

	// My customers: staff have none.
	if cs := myCustomers(t, f.marta); len(cs) != 0 {
		t.Errorf("Marta's customers: %+v", cs)
	}
	wantError(t, "my customers, no token", s.call(t, http.MethodGet, "/obp/v4.0.0/users/current/customers", ""), http.StatusUnauthorized, msgNotLoggedIn)
}

func entitlementPath(user string) string { return "/obp/v4.0.0/users/" + user + "/entitlements" }

func grant(t testing.TB, admin session, user, role string) entitlementOut {
	t.Helper()
	r := admin.post(t, entitlementPath(user), `{"bank_id":"`+bank+`","role_name":"`+role+`"}`)
	if r.Status != http.StatusCreated {
		t.Fatalf("grant %s to %s: %d %s", role, user, r.Status, r.Body)
	}
	var e entitlementOut
	webtest.StrictJSON(t, r.Body, &e)
	if !isUUID(e.EntitlementID) || e.RoleName != role || e.BankID != bank {
		t.Fatalf("grant %s: %+v", role, e)
	}
	return e
}

func checkEntitlements(t *testing.T, f *fixture) {
	s := f.s
	nuno := currentUser(t, f.nuno).UserID
	body := `{"bank_id":"` + bank + `","role_name":"CanCreateCustomer"}`
	wantError(t, "malformed, no token", s.call(t, http.MethodPost, entitlementPath(nuno), `{"bank_id":`), http.StatusBadRequest, msgInvalidJSON+"*")
	wantError(t, "no token", s.call(t, http.MethodPost, entitlementPath(nuno), body), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "not an admin", f.marta.post(t, entitlementPath(nuno), body), http.StatusForbidden, msgMissingRole+"CanCreateEntitlementAtAnyBank*")
	wantError(t, "not an admin, bad body", f.marta.post(t, entitlementPath(nuno), `{"role":"x"}`), http.StatusForbidden, msgMissingRole+"CanCreateEntitlementAtAnyBank*")
	wantError(t, "unknown role", f.admin.post(t, entitlementPath(nuno), `{"bank_id":"`+bank+`","role_name":"CanDoAnything"}`), http.StatusBadRequest,
		"OBP-10007: Incorrect Role name: CanDoAnything. Possible roles are CanCreateCustomerMessage, CanGetCustomerMessages, CanCreateCustomer, CanCreateEntitlementAtAnyBank.")
	wantError(t, "no role_name", f.admin.post(t, entitlementPath(nuno), `{"bank_id":"`+bank+`"}`), http.StatusBadRequest, msgInvalidJSON+"*")
	wantError(t, "unknown field", f.admin.post(t, entitlementPath(nuno), `{"bank_id":"`+bank+`","role_name":"CanCreateCustomer","x":1}`), http.StatusBadRequest, msgInvalidJSON+"*")
	wantError(t, "wrong type", f.admin.post(t, entitlementPath(nuno), `{"bank_id":"`+bank+`","role_name":7}`), http.StatusBadRequest, msgInvalidJSON+"*")
	wantError(t, "unknown bank", f.admin.post(t, entitlementPath(nuno), `{"bank_id":"no.such.bank","role_name":"CanCreateCustomer"}`), http.StatusNotFound, msgBankNotFound+"no.such.bank")
	wantError(t, "unknown user", f.admin.post(t, entitlementPath(uuid.NewString()), body), http.StatusNotFound, msgUserNotFound)

	e := grant(t, f.admin, nuno, "CanCreateCustomer")
	wantError(t, "granted twice", f.admin.post(t, entitlementPath(nuno), body), http.StatusConflict, "OBP-30216: Entitlement already exists for the user.")
	if !slices.Contains(currentUser(t, f.nuno).Entitlements.List, e) {
		t.Errorf("Nuno's entitlements lack %+v", e)
	}
	// The role counts at once, with the token Nuno already has.
	r := f.nuno.post(t, "/obp/v4.0.0/banks/"+bank+"/customers", `{"legal_name":"Cliente do Nuno","mobile_phone_number":"+351910000002","email":"nuno.cliente@example.com"}`)
	if r.Status != http.StatusCreated {
		t.Errorf("Nuno creating a customer after the grant: %d %s", r.Status, r.Body)
	}

	// Revoking through the API: only an admin, only the user's own
	// entitlement; then the role no longer counts.
	del := func(u session, user, ent string) reply {
		return u.s.call(t, http.MethodDelete, "/obp/v4.0.0/users/"+user+"/entitlement/"+ent, "", u.auth()...)
	}
	marta := currentUser(t, f.marta).UserID
	wantError(t, "revoke, no token", s.call(t, http.MethodDelete, "/obp/v4.0.0/users/"+nuno+"/entitlement/"+e.EntitlementID, ""), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "revoke, not an admin", del(f.marta, nuno, e.EntitlementID), http.StatusForbidden, msgMissingRole+"CanCreateEntitlementAtAnyBank*")
	wantError(t, "revoke, unknown user", del(f.admin, uuid.NewString(), e.EntitlementID), http.StatusNotFound, msgUserNotFound)
	if r := del(f.admin, marta, e.EntitlementID); r.Status != http.StatusNotFound {
		t.Errorf("revoking Nuno's role through Marta's path: %d %s", r.Status, r.Body)
	}
	if r := del(f.admin, nuno, e.EntitlementID); r.Status != http.StatusNoContent || r.Body != "" {
		t.Fatalf("revoke: %d %q", r.Status, r.Body)
	}
	if slices.Contains(currentUser(t, f.nuno).Entitlements.List, e) {
		t.Error("the revoked role is still listed")
	}
	wantError(t, "create customer after the revoke", f.nuno.post(t, "/obp/v4.0.0/banks/"+bank+"/customers",
		`{"legal_name":"Outro","mobile_phone_number":"+351910000003","email":"outro@example.com"}`), http.StatusForbidden, msgMissingRole+"CanCreateCustomer*")
	if r := del(f.admin, nuno, e.EntitlementID); r.Status != http.StatusNotFound {
		t.Errorf("revoking twice: %d %s", r.Status, r.Body)
	}
}

func createCustomer(t testing.TB, u session, body string) customerOut {
	t.Helper()
	r := u.post(t, "/obp/v4.0.0/banks/"+bank+"/customers", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create customer: %d %s", r.Status, r.Body)
	}
	var c customerOut
	if err := json.Unmarshal([]byte(r.Body), &c); err != nil {
		t.Fatal(err)
	}
	if !isUUID(c.CustomerID) || c.BankID != bank || c.CustomerNumber == "" {
		t.Fatalf("created customer %s", r.Body)
	}
	return c
}

// postCustomerJSON is OBP's PostCustomerJsonV310 example (SwaggerDefinitionsJSON).
const postCustomerJSON = `{
  "legal_name": "Eveline Tripman",
  "mobile_phone_number": "+44 07972 444 876",
  "email": "felixsmith@example.com",
  "face_image": {"url": "www.openbankproject", "date": "1100-01-01T00:00:00Z"},
  "date_of_birth": "2018-03-09T00:00:00Z",
  "relationship_status": "single",
  "dependants": 1,
  "dob_of_dependants": ["2018-03-09T00:00:00Z"],
  "credit_rating": {"rating": "OBP", "source": "OBP"},
  "credit_limit": {"currency": "EUR", "amount": "10"},
  "highest_education_attained": "Master",
  "employment_status": "worker",
  "kyc_status": true,
  "last_ok_date": "2018-03-09T00:00:00Z",
  "title": "Dr.",
  "branch_id": "DERBY6",
  "name_suffix": "Sr"
}`

func checkCreateCustomer(t *testing.T, f *fixture) {
	s := f.s
	path := "/obp/v4.0.0/banks/" + bank + "/customers"
	r := f.marta.post(t, path, postCustomerJSON)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatal(err)
	}
	var posted map[string]any
	_ = json.Unmarshal([]byte(postCustomerJSON), &posted)
	for k, v := range posted { // every field OBP echoes comes back as posted
		if jsonOf(t, got[k]) != jsonOf(t, v) {
			t.Errorf("%s: got %v, posted %v", k, got[k], v)
		}
	}
	if got["bank_id"] != bank || !isUUID(got["customer_id"].(string)) || got["customer_number"] == "" {
		t.Errorf("created: %s", r.Body)
	}
	// Unknown fields are accepted and ignored here (only here).
	c := createCustomer(t, f.marta, `{"legal_name":"Ana Extra","mobile_phone_number":"+351910000003","email":"ana.extra@example.com","something_new":{"x":1}}`)
	if c.LegalName != "Ana Extra" || c.Email != "ana.extra@example.com" || c.MobilePhone != "+351910000003" {
		t.Errorf("created %+v", c)
	}
	// The new customer can be written to.
	wantSuccess(t, "post to the new customer", f.marta.post(t, v4Path(c.CustomerID), `{"message":"Bem-vinda","transport":"EMAIL","from_department":"Balcão","from_person":"Marta"}`))

	wantError(t, "malformed, no token", s.call(t, http.MethodPost, path, `{"legal_name":`), http.StatusBadRequest, msgInvalidJSON+"*")
	wantError(t, "no token", s.call(t, http.MethodPost, path, postCustomerJSON), http.StatusUnauthorized, msgNotLoggedIn)
	wantError(t, "unknown bank", f.marta.post(t, "/obp/v4.0.0/banks/no.such.bank/customers", `{}`), http.StatusNotFound, msgBankNotFound+"no.such.bank")
	wantError(t, "no role", f.maria.post(t, path, `{}`), http.StatusForbidden, msgMissingRole+"CanCreateCustomer for BankId("+bank+").")
	wantError(t, "no legal_name", f.marta.post(t, path, `{"mobile_phone_number":"+351910000004","email":"x@example.com"}`), http.StatusBadRequest, msgInvalidJSON+"*")
	wantError(t, "customer number taken", f.marta.post(t, path, `{"legal_name":"Dup","mobile_phone_number":"+351910000005","email":"dup@example.com","customer_number":"C-000001"}`),
		http.StatusConflict, "OBP-30006: Customer Number already exists. Please specify a different value for BANK_ID or CUSTOMER_NUMBER.")
	wantError(t, "wrong type", f.marta.post(t, path, `{"legal_name":5,"mobile_phone_number":"+351910000004","email":"x@example.com"}`), http.StatusBadRequest, msgInvalidJSON+"*")
}

func checkTokenHeaders(t *testing.T, f *fixture) {
	s := f.s
	for _, h := range [][]string{
		{"DirectLogin", `token="` + f.marta.token + `"`},
		{"DirectLogin", `token=` + f.marta.token},
		{"Authorization", `DirectLogin token="` + f.marta.token + `"`},
		{"Authorization", `DirectLogin token=` + f.marta.token},
		{"Authorization", `Bearer ` + f.marta.token},
	} {
		r := s.call(t, http.MethodGet, "/obp/v4.0.0/users/current", "", h...)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, martaEmail) {
			t.Errorf("%s: %d %s", h[1][:20], r.Status, r.Body)
		}
	}
}

// TestDirectLogin runs on its own server: its failures count towards the
// login throttle.
func TestDirectLogin(t *testing.T) {
	s := obpServer{webtest.New(t, store.SQLite)}
	creds := func(user, pass, key string) string {
		return `username="` + user + `", password="` + pass + `", consumer_key="` + key + `"`
	}
	forms := [][]string{
		{"DirectLogin", creds(martaEmail, store.DemoPassword, consumer)},
		{"Authorization", "DirectLogin " + creds(martaEmail, store.DemoPassword, consumer)},
		{"DirectLogin", "username=" + martaEmail + ",password=" + store.DemoPassword + ",consumer_key=" + consumer},
		{"Authorization", "DirectLogin username = " + martaEmail + "  password=" + store.DemoPassword + " consumer_key=\"" + consumer + "\""},
		{"DirectLogin", creds(strings.ToUpper(martaEmail), store.DemoPassword, consumer)},
	}
	tokens := map[string]bool{}
	for _, h := range forms {
		r := s.call(t, http.MethodPost, "/my/logins/direct", "", h...)
		if r.Status != http.StatusCreated {
			t.Fatalf("%s: %d %s", h[1], r.Status, r.Body)
		}
		var out struct {
			Token string `json:"token"`
		}
		webtest.StrictJSON(t, r.Body, &out)
		if len(out.Token) < 20 || tokens[out.Token] {
			t.Errorf("%s: token %q", h[1], out.Token)
		}
		tokens[out.Token] = true
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
		u := session{s: s, token: out.Token}
		if got := currentUser(t, u); got.Email != martaEmail {
			t.Errorf("token of %s is %s's", martaEmail, got.Email)
		}
	}
	// Customers and admins log in the same way.
	for _, email := range []string{mariaEmail, adminEmail} {
		if got := currentUser(t, s.login(t, email)); got.Email != email {
			t.Errorf("%s: %+v", email, got)
		}
	}

	// One answer for every refused credential.
	var bodies []string
	for _, c := range []string{
		creds(nunoEmail, "wrong-password", consumer),
		creds("nobody@bank.example", store.DemoPassword, consumer),
		creds(adminEmail, store.DemoPassword, "not-a-consumer"),
		creds("ana.silva@lisboa-credito.example", store.DemoPassword, consumer), // brokers use the partner API
	} {
		r := s.call(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin", c)
		wantError(t, c, r, http.StatusUnauthorized, msgInvalidLogin)
		bodies = append(bodies, r.Body)
	}
	if len(slices.Compact(slices.Clone(bodies))) != 1 {
		t.Errorf("refusals differ: %q", bodies)
	}
	wantError(t, "no header", s.call(t, http.MethodPost, "/my/logins/direct", ""), http.StatusUnauthorized, "OBP-20002: *")
	wantError(t, "no password", s.call(t, http.MethodPost, "/my/logins/direct", "", "DirectLogin", `username="`+martaEmail+`", consumer_key="`+consumer+`"`),
		http.StatusUnauthorized, "OBP-20002: These DirectLogin parameters are missing: password")
}

// TestOBPCustomerMessageScenarios replays OBP-API's own CustomerMessageTest
// (v4.0.0) end to end, with the setup done through the API as an OBP
// client would: admin and staff DirectLogin, a customer created through
// the API, roles granted through the API, then the scenarios.
func TestOBPCustomerMessageScenarios(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, ws *webtest.Server) {
		s := obpServer{ws}
		admin, marta, nuno := s.login(t, adminEmail), s.login(t, martaEmail), s.login(t, nunoEmail)
		// OBP's createMessageJsonV400 example.
		msg := newMessageV4{Message: "123", Transport: "SMS", FromDepartment: "from department", FromPerson: "from person"}
		body := jsonOf(t, msg)
		testPath := v4Path("testCustomerId")

		// Scenario: without user credentials -> 401 AuthenticatedUserIsRequired.
		wantError(t, "post without credentials", s.call(t, http.MethodPost, testPath, body), http.StatusUnauthorized, msgNotLoggedIn)
		wantError(t, "get without credentials", s.call(t, http.MethodGet, testPath, ""), http.StatusUnauthorized, msgNotLoggedIn)

		// Scenario: without a proper role -> 403 naming the role.
		wantError(t, "post without role", nuno.post(t, testPath, body), http.StatusForbidden, msgMissingRole+"CanCreateCustomerMessage for BankId("+bank+").")
		wantError(t, "get without role", nuno.get(t, testPath), http.StatusForbidden, msgMissingRole+"CanGetCustomerMessages for BankId("+bank+").")

		// Setup: a customer created through the API (CanCreateCustomer), roles
		// granted through the API by the admin.
		customer := createCustomer(t, marta, postCustomerJSON)
		nunoID := currentUser(t, nuno).UserID
		granted := []entitlementOut{grant(t, admin, nunoID, "CanCreateCustomerMessage"), grant(t, admin, nunoID, "CanGetCustomerMessages")}
		for _, e := range granted {
			if !slices.Contains(currentUser(t, nuno).Entitlements.List, e) {
				t.Errorf("Nuno lacks %+v", e)
			}
		}

		// Scenario: with the roles but no such customer -> 404 CustomerNotFoundByCustomerId.
		for _, r := range []reply{nuno.post(t, testPath, body), nuno.get(t, testPath)} {
			wantError(t, "unknown customer", r, http.StatusNotFound, msgCustNotFound+"testCustomerId)")
		}

		// Scenario: with the roles and the customer -> 201, then 200 with the
		// message echoed.
		wantSuccess(t, "post", nuno.post(t, v4Path(customer.CustomerID), body))
		got := listV4(t, nuno, customer.CustomerID, "")
		if len(got) == 0 {
			t.Fatal("no messages")
		}
		head := got[0]
		if head.Message != msg.Message || head.Transport != msg.Transport || head.FromDepartment != msg.FromDepartment || head.FromPerson != msg.FromPerson {
			t.Errorf("echoed %+v, posted %+v", head, msg)
		}
		if !isUUID(head.ID) || !obpDate.MatchString(head.Date) {
			t.Errorf("id %q date %q", head.ID, head.Date)
		}
		// Marta reads the same row; the v1.4.0 create lands in the same list.
		wantSuccess(t, "post v1.4.0", nuno.post(t, v14Path(customer.CustomerID), `{"message":"456","from_department":"from department","from_person":"from person"}`))
		both := listV4(t, marta, customer.CustomerID, "")
		if len(both) != 2 || both[1] != head || both[0].Message != "456" || both[0].Transport != "" {
			t.Errorf("Marta sees %+v", both)
		}
	})
}
