package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"portal/models/store"
	"portal/web"
)

// Server limits and timings.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10

	// shutdownTimeout is how long in-flight requests get after SIGINT/SIGTERM.
	shutdownTimeout = 20 * time.Second
	// sessionSweepEvery is how often expired sessions, tokens and
	// idempotency keys are deleted; sessionSweepLimit bounds each deletion.
	sessionSweepEvery = 10 * time.Minute
	sessionSweepLimit = 30 * time.Second
)

// cmdServe: portal [serve]. It listens before touching the database, so a
// port already in use fails at once and clearly.
func (a *app) cmdServe(ctx context.Context, args []string) error {
	fs := a.newFlagSet("serve")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, log, err := a.config()
	if err != nil {
		return err
	}
	ln, err := a.listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (PORTAL_ADDR): %w", cfg.Addr, err)
	}
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		if metricsLn, err = a.listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("cannot listen on %s (PORTAL_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
	}
	return serve(ctx, cfg, log, ln, metricsLn)
}

// serve runs the portal on ln until ctx is cancelled, then shuts down
// gracefully: in-flight requests get shutdownTimeout to finish, the session
// sweeper stops, the store closes. It returns nil after a clean shutdown.
// serve owns ln and closes it; likewise metricsLn, the listener of
// PORTAL_METRICS_ADDR (nil: none).
func serve(ctx context.Context, cfg config, log *slog.Logger, ln, metricsLn net.Listener) error {
	s, err := startServer(ctx, cfg, log, ln, metricsLn)
	if err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace_period", shutdownTimeout.String())
		return s.shutdown(shutdownTimeout)
	case err := <-s.served:
		// Serve returned without being asked to: the listener failed.
		s.served <- err // shutdown reads it again
		_ = s.shutdown(0)
		return fmt.Errorf("http server stopped: %w", err)
	}
}

// server is a started portal.
//
// Test hooks, from the whole program down: build an app whose listen
// function reports the listener, and run "serve" with PORTAL_ADDR=127.0.0.1:0
// (cli_test.go's startPortal does this; cancelling the context stops it and
// run returns nil); or call serve / startServer with a listener of your own
// (startServer returns at once, stop it with shutdown); or launch any
// handler to test the shutdown sequence itself.
type server struct {
	http  *http.Server
	store *store.Store
	// metrics serves /metrics on PORTAL_METRICS_ADDR (nil: not configured).
	metrics *http.Server
	log     *slog.Logger
	served  chan error // Serve's result, once

	stopSweeper context.CancelFunc
	sweeperDone chan struct{}
	mail        *store.MailSender  // nil until started
	expiry      *simulationExpirer // nil until started
	callbacks   *callbackWorkers   // nil until started
}

