package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"portal/models"
	"portal/models/webhook"
	"portal/models/webhook/webhooktest"
)

var body = []byte(`{"type":"process.status_changed","notificationTypeID":1,"timestamp":"2026-01-01T00:00:00Z","data":{"processUniqueId":"p-1"}}`)

// send makes one attempt with a sender trusting rcv's certificate.
func send(t testing.TB, o webhook.Options, rcv *webhooktest.Receiver, url, secret, id string) models.CallbackAttempt {
	t.Helper()
	o.RootCAs = rcv.CertPool()
	return webhook.New(o).Send(context.Background(), url, secret, id, time.Now(), body)
}

func TestSendIsSignedTheStandardWebhooksWay(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)

	att := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()}).
		Send(context.Background(), rcv.URL, secret, "msg_2f1c", at, body)
	if !att.Succeeded() || att.StatusCode != http.StatusOK || att.Error != "" || att.Response != "ok" {
		t.Fatalf("attempt = %+v, want 200 ok", att)
	}
	got := rcv.Delivered()
	if len(got) != 1 || rcv.BadSignatures() != 0 {
		t.Fatalf("delivered %d, bad signatures %d; want 1, 0", len(got), rcv.BadSignatures())
	}
	q := got[0]
	if q.ID != "msg_2f1c" || !bytes.Equal(q.Body, body) || q.Timestamp != strconv.FormatInt(at.Unix(), 10) {
		t.Errorf("received id %q timestamp %q body %s", q.ID, q.Timestamp, q.Body)
	}
	if ct := q.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if ua := q.Header.Get("User-Agent"); ua != webhook.UserAgent {
		t.Errorf("User-Agent = %q", ua)
	}
	if k := q.Header.Get("Idempotency-Key"); k != "msg_2f1c" {
		t.Errorf("Idempotency-Key = %q, want the webhook id", k)
	}
	// The partner's side, once more by hand: the same library, the same secret.
	wh, _ := standardwebhooks.NewWebhook(secret)
	if err := wh.Verify(q.Body, q.Header); err != nil {
		t.Errorf("library verification: %v", err)
	}
	if err := wh.Verify(append(bytes.Clone(q.Body), ' '), q.Header); err == nil {
		t.Error("a changed body verified")
	}
}

func TestSendWithAnotherSecretIsRejectedByTheReceiver(t *testing.T) {
	rcv := webhooktest.New(t, webhook.NewSecret())
	att := send(t, webhook.Options{AllowLoopback: true}, rcv, rcv.URL, webhook.NewSecret(), "msg_1")
	if att.Succeeded() || att.StatusCode != http.StatusUnauthorized {
		t.Fatalf("attempt = %+v, want 401", att)
	}
	if rcv.BadSignatures() != 1 || len(rcv.Delivered()) != 0 {
		t.Errorf("bad signatures %d, delivered %d; want 1, 0", rcv.BadSignatures(), len(rcv.Delivered()))
	}
}

func TestSendSignsWithEverySecretOfARotation(t *testing.T) {
	oldSecret, newSecret := webhook.NewSecret(), webhook.NewSecret()
	for _, verifyWith := range []string{oldSecret, newSecret} {
		rcv := webhooktest.New(t, verifyWith)
		att := send(t, webhook.Options{AllowLoopback: true}, rcv, rcv.URL, oldSecret+" "+newSecret, "msg_rot")
		if !att.Succeeded() {
			t.Fatalf("attempt = %+v", att)
		}
		if sig := rcv.Delivered()[0].Signature; len(strings.Fields(sig)) != 2 {
			t.Errorf("webhook-signature %q, want two signatures", sig)
		}
	}
}

func TestNewSecret(t *testing.T) {
	a, b := webhook.NewSecret(), webhook.NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("secret %q: want whsec_ and 32 bytes of base64 (%v, %d)", a, err, len(key))
	}
	if _, err := standardwebhooks.NewWebhook(a); err != nil {
		t.Fatalf("library refuses the secret: %v", err)
	}
}

func TestSendBadSecretIsSafe(t *testing.T) {
	rcv := webhooktest.New(t, webhook.NewSecret())
	for _, secret := range []string{"", "whsec_not*base64!"} {
		att := send(t, webhook.Options{AllowLoopback: true}, rcv, rcv.URL, secret, "msg_1")
		if att.Succeeded() || att.Error == "" || (secret != "" && strings.Contains(att.Error, secret)) {
			t.Errorf("secret %q: attempt %+v", secret, att)
		}
	}
	if n := len(rcv.Requests()); n != 0 {
		t.Errorf("receiver got %d requests without a signature", n)
	}
}

// lookup answers fixed addresses for names (the test's DNS).
func lookup(names map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, s := range names[host] {
			out = append(out, netip.MustParseAddr(s))
		}
		return out, nil
	}
}

