package web_test

// Client faults are answered 4xx and the database down 503, on each
// transport: the partner API (/v1), the OBP API (/obp) and the pages.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

const (
	ana   = "ana.silva@lisboa-credito.example"
	marta = "marta.santos@bank.example"
)

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// errorLines are the log's error-level lines.
func (l *logBuffer) errorLines() []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, line)
		}
	}
	return out
}

// quietProcess is a Lisboa process (Ana's firm) without messages.
func quietProcess(t *testing.T, s *webtest.Server) string {
	t.Helper()
	var id string
	err := s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = 'BRK-LIS-001' ORDER BY p.process_number LIMIT 1`).Row().Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// obpToken signs in with DirectLogin.
func obpToken(t *testing.T, s *webtest.Server, email string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/my/logins/direct", nil)
	req.Header.Set("DirectLogin", `username="`+email+`", password="`+store.DemoPassword+`", consumer_key="`+store.DemoConsumerKey+`"`)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("DirectLogin: %d %s", res.StatusCode, b)
	}
	webtest.StrictJSON(t, b, &out)
	return out.Token
}

// raw sends head (the request line and headers, without the blank line)
// and body over a new TCP connection; closeWrite then ends the client's
// side, as a client that stops sending does. It returns the answer, read
// within 30 seconds (a server that waits for the body it was promised
// fails the test instead of answering).
func raw(t *testing.T, s *webtest.Server, head, body string, closeWrite bool) (*http.Response, string) {
	t.Helper()
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, head+"\r\nHost: "+s.Listener.Addr().String()+"\r\n\r\n"+body); err != nil {
		t.Fatal(err)
	}
	if closeWrite {
		_ = conn.(*net.TCPConn).CloseWrite()
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: no answer: %v", strings.SplitN(head, "\r\n", 2)[0], err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestBodyCutShort: a body shorter than its Content-Length (the client
// then stops sending) is 400 on every transport, /obp before
// authentication; malformed JSON is 400 too; neither is logged as an error.
func TestBodyCutShort(t *testing.T) {
	log := &logBuffer{}
	s := webtest.NewWith(t, store.SQLite, webtest.Options{Logger: log.logger()})
	token := s.PartnerToken(t, "BRK-LIS-001", ana)
	id := quietProcess(t, s)
	v1 := "POST /v1/processes/" + id + "/message HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json"
	obp := "POST /obp/v4.0.0/banks/demo.bank/customers/c-1/messages HTTP/1.1\r\nContent-Type: application/json"
	page := "POST /login HTTP/1.1\r\nSec-Fetch-Site: same-origin\r\nAccept-Language: en\r\nContent-Type: application/x-www-form-urlencoded"
	msg := "POST /processes/" + id + "/messages HTTP/1.1\r\nSec-Fetch-Site: same-origin\r\nAccept-Language: en\r\nContent-Type: application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, head, body string
		want             string // in the answer's body
	}{
		{"v1", v1 + "\r\nContent-Length: 100", `{"text":"hel`, `"operationStatusCode":"070001"`},
		{"obp anonymous", obp + "\r\nContent-Length: 100", `{"message":"hel`, "OBP-10001: Incorrect json format. The request body could not be read"},
		{"login page", page + "\r\nContent-Length: 100", "email=ana%40lis", "Request not received correctly"},
		{"message form", msg + "\r\nContent-Length: 5000", "text=hello", "Request not received correctly"},
	} {
		res, body := raw(t, s, tc.head, tc.body, true)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s cut short: %d, want 400 with %q\n%.400s", tc.name, res.StatusCode, tc.want, body)
		}
	}
	// Malformed JSON, sent in full.
	for _, tc := range []struct{ name, head, body, want string }{
		{"v1", v1, `{"text":`, `"operationStatusCode":"070001"`},
		{"obp", obp, `{"message":`, "OBP-10001"},
	} {
		res, body := raw(t, s, tc.head+"\r\nContent-Length: "+itoa(len(tc.body)), tc.body, false)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, tc.want) {
			t.Errorf("%s malformed JSON: %d\n%.300s", tc.name, res.StatusCode, body)
		}
	}
	if lines := log.errorLines(); len(lines) > 0 {
		t.Errorf("client faults logged as errors:\n%s", strings.Join(lines, "\n"))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestTooLargeAtOnce: a Content-Length over the route's limit is 413
// before any of the body is sent (the client sends the headers only and
// waits), and the connection is closed; a chunked body over the limit is
// 413 too.
func TestTooLargeAtOnce(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	token := s.PartnerToken(t, "BRK-LIS-001", ana)
	id := quietProcess(t, s)
	for _, tc := range []struct {
		name, head, want string
		status           int // 0: 413
	}{
		// Refused before anything reads the body: answered at once too.
		{"v1 without a token", "POST /v1/processes/" + id + "/message HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000",
			`"operationStatusCode":"010004"`, http.StatusUnauthorized},
		{"v1", "POST /v1/processes/" + id + "/message HTTP/1.1\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: application/json\r\nContent-Length: 1000000000", `"operationStatusCode":"070007"`, 0},
		// Over the route's 64 KiB but under what net/http would wait to drain.
		{"v1 just over", "POST /v1/processes/" + id + "/message HTTP/1.1\r\nAuthorization: Bearer " + token +
			"\r\nContent-Type: application/json\r\nContent-Length: 100000", `"operationStatusCode":"070007"`, 0},
		{"obp anonymous", "POST /obp/v4.0.0/banks/demo.bank/customers/c-1/messages HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000",
			"The request body is larger than 65536 bytes.", 0},
		{"login page", "POST /login HTTP/1.1\r\nSec-Fetch-Site: same-origin\r\nAccept-Language: en\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000000",
			"Too much to send", 0},
		{"message form", "POST /processes/" + id + "/messages HTTP/1.1\r\nSec-Fetch-Site: same-origin\r\nAccept-Language: en\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000",
			"Too much to send", 0},
	} {
		res, body := raw(t, s, tc.head, "", false)
		if tc.status == 0 {
			tc.status = http.StatusRequestEntityTooLarge
		}
		if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want %d with %q\n%.300s", tc.name, res.StatusCode, tc.status, tc.want, body)
		}
		if !res.Close {
			t.Errorf("%s: the connection stays open for a body that will not be read", tc.name)
		}
	}
	// Chunked: no Content-Length, 70 KiB sent in chunks, the connection
	// left open.
	var chunks strings.Builder
	for i := 0; i < 70; i++ {
		chunks.WriteString("400\r\n" + strings.Repeat("x", 1024) + "\r\n")
	}
	res, body := raw(t, s, "POST /obp/v4.0.0/banks/demo.bank/customers/c-1/messages HTTP/1.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
		chunks.String(), false)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "larger than 65536") {
		t.Errorf("chunked over the limit: %d\n%.300s", res.StatusCode, body)
	}
}

