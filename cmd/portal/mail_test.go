package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"portal/models/mail/mailtest"
	"portal/models/store"
)

func TestMailConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mail.PublicURL != "http://127.0.0.1:8080" || cfg.Mail.SMTP.Host != "" || cfg.Mail.SMTP.From != defaultMailFrom {
		t.Fatalf("mail defaults %+v", cfg.Mail)
	}
	if cfg.MailDir() != filepath.Join("data", "mail") {
		t.Fatalf("mail dir %q", cfg.MailDir())
	}
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_ADDR": ":9090"}))
	if err != nil || cfg.Mail.PublicURL != "http://localhost:9090" {
		t.Fatalf("public URL for :9090: %q (%v)", cfg.Mail.PublicURL, err)
	}
}

func TestMailConfigFromEnvironment(t *testing.T) {
	cfg, err := loadConfig(envMap(map[string]string{
		"PORTAL_PUBLIC_URL":    "https://portal.bank.example/",
		"PORTAL_SMTP_HOST":     "smtp.bank.example",
		"PORTAL_SMTP_TLS":      "tls",
		"PORTAL_SMTP_USER":     "portal",
		"PORTAL_SMTP_PASSWORD": "hunter2-smtp",
		"PORTAL_MAIL_FROM":     "Partner Portal <no-reply@bank.example>",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Mail.SMTP
	if cfg.Mail.PublicURL != "https://portal.bank.example" || s.Host != "smtp.bank.example" || s.Port != 465 ||
		s.TLS != "tls" || s.User != "portal" || s.Password != "hunter2-smtp" || s.From != "Partner Portal <no-reply@bank.example>" {
		t.Fatalf("mail config %+v", cfg.Mail)
	}
	if msg, attrs := cfg.describeMail(); strings.Contains(fmt.Sprint(msg, attrs), "hunter2") {
		t.Fatal("the start-up description shows the SMTP password")
	}
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_SMTP_HOST": "10.0.0.5", "PORTAL_SMTP_PORT": "2525",
		"PORTAL_SMTP_TLS": "none", "PORTAL_MAIL_FROM": "no-reply@bank.example"}))
	if err != nil || cfg.Mail.SMTP.Port != 2525 || cfg.Mail.SMTP.TLS != "none" {
		t.Fatalf("relay config %+v (%v)", cfg.Mail, err)
	}
}

func TestMailConfigRejectsBadValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"public URL with a path", map[string]string{"PORTAL_PUBLIC_URL": "https://portal.example/x"}, "PORTAL_PUBLIC_URL"},
		{"public URL not http", map[string]string{"PORTAL_PUBLIC_URL": "ftp://portal.example"}, "PORTAL_PUBLIC_URL"},
		{"tls mode", map[string]string{"PORTAL_SMTP_HOST": "smtp.example", "PORTAL_MAIL_FROM": "a@b.example", "PORTAL_SMTP_TLS": "maybe"}, `PORTAL_SMTP_TLS="maybe"`},
		{"port", map[string]string{"PORTAL_SMTP_HOST": "smtp.example", "PORTAL_MAIL_FROM": "a@b.example", "PORTAL_SMTP_PORT": "0"}, "PORTAL_SMTP_PORT"},
		{"host", map[string]string{"PORTAL_SMTP_HOST": "smtp example", "PORTAL_MAIL_FROM": "a@b.example"}, "PORTAL_SMTP_HOST"},
		{"no from with a host", map[string]string{"PORTAL_SMTP_HOST": "smtp.example"}, "PORTAL_MAIL_FROM is required"},
		{"bad from", map[string]string{"PORTAL_MAIL_FROM": "not an address"}, "PORTAL_MAIL_FROM"},
		{"user without host", map[string]string{"PORTAL_SMTP_USER": "u"}, "need PORTAL_SMTP_HOST"},
		{"password in clear", map[string]string{"PORTAL_SMTP_HOST": "smtp.example", "PORTAL_MAIL_FROM": "a@b.example",
			"PORTAL_SMTP_TLS": "none", "PORTAL_SMTP_USER": "u", "PORTAL_SMTP_PASSWORD": "hunter2-smtp"}, "unencrypted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(envMap(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error echoes the SMTP password: %v", err)
			}
		})
	}
}

var resetLink = regexp.MustCompile(`(http://[^/\s]+)/password/reset\?token=([A-Za-z0-9_%-]+)`)

// forgot posts the forgotten-password form for email.
func forgot(t *testing.T, addr, email string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm("http://"+addr+"/password/forgot", url.Values{"email": {email}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("forgot: %d", resp.StatusCode)
	}
}

// The embedded default: `portal serve` writes the reset mail as an .eml
// file in <data dir>/mail, logs the file's name and not the token, and
// the link points at the portal.
func TestServeWritesMailAsEMLFile(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["PORTAL_LOG_LEVEL"] = "info"
	addr, log, done, cancel := startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d", code)
	}
	forgot(t, addr, store.DemoUsers[0].Email)
	dir := filepath.Join(env["PORTAL_DATA_DIR"], "mail")
	var files []string
	for deadline := time.Now().Add(30 * time.Second); len(files) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(dir, "*.eml"))
	}
	if len(files) != 1 {
		t.Fatalf("mail files %v\n%s", files, log)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	text := mailtest.PlainText(raw)
	m := resetLink.FindStringSubmatch(text)
	if m == nil || m[1] != "http://"+addr {
		t.Fatalf("no link to http://%s in the mail:\n%s", addr, text)
	}
	if !strings.Contains(log.String(), filepath.Base(files[0])) || strings.Contains(log.String(), m[2]) {
		t.Fatalf("the log must name the file and never hold the token:\n%s", log)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// With PORTAL_SMTP_HOST the same mail goes to the SMTP server.
func TestServeSendsMailThroughSMTP(t *testing.T) {
	t.Parallel()
	srv := mailtest.Start(t)
	env := sqliteEnv(t)
	env["PORTAL_SMTP_HOST"] = srv.Host
	env["PORTAL_SMTP_PORT"] = strings.TrimPrefix(srv.Addr(), srv.Host+":")
	env["PORTAL_SMTP_TLS"] = "none"
	env["PORTAL_MAIL_FROM"] = "Partner Portal <no-reply@bank.example>"
	env["PORTAL_PUBLIC_URL"] = "https://portal.bank.example"
	addr, _, done, cancel := startPortal(t, env)
	if code := get(t, "http://"+addr+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d", code)
	}
	forgot(t, addr, store.DemoUsers[0].Email)
	got := srv.Wait(t, 1, 30*time.Second)
	if got[0].From != "no-reply@bank.example" || got[0].To[0] != store.DemoUsers[0].Email {
		t.Fatalf("envelope %s -> %v", got[0].From, got[0].To)
	}
	if text := mailtest.PlainText(got[0].Raw); !strings.Contains(text, "https://portal.bank.example/password/reset?token=") {
		t.Fatalf("mail text:\n%s", text)
	}
	if files, _ := filepath.Glob(filepath.Join(env["PORTAL_DATA_DIR"], "mail", "*")); len(files) != 0 {
		t.Fatalf("mail files written with SMTP configured: %v", files)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