// startServer prepares everything (secrets, TLS, database, demo data,
// handler) and starts serving on ln in the background. ctx bounds the
// preparation only; stop the server with shutdown. On error ln is closed
// and nothing is left running. metricsLn, when not nil, serves only
// /metrics.
func startServer(ctx context.Context, cfg config, log *slog.Logger, ln, metricsLn net.Listener) (_ *server, err error) {
	defer func() {
		if err != nil {
			ln.Close()
			if metricsLn != nil {
				metricsLn.Close()
			}
		}
	}()
	log.Info("listening", "addr", ln.Addr().String())

	keys, err := sessionKeys(cfg, log)
	if err != nil {
		return nil, err
	}
	var tlsConfig *tls.Config
	if cfg.TLS() {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("PORTAL_TLS_CERT/PORTAL_TLS_KEY: %w", err)
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}

	log.Info("opening database", "dialect", string(cfg.Dialect), "database", cfg.RedactedDatabase())
	st, err := openStore(cfg, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	if err := configureSecondFactor(cfg, st, log); err != nil { // totp.go
		return nil, err
	}
	demoEmails, err := prepareDatabase(ctx, cfg, st, log)
	if err != nil {
		return nil, err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	handler, err := web.New(web.Options{
		Services:       st.Services(),
		Logger:         log,
		SessionKeys:    sessionKeyPairs(keys),
		TrustedProxies: cfg.TrustedProxies,
		SecureCookies:  cfg.SecureCookies,
		Registry:       reg,
		MetricsToken:   cfg.MetricsToken,
		PublicURL:      cfg.publicURLFor(ln.Addr()),
		DocumentLimits: st.DocumentLimits(),
	})
	if err != nil {
		return nil, fmt.Errorf("build HTTP handler: %w", err)
	}

	mailer, err := cfg.mailSender(log)
	if err != nil {
		return nil, err
	}
	msg, attrs := cfg.describeMail()
	log.Info(msg, attrs...)

	s := launch(handler, tlsConfig, st, log, ln)
	if metricsLn != nil {
		s.metrics = serveMetrics(reg, metricsLn, log)
	}
	// The mail queue's sender: stopped by shutdown, before the store closes.
	s.mail = st.NewMailSender(mailer, store.MailSenderOptions{})
	s.mail.Start()
	// Open simulations left alone expire: stopped by shutdown, before the store closes.
	s.expiry = startSimulationExpiry(st, cfg.SimulationExpiry, simulationExpiryEvery, log)
	// Partner callbacks: stopped by shutdown, before the store closes.
	s.callbacks = startCallbacks(st, cfg.CallbackAllowLoopback, log)

	log.Info("portal is ready", "url", publicURL(ln.Addr(), cfg.TLS()), "bank", cfg.BankID)
	if len(demoEmails) > 0 {
		log.Info("demo accounts (public demo credentials)", "password", store.DemoPassword)
		kinds := map[string]string{}
		for _, u := range store.DemoUsers {
			kinds[u.Email] = string(u.Kind)
		}
		for _, e := range demoEmails {
			log.Info("demo account", "email", e, "kind", kinds[e])
		}
	}
	return s, nil
}

// launch starts serving handler on ln and the sweeper of expired rows; st is
// closed by shutdown.
func launch(handler http.Handler, tlsConfig *tls.Config, st *store.Store, log *slog.Logger, ln net.Listener) *server {
	s := &server{
		http: &http.Server{
			Handler:           handler,
			TLSConfig:         tlsConfig,
			ReadHeaderTimeout: readHeaderTimeout,
			ReadTimeout:       readTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
			MaxHeaderBytes:    maxHeaderBytes,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		store:       st,
		log:         log,
		served:      make(chan error, 1),
		sweeperDone: make(chan struct{}),
	}
	var sweepCtx context.Context
	sweepCtx, s.stopSweeper = context.WithCancel(context.Background())
	go s.sweepSessions(sweepCtx, sessionSweepEvery)
	go func() {
		if tlsConfig != nil {
			s.served <- s.http.ServeTLS(ln, "", "")
		} else {
			s.served <- s.http.Serve(ln)
		}
	}()
	return s
}

// serveMetrics serves /metrics of reg (and nothing else: 404) on ln until
// the returned server is closed.
func serveMetrics(reg *prometheus.Registry, ln net.Listener, log *slog.Logger) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", web.MetricsHandler(reg))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	return srv
}

// shutdown stops accepting connections, lets in-flight requests finish
// within timeout (then closes what is left), stops the session sweeper and
// closes the store. It returns an error only if something did not stop
// cleanly.
func (s *server) shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	if err := s.http.Shutdown(ctx); err != nil {
		s.log.Warn("requests still running after the grace period; closing their connections", "err", err)
		errs = append(errs, fmt.Errorf("graceful shutdown: %w", err))
		s.http.Close()
	}
	if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	if s.metrics != nil {
		_ = s.metrics.Close() // scrapes are short; nothing to wait for
	}
	s.stopSweeper()
	<-s.sweeperDone
	if s.expiry != nil {
		s.expiry.Stop()
	}
	if s.mail != nil {
		s.mail.Stop()
	}
	if s.callbacks != nil {
		s.callbacks.Stop()
	}
	if err := s.store.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close database: %w", err))
	}
	if len(errs) == 0 {
		s.log.Info("stopped")
	}
	return errors.Join(errs...)
}

