package store_test

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// echoVerified echoes once and reports whether the receiver verified it.
func echoVerified(t *testing.T, w *cbWorld) bool {
	t.Helper()
	raw := json.RawMessage(`{"processUniqueId":"` + w.process + `","processNumber":1,"fromStatusId":1,"toStatusId":2}`)
	res, err := w.s.EchoCallback(w.broker, w.partner, models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: w.process, RawBody: raw})
	storetest.Must(t, err, "echo")
	reqs := w.rcv.Requests()
	last := reqs[len(reqs)-1]
	if last.ID != res.WebhookID {
		t.Fatalf("echo %s, receiver's last request %s", res.WebhookID, last.ID)
	}
	return last.Verified
}

// After a rotation a receiver still holding the old secret verifies both
// deliveries and echoes, as does one with the new secret; once the overlap
// has passed only the new secret verifies.
func TestCallbackRotationKeepsTheOldSecretForTheOverlap(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		// The store's clock, shifted later on while the workers read it.
		var mu sync.Mutex
		var shift time.Duration
		s.SetClock(func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return time.Now().Add(shift)
		})
		setShift := func(d time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			shift = d
		}
		opts := fastCallbacks(3)
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged)
		old := w.secret
		rot, err := s.PutCallback(w.broker, w.partner, models.NotificationProcessStatusChanged, models.CallbackInput{URL: w.rcv.URL}, true)
		storetest.Must(t, err, "rotate")
		if rot.Secret == "" || rot.Secret == old {
			t.Fatalf("rotated to %q", rot.Secret)
		}
		if !echoVerified(t, w) {
			t.Fatal("an echo did not verify with the old secret during the overlap")
		}
		w.start(t, s, opts)
		w.event(t, models.EventProcessStatusChanged, 2)
		waitDelivered(t, w.rcv, 2) // the echo and the delivery
		settle(t, s)

		storetest.Must(t, w.rcv.SetSecret(rot.Secret), "new secret")
		if !echoVerified(t, w) {
			t.Fatal("an echo did not verify with the new secret")
		}

		// Rotate again with the store's clock a full overlap in the past (the
		// receiver checks timestamps against real time, so the clock moves
		// back rather than echoes forward): the secret it replaced no longer
		// signs.
		setShift(-models.CallbackSecretOverlap - time.Minute)
		rot2, err := s.PutCallback(w.broker, w.partner, models.NotificationProcessStatusChanged, models.CallbackInput{URL: w.rcv.URL}, true)
		storetest.Must(t, err, "rotate again")
		setShift(0)
		if echoVerified(t, w) {
			t.Fatal("after the overlap an echo still verified with the replaced secret")
		}
		storetest.Must(t, w.rcv.SetSecret(rot2.Secret), "newest secret")
		if !echoVerified(t, w) {
			t.Fatal("after the overlap an echo did not verify with the new secret")
		}
	})
}

