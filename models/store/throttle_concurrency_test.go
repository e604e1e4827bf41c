package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// burst is how a burst of parallel attempts was answered.
type burst struct {
	ok, unauthorized int
	throttled        int // rate-limited by the failure count
	busy             int // rate-limited for lack of password-check capacity (Retry-After 1)
	other            []error
}

// parallel runs n calls of fn at once (released together) and sorts their
// answers.
func parallel(t *testing.T, n int, fn func(i int) error) burst {
	t.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	var b burst
	for _, err := range errs {
		switch {
		case err == nil:
			b.ok++
		case models.ErrorCode(err) == models.CodeUnauthorized:
			b.unauthorized++
		case models.ErrorCode(err) == models.CodeRateLimited && domainError(t, err).RetryAfter == models.HashingBusyRetryAfter:
			b.busy++
		case models.ErrorCode(err) == models.CodeRateLimited:
			b.throttled++
		default:
			b.other = append(b.other, err)
		}
	}
	t.Logf("burst of %d: %+v", n, b)
	return b
}

// check fails t unless, of n attempts against a limit with none used yet,
// exactly the first limit were let through to the password check (answered
// as wrong, or refused for capacity) and all the others were throttled.
func (b burst) check(t *testing.T, n, limit int) {
	t.Helper()
	if b.ok != 0 || len(b.other) != 0 {
		t.Fatalf("burst %+v: want only unauthorized and rate-limited answers", b)
	}
	// The guarantee: never more than limit guesses checked. A "busy" answer
	// (no hashing slot in time) is not a failure, so under load it can let
	// one more attempt in to be checked or throttled instead.
	if b.unauthorized == 0 || b.unauthorized > limit || b.unauthorized+b.busy < limit ||
		b.unauthorized+b.busy+b.throttled != n {
		t.Fatalf("burst %+v: want at most %d checked (unauthorized, or busy), the rest throttled", b, limit)
	}
}

// Parallel guesses must not beat the throttle: each attempt is recorded
// before its password is hashed, so at most the limit's worth of guesses is
// ever checked, however many arrive at once.
func TestLoginThrottleUnderConcurrency(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 20
		u := addUser(t, s, "parallel.guess@bank.example")
		b := parallel(t, n, func(i int) error {
			// A new address each time: the account limit is the one hit.
			_, err := s.Login(ctx, u.Email, fmt.Sprintf("guess-%d", i), fmt.Sprintf("198.51.100.%d", 100+i))
			return err
		})
		b.check(t, n, store.MaxFailuresPerAccount)
		// The audit log agrees: one failure row per checked guess, one
		// throttled row per refusal.
		if rows := auditRows(t, s, models.AuditLoginFailed, u.Email); len(rows) != b.unauthorized {
			t.Errorf("%d login.failed rows for %d wrong-password answers", len(rows), b.unauthorized)
		}
		if rows := auditRows(t, s, models.AuditLoginThrottled, u.Email); len(rows) != b.throttled+b.busy {
			t.Errorf("%d login.throttled rows for %d refusals", len(rows), b.throttled+b.busy)
		}
		if b.unauthorized == store.MaxFailuresPerAccount {
			_, err := s.Login(ctx, u.Email, store.DemoPassword, "198.51.100.250")
			wantCode(t, err, models.CodeRateLimited)
		}
	})
}

// The same through DirectLogin, which shares the browser login's check.
func TestDirectLoginThrottleUnderConcurrency(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 20
		u := addUser(t, s, "parallel.direct@bank.example")
		b := parallel(t, n, func(i int) error {
			_, err := s.DirectLogin(ctx, directLogin(u.Email, fmt.Sprintf("guess-%d", i), store.DemoConsumerKey,
				fmt.Sprintf("198.51.100.%d", 100+i)))
			return err
		})
		b.check(t, n, store.MaxFailuresPerAccount)
		if rows := auditRows(t, s, models.AuditDirectLoginFailed, u.Email); len(rows) != b.unauthorized {
			t.Errorf("%d directlogin failure rows for %d wrong-password answers", len(rows), b.unauthorized)
		}
	})
}

// A success in the middle of failures does not count as one: the attempt's
// row becomes the ok row.
func TestLoginSuccessIsNotCountedAsFailure(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := addUser(t, s, "ok.in.between@bank.example")
		const ip = "198.51.100.60"
		for range store.MaxFailuresPerAccount + 3 {
			if _, err := s.Login(ctx, u.Email, store.DemoPassword, ip); err != nil {
				t.Fatalf("right password: %v", err)
			}
		}
		if rows := auditRows(t, s, models.AuditLoginFailed, u.Email); len(rows) != 0 {
			t.Fatalf("successful sign-ins left login.failed rows: %+v", rows)
		}
		rows := auditRows(t, s, models.AuditLoginOK, u.Email)
		if len(rows) != store.MaxFailuresPerAccount+3 {
			t.Fatalf("%d login.ok rows", len(rows))
		}
		for _, r := range rows {
			if r.Outcome != "ok" || r.ActorUserID == nil || *r.ActorUserID != u.ID || r.ClientIP != ip || r.CreatedAt.IsZero() {
				t.Fatalf("login.ok row %+v", r)
			}
		}
	})
}

