package ui

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/models"
)

// langCookie remembers the language chosen with the header switch for
// visitors who are not signed in (and for the sign-in page after signing
// out); signed-in users' choice is saved on their account too.
const langCookie = "lang"

// secureLangCookie is its name over TLS (Secure, and the __Host- prefix
// keeps other hosts from setting it).
const secureLangCookie = "__Host-" + langCookie

// Language sets the request's language: the signed-in user's saved choice,
// else the lang cookie, else Accept-Language (Portuguese unless the browser
// prefers English). Runs after the session middleware.
func Language(c *gin.Context) {
	applyLanguage(c)
	c.Next()
}

// applyLanguage is Language without running the rest of the chain.
func applyLanguage(c *gin.Context) {
	ctx := c.Request.Context()
	l, ok := i18n.Lang(""), false
	if p := models.PrincipalFrom(ctx); p != nil && p.Language != "" {
		l, ok = i18n.Parse(p.Language)
	}
	if !ok {
		for _, name := range []string{secureLangCookie, langCookie} {
			if v, err := c.Cookie(name); err == nil && !ok {
				l, ok = i18n.Parse(v)
			}
		}
	}
	if !ok {
		l = i18n.Match(c.GetHeader("Accept-Language"))
	}
	c.Request = c.Request.WithContext(i18n.WithLang(ctx, l))
	c.Header("Content-Language", l.HTML())
	c.Writer.Header().Add("Vary", "Accept-Language, Cookie")
}

// setLanguage is the header's language switch (a plain form, so it works
// without JavaScript): it keeps the choice in a cookie, saves it on the
// account when signed in, and goes back to the page it came from.
func (h *Handlers) setLanguage(c *gin.Context) {
	l, ok := i18n.Parse(c.PostForm("lang"))
	if !ok {
		h.fail(c, models.Invalid("lang", "user.language", nil))
		return
	}
	if models.PrincipalFrom(c.Request.Context()) != nil {
		if err := h.svc.Users.SetLanguage(c.Request.Context(), string(l)); err != nil {
			h.fail(c, err)
			return
		}
	}
	name := langCookie
	if h.secureCookies {
		name = secureLangCookie
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secureCookies, SameSite: http.SameSiteLaxMode})
	redirect(c, backTo(c))
}

// backTo is the same-site page a form was posted from (the Referer; pages
// send it to their own site only), "/" when there is none. Pages do not
// echo their own address into the form, so a 404 stays the same page
// whatever address was asked for.
func backTo(c *gin.Context) string {
	u, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || u.Host != c.Request.Host {
		return "/"
	}
	if next := safeNext(u.RequestURI()); next != "" {
		return next
	}
	return "/"
}
