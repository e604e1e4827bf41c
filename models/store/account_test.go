package store_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

const (
	accountEmail    = "rita.sousa@bank.example"
	accountPassword = "old password of rita"
	newPassword     = "a brand new passphrase"
)

// accountUser creates a staff user with a known password and returns its id.
func accountUser(t *testing.T, s *store.Store, lang string) int64 {
	t.Helper()
	ctx := context.Background()
	storetest.Must(t, s.EnsureBank(ctx, "test.bank", "Test Bank"), "bank")
	u, err := s.CreateUser(ctx, models.NewUser{Email: accountEmail, Name: "Rita Sousa", Kind: models.KindStaff, Password: accountPassword})
	storetest.Must(t, err, "user")
	if lang != "" {
		storetest.Must(t, s.DB().Model(&models.User{}).Where("id = ?", u.ID).Update("language", lang).Error, "language")
	}
	return u.ID
}

func signsIn(t *testing.T, s *store.Store, password string) bool {
	t.Helper()
	_, err := s.Login(context.Background(), accountEmail, password, "192.0.2.10")
	if err != nil && models.ErrorCode(err) != models.CodeUnauthorized {
		t.Fatalf("login: %v", err)
	}
	return err == nil
}

func fieldKey(err error, field string) string {
	e := models.AsError(err)
	if e == nil {
		return ""
	}
	f, _ := e.Field(field)
	return f.Key
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		uid := accountUser(t, s, "")
		ctx := storetest.As(t, s, uid)
		other, err := s.CreateSession(context.Background(), uid, "192.0.2.20", "Other/1")
		storetest.Must(t, err, "other session")

		err = s.ChangePassword(ctx, models.PasswordChange{Current: "not my password", New: newPassword, Confirm: newPassword})
		if fieldKey(err, "current_password") != "password.current_wrong" {
			t.Fatalf("wrong current password: %v", err)
		}
		for _, tc := range []struct{ new, confirm, field, key string }{
			{"short", "short", "new_password", "password.too_short"},
			{"qwerty123456", "qwerty123456", "new_password", "password.common"},
			{accountEmail, accountEmail, "new_password", "password.is_email"},
			{newPassword, newPassword + "x", "confirm_password", "password.mismatch"},
		} {
			err := s.ChangePassword(ctx, models.PasswordChange{Current: accountPassword, New: tc.new, Confirm: tc.confirm})
			if fieldKey(err, tc.field) != tc.key {
				t.Fatalf("new %q: %v, want %s on %s", tc.new, err, tc.key, tc.field)
			}
		}
		if !signsIn(t, s, accountPassword) {
			t.Fatal("a refused change changed the password")
		}
		if _, err := s.LoadSession(context.Background(), other); err != nil {
			t.Fatal("a refused change ended the other session")
		}

		storetest.Must(t, s.ChangePassword(ctx, models.PasswordChange{Current: accountPassword, New: newPassword,
			Confirm: newPassword, ClientIP: "192.0.2.10"}), "change")
		if signsIn(t, s, accountPassword) || !signsIn(t, s, newPassword) {
			t.Fatal("the new password is not the one that signs in")
		}
		if _, err := s.LoadSession(context.Background(), other); models.ErrorCode(err) != models.CodeUnauthorized {
			t.Fatalf("the other session survived the change: %v", err)
		}
		var n int64
		storetest.Must(t, s.DB().Model(&models.AuditEvent{}).Where("action = ? AND actor_user_id = ?",
			models.AuditPasswordChanged, uid).Count(&n).Error, "audit")
		if n != 1 {
			t.Fatalf("%d audit rows for the change", n)
		}
	})
}

