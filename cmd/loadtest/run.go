package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/prometheus/client_golang/prometheus"

	"portal/models"
	"portal/models/store"
	"portal/web"
	"portal/web/session"
)

type runOptions struct {
	database  string
	clients   int
	duration  time.Duration
	warmup    time.Duration
	rounds    int
	paths     []string
	postLimit int
	users     int
	logFile   string
	profile   string
}

var allPaths = []string{"list", "slist", "page", "queue", "msgs", "post", "obp", "simulate", "preview"}

// targetOf is what a path drives: the portal over HTTP, or (preview) the
// store's service in-process.
func targetOf(path string) string {
	if path == "preview" {
		return "store"
	}
	return "portal"
}

// baselined are the paths measured against the minimal baseline too.
var baselined = map[string]bool{"list": true, "msgs": true}

func cmdRun(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(out)
	var o runOptions
	fs.StringVar(&o.database, "database", "", "database URL (required), seeded by 'loadtest seed'")
	fs.IntVar(&o.clients, "clients", 32, "concurrent clients per path")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "measured time per path (and as much again for its baseline)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured load before each path")
	fs.IntVar(&o.rounds, "rounds", 4, "portal/baseline pairs the duration of a baselined path is split into (A/B/A/B...)")
	paths := fs.String("paths", strings.Join(allPaths, ","), "paths to drive, comma-separated: "+strings.Join(allPaths, ","))
	fs.IntVar(&o.postLimit, "post-limit", 1000, "per-user message posts per minute during the run (the portal's own limit is 30)")
	fs.IntVar(&o.users, "users", 1000, "broker users the clients rotate through (at most the seeded brokers)")
	fs.StringVar(&o.logFile, "log", "", "file for the portal's log (default: formatted as in production, then discarded)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile (go tool pprof) of the whole run to this file; baselines are then skipped")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.database == "" {
		return fmt.Errorf("run: --database is required: %w", flag.ErrHelp)
	}
	for _, p := range strings.Split(*paths, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(allPaths, p) {
			return fmt.Errorf("run: unknown path %q (known: %s)", p, strings.Join(allPaths, ","))
		}
		o.paths = append(o.paths, p)
	}
	if o.clients < 1 || o.duration <= 0 || o.rounds < 1 || o.users < 1 || o.postLimit < 1 {
		return errors.New("run: --clients, --duration, --rounds, --users and --post-limit must be positive")
	}
	return runLoad(ctx, o, out)
}

// world is what the clients act as and on.
type world struct {
	bankID    int64
	brokers   []actor
	staff     actor
	customers []string // customer UUIDs for the OBP list

	sessionHashes, tokenHashes []string // what the run created, deleted after it
}

// cleanup deletes the sessions and tokens the run created, so runs do not
// pile them up.
func (w *world) cleanup(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := st.DB().WithContext(ctx)
	w.deleteSimulations(st)
	_ = db.Exec("DELETE FROM sessions WHERE token_hash IN ?", w.sessionHashes).Error
	_ = db.Exec("DELETE FROM api_tokens WHERE token_hash IN ?", w.tokenHashes).Error
	_ = db.Exec("DELETE FROM obp_tokens WHERE token_hash = ?", store.HashToken(w.staff.token)).Error
}

// actor is a signed-in user: a browser session cookie, a partner API token
// (brokers) or a DirectLogin token (staff), and the thread processes of
// its firm.
type actor struct {
	userID    int64
	cookie    *http.Cookie
	token     string
	processes []string
}