// sweepSessions deletes expired rows (sweepOnce) at start and then every
// interval until ctx is cancelled.
func (s *server) sweepSessions(ctx context.Context, every time.Duration) {
	defer close(s.sweeperDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.sweepOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweepOnce deletes what has expired: browser sessions, partner API
// tokens, OBP DirectLogin tokens and idempotency keys (each refused or
// ignored once expired anyway; this keeps the tables small). Each deletion
// has its own time limit, and one failing does not stop the others.
func (s *server) sweepOnce(ctx context.Context) {
	for _, j := range []struct {
		what   string
		delete func(context.Context) (int64, error)
	}{
		{"sessions", s.store.DeleteExpiredSessions},
		{"partner tokens", s.store.DeleteExpiredTokens},
		{"obp tokens", s.store.DeleteExpiredOBPTokens},
		{"idempotency keys", s.store.DeleteExpiredIdempotencyKeys},
		{"pending second factors", s.store.DeleteExpiredSecondFactors},
	} {
		sctx, cancel := context.WithTimeout(ctx, sessionSweepLimit)
		n, err := j.delete(sctx)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("deleting expired rows failed", "what", j.what, "err", err)
		case err != nil:
			return // shutting down
		default:
			s.log.Debug("expired rows deleted", "what", j.what, "count", n)
			if j.what == "sessions" && n > 0 {
				s.log.Info("expired sessions deleted", "count", n)
			}
		}
	}
}

// prepareDatabase migrates (or checks) the schema, loads the demo world into
// an empty embedded database, ensures the bank row, and returns the e-mails
// of the demo accounts present (none when the demo data is absent).
func prepareDatabase(ctx context.Context, cfg config, st *store.Store, log *slog.Logger) ([]string, error) {
	if err := ensureSchema(ctx, cfg, st); err != nil {
		return nil, err
	}
	empty, err := st.IsEmpty(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case !empty:
	case cfg.Embedded() && cfg.BankID == store.DemoBankID:
		start := time.Now()
		n, err := st.SeedDemo(ctx)
		if err != nil {
			return nil, fmt.Errorf("load demo data: %w", err)
		}
		firms := demoFirmCount()
		log.Info("demo data loaded", "rows", n, "users", len(store.DemoUsers), "broker_firms", firms,
			"processes", firms*store.DemoProcesses, "took", time.Since(start).Round(time.Millisecond).String())
	case cfg.Embedded():
		log.Info("empty database; demo data not loaded because it belongs to bank "+store.DemoBankID+
			"; create accounts with 'portal user add'", "bank", cfg.BankID)
	default:
		log.Info("empty database; the demo data is never loaded into PostgreSQL by itself: " +
			"run 'portal seed --demo' for it, or create accounts with 'portal user add'")
	}
	if err := st.EnsureBank(ctx, cfg.BankID, bankName(cfg.BankID)); err != nil {
		return nil, fmt.Errorf("bank %s: %w", cfg.BankID, err)
	}
	emails, err := st.PresentDemoEmails(ctx)
	if err != nil {
		return nil, fmt.Errorf("look for demo accounts: %w", err)
	}
	return emails, nil
}

// demoFirmCount is how many broker firms the demo world has.
func demoFirmCount() int {
	firms := map[string]bool{}
	for _, u := range store.DemoUsers {
		if u.Firm != "" {
			firms[u.Firm] = true
		}
	}
	return len(firms)
}

// publicURL is the address to print for people: an unspecified listen
// address (0.0.0.0, ::) is shown as localhost.
func publicURL(addr net.Addr, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/"
}
