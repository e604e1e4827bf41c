// Package webtest starts the real router on a fresh database for handler
// and browser tests, and gives them a cookie-keeping client.
package webtest

import (
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/prometheus/client_golang/prometheus"

	"portal/components"
	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web"
)

// Server is the portal on a test database.
type Server struct {
	*httptest.Server
	Store *store.Store
	// queries counts the statements of the latest request (CountQueries).
	queries atomic.Pointer[store.QueryCounter]
}

// New serves the portal with the demo world on dialect d.
func New(t testing.TB, d store.Dialect) *Server {
	t.Helper()
	return NewWrapped(t, d, nil)
}

// NewWrapped is New with the store's services passed through wrap first,
// for a test that needs a service to answer what the store never does.
func NewWrapped(t testing.TB, d store.Dialect, wrap func(models.Services) models.Services) *Server {
	t.Helper()
	return NewWith(t, d, Options{Wrap: wrap})
}

// Options are the knobs of NewWith.
type Options struct {
	// Wrap passes the store's services through a wrapper first (NewWrapped).
	Wrap func(models.Services) models.Services
	// SessionTimer shortens the idle timeout the pages announce, so a
	// browser test sees the warning in seconds; the server's timeout
	// stays models.SessionIdleTimeout.
	SessionTimer components.SessionTimer
	// TLS serves over HTTPS (httptest.NewTLSServer) with web.Options'
	// SecureCookies, as PORTAL_TLS_CERT does; Client then trusts the
	// test certificate.
	TLS bool
	// Registry receives the HTTP metrics (nil: a fresh one nobody reads).
	Registry *prometheus.Registry
	// MetricsToken serves /metrics to that bearer token (web.Options).
	MetricsToken string
	// Logger replaces the discarding logger (a test that reads the log).
	Logger *slog.Logger
	// SecondFactor is the PORTAL_REQUIRE_2FA policy (none by default).
	SecondFactor models.SecondFactorPolicy
	// TrustedProxies: X-Forwarded-For from these is believed, so a test can
	// send requests "from" other client addresses (e.g. "127.0.0.1/32").
	TrustedProxies []string
	// CountQueries records the statements each request sends to the
	// database; LastQueries gives those of the latest one.
	CountQueries bool
	// NoOpenAPICheck serves without the OpenAPI contract check even when
	// CheckOpenAPI is set (benchmarks measure the portal alone).
	NoOpenAPICheck bool
}

// NewWith is New with options.
func NewWith(t testing.TB, d store.Dialect, o Options) *Server {
	t.Helper()
	st := storetest.OpenDemo(t, d)
	totpKey := make([]byte, store.TOTPKeyLen)
	_, _ = rand.Read(totpKey)
	if err := st.ConfigureTOTP(totpKey, o.SecondFactor); err != nil {
		t.Fatal(err)
	}
	if o.CountQueries {
		if err := st.CountQueries(); err != nil {
			t.Fatal(err)
		}
	}
	svc := st.Services()
	if o.Wrap != nil {
		svc = o.Wrap(svc)
	}
	key := make([]byte, 96)
	_, _ = rand.Read(key)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("PORTAL_TEST_LOG") != "" {
		log = slog.Default()
	}
	if o.Logger != nil {
		log = o.Logger
	}
	// The address is known before the handler is built: mailed links
	// (password reset) point at this server.
	srv := httptest.NewUnstartedServer(nil)
	scheme := "http://"
	if o.TLS {
		scheme = "https://"
	}
	h, err := web.New(web.Options{Services: svc, Logger: log, SessionKeys: [][]byte{key[:64], key[64:]},
		SessionTimer: o.SessionTimer, SecureCookies: o.TLS, Registry: o.Registry, MetricsToken: o.MetricsToken,
		TrustedProxies: o.TrustedProxies,
		PublicURL:      scheme + srv.Listener.Addr().String()})
	if err != nil {
		srv.Listener.Close()
		t.Fatal(err)
	}
	s := &Server{Server: srv, Store: st}
	srv.Config.Handler = h
	if o.CountQueries {
		srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := &store.QueryCounter{}
			s.queries.Store(c)
			h.ServeHTTP(w, r.WithContext(store.WithQueryCounter(r.Context(), c)))
		})
	}
	if CheckOpenAPI && !o.NoOpenAPICheck {
		srv.Config.Handler = openAPICheck(t, srv.Config.Handler)
	}
	if o.TLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return s
}

