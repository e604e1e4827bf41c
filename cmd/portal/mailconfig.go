package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"portal/models"
	portalmail "portal/models/mail"
)

// Mail settings: SMTP when PORTAL_SMTP_HOST is set; otherwise every mail is
// written as an .eml file into <PORTAL_DATA_DIR>/mail.

// mailDirName is the folder of the embedded default's mail files.
const mailDirName = "mail"

// defaultMailFrom is the From address when PORTAL_MAIL_FROM is unset
// (the embedded default only: a real SMTP server needs a real address).
const defaultMailFrom = "Partner Portal <no-reply@localhost>"

// mailConfig is the mail part of config.
type mailConfig struct {
	// PublicURL is the portal's origin as users reach it: the links in
	// mails start with it.
	PublicURL string
	// PublicURLSet tells PORTAL_PUBLIC_URL was given; otherwise serve
	// derives it from the address it listens on (PORTAL_ADDR's port may be 0).
	PublicURLSet bool
	// SMTP is the server to send through; SMTP.Host "" means the .eml
	// folder.
	SMTP portalmail.Config
}

// defaultPublicURL is http(s)://PORTAL_ADDR, an unspecified host shown as
// localhost.
func defaultPublicURL(addr string, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// loadMailConfig reads the mail variables, reporting problems through bad.
func loadMailConfig(get func(name, def string) string, addr string, tls bool, bad func(string, ...any)) mailConfig {
	var c mailConfig
	c.PublicURLSet = get("PORTAL_PUBLIC_URL", "") != ""
	c.PublicURL = strings.TrimSuffix(get("PORTAL_PUBLIC_URL", defaultPublicURL(addr, tls)), "/")
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		bad("PORTAL_PUBLIC_URL=%q: want the portal's origin as users reach it, e.g. https://portal.example.com", c.PublicURL)
	}

	s := &c.SMTP
	s.Host = get("PORTAL_SMTP_HOST", "")
	s.User = get("PORTAL_SMTP_USER", "")
	s.Password = get("PORTAL_SMTP_PASSWORD", "")
	s.TLS = strings.ToLower(get("PORTAL_SMTP_TLS", portalmail.TLSStartTLS))
	port := get("PORTAL_SMTP_PORT", "")
	s.From = get("PORTAL_MAIL_FROM", "")

	switch s.TLS {
	case portalmail.TLSStartTLS, portalmail.TLSImplicit, portalmail.TLSNone:
	default:
		bad("PORTAL_SMTP_TLS=%q: want starttls, tls or none", s.TLS)
	}
	if s.Host == "" {
		if s.User != "" || s.Password != "" || port != "" {
			bad("PORTAL_SMTP_USER, PORTAL_SMTP_PASSWORD and PORTAL_SMTP_PORT need PORTAL_SMTP_HOST (without it mails are written to %s/ in the data directory)", mailDirName)
		}
	} else {
		if net.ParseIP(s.Host) == nil && !validHostname(s.Host) {
			bad("PORTAL_SMTP_HOST=%q: want a host name or an IP address", s.Host)
		}
		if s.From == "" {
			bad("PORTAL_MAIL_FROM is required with PORTAL_SMTP_HOST: the From address of the portal's mails, e.g. \"Partner Portal <no-reply@bank.example>\"")
		}
		if s.Password != "" && s.User == "" {
			bad("PORTAL_SMTP_PASSWORD needs PORTAL_SMTP_USER")
		}
		if s.User != "" && s.TLS == portalmail.TLSNone {
			// Never echo the password.
			bad("PORTAL_SMTP_USER with PORTAL_SMTP_TLS=none would send the SMTP password unencrypted: use starttls or tls")
		}
	}
	switch {
	case port != "":
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			bad("PORTAL_SMTP_PORT=%q: want a number from 1 to 65535", port)
		} else {
			s.Port = n
		}
	case s.TLS == portalmail.TLSImplicit:
		s.Port = 465
	case s.TLS == portalmail.TLSNone:
		s.Port = 25
	default:
		s.Port = 587
	}
	if s.From == "" {
		s.From = defaultMailFrom
	}
	if a, err := mail.ParseAddress(s.From); err != nil || a.Address == "" {
		bad("PORTAL_MAIL_FROM=%q: want an address, e.g. no-reply@bank.example or \"Partner Portal <no-reply@bank.example>\"", s.From)
	}
	return c
}

// publicURLFor is the origin of mailed links for a portal listening on
// addr: PORTAL_PUBLIC_URL, else http(s)://<the listening address>.
func (c config) publicURLFor(addr net.Addr) string {
	if c.Mail.PublicURLSet {
		return c.Mail.PublicURL
	}
	return strings.TrimSuffix(publicURL(addr, c.TLS()), "/")
}

// describeMail says where mails go, for the start-up log (no password).
func (c config) describeMail() (string, []any) {
	if c.Mail.SMTP.Host == "" {
		return "mails are written as .eml files (no SMTP server configured)", []any{"dir", c.MailDir()}
	}
	return "mails are sent through SMTP", []any{"host", c.Mail.SMTP.Host, "port", c.Mail.SMTP.Port, "tls", c.Mail.SMTP.TLS,
		"auth", c.Mail.SMTP.User != "", "from", c.Mail.SMTP.From}
}

// MailDir is the embedded default's folder of mail files.
func (c config) MailDir() string { return filepath.Join(c.DataDir, mailDirName) }

// mailSender is where the portal's mails go: the SMTP server, or the
// folder of .eml files (each file's name is logged, never its content).
func (c config) mailSender(log *slog.Logger) (models.MailSender, error) {
	if c.Mail.SMTP.Host == "" {
		return &portalmail.Dir{Path: c.MailDir(), From: c.Mail.SMTP.From, Log: log}, nil
	}
	s, err := portalmail.NewSMTP(c.Mail.SMTP)
	if err != nil {
		return nil, fmt.Errorf("PORTAL_SMTP_*: %w", err)
	}
	return s, nil
}
