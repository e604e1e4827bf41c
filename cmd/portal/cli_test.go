package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for a server's log goroutines and the
// test reading it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// portal runs one command like the binary would, with env as the whole
// environment, and returns its stdout, stderr and error.
func portal(t *testing.T, env map[string]string, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut syncBuffer
	err := run(context.Background(), args, envMap(env), strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// sqliteEnv is the environment of a portal with its own data directory.
func sqliteEnv(t *testing.T) map[string]string {
	return map[string]string{"PORTAL_DATA_DIR": filepath.Join(t.TempDir(), "data"), "PORTAL_LOG_LEVEL": "warn"}
}

var insertedRows = regexp.MustCompile(`^demo data: (\d+) rows inserted\n$`)

func seedRows(t *testing.T, stdout string) int {
	t.Helper()
	m := insertedRows.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("seed printed %q", stdout)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestHelpListsCommandsAndEnvironment(t *testing.T) {
	out, _, err := portal(t, nil, "", "help")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"serve", "migrate", "seed --demo", "user add", "PORTAL_ADDR", "PORTAL_DATA_DIR",
		"DATABASE_URL", "PORTAL_MIGRATE", "PORTAL_LOG_LEVEL", "PORTAL_LOG_FORMAT", "PORTAL_BANK_ID",
		"PORTAL_TRUSTED_PROXIES", "PORTAL_TLS_CERT", "PORTAL_TLS_KEY", "PORTAL_SESSION_KEY", "PORTAL_USER_PASSWORD",
		"127.0.0.1:8080", "./data", "demo.bank", "portal-demo"} {
		if !strings.Contains(out, s) {
			t.Errorf("help does not mention %q", s)
		}
	}
}

func TestUnknownCommandAndBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"frobnicate"}, {"seed"}, {"seed", "--demo", "extra"}, {"migrate", "--nope"},
		{"user"}, {"user", "add", "--email", "a@b.example"}, {"user", "add", "--email", "a@b.example", "--name", "A", "--kind", "pilot"}} {
		_, _, err := portal(t, sqliteEnv(t), "", args...)
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}

func TestMigrateThenSeedDemoTwiceSQLite(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	testMigrateAndSeed(t, env)
	if _, err := os.Stat(filepath.Join(env["PORTAL_DATA_DIR"], "portal.db")); err != nil {
		t.Fatalf("embedded database not in the data directory: %v", err)
	}
}

func TestMigrateThenSeedDemoTwicePostgres(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PORTAL_DATA_DIR":  t.TempDir(),
		"DATABASE_URL":     storetest.NewDatabase(t, store.Postgres),
		"PORTAL_LOG_LEVEL": "warn",
	}
	testMigrateAndSeed(t, env)
}

func testMigrateAndSeed(t *testing.T, env map[string]string) {
	t.Helper()
	out, _, err := portal(t, env, "", "migrate")
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if want := fmt.Sprintf("schema is at version %d", store.LatestVersion()); !strings.Contains(out, want) {
		t.Fatalf("migrate printed %q, want %q", out, want)
	}
	if _, _, err := portal(t, env, "", "migrate"); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	out, _, err = portal(t, env, "", "seed", "--demo")
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	if n := seedRows(t, out); n == 0 {
		t.Fatal("first seed inserted nothing")
	}
	out, _, err = portal(t, env, "", "seed", "--demo")
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if n := seedRows(t, out); n != 0 {
		t.Fatalf("second seed inserted %d rows, want 0", n)
	}
}