// blockingProcesses and blockingEntitlements wait in the service until
// the client has gone, and fail with what the store would then return.
type (
	blockingProcesses struct {
		models.ProcessService
		entered chan struct{}
	}
	blockingEntitlements struct {
		models.EntitlementService
		entered chan struct{}
	}
)

func waitGone(ctx context.Context, entered chan struct{}) error {
	entered <- struct{}{}
	<-ctx.Done()
	return &models.Error{Code: models.CodeInternal, Message: "request cancelled", Err: ctx.Err()}
}

func (b blockingProcesses) ListProcesses(ctx context.Context, f models.ProcessFilter) (*models.ProcessPage, error) {
	if models.PrincipalFrom(ctx) == nil {
		return b.ProcessService.ListProcesses(ctx, f)
	}
	return nil, waitGone(ctx, b.entered)
}

func (b blockingEntitlements) CurrentUser(ctx context.Context) (*models.UserInfo, error) {
	return nil, waitGone(ctx, b.entered)
}

// TestClientGoneIsNotAnError: a client that closes its connection while
// its request is handled is logged at info with status 499, on each
// transport; no error-level line.
func TestClientGoneIsNotAnError(t *testing.T) {
	log := &logBuffer{}
	entered := make(chan struct{}, 1)
	s := webtest.NewWith(t, store.SQLite, webtest.Options{Logger: log.logger(), Wrap: func(svc models.Services) models.Services {
		svc.Processes = blockingProcesses{svc.Processes, entered}
		svc.Entitlements = blockingEntitlements{svc.Entitlements, entered}
		return svc
	}})
	token := s.PartnerToken(t, "BRK-LIS-001", ana)
	obp := obpToken(t, s, marta)
	browser := s.Client(t)
	browser.Login(ana)
	u, _ := url.Parse(s.URL)
	var cookies []string
	for _, ck := range browser.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	for _, tc := range []struct{ name, head, route string }{
		{"v1", "GET /v1/processes HTTP/1.1\r\nAuthorization: Bearer " + token, "route=/v1/processes"},
		{"obp", "GET /obp/v4.0.0/users/current HTTP/1.1\r\nDirectLogin: token=\"" + obp + "\"", "route=/obp/v4.0.0/users/current"},
		{"page", "GET /processes HTTP/1.1\r\nCookie: " + strings.Join(cookies, "; "), "route=/processes"},
	} {
		conn, err := net.Dial("tcp", s.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(conn, tc.head+"\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-entered:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the request never reached the service\n%s", tc.name, log)
		}
		conn.Close()
		want := "status=499"
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(lineWith(log.String(), tc.route, "msg=request"), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no access log line with %s\n%s", tc.name, want, log)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if line := lineWith(log.String(), tc.route, "msg=request"); !strings.Contains(line, "level=INFO") {
			t.Errorf("%s: access log %s", tc.name, line)
		}
	}
	if lines := log.errorLines(); len(lines) > 0 {
		t.Errorf("a client going away was logged as an error:\n%s", strings.Join(lines, "\n"))
	}
}