// With the store's key, signing secrets are sealed in the table (a plain
// row from before still works) and deliveries verify.
func TestCallbackSecretsSealedAtRest(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		key := make([]byte, store.TOTPKeyLen)
		_, _ = rand.Read(key)
		storetest.Must(t, s.ConfigureTOTP(key, models.SecondFactorPolicy{}), "key")
		opts := fastCallbacks(3)
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged) // leaves the row plain
		if !echoVerified(t, w) {
			t.Fatal("a plain secret from before sealing did not sign")
		}
		old := w.secret
		// Replacing it without rotation seals the plain secret it keeps.
		_, err := s.PutCallback(w.broker, w.partner, models.NotificationProcessStatusChanged, models.CallbackInput{URL: w.rcv.URL}, false)
		storetest.Must(t, err, "replace")
		var kept string
		storetest.Must(t, s.DB().Raw("SELECT secret FROM callback_subscriptions").Scan(&kept).Error, "kept")
		if !strings.HasPrefix(kept, "v1:") || strings.Contains(kept, strings.TrimPrefix(old, "whsec_")) {
			t.Fatalf("replaced subscription stored %q", kept)
		}
		if !echoVerified(t, w) {
			t.Fatal("the resealed secret did not sign")
		}
		rot, err := s.PutCallback(w.broker, w.partner, models.NotificationProcessStatusChanged, models.CallbackInput{URL: w.rcv.URL}, true)
		storetest.Must(t, err, "rotate")
		var row struct{ Secret, PreviousSecret string }
		storetest.Must(t, s.DB().Raw("SELECT secret, previous_secret FROM callback_subscriptions").Scan(&row).Error, "row")
		for _, c := range []string{row.Secret, row.PreviousSecret} {
			if !strings.HasPrefix(c, "v1:") || strings.Contains(c, strings.TrimPrefix(rot.Secret, "whsec_")) ||
				strings.Contains(c, strings.TrimPrefix(old, "whsec_")) {
				t.Fatalf("stored %q (secrets %q, %q)", c, rot.Secret, old)
			}
		}
		storetest.Must(t, w.rcv.SetSecret(rot.Secret), "new secret")
		w.start(t, s, opts)
		w.event(t, models.EventProcessStatusChanged, 2)
		waitDelivered(t, w.rcv, 2)
		reqs := w.rcv.Requests()
		if last := reqs[len(reqs)-1]; !last.Verified {
			t.Fatalf("delivery with a sealed secret: %+v", last)
		}
		// A new subscription is sealed from the start.
		sub, err := s.PutCallback(w.broker, w.partner, models.NotificationEsisIssued, models.CallbackInput{URL: w.rcv.URL}, false)
		storetest.Must(t, err, "create")
		var stored string
		storetest.Must(t, s.DB().Raw("SELECT secret FROM callback_subscriptions WHERE notification_type_id = 6").Scan(&stored).Error, "new row")
		if !strings.HasPrefix(stored, "v1:") || strings.Contains(stored, strings.TrimPrefix(sub.Secret, "whsec_")) {
			t.Fatalf("new subscription stored %q", stored)
		}
	})
}

// Ten echoes a minute per partner, counted in the database: echoes made
// through two instances share the limit, the eleventh is refused with the
// seconds to wait and is not sent, and the window passing lets echoes
// through again.
func TestCallbackEchoRateLimit(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		opts := fastCallbacks(3)
		w := newCBWorld(t, s, opts, models.NotificationProcessStatusChanged)
		s2 := reopen(t, s)
		s2.SetCallbackSender(w.sender, opts)
		base := time.Now().UTC()
		s.SetClock(func() time.Time { return base })
		s2.SetClock(func() time.Time { return base.Add(20 * time.Second) })
		raw := json.RawMessage(`{"processUniqueId":"` + w.process + `","processNumber":1,"fromStatusId":1,"toStatusId":2}`)
		in := models.CallbackEcho{NotificationTypeID: 1, ProcessUUID: w.process, RawBody: raw}
		for i := range models.EchoRateLimit {
			inst := s
			if i%2 == 1 {
				inst = s2
			}
			_, err := inst.EchoCallback(w.broker, w.partner, in)
			storetest.Must(t, err, "echo %d", i+1)
		}
		_, err := s2.EchoCallback(w.broker, w.partner, in)
		var me *models.Error
		if !errors.As(err, &me) || me.Code != models.CodeRateLimited || me.RetryAfter != int((models.EchoRateWindow-20*time.Second).Seconds()) {
			t.Fatalf("echo beyond the limit: %v (%+v)", err, me)
		}
		if n := len(w.rcv.Requests()); n != models.EchoRateLimit {
			t.Fatalf("the receiver got %d echoes", n)
		}
		s.SetClock(func() time.Time { return base.Add(models.EchoRateWindow + time.Second) })
		_, err = s.EchoCallback(w.broker, w.partner, in)
		storetest.Must(t, err, "echo after the window")
	})
}