func TestUserAddCreatesAnAccountThatCanSignIn(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	ctx := context.Background()

	// Password from the environment; roles repeat.
	env["PORTAL_USER_PASSWORD"] = "correct horse battery"
	out, errOut, err := portal(t, env, "", "user", "add", "--email", "Teresa.Lima@Bank.example", "--name", "Teresa Lima",
		"--kind", "staff", "--role", models.RoleCanGetCustomerMessages, "--role", models.RoleCanCreateCustomerMessage)
	if err != nil {
		t.Fatalf("user add: %v\n%s", err, errOut)
	}
	staffUUID := strings.TrimSpace(out)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(staffUUID) {
		t.Fatalf("user add printed %q, want only the UUID", out)
	}
	if strings.Contains(out+errOut, "correct horse") {
		t.Fatal("the password appears in the output")
	}

	// Password from stdin (first line only); a broker of a demo firm.
	delete(env, "PORTAL_USER_PASSWORD")
	if _, _, err := portal(t, env, "", "seed", "--demo"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err = portal(t, env, "s3cret-broker-pw\r\nignored\n", "user", "add", "--email", "new.broker@lisboa-credito.example",
		"--name", "New Broker", "--kind", "broker", "--firm", "BRK-LIS-001", "--api")
	if err != nil {
		t.Fatalf("user add broker: %v\n%s", err, errOut)
	}
	brokerUUID := strings.TrimSpace(out)

	st, err := store.Open(filepath.Join(env["PORTAL_DATA_DIR"], "portal.db"), discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p, err := st.Login(ctx, "teresa.lima@bank.example", "correct horse battery", "127.0.0.1")
	if err != nil {
		t.Fatalf("login staff: %v", err)
	}
	if p.UserUUID != staffUUID || p.Kind != models.KindStaff || !p.HasRole(models.RoleCanGetCustomerMessages) ||
		!p.HasRole(models.RoleCanCreateCustomerMessage) {
		t.Fatalf("staff principal %+v", p)
	}
	p, err = st.Login(ctx, "new.broker@lisboa-credito.example", "s3cret-broker-pw", "127.0.0.1")
	if err != nil {
		t.Fatalf("login broker with the stdin password: %v", err)
	}
	if p.UserUUID != brokerUUID || !p.IsBroker() || !p.APIEnabled || p.FirmName != "Lisboa Crédito, Lda" {
		t.Fatalf("broker principal %+v", p)
	}

	// The same e-mail again is a clear conflict; a short password is named.
	env["PORTAL_USER_PASSWORD"] = "another-long-password"
	if _, _, err := portal(t, env, "", "user", "add", "--email", "teresa.lima@bank.example", "--name", "T", "--kind", "staff"); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate user: %v", err)
	}
	env["PORTAL_USER_PASSWORD"] = "short"
	if _, _, err := portal(t, env, "", "user", "add", "--email", "x@bank.example", "--name", "X", "--kind", "admin"); err == nil ||
		!strings.Contains(err.Error(), "password: The password must have at least 12 characters") {
		t.Fatalf("short password: %v", err)
	}
	delete(env, "PORTAL_USER_PASSWORD")
	if _, _, err := portal(t, env, "", "user", "add", "--email", "x@bank.example", "--name", "X", "--kind", "admin"); err == nil ||
		!strings.Contains(err.Error(), "no password") {
		t.Fatalf("missing password: %v", err)
	}
}

func TestUserAddOnAFreshDatabaseCreatesTheBank(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["PORTAL_BANK_ID"] = "acme.bank"
	env["PORTAL_USER_PASSWORD"] = "first-admin-password"
	if _, errOut, err := portal(t, env, "", "user", "add", "--email", "root@acme.example", "--name", "Root", "--kind", "admin"); err != nil {
		t.Fatalf("user add on an empty database: %v\n%s", err, errOut)
	}
}

// startPortal runs `portal serve` in the background on 127.0.0.1:0 and
// returns its address, its log, and a stop function that cancels it and
// returns run's result.
func startPortal(t *testing.T, env map[string]string) (addr string, log *syncBuffer, done <-chan error, cancel context.CancelFunc) {
	t.Helper()
	env["PORTAL_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	log = &syncBuffer{}
	addrs := make(chan string, 1)
	a := &app{env: envMap(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: log,
		listen: func(network, address string) (net.Listener, error) {
			ln, err := net.Listen(network, address)
			if err == nil {
				addrs <- ln.Addr().String()
			}
			return ln, err
		}}
	errc := make(chan error, 1)
	go func() { errc <- a.run(ctx, []string{"serve"}) }()
	t.Cleanup(cancel)
	select {
	case addr = <-addrs:
	case err := <-errc:
		t.Fatalf("serve ended before listening: %v\n%s", err, log)
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not listen\n%s", log)
	}
	return addr, log, errc, cancel
}

func get(t *testing.T, url string) int {
	t.Helper()
	c := &http.Client{Timeout: 60 * time.Second} // the first start loads the demo data first
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// signIn posts the login form and returns the session cookie.
func signIn(t *testing.T, addr, email, password string) *http.Cookie {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm("http://"+addr+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "portal_session" && ck.Value != "" {
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login answered %d", resp.StatusCode)
			}
			return ck
		}
	}
	t.Fatalf("login as %s: status %d, no portal_session cookie", email, resp.StatusCode)
	return nil
}

func getWithCookie(t *testing.T, url string, ck *http.Cookie) int {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.AddCookie(ck)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeLifecycle(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["PORTAL_LOG_LEVEL"] = "info"
	addr, log, done, cancel := startPortal(t, env)

	if code := get(t, "http://"+addr+"/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d", code)
	}
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d\n%s", code, log)
	}
	if code := get(t, "http://"+addr+"/metrics"); code != http.StatusNotFound {
		t.Fatalf("/metrics without PORTAL_METRICS_ADDR or PORTAL_METRICS_TOKEN: %d, want 404", code)
	}
	logs := log.String()
	for _, want := range []string{"msg=listening addr=" + addr, `msg="demo data loaded"`, "url=http://" + addr + "/",
		"password=" + store.DemoPassword, store.DemoUsers[0].Email, store.DemoUsers[len(store.DemoUsers)-1].Email} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	fi, err := os.Stat(filepath.Join(env["PORTAL_DATA_DIR"], secretsFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets.json after first start: %v", err)
	}
	// A demo broker signs in with the demo password.
	cookie := signIn(t, addr, store.DemoUsers[0].Email, store.DemoPassword)
	if code := getWithCookie(t, "http://"+addr+"/processes", cookie); code != http.StatusOK {
		t.Fatalf("/processes signed in: %d", code)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run after cancel: %v\n%s", err, log)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of the cancel")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("port still open after shutdown")
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", log)
	}

	// A restart on the same data directory keeps the data (no second load)
	// and still lists the demo accounts.
	before := log.String()
	addr, log, done, cancel = startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz after restart: %d", code)
	}
	if strings.Contains(log.String(), "demo data loaded") || !strings.Contains(log.String(), store.DemoUsers[0].Email) {
		t.Fatalf("restart log:\n%s", log)
	}
	if strings.Contains(before+log.String(), cookie.Value) {
		t.Fatal("the session cookie appears in the log")
	}
	// The session survives the restart: same key from secrets.json, same row.
	if code := getWithCookie(t, "http://"+addr+"/processes", cookie); code != http.StatusOK {
		t.Fatalf("/processes with the cookie from before the restart: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("second run: %v", err)
	}
}

func TestServeRefusesUnmigratedDatabaseWithoutMigrate(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["PORTAL_MIGRATE"] = "false"
	addr, log, done, _ := startPortal(t, env)
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not give up")
	}
	if err == nil || !strings.Contains(err.Error(), "run `portal migrate`") || !strings.Contains(err.Error(), "PORTAL_MIGRATE=false") {
		t.Fatalf("err = %v\n%s", err, log)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("port left open after a failed start")
	}

	// After `portal migrate` the same configuration starts.
	if _, _, err := portal(t, env, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	addr, _, done, cancel := startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestServeFailsClearlyWhenThePortIsTaken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := sqliteEnv(t)
	env["PORTAL_ADDR"] = ln.Addr().String()
	_, _, err = portal(t, env, "", "serve")
	if err == nil || !strings.Contains(err.Error(), "cannot listen on "+ln.Addr().String()+" (PORTAL_ADDR)") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(env["PORTAL_DATA_DIR"], "portal.db")); !os.IsNotExist(err) {
		t.Fatal("database created although the server could not listen")
	}
}

func TestServeDoesNotSeedPostgres(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PORTAL_DATA_DIR":    t.TempDir(),
		"DATABASE_URL":       storetest.NewDatabase(t, store.Postgres),
		"PORTAL_LOG_FORMAT":  "text",
		"PORTAL_SESSION_KEY": strings.Repeat("A", 128), // base64 of 96 zero bytes
	}
	addr, log, done, cancel := startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d\n%s", code, log)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "demo data loaded") || !strings.Contains(log.String(), "portal seed --demo") {
		t.Fatalf("PostgreSQL start log:\n%s", log)
	}
	st, err := store.Open(env["DATABASE_URL"], discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if empty, err := st.IsEmpty(context.Background()); err != nil || !empty {
		t.Fatalf("PostgreSQL got users at start (empty=%v, %v)", empty, err)
	}
}

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, store.SQLite)
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := launch(slow, nil, st, discardLogger(), ln)

	type result struct {
		code int
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			resc <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resc <- result{resp.StatusCode, string(b), err}
	}()
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- s.shutdown(10 * time.Second) }()
	select {
	case err := <-stopped:
		t.Fatalf("shutdown returned (%v) while a request was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		c.Close()
		t.Error("new connections accepted during shutdown")
	}
	close(release)
	if r := <-resc; r.err != nil || r.code != http.StatusOK || r.body != "done" {
		t.Fatalf("in-flight request: %+v", r)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := st.Ready(context.Background()); err == nil {
		t.Fatal("store still open after shutdown")
	}
}

func TestShutdownGivesUpAfterTheGracePeriod(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, store.SQLite)
	started := make(chan struct{})
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // until the connection is closed
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := launch(stuck, nil, st, discardLogger(), ln)
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	err = s.shutdown(100 * time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "graceful shutdown") {
		t.Fatalf("shutdown with a stuck request: %v", err)
	}
}
