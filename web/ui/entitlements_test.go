package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

const adminEmail = "admin@bank.example"

// rolesOn returns the roles the entitlements page lists for email, with
// each one's revoke form action.
func rolesOn(t *testing.T, doc *goquery.Document, email string) map[string]string {
	t.Helper()
	row := doc.Find(`[data-testid="entitlement-user"][data-email="` + email + `"]`)
	if row.Length() != 1 {
		t.Fatalf("%d rows for %s", row.Length(), email)
	}
	out := map[string]string{}
	row.Find(`[data-testid="entitlement-role"]`).Each(func(_ int, r *goquery.Selection) {
		out[r.AttrOr("data-role", "")] = r.Find("form").AttrOr("action", "")
	})
	return out
}

func TestEntitlementsListGrantAndRevoke(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		a := s.Client(t)
		a.Login(adminEmail)
		home := a.Get("/admin").Doc(t)
		if home.Find(`a[href="/admin/entitlements"]`).Length() != 1 {
			t.Error("the admin home does not link the entitlements page")
		}
		res := a.Get("/admin/entitlements")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("entitlements page: %d", res.StatusCode)
		}
		doc := res.Doc(t)
		m := rolesOn(t, doc, marta)
		for _, r := range []string{models.RoleCanCreateCustomerMessage, models.RoleCanGetCustomerMessages, models.RoleCanCreateCustomer} {
			if m[r] == "" {
				t.Errorf("Marta's %s not listed (with a revoke form): %v", r, m)
			}
		}
		if len(rolesOn(t, doc, nuno)) != 0 {
			t.Error("Nuno is listed with roles")
		}
		if doc.Find(`[data-testid="entitlement-user"][data-email="`+ana+`"]`).Length() != 0 {
			t.Error("a broker is listed")
		}

		// Nuno is refused, gains the role, can search; loses it, is refused again.
		n := s.Client(t)
		n.Login(nuno)
		if res := n.Get("/staff/customers"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("Nuno before the grant: %d", res.StatusCode)
		}
		res = a.PostForm("/admin/entitlements", url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {models.RoleCanGetCustomerMessages}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/entitlements" {
			t.Fatalf("grant: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		doc = a.Get("/admin/entitlements").Doc(t)
		if f := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(f, models.RoleCanGetCustomerMessages) {
			t.Errorf("flash after granting: %q", f)
		}
		revoke := rolesOn(t, doc, nuno)[models.RoleCanGetCustomerMessages]
		if revoke == "" {
			t.Fatal("granted role not listed")
		}
		if res := n.Get("/staff/customers?q=Maria"); res.StatusCode != http.StatusOK || len(customerRows(res.Doc(t))) != 1 {
			t.Fatalf("Nuno after the grant: %d", res.StatusCode)
		}
		res = a.PostForm(revoke, nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", res.StatusCode)
		}
		doc = a.Get("/admin/entitlements").Doc(t)
		if f := doc.Find(`[data-testid="flash"]`).Text(); f == "" || len(rolesOn(t, doc, nuno)) != 0 {
			t.Errorf("after revoking: flash %q, roles %v", f, rolesOn(t, doc, nuno))
		}
		if res := n.Get("/staff/customers"); res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "CanGetCustomerMessages") {
			t.Fatalf("Nuno after the revoke: %d", res.StatusCode)
		}

		// Refusals are shown above the list with a fitting status.
		for name, tc := range map[string]struct {
			form   url.Values
			status int
		}{
			"held":         {url.Values{"user_id": {s.UserUUID(t, marta)}, "role": {models.RoleCanGetCustomerMessages}}, http.StatusConflict},
			"unknown user": {url.Values{"user_id": {"00000000-0000-4000-8000-000000000000"}, "role": {models.RoleCanGetCustomerMessages}}, http.StatusNotFound},
			"no role":      {url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {""}}, http.StatusUnprocessableEntity},
			"bad role":     {url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {"CanEverything"}}, http.StatusUnprocessableEntity},
		} {
			res := a.PostForm("/admin/entitlements", tc.form)
			doc := res.Doc(t)
			if res.StatusCode != tc.status || doc.Find(`[data-testid="entitlements-error"]`).Text() == "" ||
				doc.Find(`[data-testid="entitlement-user"]`).Length() == 0 {
				t.Errorf("%s: %d (want %d), error %q", name, res.StatusCode, tc.status, doc.Find(`[data-testid="entitlements-error"]`).Text())
			}
		}
		// Revoking twice: the second is refused clearly.
		if res := a.PostForm(revoke, nil); res.StatusCode != http.StatusNotFound || res.Doc(t).Find(`[data-testid="entitlements-error"]`).Text() == "" {
			t.Errorf("revoking again: %d", res.StatusCode)
		}
	})
}

