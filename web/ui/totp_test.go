package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/models/store"
	"portal/web/session"
	"portal/web/webtest"
)

// totpCodeAt is the code of secret at now+offset; the server accepts one
// step either side of its clock, and a code once, so a test that used the
// current step's code moves on to the next one.
func totpCodeAt(t *testing.T, secret string, offset time.Duration) string {
	t.Helper()
	code, err := models.TOTPCode(secret, time.Now().Add(offset))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrolThroughPages sets up the second factor of c's signed-in user with
// the pages, as a person would: the secret as shown (for typing), a code
// from it. It returns the secret and the recovery codes shown.
func enrolThroughPages(t *testing.T, c *webtest.Client) (string, []string) {
	t.Helper()
	page := c.Get("/account/2fa")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("/account/2fa: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	secret := strings.ReplaceAll(strings.TrimSpace(doc.Find(`[data-testid="totp-secret"]`).Text()), " ", "")
	if len(secret) < 32 {
		t.Fatalf("secret shown %q", secret)
	}
	if src, _ := doc.Find(`img[data-testid="totp-qr"]`).Attr("src"); !strings.HasPrefix(src, "data:image/png;base64,") {
		t.Fatalf("QR code src %.40q", src)
	}
	res := c.PostForm("/account/2fa/confirm", url.Values{"code": {totpCodeAt(t, secret, 0)}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	var codes []string
	res.Doc(t).Find(`[data-testid="totp-recovery-code"]`).Each(func(_ int, s *goquery.Selection) {
		codes = append(codes, strings.TrimSpace(s.Text()))
	})
	if len(codes) != models.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	return secret, codes
}

func pendingCookie(c *webtest.Client) *http.Cookie {
	u, _ := url.Parse(c.Base() + "/login/2fa")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "portal_2fa" {
			return ck
		}
	}
	return nil
}

func TestSecondFactorSignIn(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(marta)
	secret, codes := enrolThroughPages(t, c)
	if res := c.Get("/account/2fa"); !strings.Contains(res.Doc(t).Find(`[data-testid="totp-codes-left"]`).Text(), "10 recovery codes left") {
		t.Fatalf("status after enrolment: %q", res.Doc(t).Find(`main`).Text())
	}
	c.PostForm("/logout", nil)

	t.Run("the password alone is not a session", func(t *testing.T) {
		c := s.Client(t)
		res := c.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}, "next": {"/staff/customers"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login/2fa" {
			t.Fatalf("after the password: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if c.Cookie(session.CookieName) != nil {
			t.Fatal("a session cookie was set before the second factor")
		}
		ck := pendingCookie(c)
		if ck == nil {
			t.Fatal("no pending sign-in cookie")
		}
		set := res.Header.Get("Set-Cookie")
		for _, want := range []string{"Path=/login/2fa", "HttpOnly", "SameSite=Lax", "Max-Age=300"} {
			if !strings.Contains(set, want) {
				t.Errorf("pending cookie %q lacks %s", set, want)
			}
		}
		// Staff pages stay closed: the pending sign-in is no session.
		for _, path := range []string{"/staff/threads", "/staff/customers", "/processes", "/account/2fa"} {
			if res := c.Get(path); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
				t.Errorf("%s while the second factor is pending: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
			}
		}
		// Nor does the pending token work as a session cookie.
		forged := s.Client(t)
		forged.Jar.SetCookies(mustURL(s.URL), []*http.Cookie{{Name: session.CookieName, Value: ck.Value}})
		if res := forged.Get("/staff/threads"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("pending token as a session: %d", res.StatusCode)
		}

		step := c.Get("/login/2fa")
		if step.StatusCode != http.StatusOK || strings.TrimSpace(step.Doc(t).Find(`[data-testid="totp-step-email"]`).Text()) != marta {
			t.Fatalf("second step page: %d", step.StatusCode)
		}
		wrong := c.PostForm("/login/2fa", url.Values{"code": {"12345"}})
		if wrong.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(wrong.Doc(t).Find(`[data-testid="totp-error"]`).Text(), "not right") {
			t.Fatalf("wrong code: %d", wrong.StatusCode)
		}
		// The code that confirmed the enrolment is spent: the next one signs in.
		ok := c.PostForm("/login/2fa", url.Values{"code": {totpCodeAt(t, secret, models.TOTPPeriod)}})
		if ok.StatusCode != http.StatusSeeOther || ok.Header.Get("Location") != "/staff/customers" {
			t.Fatalf("right code: %d to %q", ok.StatusCode, ok.Header.Get("Location"))
		}
		if res := c.Get("/staff/threads"); res.StatusCode != http.StatusOK {
			t.Fatalf("signed in: /staff/threads %d", res.StatusCode)
		}
		if pendingCookie(c) != nil {
			t.Error("the pending cookie outlived the sign-in")
		}
		// The history tells the password step from the sign-in: newest
		// first, signed in (code), wrong code, password right / code asked.
		var results []string
		c.Get("/account").Doc(t).Find(`[data-testid="signin"]`).Each(func(_ int, r *goquery.Selection) {
			results = append(results, r.AttrOr("data-result", ""))
		})
		if len(results) < 3 || results[0] != models.SignInOK || results[1] != models.SignInCodeWrong || results[2] != models.SignInCodeAsked {
			t.Errorf("sign-in history %v", results)
		}
		// The same code again is a replay.
		again := s.Client(t)
		again.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}})
		if res := again.PostForm("/login/2fa", url.Values{"code": {totpCodeAt(t, secret, models.TOTPPeriod)}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("replayed code: %d", res.StatusCode)
		}
	})

	t.Run("a recovery code signs in once", func(t *testing.T) {
		c := s.Client(t)
		c.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}})
		if res := c.PostForm("/login/2fa", url.Values{"code": {strings.ToUpper(codes[0])}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("recovery code: %d", res.StatusCode)
		}
		c2 := s.Client(t)
		c2.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}})
		if res := c2.PostForm("/login/2fa", url.Values{"code": {codes[0]}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("recovery code twice: %d", res.StatusCode)
		}
	})

	t.Run("five wrong codes end the pending sign-in", func(t *testing.T) {
		c := s.Client(t)
		c.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}})
		var last *webtest.Response
		for i := 0; i < models.MaxSecondFactorAttempts; i++ {
			last = c.PostForm("/login/2fa", url.Values{"code": {"abcd-efgh-jkmn"}})
		}
		if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
			t.Fatalf("fifth wrong code: %d", last.StatusCode)
		}
		if res := c.Get("/login/2fa"); res.StatusCode != http.StatusUnauthorized || res.Doc(t).Find(`[data-testid="totp-ended"]`).Length() != 1 {
			t.Fatalf("second step after the limit: %d", res.StatusCode)
		}
		var n int64
		s.Store.DB().Model(&models.AuditEvent{}).Where("action = ? AND subject = ?", models.AuditSecondFactorThrottled, marta).Count(&n)
		if n != 1 {
			t.Fatalf("%d throttle audit rows", n)
		}
	})

	t.Run("cancel forgets the pending sign-in", func(t *testing.T) {
		c := s.Client(t)
		c.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}})
		tok := pendingCookie(c).Value
		if res := c.PostForm("/login/2fa/cancel", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
			t.Fatalf("cancel: %d", res.StatusCode)
		}
		if _, err := s.Store.PendingSecondFactor(t.Context(), tok); models.ErrorCode(err) != models.CodeUnauthorized {
			t.Fatalf("pending sign-in after cancel: %v", err)
		}
	})

	t.Run("brokers and staff without a second factor sign in with the password", func(t *testing.T) {
		for email, home := range map[string]string{ana: "/processes", "nuno.reis@bank.example": "/staff/threads"} {
			c := s.Client(t)
			res := c.PostForm("/login", url.Values{"email": {email}, "password": {store.DemoPassword}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != home {
				t.Errorf("%s: %d to %q", email, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
}

func TestSecondFactorPagesInPortuguese(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.ClientIn(t, "")
	c.Login(marta)
	page := c.Get("/account/2fa").Doc(t)
	if h := strings.TrimSpace(page.Find("h1").Text()); h != "Autenticação em dois passos" {
		t.Errorf("heading %q", h)
	}
	if l := strings.TrimSpace(page.Find(`label[for="confirm-code"]`).Text()); l != "Código de 6 dígitos" {
		t.Errorf("label %q", l)
	}
	if l := strings.TrimSpace(c.Get("/account").Doc(t).Find(`[data-testid="two-factor-link"]`).Text()); l != "Ativar a autenticação em dois passos" {
		t.Errorf("account page link %q", l)
	}
	wrong := c.PostForm("/account/2fa/confirm", url.Values{"code": {"1"}})
	if e := wrong.Doc(t).Find(`[data-testid="totp-error"]`).Text(); wrong.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(e, "não está certo") {
		t.Errorf("wrong code: %d %q", wrong.StatusCode, e)
	}
}

func TestRequiredSecondFactorForcesEnrolment(t *testing.T) {
	policy, _ := models.ParseSecondFactorPolicy("staff,admin")
	s := webtest.NewWith(t, store.SQLite, webtest.Options{SecondFactor: policy})
	c := s.Client(t)
	c.Login(marta)
	for _, path := range []string{"/staff/threads", "/staff/customers", "/processes", "/"} {
		res := c.Get(path)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/2fa" {
			t.Errorf("%s before enrolment: %d to %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	// htmx requests are sent there too, the htmx way.
	if res := c.Get("/staff/threads/list", "HX-Request", "true"); res.Header.Get("HX-Redirect") != "/account/2fa" {
		t.Errorf("htmx before enrolment: %d, HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	// Signing in as someone else stays possible from a confined browser.
	other := s.Client(t)
	other.Login(marta)
	if res := other.PostForm("/login", url.Values{"email": {ana}, "password": {store.DemoPassword}}); res.Header.Get("Location") != "/processes" {
		t.Errorf("signing in as a broker from a confined browser: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := c.Get("/account/2fa")
	if page.StatusCode != http.StatusOK || page.Doc(t).Find(`[data-testid="totp-required"]`).Length() != 1 {
		t.Fatalf("/account/2fa: %d, required notice missing", page.StatusCode)
	}
	secret, _ := enrolThroughPages(t, c)
	if res := c.Get("/staff/threads"); res.StatusCode != http.StatusOK {
		t.Fatalf("after enrolment: %d", res.StatusCode)
	}
	// Required: it cannot be switched off.
	if c.Get("/account/2fa").Doc(t).Find(`[data-testid="totp-disable"]`).Length() != 0 {
		t.Error("a required second factor offers to be switched off")
	}
	if res := c.PostForm("/account/2fa/disable", url.Values{"code": {totpCodeAt(t, secret, models.TOTPPeriod)}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("disable when required: %d", res.StatusCode)
	}
	// Brokers are not concerned (the policy names staff and admins).
	b := s.Client(t)
	b.Login(ana)
	if res := b.Get("/processes"); res.StatusCode != http.StatusOK {
		t.Errorf("broker: %d", res.StatusCode)
	}
	// The next sign-in asks for the code.
	n := s.Client(t)
	if res := n.PostForm("/login", url.Values{"email": {marta}, "password": {store.DemoPassword}}); res.Header.Get("Location") != "/login/2fa" {
		t.Errorf("next sign-in: %q", res.Header.Get("Location"))
	}
}

func TestSecondFactorDisableAndRenew(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(marta)
	secret, old := enrolThroughPages(t, c)
	// Renewing needs a current code; the new codes replace the old.
	if res := c.PostForm("/account/2fa/recovery-codes", url.Values{"code": {"000000"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("renew with a wrong code: %d", res.StatusCode)
	}
	res := c.PostForm("/account/2fa/recovery-codes", url.Values{"code": {totpCodeAt(t, secret, models.TOTPPeriod)}})
	if n := res.Doc(t).Find(`[data-testid="totp-recovery-code"]`).Length(); res.StatusCode != http.StatusOK || n != models.RecoveryCodeCount {
		t.Fatalf("renew: %d, %d codes", res.StatusCode, n)
	}
	uid := int64(0)
	s.Store.DB().Raw("SELECT id FROM users WHERE email = ?", marta).Scan(&uid)
	if ok, _ := s.Store.UseRecoveryCode(t.Context(), uid, old[0]); ok {
		t.Fatal("an old recovery code works after renewal")
	}
}

func TestSecondFactorDisable(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login("admin@bank.example")
	secret, _ := enrolThroughPages(t, c)
	// Switching off needs a current code; then the password is enough.
	if res := c.PostForm("/account/2fa/disable", url.Values{"code": {"abcdef"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("disable with a wrong code: %d", res.StatusCode)
	}
	res := c.PostForm("/account/2fa/disable", url.Values{"code": {totpCodeAt(t, secret, models.TOTPPeriod)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/2fa" {
		t.Fatalf("disable: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page := c.Get("/account/2fa").Doc(t)
	if f := page.Find(`[data-testid="flash"]`).Text(); f != "Two-factor authentication is off." {
		t.Errorf("flash %q", f)
	}
	if page.Find(`[data-testid="totp-secret"]`).Length() != 1 {
		t.Error("the page does not offer to set it up again")
	}
	n := s.Client(t)
	if res := n.PostForm("/login", url.Values{"email": {"admin@bank.example"}, "password": {store.DemoPassword}}); res.Header.Get("Location") != "/admin" {
		t.Errorf("sign-in after switching off: %q", res.Header.Get("Location"))
	}
}

func TestSecondFactorPageIsForStaff(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, email := range []string{ana, maria} {
		c := s.Client(t)
		c.Login(email)
		if res := c.Get("/account/2fa"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: /account/2fa %d", email, res.StatusCode)
		}
	}
	if res := s.Client(t).Get("/account/2fa"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
}
