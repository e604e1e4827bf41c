package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"portal/models/store"
)

// envMap turns a map into an environment lookup; missing names are "".
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		Addr:        "127.0.0.1:8080",
		DataDir:     "./data",
		DatabaseURL: filepath.Join("data", "portal.db"),
		Dialect:     store.SQLite,
		Migrate:     true,
		LogLevel:    slog.LevelInfo,
		LogFormat:   "text",
		BankID:      "demo.bank",
	}
	if cfg.Addr != want.Addr || cfg.DataDir != want.DataDir || cfg.DatabaseURL != want.DatabaseURL ||
		cfg.Dialect != want.Dialect || cfg.Migrate != want.Migrate || cfg.LogLevel != want.LogLevel ||
		cfg.LogFormat != want.LogFormat || cfg.BankID != want.BankID {
		t.Fatalf("defaults:\n got %+v\nwant %+v", cfg, want)
	}
	if len(cfg.TrustedProxies) != 0 || cfg.TLS() || cfg.SecureCookies || len(cfg.SessionKeys) != 0 {
		t.Fatalf("defaults must trust no proxy, serve plain HTTP and have no session key: %+v", cfg)
	}
	if cfg.SecretsPath() != filepath.Join("data", "secrets.json") {
		t.Fatalf("secrets path %q", cfg.SecretsPath())
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 96))
	old := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{9}, 96))
	cfg, err := loadConfig(envMap(map[string]string{
		"PORTAL_ADDR":            ":9090",
		"PORTAL_DATA_DIR":        "/var/lib/portal",
		"DATABASE_URL":           "postgres://portal:s3cret@db:5432/portal?sslmode=require",
		"PORTAL_MIGRATE":         "false",
		"PORTAL_LOG_LEVEL":       "DEBUG",
		"PORTAL_BANK_ID":         "bank.x",
		"PORTAL_TRUSTED_PROXIES": " 10.0.0.1/8, 192.168.1.7 ,,fd00::/8",
		"PORTAL_TLS_CERT":        "/etc/portal/cert.pem",
		"PORTAL_TLS_KEY":         "/etc/portal/key.pem",
		"PORTAL_SESSION_KEY":     key + "," + old,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9090" || cfg.Dialect != store.Postgres || cfg.Migrate || cfg.LogLevel != slog.LevelDebug ||
		cfg.BankID != "bank.x" || !cfg.TLS() || !cfg.SecureCookies {
		t.Fatalf("config %+v", cfg)
	}
	if cfg.LogFormat != "json" {
		t.Fatalf("log format with PostgreSQL defaults to json, got %q", cfg.LogFormat)
	}
	if got := strings.Join(cfg.TrustedProxies, " "); got != "10.0.0.0/8 192.168.1.7 fd00::/8" {
		t.Fatalf("trusted proxies %q", got)
	}
	if len(cfg.SessionKeys) != 2 || cfg.SessionKeys[0][0] != 7 || cfg.SessionKeys[1][0] != 9 {
		t.Fatalf("session keys not decoded newest first")
	}
	pairs := sessionKeyPairs(cfg.SessionKeys)
	if len(pairs) != 4 || len(pairs[0]) != 64 || len(pairs[1]) != 32 || len(pairs[2]) != 64 || len(pairs[3]) != 32 {
		t.Fatalf("key pairs are not hash(64)/block(32) alternating")
	}
	if r := cfg.RedactedDatabase(); strings.Contains(r, "s3cret") {
		t.Fatalf("redacted database URL shows the password: %s", r)
	}
}

func TestConfigSQLiteFilePathAndOverrides(t *testing.T) {
	cfg, err := loadConfig(envMap(map[string]string{
		"DATABASE_URL":          "/tmp/x/other.db",
		"PORTAL_LOG_FORMAT":     "json",
		"PORTAL_SECURE_COOKIES": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dialect != store.SQLite || cfg.DatabaseURL != "/tmp/x/other.db" || cfg.LogFormat != "json" || !cfg.SecureCookies || cfg.TLS() {
		t.Fatalf("config %+v", cfg)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string // in the error
	}{
		{"migrate", map[string]string{"PORTAL_MIGRATE": "maybe"}, `PORTAL_MIGRATE="maybe": want true or false`},
		{"log level", map[string]string{"PORTAL_LOG_LEVEL": "verbose"}, `PORTAL_LOG_LEVEL="verbose": want debug, info, warn or error`},
		{"log format", map[string]string{"PORTAL_LOG_FORMAT": "xml"}, `PORTAL_LOG_FORMAT="xml"`},
		{"session key not base64", map[string]string{"PORTAL_SESSION_KEY": "not*base64!"}, "PORTAL_SESSION_KEY: key 1 is not valid base64"},
		{"session key short", map[string]string{"PORTAL_SESSION_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32))},
			"PORTAL_SESSION_KEY: key 1 decodes to 32 bytes, want 96"},
		{"addr", map[string]string{"PORTAL_ADDR": "8080"}, "PORTAL_ADDR=\"8080\": want host:port"},
		{"port", map[string]string{"PORTAL_ADDR": "localhost:http2"}, "is not a number"},
		{"proxy", map[string]string{"PORTAL_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, `PORTAL_TRUSTED_PROXIES: "proxy.local"`},
		{"tls half", map[string]string{"PORTAL_TLS_CERT": "/c.pem"}, "PORTAL_TLS_CERT and PORTAL_TLS_KEY must be set together"},
		{"bank", map[string]string{"PORTAL_BANK_ID": "bad bank"}, `PORTAL_BANK_ID="bad bank"`},
		{"database scheme", map[string]string{"DATABASE_URL": "mysql://u:p@h/db"}, "DATABASE_URL: unsupported URL scheme; want a postgres:// or postgresql:// URL"},
		{"secure cookies", map[string]string{"PORTAL_SECURE_COOKIES": "sometimes"}, "PORTAL_SECURE_COOKIES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(envMap(tc.env))
			if err == nil {
				t.Fatalf("accepted %v", tc.env)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q\ndoes not contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigReportsEveryProblemAndNoSecrets(t *testing.T) {
	secret := base64.StdEncoding.EncodeToString([]byte("too-short-secret-value"))
	_, err := loadConfig(envMap(map[string]string{
		"PORTAL_MIGRATE":     "nope",
		"PORTAL_LOG_LEVEL":   "loud",
		"PORTAL_SESSION_KEY": secret,
		"DATABASE_URL":       "mysql://user:hunter2@db/x",
	}))
	if err == nil {
		t.Fatal("accepted bad config")
	}
	msg := err.Error()
	for _, v := range []string{"PORTAL_MIGRATE", "PORTAL_LOG_LEVEL", "PORTAL_SESSION_KEY", "DATABASE_URL"} {
		if !strings.Contains(msg, v) {
			t.Errorf("error does not name %s:\n%s", v, msg)
		}
	}
	if strings.Contains(msg, secret) || strings.Contains(msg, "hunter2") {
		t.Errorf("error echoes a secret:\n%s", msg)
	}
}

func TestSecretsGeneratedOnceWithMode0600(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg, err := loadConfig(envMap(map[string]string{"PORTAL_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	first, err := sessionKeys(cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || len(first[0]) != 96 || bytes.Equal(first[0], make([]byte, 96)) {
		t.Fatalf("generated key: %d keys", len(first))
	}
	fi, err := os.Stat(cfg.SecretsPath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets.json mode %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm()&0o077 != 0 {
		t.Fatalf("data directory mode %v: others may enter", di.Mode().Perm())
	}
	var sf secretsFile
	b, _ := os.ReadFile(cfg.SecretsPath())
	if err := json.Unmarshal(b, &sf); err != nil || sf.SessionKey == "" {
		t.Fatalf("secrets.json: %v %s", err, b)
	}

	// A restart reuses the same key and leaves the file alone.
	again, err := sessionKeys(cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first[0], again[0]) {
		t.Fatal("restart generated a new session key")
	}
	if b2, _ := os.ReadFile(cfg.SecretsPath()); !bytes.Equal(b, b2) {
		t.Fatal("restart rewrote secrets.json")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("data directory holds %d entries, want only secrets.json (temporary files left?)", len(entries))
	}
}

func TestSecretsEnvironmentWinsAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{3}, 96)
	cfg, err := loadConfig(envMap(map[string]string{
		"PORTAL_DATA_DIR":    dir,
		"PORTAL_SESSION_KEY": base64.StdEncoding.EncodeToString(key),
	}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := sessionKeys(cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[0], key) {
		t.Fatal("PORTAL_SESSION_KEY not used")
	}
	if _, err := os.Stat(cfg.SecretsPath()); !os.IsNotExist(err) {
		t.Fatalf("secrets.json written although PORTAL_SESSION_KEY is set (%v)", err)
	}
}

func TestSecretsPostgresWithoutKeyWarns(t *testing.T) {
	cfg, err := loadConfig(envMap(map[string]string{
		"PORTAL_DATA_DIR": t.TempDir(),
		"DATABASE_URL":    "postgres://u@127.0.0.1:1/x",
	}))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := sessionKeys(cfg, slog.New(slog.NewTextHandler(&buf, nil))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "PORTAL_SESSION_KEY") {
		t.Fatalf("no warning about PORTAL_SESSION_KEY with PostgreSQL:\n%s", buf.String())
	}
}

func TestSecretsTightensLoosePermissionsAndRejectsGarbage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, secretsFileName)
	key, _, err := loadOrCreateSessionKey(path, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, err := loadOrCreateSessionKey(path, discardLogger())
	if err != nil || !bytes.Equal(key, again) {
		t.Fatalf("reload: %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v not tightened to 0600", fi.Mode().Perm())
	}

	if err := os.WriteFile(path, []byte(`{"session_key":"c2hvcnQ="}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateSessionKey(path, discardLogger()); err == nil || !strings.Contains(err.Error(), "not base64 of 96 bytes") {
		t.Fatalf("bad key accepted or unclear error: %v", err)
	}
	if err := os.WriteFile(path, []byte(`{`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadOrCreateSessionKey(path, discardLogger()); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("broken file accepted or unclear error: %v", err)
	}
}

func TestSecretsConcurrentFirstStartsAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d", secretsFileName)
	const n = 8
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], _, errs[i] = loadOrCreateSessionKey(path, discardLogger())
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatal("concurrent first starts got different keys")
		}
	}
}

// Passwords given as query parameters are hidden too, not only the one in
// the user info.
func TestRedactedDatabaseHidesQueryPasswords(t *testing.T) {
	for _, c := range []struct{ url, keep string }{
		{"postgres://portal:s3cret-0@db.internal:5432/portal?sslmode=verify-full&password=s3cret-1&sslpassword=s3cret-2",
			"postgres://portal:xxxxx@db.internal:5432/portal?"},
		{"postgresql://db.internal/portal?PASSWORD=s3cret-3&application_name=portal", "application_name=portal"},
		{"postgres://db.internal/portal?password=s3cret-4&password=s3cret-5&SslPassword=s3cret-6", "db.internal/portal"},
		{"postgres://db.internal/portal?pass%77ord=s3cret-7&sslmode=require", "sslmode=require"},
		{"postgres://db.internal/portal?password=s3cret-8#s3cret-9", "db.internal/portal"},
		{"postgres://db.internal/portal?password=s3cret-10;sslmode=disable", "db.internal/portal"},
	} {
		cfg, err := loadConfig(envMap(map[string]string{"DATABASE_URL": c.url}))
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		r := cfg.RedactedDatabase()
		if strings.Contains(r, "s3cret") {
			t.Errorf("redacted %s shows a password: %s", c.url, r)
		}
		if !strings.Contains(r, c.keep) {
			t.Errorf("redacted %s lost %q: %s", c.url, c.keep, r)
		}
	}
	// Without secrets in the query, the query is kept as it was.
	cfg, err := loadConfig(envMap(map[string]string{"DATABASE_URL": "postgres://u@h/db?sslmode=disable"}))
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.RedactedDatabase(); r != "postgres://u@h/db?sslmode=disable" {
		t.Errorf("redacted %s", r)
	}
}