func runLoad(ctx context.Context, o runOptions, out io.Writer) error {
	logOut := io.Discard
	if o.logFile != "" {
		f, err := os.OpenFile(o.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		logOut = f
	}
	st, err := openStore(o.database, slog.New(slog.NewTextHandler(logOut, nil)))
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return fmt.Errorf("run: %w (seed the database first)", err)
	}
	// As in production: JSON request lines with PostgreSQL, text with the
	// embedded database, at info level.
	var log *slog.Logger
	if st.Dialect() == store.Postgres {
		log = slog.New(slog.NewJSONHandler(logOut, nil))
	} else {
		log = slog.New(slog.NewTextHandler(logOut, nil))
	}
	totpKey := make([]byte, store.TOTPKeyLen)
	_, _ = rand.Read(totpKey)
	if err := st.ConfigureTOTP(totpKey, models.SecondFactorPolicy{}); err != nil {
		return err
	}
	hashKey, blockKey := securecookie.GenerateRandomKey(64), securecookie.GenerateRandomKey(32)
	w, err := prepareWorld(ctx, st, o.users, [][]byte{hashKey, blockKey})
	if err != nil {
		return err
	}
	defer w.cleanup(st)
	models.MessageRateLimit = o.postLimit

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	handler, err := web.New(web.Options{Services: st.Services(), Logger: log, SessionKeys: [][]byte{hashKey, blockKey},
		Registry: prometheus.NewRegistry(), PublicURL: "http://" + ln.Addr().String()})
	if err != nil {
		return err
	}
	portal := serveOn(ln, handler, log)
	defer portal.Close()
	portalURL := "http://" + ln.Addr().String()

	rec, err := newRecorder(st)
	if err != nil {
		return err
	}
	base, err := newBaseline(ctx, st, o.database)
	if err != nil {
		return err
	}
	defer base.close()
	bln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	baseSrv := serveOn(bln, base, log)
	defer baseSrv.Close()
	baseURL := "http://" + bln.Addr().String()

	fmt.Fprintf(out, "loadtest run: %s, %d clients, %s per path (baselined paths: %d portal/baseline pairs), %d broker users, post limit %d/min/user\n",
		st.Dialect(), o.clients, o.duration, o.rounds, len(w.brokers), o.postLimit)
	fmt.Fprintf(out, "cpu/req and alloc/req are this process's CPU time and heap allocation (portal or baseline, plus the load clients) "+
		"over the requests; sql/req is counted on one request\n")
	fmt.Fprintf(out, "%-8s %-8s %8s %9s %9s %9s %10s %9s %7s %7s\n", "path", "target", "requests", "req/s", "p50", "p99", "cpu/req",
		"alloc/req", "sql/req", "non-2xx")
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var failures []string
	for _, p := range o.paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "preview" {
			fails, err := runPreview(ctx, o, st, w, rec, out)
			if err != nil {
				return err
			}
			failures = append(failures, fails...)
			continue
		}
		reqs := newRequests(p, portalURL, w)
		// One request while recording: the statements a request issues
		// (after a first one that warms caches and slides expiries).
		if _, err := doOnce(reqs(0, 0)); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		var stmts int
		if _, err := rec.capture(func() error { _, err := doOnce(reqs(0, 1)); return err }, &stmts); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		var baseReqs requestFunc
		if baselined[p] && o.profile == "" {
			n, err := base.prepare(p, rec, reqs, min(len(w.brokers), 64))
			if err != nil {
				return fmt.Errorf("%s baseline: %w", p, err)
			}
			baseReqs = base.requests(p, baseURL, n)
			reqs = newRequestsOver(p, portalURL, w, n)
		}
		if o.warmup > 0 {
			drive(ctx, reqs, o.clients, o.warmup)
		}
		if baseReqs == nil {
			r := drive(ctx, reqs, o.clients, o.duration)
			r.sqlPerReq = stmts
			fmt.Fprintln(out, r.line(p, "portal"))
			failures = append(failures, r.failures(p, "portal")...)
			continue
		}
		seg := o.duration / time.Duration(o.rounds)
		var a, b result
		var pairs []string
		var ratios []float64
		for range o.rounds {
			ra := drive(ctx, reqs, o.clients, seg)
			rb := drive(ctx, baseReqs, o.clients, seg)
			ratios = append(ratios, ra.rps()/rb.rps())
			pairs = append(pairs, fmt.Sprintf("%.2f", ratios[len(ratios)-1]))
			a.add(ra)
			b.add(rb)
		}
		slices.Sort(ratios)
		median := ratios[len(ratios)/2]
		if len(ratios)%2 == 0 {
			median = (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2
		}
		a.sqlPerReq, b.sqlPerReq = stmts, base.statements(p)
		fmt.Fprintln(out, a.line(p, "portal"))
		fmt.Fprintln(out, b.line(p, "baseline"))
		fmt.Fprintf(out, "%-8s ratio = portal req/s / baseline req/s = %.2f over the run, median of pairs %.2f (pairs: %s)\n",
			p, a.rps()/b.rps(), median, strings.Join(pairs, " "))
		fmt.Fprintf(out, "%-8s baseline: %s\n", p, base.describe(p))
		failures = append(failures, a.failures(p, "portal")...)
		failures = append(failures, b.failures(p, "baseline")...)
	}
	for _, f := range failures {
		fmt.Fprintln(out, f)
	}
	return nil
}

