package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

func directLogin(user, password, consumer, ip string) models.DirectLoginInput {
	return models.DirectLoginInput{Username: user, Password: password, ConsumerKey: consumer, ClientIP: ip}
}

func TestDirectLogin(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Must(t, s.EnsureConsumer(ctx, "off-consumer", "Switched off"), "consumer")
		storetest.Must(t, s.SetConsumerEnabled(ctx, "off-consumer", false), "disable consumer")

		t.Run("marta gets a token that acts as her, with her roles", func(t *testing.T) {
			token, err := s.DirectLogin(ctx, directLogin(" Marta.Santos@bank.example ", store.DemoPassword, " "+store.DemoConsumerKey, "203.0.113.1"))
			storetest.Must(t, err, "direct login")
			if len(token) < 40 {
				t.Fatalf("token %q", token)
			}
			var plain, hashed int64
			storetest.Must(t, s.DB().Table("obp_tokens").Where("token_hash = ?", token).Count(&plain).Error, "plain")
			storetest.Must(t, s.DB().Table("obp_tokens").Where("token_hash = ?", store.HashToken(token)).Count(&hashed).Error, "hashed")
			if plain != 0 || hashed != 1 {
				t.Fatal("the token is not stored hashed")
			}
			p, err := s.ResolveOBPToken(ctx, token)
			storetest.Must(t, err, "resolve")
			if p.Email != martaEmail || p.Kind != models.KindStaff || len(p.Roles) != 3 || !validUUIDString(p.UserUUID) {
				t.Fatalf("principal %+v", p)
			}
			ok := auditRows(t, s, models.AuditDirectLoginOK, martaEmail)
			if len(ok) != 1 || ok[0].ClientIP != "203.0.113.1" || *ok[0].ActorUserID != p.UserID {
				t.Fatalf("ok audit %+v", ok)
			}
			// Customers and admins sign in too.
			for _, email := range []string{mariaEmail, adminEmail} {
				tok, err := s.DirectLogin(ctx, directLogin(email, store.DemoPassword, store.DemoConsumerKey, "203.0.113.1"))
				storetest.Must(t, err, "direct login %s", email)
				p, err := s.ResolveOBPToken(ctx, tok)
				storetest.Must(t, err, "resolve %s", email)
				if p.Email != email {
					t.Fatalf("%s resolved as %s", email, p.Email)
				}
			}
		})

		t.Run("every failure is the same answer, audited", func(t *testing.T) {
			addUser(t, s, "gone.staff@bank.example")
			storetest.Must(t, s.DB().Model(&models.User{}).Where("email = ?", "gone.staff@bank.example").Update("disabled", true).Error, "disable")
			const ip = "203.0.113.2"
			first := func() error {
				_, err := s.DirectLogin(ctx, directLogin(nunoEmail, "wrong password", store.DemoConsumerKey, ip))
				return err
			}()
			wantCode(t, first, models.CodeUnauthorized)
			for name, in := range map[string]models.DirectLoginInput{
				"unknown consumer":  directLogin(nunoEmail, store.DemoPassword, "no-such-consumer", ip),
				"disabled consumer": directLogin(nunoEmail, store.DemoPassword, "off-consumer", ip),
				"no consumer":       directLogin(nunoEmail, store.DemoPassword, "", ip),
				"unknown user":      directLogin("nobody@bank.example", store.DemoPassword, store.DemoConsumerKey, ip),
				"disabled user":     directLogin("gone.staff@bank.example", store.DemoPassword, store.DemoConsumerKey, ip),
				"broker":            directLogin(anaEmail, store.DemoPassword, store.DemoConsumerKey, ip),
				"huge password":     directLogin(nunoEmail, strings.Repeat("x", 10_000), store.DemoConsumerKey, ip),
			} {
				_, err := s.DirectLogin(ctx, in)
				if err == nil {
					t.Fatalf("%s: signed in", name)
				}
				sameAnswer(t, first, err)
			}
			failed := auditRows(t, s, models.AuditDirectLoginFailed, nunoEmail)
			if len(failed) != 5 {
				t.Fatalf("%d failures audited for nuno", len(failed))
			}
			consumerRefusals := 0
			for _, a := range failed {
				if a.ClientIP != ip || a.Outcome != "denied" {
					t.Fatalf("failure audit %+v", a)
				}
				if strings.Contains(a.Detail, "consumer") {
					consumerRefusals++
				}
			}
			if consumerRefusals != 3 {
				t.Fatalf("%d consumer refusals in %+v", consumerRefusals, failed)
			}
			if rows := auditRows(t, s, models.AuditDirectLoginFailed, anaEmail); len(rows) != 1 || !strings.Contains(rows[0].Detail, "broker") {
				t.Fatalf("broker refusal %+v", rows)
			}
			if rows := auditRows(t, s, models.AuditDirectLoginOK, nunoEmail); len(rows) != 0 {
				t.Fatalf("ok rows %+v", rows)
			}
		})

		t.Run("browser and OBP failures share the throttle", func(t *testing.T) {
			u := addUser(t, s, "throttled.staff@bank.example")
			for i := range store.MaxFailuresPerAccount {
				ip := fmt.Sprintf("198.51.100.%d", 10+i) // a new address each time: the account limit
				if i%2 == 0 {
					_, err := s.Login(ctx, u.Email, "wrong", ip)
					wantCode(t, err, models.CodeUnauthorized)
				} else {
					_, err := s.DirectLogin(ctx, directLogin(u.Email, "wrong", store.DemoConsumerKey, ip))
					wantCode(t, err, models.CodeUnauthorized)
				}
			}
			_, err := s.DirectLogin(ctx, directLogin(u.Email, store.DemoPassword, store.DemoConsumerKey, "198.51.100.200"))
			wantCode(t, err, models.CodeRateLimited)
			_, err = s.Login(ctx, u.Email, store.DemoPassword, "198.51.100.201")
			wantCode(t, err, models.CodeRateLimited)
			if rows := auditRows(t, s, models.AuditDirectLoginThrottled, u.Email); len(rows) != 1 {
				t.Fatalf("throttled audit %+v", rows)
			}
		})

		t.Run("tokens expire: idle, absolute, revoked, consumer switched off", func(t *testing.T) {
			login := func() string {
				t.Helper()
				tok, err := s.DirectLogin(ctx, directLogin(mariaEmail, store.DemoPassword, store.DemoConsumerKey, "203.0.113.9"))
				storetest.Must(t, err, "login")
				return tok
			}
			invalid := func(tok, why string) {
				t.Helper()
				if _, err := s.ResolveOBPToken(ctx, tok); models.ErrorCode(err) != models.CodeUnauthorized {
					t.Fatalf("%s: %v", why, err)
				}
			}
			for _, tok := range []string{"", "nope", strings.Repeat("x", 10_000)} {
				invalid(tok, "garbage")
			}

			// Sliding: used within the idle window it lives on, written at
			// most once a minute.
			tok := login()
			_, used0, _, err := s.OBPTokenTimes(ctx, tok)
			storetest.Must(t, err, "times")
			_, err = s.ResolveOBPToken(ctx, tok)
			storetest.Must(t, err, "resolve")
			if _, used, _, _ := s.OBPTokenTimes(ctx, tok); !used.Equal(used0) {
				t.Fatal("last use written within the minute")
			}
			storetest.Must(t, s.AgeOBPToken(ctx, tok, models.OBPTokenIdleTimeout-time.Minute), "age")
			_, err = s.ResolveOBPToken(ctx, tok)
			storetest.Must(t, err, "resolve before the idle timeout")
			created, used, expires, err := s.OBPTokenTimes(ctx, tok)
			storetest.Must(t, err, "times")
			if time.Since(used) > time.Minute || expires.Sub(used) != models.OBPTokenIdleTimeout {
				t.Fatalf("not extended: created %v used %v expires %v", created, used, expires)
			}
			storetest.Must(t, s.AgeOBPToken(ctx, tok, models.OBPTokenIdleTimeout+time.Second), "age")
			invalid(tok, "idle")

			// Absolute: kept busy, it still ends 12 hours after issue.
			tok = login()
			step := 50 * time.Minute
			for range int(models.OBPTokenAbsoluteTimeout / step) {
				storetest.Must(t, s.AgeOBPToken(ctx, tok, step), "age")
				_, err := s.ResolveOBPToken(ctx, tok)
				storetest.Must(t, err, "busy token")
			}
			if _, _, expires, _ := s.OBPTokenTimes(ctx, tok); time.Until(expires) > step {
				t.Fatalf("expires in %v, past the absolute limit", time.Until(expires))
			}
			storetest.Must(t, s.AgeOBPToken(ctx, tok, step), "age")
			invalid(tok, "absolute")

			tok = login()
			storetest.Must(t, s.RevokeOBPToken(ctx, tok), "revoke")
			invalid(tok, "revoked")

			tok = login()
			storetest.Must(t, s.DB().Model(&models.User{}).Where("email = ?", mariaEmail).Update("disabled", true).Error, "disable")
			invalid(tok, "user disabled")
			storetest.Must(t, s.DB().Model(&models.User{}).Where("email = ?", mariaEmail).Update("disabled", false).Error, "enable")
			_, err = s.ResolveOBPToken(ctx, tok)
			storetest.Must(t, err, "enabled again")
			storetest.Must(t, s.SetConsumerEnabled(ctx, store.DemoConsumerKey, false), "switch off")
			invalid(tok, "consumer switched off")
			storetest.Must(t, s.SetConsumerEnabled(ctx, store.DemoConsumerKey, true), "switch on")

			n, err := s.DeleteExpiredOBPTokens(ctx)
			storetest.Must(t, err, "housekeeping")
			if n < 2 {
				t.Fatalf("deleted %d expired tokens", n)
			}
		})
	})
}