func TestEntitlementsAreForAdmins(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, who := range []string{marta, nuno, ana, maria} {
		c := s.Client(t)
		c.Login(who)
		if res := c.Get("/admin/entitlements"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET: %d", who, res.StatusCode)
		}
		res := c.PostForm("/admin/entitlements", url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {models.RoleCanGetCustomerMessages}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s grant: %d", who, res.StatusCode)
		}
	}
	var n int64
	s.Store.DB().Table("entitlements e").Joins("JOIN users u ON u.id = e.user_id").Where("u.email = ?", nuno).Count(&n)
	if n != 0 {
		t.Fatal("a non-admin granted a role")
	}
	anon := s.Client(t)
	if res := anon.Get("/admin/entitlements"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	// Cross-site posts are refused before anything else.
	a := s.Client(t)
	a.Login(adminEmail)
	res := a.PostForm("/admin/entitlements", url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {models.RoleCanGetCustomerMessages}}, "Sec-Fetch-Site", "cross-site")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site grant: %d", res.StatusCode)
	}
}

// The admin home and the entitlements page speak the client's language:
// Portuguese by default, the flashes and refusals too.
func TestEntitlementsInPortugueseAndEnglish(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	pt := s.ClientIn(t, "")
	pt.Login(adminEmail)
	home := pt.Get("/admin")
	doc := home.Doc(t)
	if htmlLang(t, home) != "pt-PT" || strings.TrimSpace(doc.Find("h1").Text()) != "Administração" ||
		strings.TrimSpace(doc.Find(`a[href="/admin/entitlements"].btn`).Text()) != "Permissões" ||
		strings.TrimSpace(doc.Find(`a[href="/staff/processes"].btn`).Text()) != "Todos os processos" {
		t.Errorf("Portuguese admin home: lang %q, %q", htmlLang(t, home), doc.Find(`[data-testid="home"]`).Text())
	}
	page := pt.Get("/admin/entitlements")
	doc = page.Doc(t)
	if htmlLang(t, page) != "pt-PT" || strings.TrimSpace(doc.Find("h1").Text()) != "Permissões" ||
		doc.Find(`th:contains("Utilizador")`).Length() != 1 || doc.Find(`option:contains("Escolha um perfil…")`).Length() == 0 {
		t.Errorf("Portuguese entitlements page: lang %q, h1 %q", htmlLang(t, page), doc.Find("h1").Text())
	}
	if l := doc.Find(`[data-testid="revoke"]`).First().AttrOr("aria-label", ""); !strings.HasPrefix(l, "Revogar ") {
		t.Errorf("revoke button label %q", l)
	}
	pt.PostForm("/admin/entitlements", url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {models.RoleCanGetCustomerMessages}})
	if f := strings.TrimSpace(pt.Get("/admin/entitlements").Doc(t).Find(`[data-testid="flash"]`).Text()); f != "Perfil "+models.RoleCanGetCustomerMessages+" atribuído." {
		t.Errorf("Portuguese flash %q", f)
	}
	held := pt.PostForm("/admin/entitlements", url.Values{"user_id": {s.UserUUID(t, nuno)}, "role": {models.RoleCanGetCustomerMessages}})
	if e := held.Doc(t).Find(`[data-testid="entitlements-error"]`).Text(); e != "O utilizador já tem o perfil "+models.RoleCanGetCustomerMessages+"." {
		t.Errorf("Portuguese refusal %q", e)
	}

	en := s.Client(t)
	en.Login(adminEmail)
	page = en.Get("/admin/entitlements")
	if doc := page.Doc(t); htmlLang(t, page) != "en" || strings.TrimSpace(doc.Find("h1").Text()) != "Entitlements" {
		t.Errorf("English entitlements page: lang %q, h1 %q", htmlLang(t, page), doc.Find("h1").Text())
	}
	if h1 := strings.TrimSpace(en.Get("/admin").Doc(t).Find("h1").Text()); h1 != "Administration" {
		t.Errorf("English admin home %q", h1)
	}
}
