package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portal/models/store"
	"portal/models/store/storetest"
)

// keywordDSN spells a PostgreSQL URL in libpq keyword/value form, with
// password as its password when the URL has none (the test server trusts
// local connections, so any password is accepted).
func keywordDSN(t *testing.T, pgURL, password string) string {
	t.Helper()
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	quote := func(v string) string {
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	parts := []string{"host=" + quote(u.Hostname()), "dbname=" + quote(strings.TrimPrefix(u.Path, "/"))}
	if p := u.Port(); p != "" {
		parts = append(parts, "port="+p)
	}
	if n := u.User.Username(); n != "" {
		parts = append(parts, "user="+quote(n))
	}
	if pw, ok := u.User.Password(); ok {
		password = pw
	}
	parts = append(parts, "password = "+quote(password))
	for k, vs := range u.Query() {
		parts = append(parts, k+"="+quote(vs[0]))
	}
	return strings.Join(parts, " ")
}

// The libpq keyword/value form of DATABASE_URL opens PostgreSQL (it was
// taken for a SQLite file name, loaded with the demo data), and its
// password appears nowhere in the output, even at debug level.
func TestKeywordDatabaseAddressOpensPostgres(t *testing.T) {
	t.Parallel()
	const password = `kw s3cret 'pw\`
	dsn := keywordDSN(t, storetest.NewDatabase(t, store.Postgres), password)
	cfg, err := loadConfig(envMap(map[string]string{"DATABASE_URL": dsn}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dialect != store.Postgres {
		t.Fatalf("keyword DSN taken for %s", cfg.Dialect)
	}
	dir := t.TempDir()
	env := map[string]string{
		"PORTAL_DATA_DIR":    filepath.Join(dir, "data"),
		"DATABASE_URL":       dsn,
		"PORTAL_LOG_FORMAT":  "text",
		"PORTAL_LOG_LEVEL":   "debug",
		"PORTAL_SESSION_KEY": strings.Repeat("A", 128),
	}
	out, errOut, err := portal(t, env, "", "migrate")
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut)
	}
	addr, log, done, cancel := startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d\n%s", code, log)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	all := out + errOut + log.String()
	if !strings.Contains(log.String(), "dialect=postgres") || strings.Contains(log.String(), "demo data loaded") {
		t.Fatalf("start log:\n%s", log)
	}
	for _, secret := range []string{"s3cret", "kw s3"} {
		if strings.Contains(all, secret) {
			t.Fatalf("the password appears in the output:\n%s", all)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "portal.db")); !os.IsNotExist(err) {
		t.Fatalf("a SQLite file was created beside PostgreSQL: %v", err)
	}
}

// A PostgreSQL address that cannot be reached fails with the driver's
// reason, but without the password the driver's error may quote.
func TestUnreachablePostgresErrorHidesThePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		`host=127.0.0.1 port=1 user=portal password='s3cret pw' dbname=portal connect_timeout=5 sslmode=disable`,
		`postgres://portal:s3cret%20pw@127.0.0.1:1/portal?connect_timeout=5&sslmode=disable`,
		`postgres://portal@127.0.0.1:1/portal?sslmode=disable&password=s3cret+pw`,
	} {
		env := map[string]string{"PORTAL_DATA_DIR": t.TempDir(), "DATABASE_URL": dsn, "PORTAL_LOG_LEVEL": "debug"}
		out, errOut, err := portal(t, env, "", "migrate")
		if err == nil {
			t.Fatalf("%s: migrate succeeded", dsn)
		}
		all := out + errOut + err.Error()
		if strings.Contains(all, "s3cret") || strings.Contains(all, "s3cret%20pw") {
			t.Errorf("the password appears in the output:\n%s", all)
		}
		if !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("the error does not say which server: %v", err)
		}
	}
}

// garbageAddresses are DATABASE_URL values the portal does not understand;
// each once became a SQLite file (in the working directory) with the demo
// data loaded.
var garbageAddresses = []string{
	"portal",
	"the database password=hunter2",
	"mysql://u:hunter2@db/portal",
	"data/portal",
	"host=db password='hunter2",
}

