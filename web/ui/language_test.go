package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/web/webtest"
)

func htmlLang(t *testing.T, r *webtest.Response) string {
	t.Helper()
	l, _ := r.Doc(t).Find("html").Attr("lang")
	return l
}

// Portuguese unless the browser prefers English; the header switch sets a
// cookie for visitors and the account's choice for users, and the saved
// choice wins over the browser's.
func TestLanguageChoiceAndSwitch(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		anon := s.ClientIn(t, "")
		r := anon.Get("/login")
		if got := htmlLang(t, r); got != "pt-PT" || !strings.Contains(r.Body, "Portal de Parceiros") ||
			r.Header.Get("Content-Language") != "pt-PT" {
			t.Fatalf("no Accept-Language: lang %q, Content-Language %q", got, r.Header.Get("Content-Language"))
		}
		if got := htmlLang(t, s.ClientIn(t, "en-GB,en;q=0.9").Get("/login")); got != "en" {
			t.Fatalf("English browser: lang %q", got)
		}
		if got := htmlLang(t, s.ClientIn(t, "fr-FR").Get("/login")); got != "pt-PT" {
			t.Fatalf("French browser: lang %q, want the default", got)
		}

		// The switch: back to the page it was used on, remembered in a cookie.
		sw := anon.PostForm("/lang", url.Values{"lang": {"en"}}, "Referer", anon.Base()+"/login?next=%2Fprocesses")
		if sw.StatusCode != http.StatusSeeOther || sw.Header.Get("Location") != "/login?next=%2Fprocesses" {
			t.Fatalf("switch: %d to %q", sw.StatusCode, sw.Header.Get("Location"))
		}
		if c := anon.Cookie("lang"); c == nil || c.Value != "en" {
			t.Fatalf("lang cookie %+v", c)
		}
		if got := htmlLang(t, anon.Get("/login")); got != "en" {
			t.Fatalf("after the switch: lang %q", got)
		}
		// Another site's page as Referer, or none: the start page.
		if sw := anon.PostForm("/lang", url.Values{"lang": {"en"}}, "Referer", "http://elsewhere.example/x"); sw.Header.Get("Location") != "/" {
			t.Fatalf("foreign referer: back to %q", sw.Header.Get("Location"))
		}
		if bad := anon.PostForm("/lang", url.Values{"lang": {"fr"}}); bad.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown language: %d", bad.StatusCode)
		}
		if cross := anon.PostForm("/lang", url.Values{"lang": {"pt-PT"}}, "Sec-Fetch-Site", "cross-site"); cross.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site switch: %d, want 403", cross.StatusCode)
		}

		// Ana chooses Portuguese in an English browser; the choice follows
		// her account to another browser and survives signing out.
		anaC := s.ClientIn(t, "en")
		anaC.Login(ana)
		if got := htmlLang(t, anaC.Get("/processes")); got != "en" {
			t.Fatalf("Ana before choosing: %q", got)
		}
		anaC.PostForm("/lang", url.Values{"lang": {"pt-PT"}}, "Referer", anaC.Base()+"/processes")
		other := s.ClientIn(t, "en")
		other.Login(ana)
		if got := htmlLang(t, other.Get("/processes")); got != "pt-PT" {
			t.Fatalf("Ana's saved choice in another browser: %q", got)
		}
		anaC.PostForm("/logout", nil)
		if got := htmlLang(t, anaC.Get("/login")); got != "pt-PT" {
			t.Fatalf("after signing out: %q, want the choice kept", got)
		}
	})
}
