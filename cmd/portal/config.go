package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/dbaddr"
)

// Defaults of the environment variables (usage text and README list them).
const (
	defaultAddr    = "127.0.0.1:8080"
	defaultDataDir = "./data"
	defaultBankID  = store.DemoBankID
	sqliteFileName = "portal.db"

	// sessionKeyLen is one securecookie key pair: a 64-byte hash (HMAC) key
	// followed by a 32-byte block (AES-256) key.
	sessionKeyLen   = 96
	sessionHashLen  = 64
	sessionBlockLen = 32
)

// config is everything the portal reads from its environment, validated.
type config struct {
	Addr        string
	DataDir     string
	DatabaseURL string // DSN of Database: PostgreSQL URL or keyword/value string, or SQLite file path
	Dialect     store.Dialect
	Migrate     bool
	LogLevel    slog.Level
	LogFormat   string // "text" or "json"
	BankID      string
	// TrustedProxies are IPs or CIDRs, normalised; empty: trust no proxy.
	TrustedProxies []string
	TLSCert        string
	TLSKey         string
	// SecureCookies is true when served over TLS, unless PORTAL_SECURE_COOKIES
	// says otherwise (e.g. true behind a TLS-terminating proxy).
	SecureCookies bool
	// SessionKeys are the 96-byte key pairs from PORTAL_SESSION_KEY, newest
	// first; empty when the variable is unset (serve then uses the key kept
	// in the data directory).
	SessionKeys [][]byte
	// MetricsAddr is the host:port of a listener serving only /metrics
	// (PORTAL_METRICS_ADDR); empty: none.
	MetricsAddr string
	// MetricsToken lets /metrics be read on the main listener with
	// "Authorization: Bearer <token>" (PORTAL_METRICS_TOKEN; a secret,
	// never logged); empty: /metrics is not on the main listener.
	MetricsToken string
	// SecondFactor is who must sign in with a second factor
	// (PORTAL_REQUIRE_2FA); TOTPKey the 32-byte key from PORTAL_TOTP_KEY,
	// empty when unset (serve then uses the one in the data directory).
	SecondFactor models.SecondFactorPolicy
	TOTPKey      []byte
	// Mail is where mails go and the origin of their links (mailconfig.go).
	Mail mailConfig
	// Database is DATABASE_URL parsed (the embedded file when empty).
	Database dbaddr.Addr
	// PartnerTokenLifetime is the absolute lifetime of a partner API token
	// (PORTAL_PARTNER_TOKEN_LIFETIME).
	PartnerTokenLifetime time.Duration
	// Documents are the upload limits (PORTAL_DOCUMENT_MAX_BYTES,
	// PORTAL_PROCESS_DOCUMENTS_MAX_BYTES); DocumentDir, when set
	// (PORTAL_DOCUMENT_DIR), keeps document contents in that directory
	// instead of the database.
	Documents   models.DocumentLimits
	DocumentDir string
	// SimulationExpiry is how long an open simulation may go without an
	// action before it expires (PORTAL_SIMULATION_EXPIRY_DAYS; simexpiry.go).
	SimulationExpiry time.Duration
	// EsisValidity is how long an issued ESIS's terms hold
	// (PORTAL_ESIS_VALIDITY_DAYS, whole days).
	EsisValidity time.Duration
	// CallbackAllowLoopback lets partner callbacks reach loopback
	// addresses (PORTAL_CALLBACK_ALLOW_LOOPBACK; development and tests).
	CallbackAllowLoopback bool
}

// TLS reports whether the portal serves HTTPS itself.
func (c config) TLS() bool { return c.TLSCert != "" }

// Embedded reports whether the database is the embedded SQLite file.
func (c config) Embedded() bool { return c.Dialect == store.SQLite }

// SecretsPath is where generated secrets are kept.
func (c config) SecretsPath() string { return filepath.Join(c.DataDir, secretsFileName) }

// RedactedDatabase names the database for logs without its passwords (in
// every form dbaddr.Redact knows: URL user info, password and sslpassword
// query parameters, keyword/value settings).
func (c config) RedactedDatabase() string { return dbaddr.Redact(c.DatabaseURL) }

var bankIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// loadConfig reads and validates the configuration. All problems are
// reported at once, one per line, each naming its variable.
func loadConfig(env func(string) string) (config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(env(name)); v != "" {
			return v
		}
		return def
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	c := config{
		Addr:    get("PORTAL_ADDR", defaultAddr),
		DataDir: get("PORTAL_DATA_DIR", defaultDataDir),
		BankID:  get("PORTAL_BANK_ID", defaultBankID),
		TLSCert: get("PORTAL_TLS_CERT", ""),
		TLSKey:  get("PORTAL_TLS_KEY", ""),
	}

	if host, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("PORTAL_ADDR=%q: want host:port, e.g. %s or :8080 (%v)", c.Addr, defaultAddr, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		bad("PORTAL_ADDR=%q: port %q is not a number from 0 to 65535", c.Addr, port)
	} else if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
		bad("PORTAL_ADDR=%q: %q is neither an IP address nor a host name", c.Addr, host)
	}

	// An address the portal does not understand is an error, never a
	// SQLite file named after it (with the demo data loaded into it).
	if dbURL := get("DATABASE_URL", ""); dbURL == "" {
		c.Database = dbaddr.Addr{Dialect: store.SQLite, DSN: filepath.Join(c.DataDir, sqliteFileName)}
	} else if addr, err := dbaddr.Parse(dbURL); err != nil {
		// Never echo the value: it may hold a password.
		bad("DATABASE_URL: %v; leave it empty for the embedded SQLite file <PORTAL_DATA_DIR>/%s", err, sqliteFileName)
	} else {
		c.Database = addr
	}
	c.Dialect, c.DatabaseURL = c.Database.Dialect, c.Database.DSN

	bytesVar := func(name string, def int64) int64 {
		v := get(name, "")
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1024 {
			bad("%s=%q: want a number of bytes of at least 1024, e.g. %d", name, v, def)
			return def
		}
		return n
	}
	c.Documents = models.DocumentLimits{
		MaxBytes:        bytesVar("PORTAL_DOCUMENT_MAX_BYTES", models.DefaultMaxDocumentBytes),
		MaxProcessBytes: bytesVar("PORTAL_PROCESS_DOCUMENTS_MAX_BYTES", models.DefaultMaxProcessDocBytes),
	}
	if c.Documents.MaxProcessBytes < c.Documents.MaxBytes {
		bad("PORTAL_PROCESS_DOCUMENTS_MAX_BYTES=%d is less than PORTAL_DOCUMENT_MAX_BYTES=%d", c.Documents.MaxProcessBytes, c.Documents.MaxBytes)
	}
	c.DocumentDir = get("PORTAL_DOCUMENT_DIR", "")

	c.PartnerTokenLifetime = store.DefaultPartnerTokenLifetime
	if v := get("PORTAL_PARTNER_TOKEN_LIFETIME", ""); v != "" {
		if d, err := time.ParseDuration(v); err != nil || d < time.Minute {
			bad("PORTAL_PARTNER_TOKEN_LIFETIME=%q: want a Go duration of at least 1m, e.g. 12h or 90m", v)
		} else {
			c.PartnerTokenLifetime = d
		}
	}

	c.SimulationExpiry = loadSimulationExpiry(get, bad)
	c.CallbackAllowLoopback = loadCallbackLoopback(get, bad)
	c.EsisValidity = models.DefaultEsisValidity
	if v := get("PORTAL_ESIS_VALIDITY_DAYS", ""); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 366 {
			bad("PORTAL_ESIS_VALIDITY_DAYS=%q: want a number of days from 1 to 366, e.g. 30", v)
		} else {
			c.EsisValidity = time.Duration(n) * 24 * time.Hour
		}
	}

	if v, err := parseBool(get("PORTAL_MIGRATE", "true")); err != nil {
		bad("PORTAL_MIGRATE=%q: want true or false", env("PORTAL_MIGRATE"))
	} else {
		c.Migrate = v
	}

	switch lv := strings.ToLower(get("PORTAL_LOG_LEVEL", "info")); lv {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		bad("PORTAL_LOG_LEVEL=%q: want debug, info, warn or error", lv)
	}

	defFormat := "json"
	if c.Dialect == store.SQLite {
		defFormat = "text"
	}
	switch f := strings.ToLower(get("PORTAL_LOG_FORMAT", defFormat)); f {
	case "text", "json":
		c.LogFormat = f
	default:
		bad("PORTAL_LOG_FORMAT=%q: want text or json", f)
	}

	if !bankIDPattern.MatchString(c.BankID) {
		bad("PORTAL_BANK_ID=%q: want 1 to 64 letters, digits, '.', '_' or '-', e.g. %s", c.BankID, defaultBankID)
	}

	for _, p := range strings.Split(env("PORTAL_TRUSTED_PROXIES"), ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if pfx, err := netip.ParsePrefix(p); err == nil {
			c.TrustedProxies = append(c.TrustedProxies, pfx.Masked().String())
		} else if addr, err := netip.ParseAddr(p); err == nil {
			c.TrustedProxies = append(c.TrustedProxies, addr.String())
		} else {
			bad("PORTAL_TRUSTED_PROXIES: %q is not a CIDR (10.0.0.0/8) or an IP address", p)
		}
	}

	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("PORTAL_TLS_CERT and PORTAL_TLS_KEY must be set together (both PEM file paths) or not at all")
	}
	c.SecureCookies = c.TLS()
	if v := get("PORTAL_SECURE_COOKIES", ""); v != "" {
		if b, err := parseBool(v); err != nil {
			bad("PORTAL_SECURE_COOKIES=%q: want true or false", v)
		} else {
			c.SecureCookies = b
		}
	}

	if v := get("PORTAL_SESSION_KEY", ""); v != "" {
		keys, err := parseSessionKeys(v)
		if err != nil {
			// Never echo the value: it is a secret.
			bad("PORTAL_SESSION_KEY: %v", err)
		}
		c.SessionKeys = keys
	}

	c.MetricsAddr = get("PORTAL_METRICS_ADDR", "")
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("PORTAL_METRICS_ADDR=%q: want host:port, e.g. 127.0.0.1:9090 (%v)", c.MetricsAddr, err)
		} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			bad("PORTAL_METRICS_ADDR=%q: port %q is not a number from 0 to 65535", c.MetricsAddr, port)
		}
	}
	c.MetricsToken = get("PORTAL_METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		// Never echo the value: it is a secret.
		bad("PORTAL_METRICS_TOKEN: want at least 16 characters (e.g. head -c 24 /dev/urandom | base64)")
	}
	loadSecondFactorConfig(&c, get, bad) // totp.go
	c.Mail = loadMailConfig(get, c.Addr, c.TLS(), bad)

	if len(errs) > 0 {
		return config{}, fmt.Errorf("invalid configuration:\n  %w", joinLines(errs))
	}
	return c, nil
}