// A garbage DATABASE_URL makes the binary exit non-zero with a message
// naming the accepted forms, before it creates any file: none in the data
// directory, none in the working directory.
func TestGarbageDatabaseAddressExitsWithoutCreatingFiles(t *testing.T) {
	if os.Getenv("PORTAL_TEST_RUN_MAIN") == "1" {
		os.Args = []string{"portal", "serve"}
		main()
		return
	}
	for _, garbage := range garbageAddresses {
		t.Run(garbage, func(t *testing.T) {
			t.Parallel()
			cwd := t.TempDir()
			data := filepath.Join(cwd, "data")
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestGarbageDatabaseAddressExitsWithoutCreatingFiles$")
			cmd.Dir = cwd
			cmd.Env = append(os.Environ(), "PORTAL_TEST_RUN_MAIN=1", "DATABASE_URL="+garbage,
				"PORTAL_DATA_DIR="+data, "PORTAL_ADDR=127.0.0.1:0", "PORTAL_LOG_LEVEL=debug")
			output, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() == 0 {
				t.Fatalf("portal serve with DATABASE_URL=%q: %v, want a non-zero exit\n%s", garbage, err, output)
			}
			if !strings.Contains(string(output), "DATABASE_URL: ") || !strings.Contains(string(output), "postgres://") ||
				!strings.Contains(string(output), ".sqlite3") {
				t.Errorf("the message does not say what is accepted:\n%s", output)
			}
			if strings.Contains(string(output), "hunter2") || strings.Contains(string(output), "demo") {
				t.Errorf("output:\n%s", output)
			}
			entries, err := os.ReadDir(cwd)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				names := make([]string, len(entries))
				for i, e := range entries {
					names[i] = e.Name()
				}
				t.Fatalf("files created: %v", names)
			}
		})
	}
}

func TestConfigDatabaseAddresses(t *testing.T) {
	for _, c := range []struct {
		url, dsn string
		dialect  store.Dialect
	}{
		{"host=db user=u password='a b' dbname=x", "host=db user=u password='a b' dbname=x", store.Postgres},
		{"postgresql://u@db/x", "postgresql://u@db/x", store.Postgres},
		{"sqlite:/var/lib/portal/p", "/var/lib/portal/p", store.SQLite},
		{"/tmp/x/other.sqlite", "/tmp/x/other.sqlite", store.SQLite},
	} {
		cfg, err := loadConfig(envMap(map[string]string{"DATABASE_URL": c.url}))
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if cfg.Dialect != c.dialect || cfg.DatabaseURL != c.dsn || cfg.Database.DSN != c.dsn {
			t.Errorf("%s: %+v", c.url, cfg)
		}
	}
	for _, garbage := range garbageAddresses {
		_, err := loadConfig(envMap(map[string]string{"DATABASE_URL": garbage}))
		if err == nil || !strings.Contains(err.Error(), "DATABASE_URL: ") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("DATABASE_URL=%q: %v", garbage, err)
		}
	}
	// The keyword form's password is redacted for the log.
	cfg, err := loadConfig(envMap(map[string]string{"DATABASE_URL": "host=db password='s3 cret' dbname=x"}))
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.RedactedDatabase(); r != "host=db password=xxxxx dbname=x" {
		t.Errorf("redacted %q", r)
	}
}

func TestConfigPartnerTokenLifetime(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.PartnerTokenLifetime != 12*time.Hour {
		t.Fatalf("default lifetime %s", cfg.PartnerTokenLifetime)
	}
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_PARTNER_TOKEN_LIFETIME": "90m"}))
	if err != nil || cfg.PartnerTokenLifetime != 90*time.Minute {
		t.Fatalf("90m: %v %s", err, cfg.PartnerTokenLifetime)
	}
	for _, v := range []string{"30s", "0", "-1h", "12", "a day"} {
		_, err := loadConfig(envMap(map[string]string{"PORTAL_PARTNER_TOKEN_LIFETIME": v}))
		if want := fmt.Sprintf("PORTAL_PARTNER_TOKEN_LIFETIME=%q: want a Go duration of at least 1m", v); err == nil ||
			!strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", v, err)
		}
	}
}

func TestConfigEsisValidity(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil || cfg.EsisValidity != 30*24*time.Hour {
		t.Fatalf("default validity %s (%v)", cfg.EsisValidity, err)
	}
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_ESIS_VALIDITY_DAYS": "15"}))
	if err != nil || cfg.EsisValidity != 15*24*time.Hour {
		t.Fatalf("15 days: %v %s", err, cfg.EsisValidity)
	}
	for _, v := range []string{"0", "-3", "367", "30d", "1.5"} {
		_, err := loadConfig(envMap(map[string]string{"PORTAL_ESIS_VALIDITY_DAYS": v}))
		if want := fmt.Sprintf("PORTAL_ESIS_VALIDITY_DAYS=%q: want a number of days", v); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", v, err)
		}
	}
}
