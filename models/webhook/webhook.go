// Package webhook makes the portal's outbound callback attempts
// (models.CallbackSender): one signed POST per call, with the Standard
// Webhooks headers produced by the Standard Webhooks library, over HTTPS
// only, without following redirects, within a time budget, through a dialer
// that checks every address it connects to (after DNS resolution) against
// an SSRF deny list.
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"code.dny.dev/ssrf"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"portal/models"
)

// UserAgent names the portal to the partner's server.
const UserAgent = "PartnerPortal-Webhooks/1.0"

// SecretPrefix starts every signing secret (the Standard Webhooks format).
const SecretPrefix = "whsec_"

// Options configure a Sender.
type Options struct {
	// AllowLoopback lets the sender reach 127.0.0.0/8 and ::1 (tests and
	// development only); every other private, link-local or reserved
	// address stays refused.
	AllowLoopback bool
	// Timeout bounds one whole attempt (connect, TLS, request, answer);
	// 0 means models.CallbackTimeout.
	Timeout time.Duration
	// RootCAs replaces the system roots (a test receiver's self-signed
	// certificate); nil uses the system roots.
	RootCAs *x509.CertPool
	// LookupHost replaces DNS resolution (tests: a name that resolves to
	// a private address). The guard checks whatever it returns, exactly as
	// it checks real DNS answers.
	LookupHost func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Sender implements models.CallbackSender. It is safe for concurrent use
// and keeps connections to partners alive between attempts.
type Sender struct {
	client  *http.Client
	timeout time.Duration
}

var _ models.CallbackSender = (*Sender)(nil)

// The addresses loopback permission adds back; only these.
var loopbackV4 = netip.MustParsePrefix("127.0.0.0/8")
var loopbackV6 = netip.MustParsePrefix("::1/128")

// New builds a Sender.
func New(o Options) *Sender {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = models.CallbackTimeout
	}
	// Any port: the partner chooses its URL, and with HTTPS required a
	// non-TLS service behind a public address fails at the handshake. The
	// addresses are what the guard is for.
	guardOpts := []ssrf.Option{ssrf.WithAnyPort()}
	if o.AllowLoopback {
		guardOpts = append(guardOpts, ssrf.WithAllowedV4Prefixes(loopbackV4), ssrf.WithAllowedV6Prefixes(loopbackV6))
	}
	guard := ssrf.New(guardOpts...)
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: guard.Safe}

	dial := dialer.DialContext
	if o.LookupHost != nil {
		dial = lookupDialer(dialer, o.LookupHost)
	}
	transport := &http.Transport{
		Proxy:               nil, // never a proxy from the environment: it would dial for us, unguarded
		DialContext:         dial,
		TLSClientConfig:     &tls.Config{RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true, // a custom DialContext turns HTTP/2 off unless asked
		TLSHandshakeTimeout: timeout,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{
		Transport: transport,
		// Never follow: the answer is the 3xx itself, recorded as a
		// refused redirect.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       timeout,
	}
	return &Sender{client: client, timeout: timeout}
}

// lookupDialer resolves with lookup and dials the answers in turn through
// dialer (whose Control is the guard).
func lookupDialer(dialer *net.Dialer, lookup func(context.Context, string) ([]netip.Addr, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		var addrs []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			addrs = []netip.Addr{ip}
		} else if addrs, err = lookup(ctx, host); err != nil {
			return nil, &net.DNSError{Err: err.Error(), Name: host, IsNotFound: true}
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
		var first error
		for _, ip := range addrs {
			c, err := dialer.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
		}
		return nil, first
	}
}

// NewSecret returns a new signing secret: "whsec_" and 32 random bytes in
// base64.
func NewSecret() string {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // never fails (crypto/rand)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the webhook-signature header value of one message: one
// "v1,<base64>" per secret. secret may hold several secrets separated by
// spaces (a rotation in progress: the partner's server accepts any).
func Sign(secret, webhookID string, at time.Time, body []byte) (string, error) {
	secrets := strings.Fields(secret)
	if len(secrets) == 0 {
		return "", errors.New("no secret")
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			return "", errors.New("invalid secret") // never the library's text: it may quote the secret's decoding
		}
		sig, err := wh.Sign(webhookID, at, body)
		if err != nil {
			return "", errors.New("signing failed")
		}
		sigs = append(sigs, sig)
	}
	return strings.Join(sigs, " "), nil
}

// Send makes one attempt. It never returns an error: a refusal or a
// failure is an attempt without a 2xx, with a short Error safe to show.
func (s *Sender) Send(ctx context.Context, rawURL, secret, webhookID string, at time.Time, body []byte) models.CallbackAttempt {
	start := time.Now()
	att := models.CallbackAttempt{At: start.UTC()}
	done := func(e string) models.CallbackAttempt {
		att.Duration = time.Since(start)
		att.Error = e
		return att
	}

	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return done("invalid url")
	}
	if u.Scheme != "https" {
		return done("not https")
	}
	sig, err := Sign(secret, webhookID, at, body)
	if err != nil {
		return done(err.Error())
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return done("invalid url")
	}
	req.Header.Set(standardwebhooks.HeaderWebhookID, webhookID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	// The delivery is idempotent by its webhook-id, and saying so lets the
	// transport resend once when a kept-alive connection turns out to be
	// closed (a partner's server restarted) instead of failing the attempt.
	req.Header.Set("Idempotency-Key", webhookID)

	resp, err := s.client.Do(req)
	if err != nil {
		return done(Reason(err))
	}
	att.StatusCode = resp.StatusCode
	att.Response = readResponse(resp.Body)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "" {
		return done("redirect refused")
	}
	return done("")
}

// readResponse keeps at most models.MaxCallbackResponse bytes of the
// answer as text a database column accepts (valid UTF-8, no NUL), reads a
// bounded amount more so the connection can be reused, and closes.
func readResponse(body io.ReadCloser) string {
	defer body.Close()
	buf, _ := io.ReadAll(io.LimitReader(body, models.MaxCallbackResponse))
	_, _ = io.CopyN(io.Discard, body, 16<<10)
	// A rune cut by the limit is dropped, not mangled.
	if len(buf) == models.MaxCallbackResponse {
		for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
			if utf8.RuneStart(buf[i]) {
				if !utf8.FullRune(buf[i:]) {
					buf = buf[:i]
				}
				break
			}
		}
	}
	text := strings.ToValidUTF8(string(buf), "?") // "?" is never longer than what it replaces
	return strings.ReplaceAll(text, "\x00", "")
}

// Reason turns a transport error into a short text safe to show an admin
// or a partner: no addresses of ours, no secret, no library wording.
func Reason(err error) string {
	switch {
	case errors.Is(err, ssrf.ErrProhibitedIP):
		return "refused: private address"
	case errors.Is(err, ssrf.ErrProhibitedPort):
		return "refused: port"
	case errors.Is(err, ssrf.ErrProhibitedNetwork):
		return "refused: network"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsTimeout {
			return "timeout"
		}
		if dnsErr.IsNotFound {
			return "dns: name not found"
		}
		return "dns: lookup failed"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timeout"
	}
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &unknownCA):
		return "tls: certificate not trusted"
	case errors.As(err, &hostErr):
		return "tls: certificate name mismatch"
	case errors.As(err, &invalidCert):
		return "tls: certificate invalid"
	case errors.As(err, &recordErr):
		return "tls: not a TLS server"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	var tlsAlert tls.AlertError
	if errors.As(err, &tlsAlert) || strings.Contains(err.Error(), "tls:") {
		return "tls: handshake failed"
	}
	return "request failed"
}
