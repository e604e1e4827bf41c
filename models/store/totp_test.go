package store_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

func totpKey(t testing.TB) []byte {
	k := make([]byte, store.TOTPKeyLen)
	_, _ = rand.Read(k)
	return k
}

// testClock is the store's clock in these tests: a code is good once per
// 30-second step, so the tests move time on rather than wait.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// step moves the clock to the next time step.
func (c *testClock) step() { c.t = c.t.Add(models.TOTPPeriod) }

func clockFor(s *store.Store) *testClock {
	c := &testClock{t: time.Now().UTC().Truncate(models.TOTPPeriod).Add(5 * time.Second)}
	store.SetClock(s, c.now)
	return c
}

// code is the code of secret at the clock's time.
func (c *testClock) code(t testing.TB, secret string) string {
	t.Helper()
	code, err := models.TOTPCode(secret, c.t)
	storetest.Must(t, err, "code")
	return code
}

// currentCode is the code of secret at a time.
func currentCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := models.TOTPCode(secret, at)
	storetest.Must(t, err, "code")
	return c
}

// enrol sets up TOTP for the user of ctx and returns the secret and the
// recovery codes; the clock then moves to the next step (the confirming
// code's is spent).
func enrol(t *testing.T, s *store.Store, clock *testClock, ctx context.Context) (string, []string) {
	t.Helper()
	e, err := s.BeginTOTPEnrolment(ctx)
	storetest.Must(t, err, "begin enrolment")
	codes, err := s.ConfirmTOTPEnrolment(ctx, clock.code(t, e.Secret))
	storetest.Must(t, err, "confirm enrolment")
	clock.step()
	return e.Secret, codes
}

