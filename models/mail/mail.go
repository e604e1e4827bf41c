// Package mail delivers the portal's mails (models.Mail): over SMTP with
// go-mail, or, in the embedded default, as .eml files in a folder that a
// person opens with any mail program. store.MailSender calls one of them
// for each queued mail after COMMIT.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	gomail "github.com/wneessen/go-mail"

	"portal/models"
)

// TLS modes of the SMTP connection (PORTAL_SMTP_TLS).
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS, required
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     = "none"     // no encryption (a relay on the same host or network)
)

// Config is how to reach the SMTP server.
type Config struct {
	Host     string
	Port     int
	User     string // "" for no authentication
	Password string
	TLS      string // TLSStartTLS, TLSImplicit or TLSNone
	From     string // the From address of every mail
	// Timeout bounds one delivery (connect, dialogue); 0 means 30 s.
	Timeout time.Duration
}

// Message builds the RFC 5322 message of m from from: the plain text, the
// HTML alternative when there is one, the attachments (base64, with their
// content type and file name), Content-Language, a Date and a Message-ID.
func Message(from string, m models.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("to address: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	if m.Lang != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Lang)
	}
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("attachment %q: %w", a.Name, err)
		}
	}
	return msg, nil
}

// SMTP sends each mail in its own SMTP session.
type SMTP struct {
	cfg  Config
	opts []gomail.Option
}

var _ models.MailSender = (*SMTP)(nil)

// NewSMTP checks cfg and returns the sender.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("no SMTP host")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout)}
	if cfg.Port != 0 {
		opts = append(opts, gomail.WithPort(cfg.Port))
	}
	switch cfg.TLS {
	case TLSStartTLS, "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("unknown SMTP TLS mode %q", cfg.TLS)
	}
	if cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(cfg.User), gomail.WithPassword(cfg.Password))
	}
	// Fail fast on a bad option now rather than at the first mail.
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("SMTP client: %w", err)
	}
	return &SMTP{cfg: cfg, opts: opts}, nil
}

// Send delivers m; an error leaves it for a later attempt.
func (s *SMTP) Send(ctx context.Context, m models.Mail) error {
	msg, err := Message(s.cfg.From, m)
	if err != nil {
		return err
	}
	c, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}

// Dir writes each mail as an .eml file (RFC 5322, as it would be sent)
// into a folder: the embedded default, with no SMTP server configured.
type Dir struct {
	Path string
	From string
	Log  *slog.Logger
}

var _ models.MailSender = (*Dir)(nil)

// Send writes m to a new file "<time>-<random>.eml" and logs its name
// (never its body: it may hold a password reset link).
func (d *Dir) Send(_ context.Context, m models.Mail) error {
	msg, err := Message(d.From, m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return fmt.Errorf("mail folder: %w", err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := time.Now().UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(b) + ".eml"
	path := filepath.Join(d.Path, name)
	// Written under a temporary name and renamed, so a reader never sees
	// half a mail.
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("mail file: %w", err)
	}
	if _, err := msg.WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write mail file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write mail file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write mail file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write mail file: %w", err)
	}
	if d.Log != nil {
		d.Log.Info("mail written to a file (no SMTP server configured)", "file", path)
	}
	return nil
}
