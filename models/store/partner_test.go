package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// otherSecretHash is the secret of the test's second partner, hashed once.
var otherSecretHash = sync.OnceValue(func() string {
	h, err := models.HashPassword("other-network-secret")
	if err != nil {
		panic(err)
	}
	return h
})

// partnerWorld adds, next to the demo world: a second partner with its own
// firm and broker, a demo-partner firm without API access, and a disabled
// broker with API access.
type partnerWorld struct {
	s           *store.Store
	otherClient string
	// the partners' unique ids, as Authentication answers them
	demoUUID, otherUUID string
}

func newPartnerWorld(t *testing.T, s *store.Store) *partnerWorld {
	t.Helper()
	db := s.DB()
	lisboa := firmByUID(t, s, "BRK-LIS-001")
	var demo models.Partner
	storetest.Must(t, db.Where("client_id = ?", store.DemoPartnerClient).Take(&demo).Error, "demo partner")
	other := models.Partner{UUID: uuid.NewString(), BankID: demo.BankID, Name: "Other Network", ClientID: "other-network",
		ClientSecretHash: otherSecretHash()}
	storetest.Must(t, db.Create(&other).Error, "other partner")
	otherFirm := models.BrokerFirm{UUID: uuid.NewString(), BankID: demo.BankID, PartnerID: other.ID, Name: "Braga Crédito",
		BrokerUID: "BRK-BRA-003", APIEnabled: true}
	storetest.Must(t, db.Create(&otherFirm).Error, "other firm")
	closed := models.BrokerFirm{UUID: uuid.NewString(), BankID: demo.BankID, PartnerID: demo.ID, Name: "Faro Casas",
		BrokerUID: "BRK-FAR-004", APIEnabled: false}
	storetest.Must(t, db.Create(&closed).Error, "closed firm")
	addBroker(t, s, "bia.braga@braga-credito.example", otherFirm, true)
	addBroker(t, s, "carlos.faro@faro-casas.example", closed, true)
	addBroker(t, s, "gone.broker@lisboa-credito.example", lisboa, true)
	storetest.Must(t, db.Model(&models.User{}).Where("email = ?", "gone.broker@lisboa-credito.example").
		Update("disabled", true).Error, "disable")
	return &partnerWorld{s: s, otherClient: other.ClientID, demoUUID: demo.UUID, otherUUID: other.UUID}
}

func demoLogin(user string) models.PartnerLogin {
	return models.PartnerLogin{ClientID: store.DemoPartnerClient, ClientSecret: store.DemoPartnerSecret,
		BrokerUID: "BRK-LIS-001", Username: user, ClientIP: "198.51.100.1"}
}

