package ui

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/models"
	"portal/web/session"
)

// render writes c's response from component, rendered with the request's
// context into a buffer first so a failure never leaves half a page. The
// context keeps its values (language, user, nonce) but not its
// cancellation: net/http cancels it when the client stops sending, and the
// answer to a body cut short (400) must still render.
func (h *Handlers) render(c *gin.Context, status int, component templ.Component) {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := component.Render(context.WithoutCancel(c.Request.Context()), buf); err != nil {
		h.log.Error("render", "err", err, "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
		c.Header("Content-Type", "text/plain; charset=utf-8")
		c.String(http.StatusInternalServerError, "Internal error.")
		return
	}
	c.Writer.Header().Add("Vary", "HX-Request")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// renderBuffers are the pages' buffers, reused: a page grown from an empty
// buffer was a fifth of a list request's allocations. The response writer
// copies what it is given, so a buffer is free again once c.Data returns.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 1<<20 { // an exceptional page: let it go
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// page returns the layout data for the current request.
func (h *Handlers) page(c *gin.Context, title, active string) components.Page {
	return components.Page{
		Title:  title,
		User:   models.PrincipalFrom(c.Request.Context()),
		Flash:  session.TakeFlash(c),
		Active: active,
		Timer:  h.sessionTimer,
	}
}

// isFragment tells whether htmx asked for a part of the page: a plain htmx
// request, not a boosted one and not a history restore (those need the
// whole page).
func isFragment(c *gin.Context) bool {
	r := c.Request.Header
	return r.Get("HX-Request") == "true" && r.Get("HX-Boosted") == "" && r.Get("HX-History-Restore-Request") == ""
}

// redirect sends the browser to path: HX-Redirect for htmx, 303 otherwise.
func redirect(c *gin.Context, path string) {
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", path)
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, path)
}

// safeNext accepts only a same-site relative path ("/x?y"): never
// "//host", anything with a backslash (browsers read "/\host" as
// "//host"), an absolute URL, or a path that cleans to "//host" (the
// redirect cleans "/./\host" and "/a/../\host").
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if strings.HasPrefix(path.Clean(u.Path), "//") {
		return ""
	}
	return next
}

// comeBackTo is where to return after signing in: the page itself, or for
// an htmx request (a fragment, a poll) the page that made it.
func comeBackTo(c *gin.Context) string {
	if c.Request.Method != http.MethodGet {
		return ""
	}
	if c.GetHeader("HX-Request") != "true" {
		return c.Request.URL.RequestURI()
	}
	u, err := url.Parse(c.GetHeader("HX-Current-URL"))
	if err != nil {
		return ""
	}
	return safeNext(u.RequestURI())
}

// signInURL is where an anonymous request is sent: /login, with next= the
// page to come back to. When the browser still sends a session cookie the
// user was signed in and the session ended (idle timeout, or ended
// elsewhere): expired=1 makes the sign-in page say so, and a POST (which
// has no page of its own) comes back to the page it was sent from, so the
// user continues the same process.
func signInURL(c *gin.Context) string {
	next := comeBackTo(c)
	expired := hadSession(c)
	if expired && next == "" {
		next = cameFrom(c)
	}
	var q []string
	if next != "" {
		q = append(q, "next="+url.QueryEscape(next))
	}
	if expired {
		q = append(q, "expired=1")
	}
	if len(q) == 0 {
		return "/login"
	}
	return "/login?" + strings.Join(q, "&")
}

// hadSession tells whether the request carries a session cookie (the
// session middleware found no live session for it).
func hadSession(c *gin.Context) bool {
	return session.HadCookie(c)
}

// cameFrom is the page a request was sent from: HX-Current-URL for htmx,
// the Referer for a plain form (same-origin: the cross-origin check has
// refused the others), reduced to a safe relative path on this site.
func cameFrom(c *gin.Context) string {
	from := c.GetHeader("Referer")
	if c.GetHeader("HX-Request") == "true" {
		from = c.GetHeader("HX-Current-URL")
	}
	if from == "" {
		return ""
	}
	u, err := url.Parse(from)
	if err != nil {
		return ""
	}
	return safeNext(u.RequestURI())
}

// requireKind lets through signed-in users of the given kinds; anonymous
// users are sent to sign in and come back, others get the 403 page.
func (h *Handlers) requireKind(kinds ...models.UserKind) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := models.PrincipalFrom(c.Request.Context())
		if p == nil {
			redirect(c, signInURL(c))
			c.Abort()
			return
		}
		for _, k := range kinds {
			if p.Kind == k {
				c.Next()
				return
			}
		}
		h.forbidden(c)
		c.Abort()
	}
}
