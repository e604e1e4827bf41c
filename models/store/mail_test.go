package store_test

import (
	"context"
	"errors"
	"mime"
	"testing"
	"time"

	"gorm.io/gorm"

	"portal/models"
	portalmail "portal/models/mail"
	"portal/models/mail/mailtest"
	"portal/models/store"
	"portal/models/store/storetest"
)

var queued = models.Mail{To: "ana.silva@example.com", Subject: "Olá", Text: "Uma mensagem.\n", Lang: "pt-PT"}

// A mail queued in a transaction goes out only if it commits, and arrives
// at the SMTP server with its headers.
func TestMailQueueSendsAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Must(t, s.DB().Transaction(func(tx *gorm.DB) error { return store.QueueMail(tx, queued) }), "queue")
		rolledBack := errors.New("roll back")
		if err := s.DB().Transaction(func(tx *gorm.DB) error {
			other := queued
			other.To = "rolled.back@example.com"
			if err := store.QueueMail(tx, other); err != nil {
				return err
			}
			return rolledBack
		}); !errors.Is(err, rolledBack) {
			t.Fatal(err)
		}
		srv := mailtest.Start(t)
		smtp, err := portalmail.NewSMTP(srv.Config("no-reply@portal.example"))
		storetest.Must(t, err, "smtp")
		sender := s.NewMailSender(smtp, store.MailSenderOptions{})
		n, err := sender.SendDue(ctx)
		storetest.Must(t, err, "send")
		if n != 1 {
			t.Fatalf("claimed %d mails, want 1 (the committed one)", n)
		}
		got := srv.Messages()
		if len(got) != 1 || got[0].To[0] != queued.To {
			t.Fatalf("received %+v", got)
		}
		if subject, err := new(mime.WordDecoder).DecodeHeader(got[0].Msg.Header.Get("Subject")); err != nil || subject != queued.Subject {
			t.Fatalf("Subject %q", got[0].Msg.Header.Get("Subject"))
		}
		if got[0].Msg.Header.Get("Content-Language") != "pt-PT" || mailtest.PlainText(got[0].Raw) != queued.Text {
			t.Fatalf("headers %v", got[0].Msg.Header)
		}
		rows, err := s.QueuedMails(ctx)
		storetest.Must(t, err, "queue")
		if len(rows) != 1 || rows[0].Status != store.MailSent || rows[0].Attempts != 1 {
			t.Fatalf("queue %+v", rows)
		}
		if n, _ := sender.SendDue(ctx); n != 0 || len(srv.Messages()) != 1 {
			t.Fatalf("a sent mail was claimed again")
		}
	})
}

// A server that refuses first and then accepts: the mail is retried after
// its backoff and delivered exactly once.
func TestMailQueueRetriesThenDeliversOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Must(t, s.DB().Transaction(func(tx *gorm.DB) error { return store.QueueMail(tx, queued) }), "queue")
		srv := mailtest.Start(t)
		srv.FailNext(2)
		smtp, err := portalmail.NewSMTP(srv.Config("no-reply@portal.example"))
		storetest.Must(t, err, "smtp")
		sender := s.NewMailSender(smtp, store.MailSenderOptions{Poll: 10 * time.Millisecond,
			Backoff: func(int) time.Duration { return time.Millisecond }})
		sender.Start()
		got := srv.Wait(t, 1, 30*time.Second)
		sender.Stop()
		if len(got) != 1 || srv.Refused() != 2 {
			t.Fatalf("delivered %d, refused %d; want 1 after 2 refusals", len(got), srv.Refused())
		}
		rows, err := s.QueuedMails(ctx)
		storetest.Must(t, err, "queue")
		if len(rows) != 1 || rows[0].Status != store.MailSent || rows[0].Attempts != 3 {
			t.Fatalf("queue %+v, want sent at the third attempt", rows)
		}
	})
}

// After its last attempt a mail is marked failed and left alone.
func TestMailQueueGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Must(t, s.DB().Transaction(func(tx *gorm.DB) error { return store.QueueMail(tx, queued) }), "queue")
		srv := mailtest.Start(t)
		srv.FailNext(100)
		smtp, err := portalmail.NewSMTP(srv.Config("no-reply@portal.example"))
		storetest.Must(t, err, "smtp")
		sender := s.NewMailSender(smtp, store.MailSenderOptions{MaxAttempts: 2, Backoff: func(int) time.Duration { return 0 }})
		for range 4 {
			_, err := sender.SendDue(ctx)
			storetest.Must(t, err, "pass")
		}
		rows, err := s.QueuedMails(ctx)
		storetest.Must(t, err, "queue")
		if len(rows) != 1 || rows[0].Status != store.MailFailed || rows[0].Attempts != 2 || rows[0].LastError == "" {
			t.Fatalf("queue %+v, want failed after 2 attempts", rows)
		}
		if srv.Refused() != 2 {
			t.Fatalf("%d attempts reached the server, want 2", srv.Refused())
		}
	})
}

// Two senders on one queue (two instances) never deliver a mail twice.
func TestMailQueueTwoSenders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 30
		storetest.Must(t, s.DB().Transaction(func(tx *gorm.DB) error {
			for range n {
				if err := store.QueueMail(tx, queued); err != nil {
					return err
				}
			}
			return nil
		}), "queue")
		srv := mailtest.Start(t)
		smtp, err := portalmail.NewSMTP(srv.Config("no-reply@portal.example"))
		storetest.Must(t, err, "smtp")
		a := s.NewMailSender(smtp, store.MailSenderOptions{Batch: 3})
		b := s.NewMailSender(smtp, store.MailSenderOptions{Batch: 3})
		done := make(chan error, 2)
		for _, snd := range []*store.MailSender{a, b} {
			go func() {
				for {
					k, err := snd.SendDue(ctx)
					if err != nil || k == 0 {
						done <- err
						return
					}
				}
			}()
		}
		storetest.Must(t, <-done, "sender")
		storetest.Must(t, <-done, "sender")
		if got := len(srv.Messages()); got != n {
			t.Fatalf("%d messages delivered, want %d", got, n)
		}
	})
}

func TestQueueMailValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		bad := queued
		bad.Subject = "two\nlines"
		err := s.DB().Transaction(func(tx *gorm.DB) error { return store.QueueMail(tx, bad) })
		if models.ErrorCode(err) != models.CodeInvalid {
			t.Fatalf("got %v, want invalid", err)
		}
	})
}