func TestSendRefusesUnsafeTargets(t *testing.T) {
	rcv := webhooktest.New(t, webhook.NewSecret())
	secret := webhook.NewSecret()
	port := rcv.Addr()[strings.LastIndex(rcv.Addr(), ":")+1:]
	dns := lookup(map[string][]string{
		"example.com":          {"10.1.2.3"},
		"intranet.example.com": {"192.168.1.10"},
		"v6.example.com":       {"fd00::10"},
		"loop.example.com":     {"127.0.0.1"},
	})
	const private = "refused: private address"
	cases := []struct {
		name, url, want string
	}{
		{"loopback 127.0.0.1 (the live receiver)", rcv.URL, private},
		{"loopback 127.0.0.2", "https://127.0.0.2:" + port + "/hook", private},
		{"loopback ::1", "https://[::1]:" + port + "/hook", private},
		{"IPv4-mapped loopback", "https://[::ffff:127.0.0.1]:" + port + "/hook", private},
		{"10/8", "https://10.0.0.1/hook", private},
		{"10/8 high", "https://10.255.255.254:8443/hook", private},
		{"172.16/12", "https://172.16.0.1/hook", private},
		{"192.168/16", "https://192.168.0.1/hook", private},
		{"CGNAT 100.64/10", "https://100.64.0.1/hook", private},
		{"this network 0.0.0.0", "https://0.0.0.0:" + port + "/hook", private},
		{"metadata 169.254.169.254", "https://169.254.169.254/latest/meta-data/", private},
		{"link-local fe80::1", "https://[fe80::1]/hook", private},
		{"unique local fd00::1", "https://[fd00::1]/hook", private},
		{"name resolving to 10.1.2.3", "https://example.com/hook", private},
		{"name resolving to 192.168.1.10", "https://intranet.example.com/hook", private},
		{"name resolving to fd00::10", "https://v6.example.com/hook", private},
		{"name resolving to loopback", "https://loop.example.com:" + port + "/hook", private},
		{"http:// to the receiver", "http://" + rcv.Addr() + "/hook", "not https"},
		{"http:// public", "http://203.0.113.10/hook", "not https"},
		{"no scheme", "//example.com/hook", "not https"},
		{"not a url", "https://exa mple.com/", "invalid url"},
	}
	s := webhook.New(webhook.Options{RootCAs: rcv.CertPool(), LookupHost: dns})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			att := s.Send(context.Background(), c.url, secret, "msg_ssrf", time.Now(), body)
			if att.Succeeded() || att.StatusCode != 0 || att.Error != c.want {
				t.Errorf("Send(%s) = status %d error %q, want refused with %q", c.url, att.StatusCode, att.Error, c.want)
			}
		})
	}
	// The system resolver path (no LookupHost) refuses a name too.
	att := webhook.New(webhook.Options{RootCAs: rcv.CertPool()}).
		Send(context.Background(), "https://localhost:"+port+"/hook", secret, "msg_ssrf", time.Now(), body)
	if att.Error != private {
		t.Errorf("localhost through the system resolver: %+v", att)
	}
	if n := len(rcv.Requests()); n != 0 {
		t.Errorf("the receiver got %d requests; every target should have been refused before a request", n)
	}
}

func TestSendWithLoopbackAllowedStillRefusesTheRest(t *testing.T) {
	rcv := webhooktest.New(t, webhook.NewSecret())
	secret := webhook.NewSecret()
	dns := lookup(map[string][]string{"example.com": {"10.0.0.7"}, "ok.example.com": {"127.0.0.1"}})
	s := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool(), LookupHost: dns})
	for _, url := range []string{
		"https://10.0.0.1/hook",
		"https://169.254.169.254/latest/meta-data/",
		"https://192.168.1.1/hook",
		"https://[fe80::1]/hook",
		"https://example.com/hook", // resolves to 10.0.0.7
	} {
		att := s.Send(context.Background(), url, secret, "msg_1", time.Now(), body)
		if att.Succeeded() || att.Error != "refused: private address" {
			t.Errorf("Send(%s) = %+v, want refused: private address", url, att)
		}
	}
	// The same sender reaches the loopback receiver, by address and by a
	// name resolving to it: the refusals above are the addresses'.
	if err := rcv.SetSecret(secret); err != nil {
		t.Fatal(err)
	}
	for _, url := range []string{rcv.URL, "https://ok.example.com:" + rcv.Addr()[strings.LastIndex(rcv.Addr(), ":")+1:] + webhooktest.Path} {
		if att := s.Send(context.Background(), url, secret, "msg_2", time.Now(), body); !att.Succeeded() {
			t.Errorf("Send(%s) = %+v, want 200", url, att)
		}
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	other := webhooktest.New(t, secret) // allowed (loopback) and trusted: still not followed
	// Both receivers share the test certificate, so the sender trusts both.
	s := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()})
	for _, to := range []string{"https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/", other.URL} {
		rcv.RedirectTo(to)
		att := s.Send(context.Background(), rcv.URL, secret, "msg_redirect", time.Now(), body)
		if att.Succeeded() || att.StatusCode != http.StatusFound || att.Error != "redirect refused" {
			t.Errorf("redirect to %s: attempt %+v, want 302 redirect refused", to, att)
		}
	}
	if n := len(other.Requests()); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}