func TestPartnerAuth(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newPartnerWorld(t, s)
		ctx := context.Background()

		// Success: a token acting as Ana, scoped to her firm.
		token, partnerUUID, err := s.AuthenticatePartner(ctx, demoLogin(" ANA.Silva@lisboa-credito.example "))
		storetest.Must(t, err, "authenticate ana")
		if partnerUUID != strings.ToLower(w.demoUUID) || partnerUUID == "" {
			t.Fatalf("partner %q, want the demo partner %q", partnerUUID, w.demoUUID)
		}
		if len(token) < 40 {
			t.Fatalf("token %q too short", token)
		}
		var stored int64
		storetest.Must(t, s.DB().Model(&models.APIToken{}).Where("token_hash = ?", store.HashToken(token)).Count(&stored).Error, "token row")
		var plain int64
		storetest.Must(t, s.DB().Model(&models.APIToken{}).Where("token_hash = ?", token).Count(&plain).Error, "plain")
		if stored != 1 || plain != 0 {
			t.Fatal("the token is not stored hashed")
		}
		p, err := s.ResolveToken(ctx, token)
		storetest.Must(t, err, "resolve")
		lisboa := firmByUID(t, s, "BRK-LIS-001")
		if p.UserID != userID(t, s, anaEmail) || p.Email != anaEmail || p.Kind != models.KindBroker || p.FirmID != lisboa.ID ||
			p.FirmName != lisboaName || !p.APIEnabled || p.BankID != lisboa.BankID || p.UserUUID == "" {
			t.Fatalf("principal %+v", p)
		}
		// The token acts as Ana for the thread operations.
		as := models.WithPrincipal(ctx, p)
		var lis models.Process
		storetest.Must(t, s.DB().Where("broker_id = ?", lisboa.ID).Order("process_number").Take(&lis).Error, "process")
		if _, err := s.ListMessages(as, lis.UUID, models.DefaultMessagePage); err != nil {
			t.Fatalf("token cannot list its firm's messages: %v", err)
		}
		if ok := auditRows(t, s, models.AuditPartnerAuthOK, store.DemoPartnerClient); len(ok) != 1 ||
			*ok[0].ActorUserID != p.UserID || ok[0].ClientIP != "198.51.100.1" {
			t.Fatalf("ok audit %+v", ok)
		}
		rui, _, err := s.AuthenticatePartner(ctx, models.PartnerLogin{ClientID: store.DemoPartnerClient, ClientSecret: store.DemoPartnerSecret,
			BrokerUID: "BRK-POR-002", Username: ruiEmail, ClientIP: "198.51.100.1"})
		storetest.Must(t, err, "authenticate rui")
		if rp, err := s.ResolveToken(ctx, rui); err != nil || rp.Email != ruiEmail {
			t.Fatalf("rui's token: %+v %v", rp, err)
		}
		other, otherPartner, err := s.AuthenticatePartner(ctx, models.PartnerLogin{ClientID: w.otherClient, ClientSecret: "other-network-secret",
			BrokerUID: "BRK-BRA-003", Username: "bia.braga@braga-credito.example", ClientIP: "198.51.100.1"})
		storetest.Must(t, err, "authenticate other partner")
		if otherPartner != strings.ToLower(w.otherUUID) {
			t.Fatalf("other partner %q, want %q", otherPartner, w.otherUUID)
		}
		storetest.Must(t, s.RevokeToken(ctx, other), "revoke")

		// Every failing check: the same answer.
		failures := map[string]models.PartnerLogin{}
		set := func(name string, f func(*models.PartnerLogin)) {
			in := demoLogin(anaEmail)
			f(&in)
			failures[name] = in
		}
		set("wrong secret", func(in *models.PartnerLogin) { in.ClientSecret = "demo-network-secreT" })
		set("empty secret", func(in *models.PartnerLogin) { in.ClientSecret = "" })
		set("huge secret", func(in *models.PartnerLogin) { in.ClientSecret = strings.Repeat("x", 5000) })
		set("unknown client", func(in *models.PartnerLogin) { in.ClientID = "no-such-network" })
		set("empty client", func(in *models.PartnerLogin) { in.ClientID = "" })
		set("another partner's secret", func(in *models.PartnerLogin) { in.ClientSecret = "other-network-secret" })
		set("unknown firm", func(in *models.PartnerLogin) { in.BrokerUID = "BRK-NOPE-999" })
		set("another partner's firm", func(in *models.PartnerLogin) {
			in.BrokerUID, in.Username = "BRK-BRA-003", "bia.braga@braga-credito.example"
		})
		set("firm without API", func(in *models.PartnerLogin) {
			in.BrokerUID, in.Username = "BRK-FAR-004", "carlos.faro@faro-casas.example"
		})
		set("user of another firm", func(in *models.PartnerLogin) { in.Username = ruiEmail })
		set("user without API (João)", func(in *models.PartnerLogin) { in.Username = joaoEmail })
		set("staff user", func(in *models.PartnerLogin) { in.Username = martaEmail })
		set("customer", func(in *models.PartnerLogin) { in.Username = mariaEmail })
		set("disabled user", func(in *models.PartnerLogin) { in.Username = "gone.broker@lisboa-credito.example" })
		set("unknown user", func(in *models.PartnerLogin) { in.Username = "nobody@lisboa-credito.example" })
		set("empty user", func(in *models.PartnerLogin) { in.Username = "" })
		var first error
		for name, in := range failures {
			tok, _, err := s.AuthenticatePartner(ctx, in)
			if tok != "" {
				t.Fatalf("%s: got a token", name)
			}
			wantCode(t, err, models.CodeUnauthorized)
			if first == nil {
				first = err
			}
			sameAnswer(t, first, err)
		}
		failed := auditRows(t, s, models.AuditPartnerAuthFailed, store.DemoPartnerClient)
		var all int64
		storetest.Must(t, s.DB().Model(&models.AuditEvent{}).Where("action = ?", models.AuditPartnerAuthFailed).Count(&all).Error, "failed rows")
		if all != int64(len(failures)) || len(failed) == 0 || failed[0].Outcome != "denied" || !strings.HasPrefix(failed[0].Detail, "failed check: ") {
			t.Fatalf("%d failure audit rows for %d failures: %+v", all, len(failures), failed)
		}
		for _, a := range failed {
			if strings.Contains(a.Detail, "secret") || strings.Contains(a.Subject, "secret") {
				t.Fatalf("audit row carries a secret: %+v", a)
			}
		}

		// Throttling per client id and address and per address, before any
		// check: even the right credentials are refused. The client id is
		// not secret: failures from elsewhere do not stop it.
		now := time.Now().UTC()
		fill := func(subject, ip string, n int) {
			rows := make([]models.AuditEvent, n)
			for i := range rows {
				rows[i] = models.AuditEvent{CreatedAt: time.Now().UTC(), Action: models.AuditPartnerAuthFailed,
					Subject: subject, ClientIP: ip, Outcome: "denied"}
			}
			storetest.Must(t, s.DB().Create(&rows).Error, "fill audit")
		}
		otherLogin := models.PartnerLogin{ClientID: w.otherClient, ClientSecret: "other-network-secret",
			BrokerUID: "BRK-BRA-003", Username: "bia.braga@braga-credito.example", ClientIP: "198.51.100.77"}
		fill(w.otherClient, "192.0.2.1", store.MaxPartnerFailuresPerAddress+5)
		if _, _, err := s.AuthenticatePartner(ctx, otherLogin); err != nil {
			t.Fatalf("the client id from its own address, after failures elsewhere: %v", err)
		}
		fill(w.otherClient, otherLogin.ClientIP, store.MaxPartnerFailuresPerSource)
		_, _, err = s.AuthenticatePartner(ctx, otherLogin)
		if e := wantCode(t, err, models.CodeRateLimited); e.RetryAfter <= 0 {
			t.Fatalf("retry after %d", e.RetryAfter)
		}
		if n := auditRows(t, s, models.AuditPartnerAuthThrottled, w.otherClient); len(n) != 1 {
			t.Fatalf("throttled audit rows %d", len(n))
		}
		fill("some-client", "203.0.113.9", store.MaxPartnerFailuresPerAddress)
		in := demoLogin(anaEmail)
		in.ClientIP = "203.0.113.9"
		_, _, err = s.AuthenticatePartner(ctx, in)
		wantCode(t, err, models.CodeRateLimited)
		// Old failures no longer count; other addresses and clients are fine.
		storetest.Must(t, s.DB().Model(&models.AuditEvent{}).Where("client_ip = ?", "203.0.113.9").
			Update("created_at", now.Add(-store.PartnerAuthWindow-time.Minute)).Error, "age failures")
		if _, _, err := s.AuthenticatePartner(ctx, in); err != nil {
			t.Fatalf("after the window: %v", err)
		}

		// Sliding expiry, written at most once a minute.
		lastUsed := func() time.Time {
			var row models.APIToken
			storetest.Must(t, s.DB().Where("token_hash = ?", store.HashToken(token)).Take(&row).Error, "token")
			return row.LastUsedAt
		}
		before := lastUsed()
		if _, err := s.ResolveToken(ctx, token); err != nil || !lastUsed().Equal(before) {
			t.Fatalf("a use within a minute wrote the row (%v)", err)
		}
		for range 3 { // 3 x 29 minutes: alive as long as it is used
			storetest.Must(t, s.AgeToken(ctx, token, 29*time.Minute), "age")
			if _, err := s.ResolveToken(ctx, token); err != nil {
				t.Fatalf("token expired while in use: %v", err)
			}
			if time.Since(lastUsed()) > time.Minute {
				t.Fatal("use did not extend the token")
			}
		}
		storetest.Must(t, s.AgeToken(ctx, token, 31*time.Minute), "age")
		_, err = s.ResolveToken(ctx, token)
		expired := wantCode(t, err, models.CodeUnauthorized)

		// Revocation, unknown tokens: the same answer.
		storetest.Must(t, s.RevokeToken(ctx, rui), "revoke")
		_, err = s.ResolveToken(ctx, rui)
		sameAnswer(t, expired, err)
		storetest.Must(t, s.RevokeToken(ctx, rui), "revoke twice")
		storetest.Must(t, s.RevokeToken(ctx, "no-such-token"), "revoke unknown")
		storetest.Must(t, s.RevokeToken(ctx, ""), "revoke empty")
		if n := auditRows(t, s, models.AuditPartnerTokenRevoked, ""); len(n) != 2 { // rui's and the other partner's
			t.Fatalf("revocation audit rows %d", len(n))
		}
		for _, bad := range []string{"", "no-such-token", strings.Repeat("x", 10000), other} {
			_, err := s.ResolveToken(ctx, bad)
			sameAnswer(t, expired, err)
		}

		// Losing API access ends live tokens.
		fresh, _, err := s.AuthenticatePartner(ctx, demoLogin(anaEmail))
		storetest.Must(t, err, "fresh token")
		storetest.Must(t, s.DB().Model(&models.User{}).Where("email = ?", anaEmail).Update("api_enabled", false).Error, "disable api")
		_, err = s.ResolveToken(ctx, fresh)
		sameAnswer(t, expired, err)
		storetest.Must(t, s.DB().Model(&models.User{}).Where("email = ?", anaEmail).Update("api_enabled", true).Error, "enable api")
		storetest.Must(t, s.DB().Model(&models.BrokerFirm{}).Where("id = ?", lisboa.ID).Update("api_enabled", false).Error, "close firm")
		_, err = s.ResolveToken(ctx, fresh)
		sameAnswer(t, expired, err)
		storetest.Must(t, s.DB().Model(&models.BrokerFirm{}).Where("id = ?", lisboa.ID).Update("api_enabled", true).Error, "open firm")
		if _, err := s.ResolveToken(ctx, fresh); err != nil {
			t.Fatalf("restored access: %v", err)
		}

		n, err := s.DeleteExpiredTokens(ctx)
		storetest.Must(t, err, "delete expired")
		if n != 1 { // Ana's aged token; revoked ones are kept a day
			t.Fatalf("deleted %d tokens", n)
		}
	})
}
