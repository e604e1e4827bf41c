// Package mailtest is an in-process SMTP server on loopback (go-smtp) for
// tests: it keeps every message it accepts, and can refuse the next ones
// with a temporary error to exercise retries.
package mailtest

import (
	"bytes"
	"io"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	portalmail "portal/models/mail"
)

// Received is one message the server accepted.
type Received struct {
	From string
	To   []string
	Raw  []byte
	Msg  *mail.Message // Raw parsed (its Body already read into Body)
	Body string
}

// Server is a running test SMTP server.
type Server struct {
	Host string
	Port int

	srv      *smtp.Server
	mu       sync.Mutex
	received []Received
	failNext int
	refused  int
	arrived  chan struct{}
}

// Start runs a server on 127.0.0.1 until t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{arrived: make(chan struct{}, 1000)}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Config is the portal's SMTP configuration for this server (no TLS, no
// authentication).
func (s *Server) Config(from string) portalmail.Config {
	return portalmail.Config{Host: s.Host, Port: s.Port, TLS: portalmail.TLSNone, From: from, Timeout: 10 * time.Second}
}

// FailNext makes the next n messages be refused (451, a temporary failure).
func (s *Server) FailNext(n int) {
	s.mu.Lock()
	s.failNext = n
	s.mu.Unlock()
}

// Refused is how many messages were refused.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// Messages are the messages accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Wait returns once n messages were accepted; it fails t after timeout
// (a bound on waiting, not a timing assertion).
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := s.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("%d messages arrived, want %d", len(s.Messages()), n)
		}
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failNext > 0 {
		x.s.failNext--
		x.s.refused++
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	rec := Received{From: x.from, To: append([]string(nil), x.to...), Raw: raw}
	if m, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		body, _ := io.ReadAll(m.Body)
		rec.Msg, rec.Body = m, string(body)
	}
	x.s.received = append(x.s.received, rec)
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}