// Partner authentication: the same guarantee per client id and address.
func TestPartnerAuthThrottleUnderConcurrency(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n := store.MaxPartnerFailuresPerSource + 8
		b := parallel(t, n, func(i int) error {
			in := demoLogin(anaEmail)
			in.ClientSecret = fmt.Sprintf("guess-%d", i)
			in.ClientIP = "203.0.113.100"
			_, _, err := s.AuthenticatePartner(ctx, in)
			return err
		})
		b.check(t, n, store.MaxPartnerFailuresPerSource)
		if rows := auditRows(t, s, models.AuditPartnerAuthFailed, store.DemoPartnerClient); len(rows) != b.unauthorized {
			t.Errorf("%d partner.auth.failed rows for %d refusals", len(rows), b.unauthorized)
		}
		if rows := auditRows(t, s, models.AuditPartnerAuthThrottled, store.DemoPartnerClient); len(rows) != b.throttled+b.busy {
			t.Errorf("%d partner.auth.throttled rows for %d throttled answers", len(rows), b.throttled+b.busy)
		}
		// The same client id from another address is not held up.
		in := demoLogin(anaEmail)
		in.ClientIP = "203.0.113.101"
		if _, _, err := s.AuthenticatePartner(ctx, in); err != nil {
			t.Fatalf("the client id from another address: %v", err)
		}
	})
}

// From an address trusted for the account, parallel guesses are limited
// per account and address; from one address over many accounts, per
// address.
func TestSourceAndAddressThrottleUnderConcurrency(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := addUser(t, s, "parallel.trusted@bank.example")
		const home = "198.51.100.90"
		if _, err := s.Login(ctx, u.Email, store.DemoPassword, home); err != nil {
			t.Fatal(err)
		}
		const n = 20
		b := parallel(t, n, func(i int) error {
			_, err := s.Login(ctx, u.Email, fmt.Sprintf("guess-%d", i), home)
			return err
		})
		b.check(t, n, store.MaxFailuresPerAccount)

		const ip = "198.51.100.91"
		m := store.MaxFailuresPerAddress + 6
		b = parallel(t, m, func(i int) error {
			_, err := s.Login(ctx, fmt.Sprintf("nobody-%d@bank.example", i), "guess", ip)
			return err
		})
		b.check(t, m, store.MaxFailuresPerAddress)
	})
}

// A flood of wrong passwords that fills every password-check slot (and a
// stranger's failures on the account) does not stop the owner: their
// sign-in from their usual address waits its turn and succeeds.
func TestGenuineLoginWaitsThroughAFlood(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := addUser(t, s, "flooded.owner@bank.example")
		const home = "198.51.100.95"
		if _, err := s.Login(ctx, u.Email, store.DemoPassword, home); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			addFailures(t, s, u.Email, fmt.Sprintf("192.0.2.%d", i+1), 1)
		}

		gate := models.PasswordChecks
		slots, queue := gate.Limits()
		var held []func()
		for range slots {
			r, err := gate.Acquire(ctx)
			storetest.Must(t, err, "hold a slot")
			held = append(held, r)
		}
		flood := min(2*slots, queue-1)
		var (
			wg       sync.WaitGroup
			floodErr = make([]error, flood)
			ownerErr error
		)
		for i := range flood {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, floodErr[i] = s.Login(ctx, fmt.Sprintf("flood-%d@bank.example", i), "guess", fmt.Sprintf("198.18.0.%d", i+1))
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ownerErr = s.Login(ctx, u.Email, store.DemoPassword, home)
		}()
		deadline := time.Now().Add(10 * time.Second)
		for gate.Waiting() < flood+1 {
			if time.Now().After(deadline) {
				t.Fatalf("%d waiting for a slot, want %d", gate.Waiting(), flood+1)
			}
			time.Sleep(time.Millisecond)
		}
		for _, r := range held {
			r()
		}
		wg.Wait()
		if ownerErr != nil {
			t.Fatalf("the owner during the flood: %v", ownerErr)
		}
		for i, err := range floodErr {
			if c := models.ErrorCode(err); c != models.CodeUnauthorized && !errors.Is(err, models.ErrHashingBusy) {
				t.Errorf("flood attempt %d: %v", i, err)
			}
		}
	})
}
