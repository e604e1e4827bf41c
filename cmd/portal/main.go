// Command portal runs the bank's partner portal: it reads its configuration
// from the environment, opens the database (embedded SQLite by default,
// PostgreSQL with DATABASE_URL), migrates it, loads the demo data into an
// empty embedded database, and serves HTTP until SIGINT/SIGTERM.
//
// Run `portal help` for the subcommands and every environment variable.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
)

const usage = `portal: the bank's partner portal for mortgage brokers.

Usage:
  portal [serve]        open the database, migrate it (see PORTAL_MIGRATE), load the
                        demo data into an empty embedded database, and serve HTTP until
                        SIGINT/SIGTERM (in-flight requests get 20 s to finish)
  portal migrate        bring the database schema up to date and exit
  portal seed --demo    load the demo world into the database (any dialect); loading it
                        again inserts nothing; prints how many rows were inserted
  portal user add --email E --name N --kind broker|staff|admin|customer
                  [--firm BRK-LIS-001] [--role ROLE]... [--api]
                        create an account and print its UUID. The password is read from
                        PORTAL_SIMULATION_EXPIRY_DAYS
                          days without an action after which a simulation in creation or
                          validated expires [30]
  PORTAL_USER_PASSWORD, or else from the first line of stdin
                        (10 to 128 characters); it is never a flag. --firm (brokers only)
                        is the firm's broker unique id; --role may repeat (staff/admin
                        entitlements at the bank, e.g. CanGetCustomerMessages); --api
                        enables partner API access for a broker.
  portal consumer add --key KEY --name NAME
                        register an OBP API consumer key for DirectLogin (idempotent)
  portal consumer disable|enable --key KEY
                        switch a consumer off (its tokens stop working) or on again
  portal pricing show --as EMAIL [--date YYYY-MM-DD]
                        print the pricing in force at a date (DEMO marks seeded demo values)
  portal pricing set-index --as ADMIN-EMAIL --index 1|2|3 --month YYYY-MM --value 2.345
                        set an index's monthly value (Euribor 3/6/12 months; audited)
  portal help           show this text

Environment (defaults in brackets):
  PORTAL_ADDR             listen address, host:port [127.0.0.1:8080]; use :8080 to listen
                          on every interface
  PORTAL_DATA_DIR         directory for the embedded database (portal.db) and the generated
                          secrets (secrets.json, mode 0600) [./data]
  DATABASE_URL            empty: the embedded SQLite file <PORTAL_DATA_DIR>/portal.db;
                          PostgreSQL as postgres://user:pass@host:5432/db?sslmode=... (or
                          postgresql://) or as keyword/value: host=db user=u password='p w'
                          dbname=portal; SQLite as sqlite:PATH, file:PATH or a path ending
                          in .db, .sqlite or .sqlite3. Anything else is refused (exit 1);
                          passwords never appear in the log []
  PORTAL_MIGRATE          true: apply pending migrations at start; false: do not, and refuse
                          to start unless the schema is current (run 'portal migrate') [true]
  PORTAL_LOG_LEVEL        debug, info, warn or error [info]
  PORTAL_LOG_FORMAT       text or json (on stderr) [text with the embedded database, json
                          with PostgreSQL]
  PORTAL_BANK_ID          the bank this deployment serves; its row is created if missing
                          [demo.bank]. The demo data is loaded automatically only into an
                          empty embedded database with PORTAL_BANK_ID=demo.bank; never into
                          PostgreSQL unless you run 'portal seed --demo'.
  PORTAL_TRUSTED_PROXIES  comma-separated CIDRs or IPs of reverse proxies whose
                          X-Forwarded-For is believed [none: the peer address is the client]
  PORTAL_TLS_CERT         PEM certificate file; with PORTAL_TLS_KEY the portal serves HTTPS
                          and marks cookies Secure []
  PORTAL_TLS_KEY          PEM private key file for PORTAL_TLS_CERT []
  PORTAL_SECURE_COOKIES   true/false: mark cookies Secure [true when PORTAL_TLS_CERT is set];
                          set true behind a proxy that terminates TLS
  PORTAL_SESSION_KEY      base64 of 96 random bytes (64-byte hash key + 32-byte block key)
                          that sign and encrypt the session cookie; several keys may be given
                          comma-separated, newest first, to rotate. Generate one with
                            head -c 96 /dev/urandom | base64 -w0
                          When unset the portal generates one at first start and keeps it in
                          <PORTAL_DATA_DIR>/secrets.json. With PostgreSQL set it explicitly:
                          every instance must share the same key. []
  PORTAL_METRICS_ADDR     host:port of a listener serving only /metrics (Prometheus) [none]
  PORTAL_METRICS_TOKEN    a secret (16+ characters): /metrics is also served on PORTAL_ADDR
                          to "Authorization: Bearer <token>" [none: /metrics is not on
                          PORTAL_ADDR]
  PORTAL_REQUIRE_2FA      who must sign in with a TOTP second factor: true (staff and admins),
                          or a comma-separated list of staff, admin [off]
  PORTAL_TOTP_KEY         base64 of 32 random bytes sealing TOTP secrets at rest; when unset
                          the portal generates one into <PORTAL_DATA_DIR>/secrets.json. With
                          PostgreSQL set it explicitly: every instance must share it. []
  PORTAL_PUBLIC_URL       the portal's origin as users reach it, for links in mails
                          (password reset) [http://PORTAL_ADDR, https:// with TLS]
  PORTAL_SMTP_HOST        SMTP server for the portal's mails; empty: each mail is written as
                          an .eml file into <PORTAL_DATA_DIR>/mail (the file name is logged) []
  PORTAL_SMTP_PORT        SMTP port [587 with starttls, 465 with tls, 25 with none]
  PORTAL_SMTP_TLS         starttls (required STARTTLS), tls (TLS from the start) or none
                          [starttls]
  PORTAL_SMTP_USER        SMTP user name; empty: no authentication (needs TLS) []
  PORTAL_SMTP_PASSWORD    SMTP password for PORTAL_SMTP_USER []
  PORTAL_MAIL_FROM        From address of the portal's mails; required with PORTAL_SMTP_HOST
                          [Partner Portal <no-reply@localhost>]
  PORTAL_PARTNER_TOKEN_LIFETIME
                          absolute lifetime of a partner API token from its creation, a Go
                          duration of at least 1m, besides its 30-minute idle expiry [12h]
  PORTAL_DOCUMENT_MAX_BYTES
                          largest document upload, in bytes; larger is refused (413)
                          [10485760]
  PORTAL_PROCESS_DOCUMENTS_MAX_BYTES
                          largest total of one process's documents, in bytes [104857600]
  PORTAL_DOCUMENT_DIR     keep document contents as files in this directory (each named by
                          its SHA-256) instead of in the database []
  PORTAL_USER_PASSWORD    password for 'portal user add' (otherwise read from stdin) []

Demo data (public demo credentials, for the embedded database): every demo account's
password is portal-demo; the accounts are listed in the log at start.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts the graceful stop, a second one
		// kills the process the default way.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run is the whole program minus the process: arguments (without the
// program name), environment lookup and standard streams come in, an error
// comes out. Cancelling ctx stops a running server gracefully; run then
// returns nil.
func run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &app{env: env, stdin: stdin, stdout: stdout, stderr: stderr, listen: net.Listen}
	return a.run(ctx, args)
}

// app carries the process's environment to the subcommands. Tests build one
// directly to replace listen (and learn the port of a 127.0.0.1:0 server).
type app struct {
	env            func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	listen         func(network, address string) (net.Listener, error)
}

// usageError is a mistake on the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...) + " (see 'portal help')"}
}

func (a *app) run(ctx context.Context, args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(a.stdout, usage)
		return nil
	case "serve":
		return a.cmdServe(ctx, args)
	case "migrate":
		return a.cmdMigrate(ctx, args)
	case "seed":
		return a.cmdSeed(ctx, args)
	case "user":
		return a.cmdUser(ctx, args)
	case "consumer":
		return a.cmdConsumer(ctx, args)
	case "pricing":
		return a.cmdPricing(ctx, args)
	}
	return usageErrorf("unknown command %q", cmd)
}

// config loads the configuration and the logger it asks for.
func (a *app) config() (config, *slog.Logger, error) {
	cfg, err := loadConfig(a.env)
	if err != nil {
		return config{}, nil, err
	}
	return cfg, newLogger(cfg, a.stderr), nil
}

// newLogger writes to w at the configured level and format.
func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
