package webhook_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"portal/models"
	"portal/models/webhook"
	"portal/models/webhook/webhooktest"
)

func TestSendTimeout(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	// The receiver would answer 200 after a minute; the sender gives it
	// a fraction of a second.
	rcv.SetDelay(time.Minute)
	att := send(t, webhook.Options{AllowLoopback: true, Timeout: 300 * time.Millisecond}, rcv, rcv.URL, secret, "msg_slow")
	if att.Succeeded() || att.StatusCode != 0 || att.Error != "timeout" {
		t.Fatalf("attempt = %+v, want no answer, timeout", att)
	}
}

func TestSendCallerCancel(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	rcv.SetDelay(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	// The caller gives up (shutdown) long before the receiver answers.
	time.AfterFunc(200*time.Millisecond, cancel)
	att := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()}).Send(ctx, rcv.URL, secret, "msg_1", time.Now(), body)
	if att.Succeeded() || att.Error != "canceled" {
		t.Fatalf("attempt = %+v, want canceled", att)
	}
}

func TestSendTruncatesTheResponse(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	max := models.MaxCallbackResponse
	cases := []struct {
		name, answer, want string
	}{
		{"short", "accepted", "accepted"},
		{"long", strings.Repeat("x", 5*max), strings.Repeat("x", max)},
		// "é" is two bytes; its first byte is the last that fits.
		{"rune across the limit", strings.Repeat("a", max-1) + "é" + strings.Repeat("b", 10), strings.Repeat("a", max-1)},
		{"NUL and invalid bytes", "ok\x00\xffdone", "ok?done"},
	}
	for _, c := range cases {
		rcv.SetResponse([]byte(c.answer))
		att := send(t, webhook.Options{AllowLoopback: true}, rcv, rcv.URL, secret, "msg_"+c.name)
		if !att.Succeeded() || att.Response != c.want {
			t.Errorf("%s: status %d, response %d bytes %.40q..., want %d bytes %.40q...", c.name, att.StatusCode, len(att.Response), att.Response, len(c.want), c.want)
		}
		if len(att.Response) > max || !utf8.ValidString(att.Response) {
			t.Errorf("%s: response of %d bytes, valid UTF-8 %v", c.name, len(att.Response), utf8.ValidString(att.Response))
		}
	}
}

func TestSendRecordsTheAnswer(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	s := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()})

	rcv.FailFirst(2)
	for i, want := range []int{500, 500, 200} {
		att := s.Send(context.Background(), rcv.URL, secret, "msg_retry", time.Now(), body)
		if att.StatusCode != want || att.Succeeded() != (want == 200) || att.Error != "" {
			t.Errorf("attempt %d = %+v, want %d", i+1, att, want)
		}
	}
	rcv.SetGone(true)
	if att := s.Send(context.Background(), rcv.URL, secret, "msg_gone", time.Now(), body); att.StatusCode != http.StatusGone || att.Succeeded() {
		t.Errorf("gone: %+v, want 410", att)
	}
	rcv.SetGone(false)
	// The same id answered 2xx twice is a duplicate the receiver counts.
	s.Send(context.Background(), rcv.URL, secret, "msg_retry", time.Now(), body)
	reqs := rcv.Requests()
	if len(reqs) != 5 || len(rcv.Delivered()) != 2 || rcv.Duplicates() != 1 {
		t.Errorf("requests %d, delivered %d, duplicates %d; want 5, 2, 1", len(reqs), len(rcv.Delivered()), rcv.Duplicates())
	}
	for i, q := range reqs {
		if !q.Verified {
			t.Errorf("request %d not verified", i)
		}
	}
}

func TestSendReceiverDownAndBack(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	s := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()})
	if att := s.Send(context.Background(), rcv.URL, secret, "msg_1", time.Now(), body); !att.Succeeded() {
		t.Fatalf("before: %+v", att)
	}
	rcv.Down()
	// The kept-alive connection went with it: the next attempt dials and is refused.
	if att := s.Send(context.Background(), rcv.URL, secret, "msg_2", time.Now(), body); att.Succeeded() || att.StatusCode != 0 || att.Error != "connection refused" {
		t.Fatalf("while down: %+v, want connection refused", att)
	}
	if err := rcv.Up(); err != nil {
		t.Fatal(err)
	}
	if att := s.Send(context.Background(), rcv.URL, secret, "msg_2", time.Now(), body); !att.Succeeded() {
		t.Fatalf("after: %+v", att)
	}
	got := rcv.Delivered()
	if len(got) != 2 || got[0].ID != "msg_1" || got[1].ID != "msg_2" {
		t.Errorf("delivered %v", got)
	}
}

func TestSendUntrustedCertificate(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	att := webhook.New(webhook.Options{AllowLoopback: true}).Send(context.Background(), rcv.URL, secret, "msg_1", time.Now(), body)
	if att.Succeeded() || att.StatusCode != 0 || att.Error != "tls: certificate not trusted" {
		t.Fatalf("attempt = %+v, want tls: certificate not trusted", att)
	}
	if len(rcv.Requests()) != 0 {
		t.Error("the receiver got a request over an untrusted connection")
	}
}

func BenchmarkSend(b *testing.B) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(b, secret)
	s := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool()})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if att := s.Send(ctx, rcv.URL, secret, "msg_bench", time.Now(), body); !att.Succeeded() {
			b.Fatalf("attempt = %+v", att)
		}
	}
}
