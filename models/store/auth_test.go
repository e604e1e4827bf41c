package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// demoPasswordHash is hashed once per test binary: argon2id is slow by design
// and extra accounts for throttling tests need no fresh hash each.
var demoPasswordHash = sync.OnceValue(func() string {
	h, err := models.HashPassword(store.DemoPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// addUser inserts a staff account with the demo password directly, so a test
// can lock or disable it without touching the demo users.
func addUser(t *testing.T, s *store.Store, email string) *models.User {
	t.Helper()
	var bank models.Bank
	storetest.Must(t, s.DB().Where("bank_id = ?", store.DemoBankID).Take(&bank).Error, "demo bank")
	now := time.Now().UTC()
	u := &models.User{UUID: uuid.NewString(), BankID: bank.ID, Email: email, Name: "Test " + email,
		Kind: models.KindStaff, PasswordHash: demoPasswordHash(), CreatedAt: now, UpdatedAt: now}
	storetest.Must(t, s.DB().Create(u).Error, "insert user %s", email)
	return u
}

// domainError returns err as *models.Error, failing t when it is not one.
func domainError(t *testing.T, err error) *models.Error {
	t.Helper()
	var e *models.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *models.Error", err, err)
	}
	return e
}

func wantCode(t *testing.T, err error, code models.Code) *models.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	e := domainError(t, err)
	if e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
	return e
}

// sameAnswer fails unless a and b would look identical to the caller.
func sameAnswer(t *testing.T, a, b error) {
	t.Helper()
	ea, eb := domainError(t, a), domainError(t, b)
	if ea.Code != eb.Code || ea.Message != eb.Message || ea.RetryAfter != eb.RetryAfter ||
		len(ea.Fields) != 0 || len(eb.Fields) != 0 || a.Error() != b.Error() {
		t.Fatalf("answers differ:\n  %#v\n  %#v", ea, eb)
	}
}

// addFailures writes n failed sign-ins on subject from ip, now.
func addFailures(t *testing.T, s *store.Store, subject, ip string, n int) {
	t.Helper()
	for range n {
		storetest.Must(t, s.Audit(context.Background(), models.AuditEvent{Action: models.AuditLoginFailed, Subject: subject,
			ClientIP: ip, Outcome: "denied"}), "audit")
	}
}

// ageAudit moves subject's audit rows back by d, as if d had passed.
func ageAudit(t *testing.T, s *store.Store, subject string, d time.Duration) {
	t.Helper()
	var rows []models.AuditEvent
	storetest.Must(t, s.DB().Where("subject = ?", subject).Find(&rows).Error, "audit rows")
	for _, r := range rows {
		storetest.Must(t, s.DB().Model(&models.AuditEvent{}).Where("id = ?", r.ID).
			Update("created_at", r.CreatedAt.Add(-d)).Error, "age audit row")
	}
}

func auditRows(t *testing.T, s *store.Store, action, subject string) []models.AuditEvent {
	t.Helper()
	var rows []models.AuditEvent
	storetest.Must(t, s.DB().Where("action = ? AND subject = ?", action, subject).Order("id").Find(&rows).Error, "audit rows")
	return rows
}

func userID(t *testing.T, s *store.Store, email string) int64 {
	t.Helper()
	var u models.User
	storetest.Must(t, s.DB().Where("email = ?", email).Take(&u).Error, "user %s", email)
	return u.ID
}

func firmByUID(t *testing.T, s *store.Store, uid string) models.BrokerFirm {
	t.Helper()
	var f models.BrokerFirm
	storetest.Must(t, s.DB().Where("broker_uid = ?", uid).Take(&f).Error, "firm %s", uid)
	return f
}

const (
	anaEmail   = "ana.silva@lisboa-credito.example"
	joaoEmail  = "joao.costa@lisboa-credito.example"
	ruiEmail   = "rui.pereira@porto-hipotecas.example"
	martaEmail = "marta.santos@bank.example"
	nunoEmail  = "nuno.reis@bank.example"
	adminEmail = "admin@bank.example"
	mariaEmail = "maria.ferreira@example.com"

	lisboaName = "Lisboa Crédito, Lda"
	portoName  = "Porto Hipotecas, Lda"
)

// The subtests share one demo world per dialect; each one uses its own
// accounts and client addresses so their failure counts never mix.
func TestLogin(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		lisboa, porto := firmByUID(t, s, "BRK-LIS-001"), firmByUID(t, s, "BRK-POR-002")

		// Logins are few on purpose: each one costs an argon2id hash.
		t.Run("each kind of user signs in as who they are, audited", func(t *testing.T) {
			type want struct {
				kind     models.UserKind
				firmID   int64
				firmName string
				api      bool
				roles    []string
				login    bool // false: checked through Principal only (same code path as login's result)
			}
			wants := map[string]want{
				anaEmail:   {models.KindBroker, lisboa.ID, lisboaName, true, nil, true},
				joaoEmail:  {models.KindBroker, lisboa.ID, lisboaName, false, nil, false},
				ruiEmail:   {models.KindBroker, porto.ID, portoName, true, nil, true},
				martaEmail: {models.KindStaff, 0, "", false, []string{models.RoleCanCreateCustomer, models.RoleCanCreateCustomerMessage, models.RoleCanGetCustomerMessages}, true},
				nunoEmail:  {models.KindStaff, 0, "", false, nil, true},
				adminEmail: {models.KindAdmin, 0, "", false, []string{models.RoleCanCreateEntitlementAtAnyBank}, true},
				mariaEmail: {models.KindCustomer, 0, "", false, nil, true},
			}
			if len(wants) != len(store.DemoUsers) {
				t.Fatalf("test covers %d users, the demo has %d", len(wants), len(store.DemoUsers))
			}
			const ip = "198.51.100.1"
			for _, du := range store.DemoUsers {
				w, ok := wants[du.Email]
				if !ok {
					t.Fatalf("demo user %s not covered", du.Email)
				}
				id := userID(t, s, du.Email)
				var p *models.Principal
				var err error
				if w.login {
					p, err = s.Login(ctx, du.Email, store.DemoPassword, ip)
				} else {
					p, err = s.Principal(ctx, id)
				}
				if err != nil {
					t.Fatalf("sign in %s: %v", du.Email, err)
				}
				if p.Email != du.Email || p.Name != du.Name || p.Kind != w.kind || p.FirmID != w.firmID ||
					p.FirmName != w.firmName || p.APIEnabled != w.api || p.UserID != id || p.UserUUID == "" {
					t.Errorf("sign in %s: principal %+v, want %+v", du.Email, p, w)
				}
				got := slices.Clone(p.Roles)
				slices.Sort(got)
				if !slices.Equal(got, w.roles) {
					t.Errorf("sign in %s: roles %q, want %q", du.Email, p.Roles, w.roles)
				}
				if !w.login {
					continue
				}
				// The per-request view agrees with what login returned.
				again, err := s.Principal(ctx, p.UserID)
				if err != nil {
					t.Fatalf("principal %s: %v", du.Email, err)
				}
				if fmt.Sprintf("%+v", again) != fmt.Sprintf("%+v", p) {
					t.Errorf("Principal(%d) = %+v, login gave %+v", p.UserID, again, p)
				}
				rows := auditRows(t, s, models.AuditLoginOK, du.Email)
				if len(rows) != 1 || rows[0].ClientIP != ip || rows[0].ActorUserID == nil || *rows[0].ActorUserID != id || rows[0].CreatedAt.IsZero() {
					t.Errorf("login.ok rows for %s: %+v", du.Email, rows)
				}
			}
		})

		t.Run("wrong password and unknown user get the same answer, audited", func(t *testing.T) {
			const ip = "198.51.100.2"
			_, wrong := s.Login(ctx, nunoEmail, "portal-demo!", ip)
			_, unknown := s.Login(ctx, "Nobody@Bank.example ", store.DemoPassword, ip)
			wantCode(t, wrong, models.CodeUnauthorized)
			sameAnswer(t, wrong, unknown)
			for _, subject := range []string{nunoEmail, "nobody@bank.example"} {
				rows := auditRows(t, s, models.AuditLoginFailed, subject)
				if len(rows) != 1 || rows[0].ClientIP != ip || rows[0].ActorUserID != nil || rows[0].CreatedAt.IsZero() {
					t.Errorf("login.failed rows for %s: %+v", subject, rows)
				}
			}
		})

		t.Run("e-mail is matched ignoring case and surrounding spaces", func(t *testing.T) {
			const ip = "198.51.100.3"
			p, err := s.Login(ctx, "  Ana.Silva@LISBOA-Credito.example\t", store.DemoPassword, ip)
			if err != nil {
				t.Fatalf("login with mixed case: %v", err)
			}
			if p.Email != anaEmail || p.FirmID != lisboa.ID {
				t.Fatalf("principal %+v", p)
			}
			rows := auditRows(t, s, models.AuditLoginOK, anaEmail)
			if len(rows) == 0 || rows[len(rows)-1].ClientIP != ip {
				t.Fatalf("login.ok rows for ana: %+v", rows)
			}
		})

		t.Run("per-account throttling starts only after the limit", func(t *testing.T) {
			u := addUser(t, s, "locked.out@bank.example")
			const ip = "198.51.100.10" // never signed in from: not trusted
			var first error
			// Product contract: five failures a minute are answered normally.
			for i := range 5 {
				_, err := s.Login(ctx, u.Email, fmt.Sprintf("wrong-%d", i), ip)
				wantCode(t, err, models.CodeUnauthorized)
				if first == nil {
					first = err
				}
				sameAnswer(t, first, err)
			}
			// For an untrusted address, failures from other addresses count
			// for the same account. Up to the limit, attempts are answered.
			addFailures(t, s, u.Email, "192.0.2.1", store.MaxFailuresPerAccount-1-5)
			_, err := s.Login(ctx, u.Email, "wrong-10", ip)
			sameAnswer(t, first, err)
			// Then the account's failures delay this address, even for the
			// right password: a few seconds, counted from the last failure.
			_, err = s.Login(ctx, u.Email, store.DemoPassword, ip)
			e := wantCode(t, err, models.CodeRateLimited)
			if e.RetryAfter < 1 || e.RetryAfter > 5 || e.Message == "" || e.Key != "rate.sign_in" {
				t.Fatalf("rate-limited answer %#v", e)
			}
			_, err = s.Login(ctx, " "+strings.ToUpper(u.Email), "wrong again", "192.0.2.200")
			wantCode(t, err, models.CodeRateLimited)
			throttled := auditRows(t, s, models.AuditLoginThrottled, u.Email)
			if len(throttled) != 2 || throttled[0].ClientIP != ip || throttled[1].ClientIP != "192.0.2.200" {
				t.Fatalf("login.throttled rows: %+v", throttled)
			}
			if n := len(auditRows(t, s, models.AuditLoginFailed, u.Email)); n != store.MaxFailuresPerAccount {
				t.Fatalf("%d login.failed rows, want %d (throttled attempts are not failures)", n, store.MaxFailuresPerAccount)
			}
			// Another account from the same address is not affected.
			if _, err := s.Login(ctx, martaEmail, store.DemoPassword, ip); err != nil {
				t.Fatalf("other account from the same address: %v", err)
			}
			// Once the delay has passed, the right password works (no lock).
			ageAudit(t, s, u.Email, 5*time.Second)
			if _, err := s.Login(ctx, u.Email, store.DemoPassword, ip); err != nil {
				t.Fatalf("after the delay: %v", err)
			}
		})

		t.Run("a stranger's failures do not lock the owner out of a trusted address", func(t *testing.T) {
			u := addUser(t, s, "owner@bank.example")
			const home, work, hotel = "198.51.100.70", "198.51.100.71", "198.51.100.72"
			if _, err := s.Login(ctx, u.Email, store.DemoPassword, home); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DirectLogin(ctx, directLogin(u.Email, store.DemoPassword, store.DemoConsumerKey, work)); err != nil {
				t.Fatal(err)
			}
			// A stranger: 50 wrong passwords from 50 addresses, the last
			// ones real attempts (delayed once the account has 10).
			for i := range 45 {
				addFailures(t, s, u.Email, fmt.Sprintf("203.0.113.%d", i+1), 1)
			}
			for i := range 5 {
				_, err := s.Login(ctx, u.Email, "guess", fmt.Sprintf("203.0.113.%d", 100+i))
				wantCode(t, err, models.CodeRateLimited)
			}
			// The owner signs in from the addresses they used, through
			// either entry point (a DirectLogin success trusts the address
			// for the browser login and the other way round).
			for _, ip := range []string{home, work} {
				if _, err := s.Login(ctx, u.Email, store.DemoPassword, ip); err != nil {
					t.Fatalf("owner from %s: %v", ip, err)
				}
				if _, err := s.DirectLogin(ctx, directLogin(u.Email, store.DemoPassword, store.DemoConsumerKey, ip)); err != nil {
					t.Fatalf("owner's DirectLogin from %s: %v", ip, err)
				}
			}
			// A new address waits: the stranger's failures delay it for up
			// to five minutes (so does the owner travelling: slowed, not
			// locked out).
			_, err := s.Login(ctx, u.Email, "guess", "203.0.113.200")
			if e := wantCode(t, err, models.CodeRateLimited); e.RetryAfter < 200 || e.RetryAfter > 300 {
				t.Fatalf("a new address: Retry-After %d", e.RetryAfter)
			}
			_, err = s.Login(ctx, u.Email, store.DemoPassword, hotel)
			wantCode(t, err, models.CodeRateLimited)
			_, err = s.DirectLogin(ctx, directLogin(u.Email, store.DemoPassword, store.DemoConsumerKey, hotel))
			wantCode(t, err, models.CodeRateLimited)
			// Trust lasts 30 days from the last success there.
			ageAudit(t, s, u.Email, models.SignInThrottle.TrustWindow)
			for i := range 10 {
				addFailures(t, s, u.Email, fmt.Sprintf("203.0.113.%d", 150+i), 1)
			}
			_, err = s.Login(ctx, u.Email, store.DemoPassword, home)
			wantCode(t, err, models.CodeRateLimited)
		})

		t.Run("the same address gets growing delays, and a success clears them", func(t *testing.T) {
			u := addUser(t, s, "typo.prone@bank.example")
			const ip = "198.51.100.80"
			if _, err := s.Login(ctx, u.Email, store.DemoPassword, ip); err != nil {
				t.Fatal(err)
			}
			for i := range store.MaxFailuresPerAccount {
				_, err := s.Login(ctx, u.Email, fmt.Sprintf("typo-%d", i), ip)
				wantCode(t, err, models.CodeUnauthorized)
			}
			prev := 0
			for _, delay := range []int{5, 10, 20, 40} {
				_, err := s.Login(ctx, u.Email, store.DemoPassword, ip)
				e := wantCode(t, err, models.CodeRateLimited)
				if e.RetryAfter <= prev || e.RetryAfter > delay {
					t.Fatalf("Retry-After %d after %d, want up to %d", e.RetryAfter, prev, delay)
				}
				prev = e.RetryAfter
				// After the wait, the address may try again, and fail again.
				ageAudit(t, s, u.Email, time.Duration(delay)*time.Second)
				_, err = s.Login(ctx, u.Email, "typo again", ip)
				wantCode(t, err, models.CodeUnauthorized)
			}
			_, err := s.Login(ctx, u.Email, store.DemoPassword, ip)
			if e := wantCode(t, err, models.CodeRateLimited); e.RetryAfter <= 40 {
				t.Fatalf("Retry-After %d, want more than 40", e.RetryAfter)
			}
			// The delay stops growing at five minutes, and after it the
			// right password works and clears the address's failures.
			ageAudit(t, s, u.Email, 5*time.Minute)
			if _, err := s.Login(ctx, u.Email, store.DemoPassword, ip); err != nil {
				t.Fatalf("after the longest delay: %v", err)
			}
			_, err = s.Login(ctx, u.Email, "typo", ip)
			wantCode(t, err, models.CodeUnauthorized)
			if _, err := s.Login(ctx, u.Email, store.DemoPassword, ip); err != nil {
				t.Fatalf("one failure after a success: %v", err)
			}
		})

		t.Run("failures older than the window do not count", func(t *testing.T) {
			u := addUser(t, s, "old.failures@bank.example")
			old := time.Now().UTC().Add(-models.SignInThrottle.SubjectWindow - time.Minute)
			for i := range store.MaxFailuresPerAccount + 5 {
				storetest.Must(t, s.Audit(ctx, models.AuditEvent{CreatedAt: old, Action: models.AuditLoginFailed,
					Subject: u.Email, ClientIP: "198.51.100.20", Outcome: "denied", Detail: fmt.Sprint(i)}), "audit")
			}
			if _, err := s.Login(ctx, u.Email, "wrong", "198.51.100.20"); models.ErrorCode(err) != models.CodeUnauthorized {
				t.Fatalf("login with only stale failures: %v", err)
			}
			addFailures(t, s, u.Email, "198.51.100.20", store.MaxFailuresPerAccount-1)
			_, err := s.Login(ctx, u.Email, store.DemoPassword, "198.51.100.20")
			wantCode(t, err, models.CodeRateLimited)
		})

		t.Run("per-address throttling across accounts", func(t *testing.T) {
			const ip, otherIP = "203.0.113.99", "203.0.113.100"
			// Guessing many accounts from one address: one short of the limit...
			for i := range store.MaxFailuresPerAddress - 1 {
				storetest.Must(t, s.Audit(ctx, models.AuditEvent{Action: models.AuditLoginFailed,
					Subject: fmt.Sprintf("guess%d@bank.example", i), ClientIP: ip, Outcome: "denied"}), "audit")
			}
			if _, err := s.Login(ctx, joaoEmail, store.DemoPassword, ip); err != nil {
				t.Fatalf("login under the address limit: %v", err)
			}
			storetest.Must(t, s.Audit(ctx, models.AuditEvent{Action: models.AuditLoginFailed,
				Subject: "one.more@bank.example", ClientIP: ip, Outcome: "denied"}), "audit")
			// ... then the address is throttled even for a right password of
			// an account with no failures of its own.
			_, err := s.Login(ctx, joaoEmail, store.DemoPassword, ip)
			e := wantCode(t, err, models.CodeRateLimited)
			if e.RetryAfter <= 0 {
				t.Fatalf("RetryAfter %d", e.RetryAfter)
			}
			rows := auditRows(t, s, models.AuditLoginThrottled, joaoEmail)
			if len(rows) != 1 || rows[0].ClientIP != ip {
				t.Fatalf("login.throttled rows for joao: %+v", rows)
			}
			// The same account from another address is fine.
			if _, err := s.Login(ctx, joaoEmail, store.DemoPassword, otherIP); err != nil {
				t.Fatalf("login from another address: %v", err)
			}
		})

		t.Run("a disabled user cannot sign in", func(t *testing.T) {
			u := addUser(t, s, "disabled@bank.example")
			storetest.Must(t, s.DB().Model(&models.User{}).Where("id = ?", u.ID).Update("disabled", true).Error, "disable")
			_, err := s.Login(ctx, u.Email, store.DemoPassword, "198.51.100.30")
			_, wrong := s.Login(ctx, u.Email, "wrong password", "198.51.100.30")
			wantCode(t, err, models.CodeUnauthorized)
			sameAnswer(t, wrong, err)
			_, err = s.Principal(ctx, u.ID)
			wantCode(t, err, models.CodeUnauthorized)
		})

		t.Run("principal of a missing user is unauthorized", func(t *testing.T) {
			_, err := s.Principal(ctx, 987654321)
			wantCode(t, err, models.CodeUnauthorized)
		})
	})
}