func TestTOTPEnrolment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		key := totpKey(t)
		storetest.Must(t, s.ConfigureTOTP(key, models.SecondFactorPolicy{}), "configure")
		clock := clockFor(s)
		uid := sessionUser(t, s)
		ctx := storetest.As(t, s, uid)

		st, err := s.SecondFactor(ctx, uid)
		storetest.Must(t, err, "state")
		if st.Enrolled || st.Required {
			t.Fatalf("fresh user: %+v", st)
		}

		e, err := s.BeginTOTPEnrolment(ctx)
		storetest.Must(t, err, "begin")
		if len(e.Secret) < 32 || !strings.HasPrefix(e.URL, "otpauth://totp/") || !strings.Contains(e.URL, "secret="+e.Secret) {
			t.Fatalf("enrolment %+v", e)
		}
		// The page shown again offers the same secret (the QR code already
		// scanned keeps working).
		again, err := s.BeginTOTPEnrolment(ctx)
		storetest.Must(t, err, "begin again")
		if again.Secret != e.Secret {
			t.Fatal("a reload changed the secret being set up")
		}
		// Sealed at rest: the secret is nowhere in the row.
		var sealed string
		storetest.Must(t, s.DB().Table("user_totp").Where("user_id = ?", uid).Pluck("secret_enc", &sealed).Error, "row")
		if sealed == "" || strings.Contains(sealed, e.Secret) {
			t.Fatalf("stored secret %q is not sealed", sealed)
		}
		// Not enrolled until confirmed, and a wrong code does not confirm.
		if ok, _ := s.VerifyTOTP(ctx, uid, clock.code(t, e.Secret)); ok {
			t.Fatal("an unconfirmed secret signed in")
		}
		if _, err := s.ConfirmTOTPEnrolment(ctx, "000000"); models.ErrorCode(err) != models.CodeInvalid {
			// 000000 is right once in a million; the test would then fail loudly.
			t.Fatalf("wrong code: %v", err)
		}
		confirming := clock.code(t, e.Secret)
		codes, err := s.ConfirmTOTPEnrolment(ctx, confirming)
		storetest.Must(t, err, "confirm")
		if len(codes) != models.RecoveryCodeCount {
			t.Fatalf("%d recovery codes", len(codes))
		}
		var hashes []string
		storetest.Must(t, s.DB().Table("totp_recovery_codes").Where("user_id = ?", uid).Pluck("code_hash", &hashes).Error, "codes")
		for _, h := range hashes {
			for _, c := range codes {
				if strings.Contains(h, models.NormalizeRecoveryCode(c)) {
					t.Fatal("a recovery code is stored in clear")
				}
			}
		}
		st, err = s.SecondFactor(ctx, uid)
		storetest.Must(t, err, "state")
		if !st.Enrolled || st.RecoveryCodesLeft != models.RecoveryCodeCount {
			t.Fatalf("after confirm: %+v", st)
		}
		if _, err := s.BeginTOTPEnrolment(ctx); models.ErrorCode(err) != models.CodeConflict {
			t.Fatalf("enrolling twice: %v", err)
		}
		if n := len(auditRows(t, s, models.AuditTOTPEnrolled, "session.user@bank.example")); n != 1 {
			t.Fatalf("%d enrolment audit rows", n)
		}

		// The code that confirmed cannot be used again (its step is spent),
		// nor can an earlier step's.
		if ok, err := s.VerifyTOTP(ctx, uid, confirming); ok || err != nil {
			t.Fatalf("the confirming code again: %v %v", ok, err)
		}
		if ok, _ := s.VerifyTOTP(ctx, uid, currentCode(t, e.Secret, clock.now().Add(-models.TOTPPeriod))); ok {
			t.Fatal("an older step's code after the confirmation")
		}
		// The next step's code (as if a phone were a little ahead) works once.
		next := currentCode(t, e.Secret, clock.now().Add(models.TOTPPeriod))
		if ok, err := s.VerifyTOTP(ctx, uid, next); !ok || err != nil {
			t.Fatalf("next step's code: %v %v", ok, err)
		}
		if ok, _ := s.VerifyTOTP(ctx, uid, next); ok {
			t.Fatal("a code replayed")
		}
		// Two steps on, a code no longer in the window is refused.
		clock.step()
		clock.step()
		clock.step()
		if ok, _ := s.VerifyTOTP(ctx, uid, next); ok {
			t.Fatal("a code outside the window accepted")
		}

		// Recovery codes: each once, typed any way.
		typed := strings.ToUpper(strings.ReplaceAll(codes[0], "-", ""))
		if ok, err := s.UseRecoveryCode(ctx, uid, typed); !ok || err != nil {
			t.Fatalf("recovery code: %v %v", ok, err)
		}
		if ok, _ := s.UseRecoveryCode(ctx, uid, codes[0]); ok {
			t.Fatal("a recovery code worked twice")
		}
		if ok, _ := s.UseRecoveryCode(ctx, uid, "abcd-efgh-jkmn"); ok {
			t.Fatal("a made-up recovery code worked")
		}
		st, _ = s.SecondFactor(ctx, uid)
		if st.RecoveryCodesLeft != models.RecoveryCodeCount-1 {
			t.Fatalf("codes left %d", st.RecoveryCodesLeft)
		}

		// Another key cannot open the secret.
		storetest.Must(t, s.ConfigureTOTP(totpKey(t), models.SecondFactorPolicy{}), "configure another key")
		if _, err := s.VerifyTOTP(ctx, uid, clock.code(t, e.Secret)); models.ErrorCode(err) != models.CodeInternal {
			t.Fatalf("a secret opened under another key: %v", err)
		}
		storetest.Must(t, s.ConfigureTOTP(key, models.SecondFactorPolicy{}), "configure the key again")
		if ok, err := s.VerifyTOTP(ctx, uid, clock.code(t, e.Secret)); !ok || err != nil {
			t.Fatalf("the right key again: %v", err)
		}
	})
}