// serveOn serves h on ln with the portal's server limits.
func serveOn(ln net.Listener, h http.Handler, log *slog.Logger) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	return srv
}

// prepareWorld finds the seeded users and processes and gives each user a
// fresh browser session and token: sessions and tokens are rows holding
// only the hash of the random value (store.HashToken), as the portal's own
// sign-in writes them. keys sign the session cookie.
func prepareWorld(ctx context.Context, st *store.Store, users int, keys [][]byte) (*world, error) {
	db := st.DB().WithContext(ctx)
	var ids struct{ Bank, Partner, Staff, Consumer int64 }
	if err := db.Raw(`SELECT b.id AS bank, p.id AS partner, u.id AS staff, c.id AS consumer FROM banks b
		JOIN partners p ON p.bank_id = b.id AND p.client_id = ?
		JOIN users u ON u.email = ?
		JOIN api_consumers c ON c.consumer_key = ?
		WHERE b.bank_id = ?`, store.DemoPartnerClient, loadStaffEmail, store.DemoConsumerKey, store.DemoBankID).
		Scan(&ids).Error; err != nil || ids.Bank == 0 {
		return nil, fmt.Errorf("the database is not seeded by 'loadtest seed' (demo bank, partner, staff or consumer missing): %v", err)
	}
	var brokers []struct {
		ID     int64
		FirmID int64
	}
	if err := db.Raw(`SELECT id, firm_id FROM users WHERE email LIKE 'load.broker.%' ORDER BY id LIMIT ?`, users).
		Scan(&brokers).Error; err != nil {
		return nil, err
	}
	if len(brokers) == 0 {
		return nil, errors.New("no seeded brokers (load.broker.N@load.example): run 'loadtest seed' first")
	}
	var threads []struct {
		UUID     string
		BrokerID int64
	}
	if err := db.Raw(`SELECT p.uuid, p.broker_id FROM threads t JOIN processes p ON p.id = t.process_id
		WHERE t.bank_id = ? AND p.process_number >= ? ORDER BY t.process_id LIMIT 50000`, ids.Bank, loadProcessBase).
		Scan(&threads).Error; err != nil {
		return nil, err
	}
	byFirm := map[int64][]string{}
	for _, t := range threads {
		if len(byFirm[t.BrokerID]) < 16 {
			byFirm[t.BrokerID] = append(byFirm[t.BrokerID], strings.ToLower(t.UUID))
		}
	}
	w := &world{bankID: ids.Bank}
	if err := db.Raw(`SELECT uuid FROM customers WHERE bank_id = ? AND customer_number LIKE 'L-%' ORDER BY id LIMIT 1000`, ids.Bank).
		Scan(&w.customers).Error; err != nil {
		return nil, err
	}
	if len(w.customers) == 0 {
		return nil, errors.New("no seeded customers")
	}
	for i := range w.customers {
		w.customers[i] = strings.ToLower(w.customers[i])
	}
	codecs := securecookie.CodecsFromPairs(keys...)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var sessions []models.Session
	var tokens []models.APIToken
	newSession := func(uid int64) (*http.Cookie, error) {
		token := randomToken()
		sessions = append(sessions, models.Session{TokenHash: store.HashToken(token), UserID: uid, Data: "{}", ClientIP: "127.0.0.1",
			UserAgent: "loadtest", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(models.SessionAbsoluteTimeout)})
		v, err := securecookie.EncodeMulti(session.CookieName, token, codecs...)
		if err != nil {
			return nil, err
		}
		return &http.Cookie{Name: session.CookieName, Value: v}, nil
	}
	for _, b := range brokers {
		procs := byFirm[b.FirmID]
		if len(procs) == 0 {
			continue // a firm without threads (tiny seeds)
		}
		c, err := newSession(b.ID)
		if err != nil {
			return nil, err
		}
		token := randomToken()
		tokens = append(tokens, models.APIToken{TokenHash: store.HashToken(token), UserID: b.ID, PartnerID: ids.Partner, ClientIP: "127.0.0.1",
			CreatedAt: now, LastUsedAt: now, ExpiresAt: now.Add(models.PartnerTokenIdleTimeout)})
		w.brokers = append(w.brokers, actor{userID: b.ID, cookie: c, token: token, processes: procs})
	}
	if len(w.brokers) == 0 {
		return nil, errors.New("no seeded broker has a thread: seed with --messages")
	}
	c, err := newSession(ids.Staff)
	if err != nil {
		return nil, err
	}
	w.staff = actor{userID: ids.Staff, cookie: c, token: randomToken()}
	for _, s := range sessions {
		w.sessionHashes = append(w.sessionHashes, s.TokenHash)
	}
	for _, t := range tokens {
		w.tokenHashes = append(w.tokenHashes, t.TokenHash)
	}
	if err := db.CreateInBatches(&sessions, 500).Error; err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	if err := db.CreateInBatches(&tokens, 500).Error; err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	if err := db.Exec(`INSERT INTO obp_tokens (token_hash, user_id, consumer_id, client_ip, created_at, last_used_at, expires_at)
		VALUES (?, ?, ?, '127.0.0.1', ?, ?, ?)`, store.HashToken(w.staff.token), ids.Staff, ids.Consumer, now, now,
		now.Add(models.OBPTokenIdleTimeout)).Error; err != nil {
		return nil, fmt.Errorf("obp token: %w", err)
	}
	return w, nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// requestFunc makes the k-th request of client c.
type requestFunc func(c, k int) *http.Request

func newRequests(path, base string, w *world) requestFunc {
	return newRequestsOver(path, base, w, len(w.brokers))
}

// newRequestsOver makes path's requests as the first n brokers in turn:
// client c's k-th request acts as broker (c + k*7) % n on one of its
// firm's threads.
func newRequestsOver(path, base string, w *world, n int) requestFunc {
	who := func(c, k int) actor { return w.brokers[(c+k*7)%n] }
	get := func(url string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, url, nil)
		return r
	}
	switch path {
	case "list":
		return func(c, k int) *http.Request {
			r := get(base + "/processes")
			r.AddCookie(who(c, k).cookie)
			return r
		}
	case "slist": // the bank-wide list staff see: its total spans every firm
		return func(c, k int) *http.Request {
			r := get(base + "/processes")
			r.AddCookie(w.staff.cookie)
			return r
		}
	case "page":
		return func(c, k int) *http.Request {
			a := who(c, k)
			r := get(base + "/processes/" + a.processes[k%len(a.processes)])
			r.AddCookie(a.cookie)
			return r
		}
	case "queue":
		return func(c, k int) *http.Request {
			r := get(base + "/staff/threads")
			r.AddCookie(w.staff.cookie)
			return r
		}
	case "msgs":
		return func(c, k int) *http.Request {
			a := who(c, k)
			r := get(base + "/v1/processes/" + a.processes[0] + "/message")
			r.Header.Set("Authorization", "Bearer "+a.token)
			return r
		}
	case "post":
		return func(c, k int) *http.Request {
			a := who(c, k)
			body := fmt.Sprintf(`{"subject":"","text":"Load test message %d from client %d: the borrowers have sent the signed proposal."}`, k, c)
			r, _ := http.NewRequest(http.MethodPost, base+"/v1/processes/"+a.processes[(c+k)%len(a.processes)]+"/message",
				strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+a.token)
			r.Header.Set("Content-Type", "application/json")
			return r
		}
	case "simulate":
		return func(c, k int) *http.Request { return simulateRequest(base, who(c, k), c, k) }
	case "obp":
		return func(c, k int) *http.Request {
			r := get(fmt.Sprintf("%s/obp/v4.0.0/banks/%s/customers/%s/messages", base, store.DemoBankID,
				w.customers[(c+k*7)%len(w.customers)]))
			r.Header.Set("DirectLogin", `token="`+w.staff.token+`"`)
			return r
		}
	}
	panic("unknown path " + path)
}