// Guessing the current password from a signed-in session is throttled.
func TestChangePasswordThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		uid := accountUser(t, s, "")
		ctx := storetest.As(t, s, uid)
		var err error
		for range 6 {
			err = s.ChangePassword(ctx, models.PasswordChange{Current: "guess", New: newPassword, Confirm: newPassword})
		}
		if models.ErrorCode(err) != models.CodeRateLimited {
			t.Fatalf("sixth wrong current password: %v, want rate limited", err)
		}
		err = s.ChangePassword(ctx, models.PasswordChange{Current: accountPassword, New: newPassword, Confirm: newPassword})
		if models.ErrorCode(err) != models.CodeRateLimited {
			t.Fatalf("right password while throttled: %v", err)
		}
	})
}

var tokenInLink = regexp.MustCompile(`/password/reset\?token=([A-Za-z0-9_-]+)`)

// requestReset asks for a link and returns the token of the mail queued.
func requestReset(t *testing.T, s *store.Store, email, ip string) (string, error) {
	t.Helper()
	var token, lang string
	err := s.RequestPasswordReset(context.Background(), models.PasswordResetRequest{Email: email, ClientIP: ip,
		Compose: func(l, _, tok string) models.Mail {
			lang, token = l, tok
			return models.Mail{Subject: "Reset", Text: "Open https://portal.example/password/reset?token=" + tok + "\n"}
		}})
	if token != "" {
		mails, qerr := s.QueuedMails(context.Background())
		storetest.Must(t, qerr, "queue")
		last := mails[len(mails)-1]
		if m := tokenInLink.FindStringSubmatch(last.Mail.Text); m == nil || m[1] != token || last.Mail.To != accountEmail || last.Mail.Lang != lang {
			t.Fatalf("queued mail %+v does not carry the token to %s", last.Mail, accountEmail)
		}
	}
	return token, err
}

func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		uid := accountUser(t, s, "en")
		ctx := context.Background()
		sess, err := s.CreateSession(ctx, uid, "192.0.2.20", "Other/1")
		storetest.Must(t, err, "session")

		t.Run("an unknown address gets the same answer and no mail", func(t *testing.T) {
			tok, err := requestReset(t, s, "nobody@bank.example", "192.0.2.1")
			if err != nil || tok != "" {
				t.Fatalf("unknown address: %v, token %q", err, tok)
			}
		})

		t.Run("a token works once and ends every session", func(t *testing.T) {
			tok, err := requestReset(t, s, " Rita.Sousa@Bank.example ", "192.0.2.2")
			storetest.Must(t, err, "request")
			if len(tok) < 22 {
				t.Fatalf("token %q is shorter than 128 bits", tok)
			}
			storetest.Must(t, s.CheckResetToken(ctx, tok), "check")
			err = s.ResetPassword(ctx, models.PasswordReset{Token: tok, New: "short", Confirm: "short"})
			if fieldKey(err, "new_password") != "password.too_short" {
				t.Fatalf("policy: %v", err)
			}
			storetest.Must(t, s.ResetPassword(ctx, models.PasswordReset{Token: tok, New: newPassword, Confirm: newPassword}), "reset")
			if !signsIn(t, s, newPassword) {
				t.Fatal("the new password does not sign in")
			}
			if _, err := s.LoadSession(ctx, sess); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("a session survived the reset: %v", err)
			}
			err = s.ResetPassword(ctx, models.PasswordReset{Token: tok, New: "another good passphrase", Confirm: "another good passphrase"})
			if fieldKey(err, "token") != "password.reset_invalid" {
				t.Fatalf("second use: %v", err)
			}
			if fieldKey(s.CheckResetToken(ctx, tok), "token") != "password.reset_invalid" {
				t.Fatal("a used token still checks")
			}
		})

		t.Run("a newer request invalidates the older link", func(t *testing.T) {
			older, err := requestReset(t, s, accountEmail, "192.0.2.3")
			storetest.Must(t, err, "older")
			newer, err := requestReset(t, s, accountEmail, "192.0.2.3")
			storetest.Must(t, err, "newer")
			if fieldKey(s.ResetPassword(ctx, models.PasswordReset{Token: older, New: newPassword, Confirm: newPassword}), "token") != "password.reset_invalid" {
				t.Fatal("the older link still works")
			}
			storetest.Must(t, s.CheckResetToken(ctx, newer), "newer")
		})

		// The throttle (3 an e-mail in 15 minutes) is tested on its own.
		storetest.Must(t, s.DB().Exec("DELETE FROM audit_events WHERE action = ?", models.AuditPasswordResetRequested).Error, "forget requests")

		t.Run("a token expires after 30 minutes", func(t *testing.T) {
			tok, err := requestReset(t, s, accountEmail, "192.0.2.4")
			storetest.Must(t, err, "request")
			storetest.Must(t, s.DB().Exec("UPDATE password_reset_tokens SET created_at = ?, expires_at = ?",
				time.Now().UTC().Add(-31*time.Minute), time.Now().UTC().Add(-time.Minute)).Error, "age")
			if fieldKey(s.ResetPassword(ctx, models.PasswordReset{Token: tok, New: "yet another passphrase", Confirm: "yet another passphrase"}), "token") != "password.reset_invalid" {
				t.Fatal("an expired link works")
			}
			if !signsIn(t, s, newPassword) {
				t.Fatal("the expired link changed the password")
			}
		})

		t.Run("the mail is in the user's language", func(t *testing.T) {
			var lang string
			storetest.Must(t, s.RequestPasswordReset(ctx, models.PasswordResetRequest{Email: accountEmail, ClientIP: "192.0.2.5",
				Compose: func(l, _, tok string) models.Mail { lang = l; return models.Mail{Subject: "x", Text: "y"} }}), "request")
			if lang != "en" {
				t.Fatalf("composed in %q, want the user's en", lang)
			}
		})
	})
}