// LastQueries are the statements of the latest request (Options.CountQueries;
// nil before any request). Read it once the response is read: the handler
// has returned by then.
func (s *Server) LastQueries() *store.QueryCounter { return s.queries.Load() }

// Client is a browser-like client: it keeps cookies, does not follow
// redirects (tests look at them), and sends same-origin headers.
type Client struct {
	*http.Client
	base string
	t    testing.TB
	// Lang is the Accept-Language it sends ("" for none).
	Lang string
	// Bearer is the partner API token it sends (Authorization: Bearer),
	// "" for none.
	Bearer string
}

// Client is a browser preferring English: most page tests read the English
// texts. ClientIn chooses the language.
func (s *Server) Client(t testing.TB) *Client { return s.ClientIn(t, "en") }

// ClientIn is a client whose browser asks for lang (Accept-Language; ""
// sends none, so the portal's default, Portuguese, answers).
func (s *Server) ClientIn(t testing.TB, lang string) *Client {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if s.TLS != nil { // a TLS test server: trust its certificate
		hc.Transport = s.Server.Client().Transport
	}
	return &Client{Client: hc, base: s.URL, t: t, Lang: lang}
}

// Base is the server's URL.
func (c *Client) Base() string { return c.base }

// Response is a read response.
type Response struct {
	*http.Response
	Body string
}

// Doc parses the body as HTML.
func (r *Response) Doc(t testing.TB) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	if req.Header.Get("Sec-Fetch-Site") == "" && req.Method != http.MethodGet {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if c.Lang != "" && req.Header.Get("Accept-Language") == "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	if c.Bearer != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	res, err := c.Client.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Response: res, Body: string(b)}
}

// Get fetches path; headers are name, value pairs.
func (c *Client) Get(path string, headers ...string) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Do(req)
}

// PostForm posts a form as a same-origin browser would.
func (c *Client) PostForm(path string, form url.Values, headers ...string) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.Do(req)
}

// Login signs in with the demo password and fails the test otherwise.
func (c *Client) Login(email string) {
	c.t.Helper()
	res := c.PostForm("/login", url.Values{"email": {email}, "password": {store.DemoPassword}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d", email, res.StatusCode)
	}
}

// Cookie returns the named cookie the client holds for the server.
func (c *Client) Cookie(name string) *http.Cookie {
	u, _ := url.Parse(c.base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// UserUUID returns the UUID of the user with that e-mail address.
func (s *Server) UserUUID(t testing.TB, email string) string {
	t.Helper()
	return s.uuidOf(t, "users", "email", email)
}

// CustomerUUID returns the UUID of a customer by customer number (in the
// demo world C-000001 is Maria Ferreira, C-000002 José Almeida).
func (s *Server) CustomerUUID(t testing.TB, number string) string {
	t.Helper()
	return s.uuidOf(t, "customers", "customer_number", number)
}

// uuidOf returns the uuid of the row of table whose column is value, and
// fails t when there is none.
func (s *Server) uuidOf(t testing.TB, table, column string, value any) string {
	t.Helper()
	var id string
	if err := s.Store.DB().Raw("SELECT uuid FROM "+table+" WHERE "+column+" = ?", value).Scan(&id).Error; err != nil || id == "" {
		t.Fatalf("no %s row with %s %v: %v", table, column, value, err)
	}
	return id
}
