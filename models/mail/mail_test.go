package mail_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portal/models"
	portalmail "portal/models/mail"
	"portal/models/mail/mailtest"
)

var sample = models.Mail{To: "ana.silva@example.com", Subject: "Redefinir a palavra-passe",
	Text: "Olá,\nabra https://portal.example/password/reset?token=abc_DEF-123 para continuar.\n",
	HTML: "<p>Olá</p>", Lang: "pt-PT"}

// The embedded default writes an .eml file a mail program (and net/mail)
// reads: headers, the text, and nothing left behind under a temporary name.
func TestDirWritesParseableEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	d := &portalmail.Dir{Path: dir, From: "Portal <no-reply@portal.example>"}
	if err := d.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], ".eml") {
		t.Fatalf("files %v, want one .eml", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the .eml does not parse: %v", err)
	}
	checkHeaders(t, m.Header)
	if got := mailtest.PlainText(raw); got != sample.Text {
		t.Fatalf("text %q, want %q", got, sample.Text)
	}
	if !strings.Contains(m.Header.Get("Content-Type"), "multipart/alternative") {
		t.Fatalf("Content-Type %q, want the HTML alternative", m.Header.Get("Content-Type"))
	}
}

func checkHeaders(t *testing.T, h mail.Header) {
	t.Helper()
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != sample.Subject {
		t.Errorf("Subject %q (%v)", h.Get("Subject"), err)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != sample.To {
		t.Errorf("To %q (%v)", h.Get("To"), err)
	}
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "no-reply@portal.example" {
		t.Errorf("From %q (%v)", h.Get("From"), err)
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Hour {
		t.Errorf("Date %q (%v)", h.Get("Date"), err)
	}
	if h.Get("Message-Id") == "" || h.Get("Content-Language") != "pt-PT" {
		t.Errorf("Message-ID %q, Content-Language %q", h.Get("Message-Id"), h.Get("Content-Language"))
	}
}

// Over SMTP the same message arrives at the server, to the recipient.
func TestSMTPDelivers(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := portalmail.NewSMTP(srv.Config("Portal <no-reply@portal.example>"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), sample); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 1, 10*time.Second)
	if got[0].From != "no-reply@portal.example" || len(got[0].To) != 1 || got[0].To[0] != sample.To {
		t.Fatalf("envelope from %q to %v", got[0].From, got[0].To)
	}
	checkHeaders(t, got[0].Msg.Header)
	if txt := mailtest.PlainText(got[0].Raw); txt != sample.Text {
		t.Fatalf("text %q", txt)
	}
}

// A refusal is an error (the queue retries it).
func TestSMTPRefusalIsAnError(t *testing.T) {
	srv := mailtest.Start(t)
	srv.FailNext(1)
	s, err := portalmail.NewSMTP(srv.Config("no-reply@portal.example"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), sample); err == nil {
		t.Fatal("a refused mail reported as sent")
	}
	if len(srv.Messages()) != 0 || srv.Refused() != 1 {
		t.Fatalf("messages %d, refused %d", len(srv.Messages()), srv.Refused())
	}
}

func TestSMTPConfigChecked(t *testing.T) {
	if _, err := portalmail.NewSMTP(portalmail.Config{Host: "smtp.example", TLS: "sometimes"}); err == nil {
		t.Error("unknown TLS mode accepted")
	}
	if _, err := portalmail.NewSMTP(portalmail.Config{}); err == nil {
		t.Error("no host accepted")
	}
}