// parseSessionKeys decodes PORTAL_SESSION_KEY: one or more base64 values
// (comma-separated, newest first, for rotation), each exactly 96 bytes.
func parseSessionKeys(v string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := decodeBase64(part)
		if err != nil {
			return nil, fmt.Errorf("key %d is not valid base64", i+1)
		}
		if len(k) != sessionKeyLen {
			return nil, fmt.Errorf("key %d decodes to %d bytes, want %d (64-byte hash key + 32-byte block key; generate one with: head -c %d /dev/urandom | base64 -w0)",
				i+1, len(k), sessionKeyLen, sessionKeyLen)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key given")
	}
	return keys, nil
}

// decodeBase64 accepts standard or URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("invalid base64")
}

// sessionKeyPairs flattens 96-byte keys into the securecookie list the web
// package takes: hash key, block key, hash key, block key..., newest first.
func sessionKeyPairs(keys [][]byte) [][]byte {
	var out [][]byte
	for _, k := range keys {
		out = append(out, k[:sessionHashLen:sessionHashLen], k[sessionHashLen:sessionKeyLen:sessionKeyLen])
	}
	return out
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %q", v)
}

var hostnamePattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

func validHostname(h string) bool { return len(h) <= 253 && hostnamePattern.MatchString(h) }

// joinLines joins errors one per line, indented under "invalid configuration".
func joinLines(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "\n  "))
}
