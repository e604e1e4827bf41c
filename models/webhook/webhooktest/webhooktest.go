// Package webhooktest is a partner's webhook endpoint for tests: a local
// HTTPS server that verifies every request with the Standard Webhooks
// library (as a partner would), records what arrives in order, and can be
// told to fail, to answer 410 Gone, to be slow, to redirect, or to be down
// for a while and come back on the same address.
package webhooktest

import (
	"context"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Path is where the receiver listens for deliveries.
const Path = "/hook"

// Request is one request the receiver got.
type Request struct {
	ID        string // webhook-id
	Timestamp string // webhook-timestamp
	Signature string // webhook-signature
	Header    http.Header
	Body      []byte
	Verified  bool // the signature verified with the current secret
	Status    int  // what the receiver answered
	At        time.Time
}

// Receiver is a running test endpoint. Its methods are safe for
// concurrent use.
type Receiver struct {
	// URL is the delivery URL (https://127.0.0.1:port/hook).
	URL string

	srv *httptest.Server
	ln  *switchListener

	mu        sync.Mutex
	wh        *standardwebhooks.Webhook
	failFirst int
	gone      bool
	delay     time.Duration
	redirect  string
	response  []byte
	reqs      []Request
	okByID    map[string]int
	dups      int
	bad       int
	changed   chan struct{} // closed and replaced on every request
}

// New starts a receiver verifying with secret ("whsec_..."); it is closed
// when the test ends.
func New(tb testing.TB, secret string) *Receiver {
	tb.Helper()
	r := &Receiver{okByID: map[string]int{}, changed: make(chan struct{}), response: []byte("ok")}
	if err := r.SetSecret(secret); err != nil {
		tb.Fatalf("webhooktest: secret: %v", err)
	}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	// Refused handshakes and dropped connections are what tests provoke;
	// the server's log of them is noise.
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	r.ln = &switchListener{inner: r.srv.Listener, addr: r.srv.Listener.Addr(), up: closedChan()}
	r.srv.Listener = r.ln
	r.srv.StartTLS()
	r.URL = r.srv.URL + Path
	tb.Cleanup(r.Close)
	return r
}

// CertPool trusts the receiver's self-signed certificate (valid for
// 127.0.0.1, ::1, example.com and *.example.com).
func (r *Receiver) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(r.srv.Certificate())
	return pool
}

// Addr is the receiver's host:port.
func (r *Receiver) Addr() string { return r.ln.Addr().String() }

// SetSecret changes the secret signatures are verified with.
func (r *Receiver) SetSecret(secret string) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.wh = wh
	r.mu.Unlock()
	return nil
}

// FailFirst makes the next n verified requests answer 500.
func (r *Receiver) FailFirst(n int) { r.mu.Lock(); r.failFirst = n; r.mu.Unlock() }

// SetGone makes verified requests answer 410 Gone (or not).
func (r *Receiver) SetGone(gone bool) { r.mu.Lock(); r.gone = gone; r.mu.Unlock() }

// SetDelay makes every request wait d (or until the client gives up)
// before it is answered.
func (r *Receiver) SetDelay(d time.Duration) { r.mu.Lock(); r.delay = d; r.mu.Unlock() }

// RedirectTo makes verified requests answer 302 to location ("" stops).
func (r *Receiver) RedirectTo(location string) { r.mu.Lock(); r.redirect = location; r.mu.Unlock() }

// SetResponse sets the body of successful answers (default "ok").
func (r *Receiver) SetResponse(body []byte) { r.mu.Lock(); r.response = body; r.mu.Unlock() }

// Down closes the listener and every open connection: new connections
// are refused until Up.
func (r *Receiver) Down() {
	r.ln.down()
	r.srv.CloseClientConnections()
}

// Up listens again on the same address.
func (r *Receiver) Up() error { return r.ln.upAgain() }

// Close stops the receiver.
func (r *Receiver) Close() { r.srv.Close() }

// Requests returns every request received, in order.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Request(nil), r.reqs...)
}

// Delivered returns the requests answered 2xx, in order.
func (r *Receiver) Delivered() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Request
	for _, q := range r.reqs {
		if q.Status >= 200 && q.Status < 300 {
			out = append(out, q)
		}
	}
	return out
}

// Duplicates counts 2xx-answered requests whose webhook-id had already
// been answered 2xx.
func (r *Receiver) Duplicates() int { r.mu.Lock(); defer r.mu.Unlock(); return r.dups }

// BadSignatures counts requests whose signature did not verify (answered
// 401).
func (r *Receiver) BadSignatures() int { r.mu.Lock(); defer r.mu.Unlock(); return r.bad }

// WaitDelivered waits until at least n requests were answered 2xx, or ctx
// ends (its error then).
func (r *Receiver) WaitDelivered(ctx context.Context, n int) error {
	return r.wait(ctx, n, func(q Request) bool { return q.Status >= 200 && q.Status < 300 })
}

// WaitRequests waits until at least n requests arrived (whatever their
// answer), or ctx ends.
func (r *Receiver) WaitRequests(ctx context.Context, n int) error {
	return r.wait(ctx, n, func(Request) bool { return true })
}

func (r *Receiver) wait(ctx context.Context, n int, counts func(Request) bool) error {
	for {
		r.mu.Lock()
		got := 0
		for _, q := range r.reqs {
			if counts(q) {
				got++
			}
		}
		ch := r.changed
		r.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	r.mu.Lock()
	delay := r.delay
	r.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
		}
	}

	q := Request{ID: req.Header.Get(standardwebhooks.HeaderWebhookID), Timestamp: req.Header.Get(standardwebhooks.HeaderWebhookTimestamp),
		Signature: req.Header.Get(standardwebhooks.HeaderWebhookSignature), Header: req.Header.Clone(), Body: body, At: time.Now()}
	r.mu.Lock()
	q.Verified = req.Method == http.MethodPost && req.URL.Path == Path && r.wh.Verify(body, req.Header) == nil
	var answer []byte
	switch {
	case !q.Verified:
		q.Status = http.StatusUnauthorized
		r.bad++
	case r.redirect != "":
		q.Status = http.StatusFound
		w.Header().Set("Location", r.redirect)
	case r.gone:
		q.Status = http.StatusGone
	case r.failFirst > 0:
		r.failFirst--
		q.Status = http.StatusInternalServerError
	default:
		q.Status = http.StatusOK
		answer = r.response
		if r.okByID[q.ID] > 0 {
			r.dups++
		}
		r.okByID[q.ID]++
	}
	r.reqs = append(r.reqs, q)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(q.Status)
	_, _ = w.Write(answer)
}