// The default language of the reset mail is Portuguese.
func TestPasswordResetDefaultLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		accountUser(t, s, "")
		var lang string
		storetest.Must(t, s.RequestPasswordReset(context.Background(), models.PasswordResetRequest{Email: accountEmail, ClientIP: "192.0.2.5",
			Compose: func(l, _, tok string) models.Mail { lang = l; return models.Mail{Subject: "x", Text: "y"} }}), "request")
		if lang != "pt-PT" {
			t.Fatalf("composed in %q, want pt-PT", lang)
		}
	})
}

// Requests are throttled per e-mail (from any address) and per address
// (for any e-mail), whether or not the account exists.
func TestPasswordResetThrottled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		accountUser(t, s, "")
		for i := range 3 {
			if _, err := requestReset(t, s, accountEmail, "198.51.100."+string(rune('1'+i))); err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
		}
		if _, err := requestReset(t, s, accountEmail, "198.51.100.9"); models.ErrorCode(err) != models.CodeRateLimited {
			t.Fatalf("fourth request for one e-mail: %v", err)
		}
		for i := range 10 {
			if _, err := requestReset(t, s, "someone"+string(rune('a'+i))+"@example.com", "203.0.113.7"); err != nil {
				t.Fatalf("request %d from one address: %v", i+1, err)
			}
		}
		if _, err := requestReset(t, s, "other@example.com", "203.0.113.7"); models.ErrorCode(err) != models.CodeRateLimited {
			t.Fatalf("eleventh request from one address: %v", err)
		}
	})
}

func TestSignInHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		uid := accountUser(t, s, "")
		signsIn(t, s, "wrong password")
		signsIn(t, s, accountPassword)
		// Another user's attempts are not in this user's history.
		_, _ = s.Login(context.Background(), "someone.else@bank.example", "x", "192.0.2.99")
		h, err := s.SignInHistory(storetest.As(t, s, uid), 20)
		storetest.Must(t, err, "history")
		if len(h) != 2 || h[0].Result != models.SignInOK || h[1].Result != models.SignInFailed ||
			h[0].ClientIP != "192.0.2.10" || h[0].At.IsZero() || h[0].At.Before(h[1].At) {
			t.Fatalf("history %+v", h)
		}
		if _, err := s.SignInHistory(context.Background(), 20); models.ErrorCode(err) != models.CodeUnauthorized {
			t.Fatalf("anonymous history: %v", err)
		}
	})
}