func TestTOTPRecoveryCodesRenewAndDisable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		key := totpKey(t)
		storetest.Must(t, s.ConfigureTOTP(key, models.SecondFactorPolicy{}), "configure")
		clock := clockFor(s)
		uid := sessionUser(t, s)
		ctx := storetest.As(t, s, uid)
		secret, old := enrol(t, s, clock, ctx)

		// Renewing needs a current code (the confirming one is spent).
		spent := currentCode(t, secret, clock.now().Add(-models.TOTPPeriod))
		if _, err := s.RegenerateRecoveryCodes(ctx, spent); models.ErrorCode(err) != models.CodeInvalid {
			t.Fatalf("renew with a spent code: %v", err)
		}
		fresh, err := s.RegenerateRecoveryCodes(ctx, clock.code(t, secret))
		storetest.Must(t, err, "renew")
		clock.step()
		if ok, _ := s.UseRecoveryCode(ctx, uid, old[1]); ok {
			t.Fatal("an old recovery code works after renewal")
		}
		if ok, _ := s.UseRecoveryCode(ctx, uid, fresh[1]); !ok {
			t.Fatal("a new recovery code does not work")
		}

		// Disabling needs a current code too; refused when required.
		storetest.Must(t, s.ConfigureTOTP(key, models.SecondFactorPolicy{Kinds: []models.UserKind{models.KindStaff}}), "require")
		if err := s.DisableTOTP(ctx, "123456"); models.ErrorCode(err) != models.CodeForbidden {
			t.Fatalf("disable when required: %v", err)
		}
		storetest.Must(t, s.ConfigureTOTP(key, models.SecondFactorPolicy{}), "do not require")
		if err := s.DisableTOTP(ctx, "12345"); models.ErrorCode(err) != models.CodeInvalid {
			t.Fatalf("disable with a bad code: %v", err)
		}
		storetest.Must(t, s.DisableTOTP(ctx, clock.code(t, secret)), "disable")
		st, _ := s.SecondFactor(ctx, uid)
		if st.Enrolled || st.RecoveryCodesLeft != 0 {
			t.Fatalf("after disable: %+v", st)
		}
		var n int64
		storetest.Must(t, s.DB().Table("totp_recovery_codes").Where("user_id = ?", uid).Count(&n).Error, "count")
		if n != 0 {
			t.Fatalf("%d recovery codes left after disable", n)
		}
	})
}

func TestSecondFactorSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.ConfigureTOTP(totpKey(t), models.SecondFactorPolicy{}), "configure")
		clock := clockFor(s)
		uid := sessionUser(t, s)
		ctx := storetest.As(t, s, uid)
		secret, codes := enrol(t, s, clock, ctx)
		var used string
		bg := context.Background()
		const email = "session.user@bank.example"

		t.Run("a right code completes the sign-in once", func(t *testing.T) {
			tok, err := s.StartSecondFactor(bg, uid, "/staff/customers", "198.51.100.7")
			storetest.Must(t, err, "start")
			pend, err := s.PendingSecondFactor(bg, tok)
			storetest.Must(t, err, "pending")
			if pend.UserID != uid || pend.Email != email || pend.Next != "/staff/customers" {
				t.Fatalf("pending %+v", pend)
			}
			var plain int64
			storetest.Must(t, s.DB().Table("totp_pending").Where("token_hash = ?", tok).Count(&plain).Error, "plain")
			if plain != 0 {
				t.Fatal("pending token stored in clear")
			}
			used = clock.code(t, secret)
			p, got, err := s.CompleteSecondFactor(bg, tok, used, "198.51.100.7")
			storetest.Must(t, err, "complete")
			if p.UserID != uid || got.Next != "/staff/customers" {
				t.Fatalf("signed in %+v %+v", p, got)
			}
			if _, err := s.PendingSecondFactor(bg, tok); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("pending after completion: %v", err)
			}
			if rows := auditRows(t, s, models.AuditSecondFactorOK, email); len(rows) != 1 || rows[0].Detail != "totp" {
				t.Fatalf("ok audit %+v", rows)
			}
		})

		t.Run("a replayed code is refused", func(t *testing.T) {
			tok, _ := s.StartSecondFactor(bg, uid, "", "198.51.100.7")
			_, _, err := s.CompleteSecondFactor(bg, tok, used, "198.51.100.7")
			if models.ErrorCode(err) != models.CodeInvalid {
				t.Fatalf("replay: %v", err)
			}
			if rows := auditRows(t, s, models.AuditSecondFactorFailed, email); len(rows) != 1 {
				t.Fatalf("failure audit %+v", rows)
			}
		})

		t.Run("a recovery code signs in once", func(t *testing.T) {
			tok, _ := s.StartSecondFactor(bg, uid, "", "198.51.100.7")
			_, _, err := s.CompleteSecondFactor(bg, tok, codes[2], "198.51.100.7")
			storetest.Must(t, err, "recovery")
			tok, _ = s.StartSecondFactor(bg, uid, "", "198.51.100.7")
			if _, _, err := s.CompleteSecondFactor(bg, tok, codes[2], "198.51.100.7"); models.ErrorCode(err) != models.CodeInvalid {
				t.Fatalf("recovery code twice: %v", err)
			}
		})

		t.Run("five wrong codes end the pending sign-in", func(t *testing.T) {
			tok, _ := s.StartSecondFactor(bg, uid, "", "198.51.100.7")
			for i := 1; i < models.MaxSecondFactorAttempts; i++ {
				if _, _, err := s.CompleteSecondFactor(bg, tok, "abcd-efgh-jkmn", "198.51.100.7"); models.ErrorCode(err) != models.CodeInvalid {
					t.Fatalf("wrong code %d: %v", i, err)
				}
			}
			_, _, err := s.CompleteSecondFactor(bg, tok, "abcd-efgh-jkmn", "198.51.100.7")
			if models.ErrorCode(err) != models.CodeRateLimited {
				t.Fatalf("last wrong code: %v", err)
			}
			// Even the right code is too late now.
			_, _, err = s.CompleteSecondFactor(bg, tok, codes[3], "198.51.100.7")
			if models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("right code after the limit: %v", err)
			}
			if rows := auditRows(t, s, models.AuditSecondFactorThrottled, email); len(rows) != 1 {
				t.Fatalf("throttle audit %+v", rows)
			}
		})

		t.Run("too many wrong codes for the account stop new sign-ins too", func(t *testing.T) {
			// 2 failures so far (replay, recovery twice) + 5: three more.
			tok, _ := s.StartSecondFactor(bg, uid, "", "198.51.100.8")
			for i := 0; i < 3; i++ {
				_, _, _ = s.CompleteSecondFactor(bg, tok, "abcd-efgh-jkmn", "198.51.100.8")
			}
			tok, _ = s.StartSecondFactor(bg, uid, "", "198.51.100.8")
			_, _, err := s.CompleteSecondFactor(bg, tok, codes[4], "198.51.100.8")
			if models.ErrorCode(err) != models.CodeRateLimited {
				t.Fatalf("after %d failures for the account: %v", models.MaxSecondFactorFailures, err)
			}
			if ok, _ := s.UseRecoveryCode(bg, uid, codes[4]); !ok {
				t.Fatal("the throttled attempt spent the recovery code")
			}
		})

		t.Run("an expired pending sign-in is gone", func(t *testing.T) {
			tok, _ := s.StartSecondFactor(bg, uid, "", "198.51.100.7")
			storetest.Must(t, s.DB().Table("totp_pending").Where("token_hash = ?", store.HashToken(tok)).
				Update("expires_at", clock.now().Add(-time.Second)).Error, "age")
			if _, err := s.PendingSecondFactor(bg, tok); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("expired: %v", err)
			}
			if _, err := s.PendingSecondFactor(bg, "made-up"); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("unknown token: %v", err)
			}
		})
	})
}

