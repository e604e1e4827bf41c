package webhooktest_test

import (
	"context"
	"testing"
	"time"

	"portal/models/webhook"
	"portal/models/webhook/webhooktest"
)

// A sender retrying against a receiver that is down gets through once it
// is back, and WaitDelivered sees it.
func TestReceiverComesBackOnTheSameAddress(t *testing.T) {
	secret := webhook.NewSecret()
	rcv := webhooktest.New(t, secret)
	url := rcv.URL
	rcv.Down()
	s := webhook.New(webhook.Options{AllowLoopback: true, RootCAs: rcv.CertPool(), Timeout: 2 * time.Second})
	if att := s.Send(context.Background(), url, secret, "msg_1", time.Now(), []byte(`{}`)); att.Succeeded() {
		t.Fatalf("delivered while down: %+v", att)
	}
	done := make(chan string, 1)
	go func() {
		for {
			att := s.Send(context.Background(), url, secret, "msg_1", time.Now(), []byte(`{}`))
			if att.Succeeded() {
				done <- ""
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if err := rcv.Up(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rcv.WaitDelivered(ctx, 1); err != nil {
		t.Fatalf("never delivered after Up: %v", err)
	}
	<-done
	if rcv.URL != url || len(rcv.Delivered()) != 1 || rcv.Duplicates() != 0 {
		t.Errorf("url %s (was %s), delivered %d, duplicates %d", rcv.URL, url, len(rcv.Delivered()), rcv.Duplicates())
	}
}

// Closing a receiver that is down does not hang (the test's cleanup).
func TestReceiverClosesWhileDown(t *testing.T) {
	rcv := webhooktest.New(t, webhook.NewSecret())
	rcv.Down()
	rcv.Close()
}