// lineWith is the last log line holding all of parts.
func lineWith(log string, parts ...string) string {
	lines := strings.Split(log, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(lines[i], p)
		}
		if ok {
			return lines[i]
		}
	}
	return ""
}

// TestDatabaseDown: with the database closed (both dialects) or dropped
// under the running portal (PostgreSQL), /v1, /obp and the pages answer
// 503 with Retry-After in their own formats; /readyz too.
func TestDatabaseDown(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		kills := map[string]func(t *testing.T, s *webtest.Server){
			"closed": func(t *testing.T, s *webtest.Server) {
				if err := s.Store.Close(); err != nil {
					t.Fatal(err)
				}
			},
		}
		if d == store.Postgres {
			kills["dropped"] = func(t *testing.T, s *webtest.Server) {
				var name string
				if err := s.Store.DB().Raw("SELECT current_database()").Row().Scan(&name); err != nil {
					t.Fatal(err)
				}
				admin, err := sql.Open("pgx", storetest.PostgresURL(t))
				if err != nil {
					t.Fatal(err)
				}
				defer admin.Close()
				if _, err := admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
					t.Fatal(err)
				}
			}
		}
		for how, kill := range kills {
			t.Run(how, func(t *testing.T) {
				log := &logBuffer{}
				s := webtest.NewWith(t, d, webtest.Options{Logger: log.logger()})
				token := s.PartnerToken(t, "BRK-LIS-001", ana)
				obp := obpToken(t, s, marta)
				signedIn := s.Client(t)
				signedIn.Login(ana)
				kill(t, s)

				check := func(name string, res *http.Response, body, want string) {
					t.Helper()
					if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(body, want) {
						t.Errorf("%s: %d Retry-After %q, want 503 with %q\n%.300s", name, res.StatusCode, res.Header.Get("Retry-After"), want, body)
					}
				}
				do := func(req *http.Request) (*http.Response, string) {
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					defer res.Body.Close()
					b, _ := io.ReadAll(res.Body)
					return res, string(b)
				}
				req, _ := http.NewRequest(http.MethodGet, s.URL+"/v1/processes", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, body := do(req)
				check("v1", res, body, `"operationStatusCode":"010008"`)

				req, _ = http.NewRequest(http.MethodPost, s.URL+"/v1/authentication", nil)
				h := webtest.PartnerCredentials("BRK-LIS-001", ana)
				for i := 0; i+1 < len(h); i += 2 {
					req.Header[h[i]] = []string{h[i+1]}
				}
				res, body = do(req)
				check("v1 sign-in", res, body, `"operationStatusCode":"010008"`)

				req, _ = http.NewRequest(http.MethodGet, s.URL+"/obp/v4.0.0/users/current", nil)
				req.Header.Set("DirectLogin", `token="`+obp+`"`)
				res, body = do(req)
				check("obp", res, body, "OBP-50019: Cannot connect to the OBP database.")

				r := signedIn.Get("/processes")
				check("signed-in page", r.Response, r.Body, "Temporarily unavailable")
				r = s.ClientIn(t, "").PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}})
				check("sign-in page (Portuguese)", r.Response, r.Body, "Temporariamente indisponível")

				res, body = do(mustRequest(t, s.URL+"/readyz"))
				check("readyz", res, body, "unavailable")

				if lines := log.errorLines(); len(lines) > 0 {
					t.Errorf("the database down was logged as internal errors:\n%s", strings.Join(lines, "\n"))
				}
			})
		}
	})
}

func mustRequest(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