func TestDirectLoginRefusedWithSecondFactor(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.ConfigureTOTP(totpKey(t), models.SecondFactorPolicy{}), "configure")
		clock := clockFor(s)
		bg := context.Background()
		// Without a second factor DirectLogin works (the demo's integration).
		if _, err := s.DirectLogin(bg, directLogin(martaEmail, store.DemoPassword, store.DemoConsumerKey, "203.0.113.9")); err != nil {
			t.Fatalf("before: %v", err)
		}
		enrol(t, s, clock, storetest.AsUser(t, s, martaEmail))
		_, err := s.DirectLogin(bg, directLogin(martaEmail, store.DemoPassword, store.DemoConsumerKey, "203.0.113.9"))
		if models.ErrorCode(err) != models.CodeUnauthorized {
			t.Fatalf("enrolled staff, password only: %v", err)
		}
		// Required by the policy: refused even without enrolment.
		storetest.Must(t, s.ConfigureTOTP(totpKey(t), models.SecondFactorPolicy{Kinds: []models.UserKind{models.KindAdmin}}), "configure")
		_, err = s.DirectLogin(bg, directLogin(adminEmail, store.DemoPassword, store.DemoConsumerKey, "203.0.113.9"))
		if models.ErrorCode(err) != models.CodeUnauthorized {
			t.Fatalf("admin when required: %v", err)
		}
		var details []string
		storetest.Must(t, s.DB().Model(&models.AuditEvent{}).Where("action = ?", models.AuditDirectLoginFailed).
			Order("id").Pluck("detail", &details).Error, "audit")
		if len(details) != 2 || details[0] != "refused: second factor enrolled" || details[1] != "refused: second factor required" {
			t.Fatalf("audit details %q", details)
		}
	})
}
