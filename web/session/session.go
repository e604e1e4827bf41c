// Package session keeps browser sign-ins server-side: a gorilla/sessions
// Store whose cookie carries only a signed random token, the session row
// living in the database. It also resolves the current principal for every
// browser request. web/ui uses it to sign users in and out.
package session

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"portal/models"
)

// CookieName is a stable name (monitoring and tests rely on it). Over
// TLS the cookie is SecureCookieName instead: the __Host- prefix makes the
// browser refuse it unless it is Secure, has Path=/ and no Domain, so no
// other host (a sibling subdomain, a plain-HTTP page) can plant or
// overwrite it.
const (
	CookieName       = "portal_session"
	SecureCookieName = "__Host-" + CookieName
)

// BackgroundHeader marks requests a page makes on its own (htmx polls):
// they see the session but do not extend its idle timeout, so an
// unattended page still signs out after 30 minutes.
const BackgroundHeader = "X-Portal-Background"

const (
	keyUserID    = "uid"
	keyClientIP  = "_ip" // transient: used to create the row, never stored
	keyUserAgent = "_ua"
	keyFlash     = "flash"
	keyFlashPath = "flash_path"
	ctxSession   = "portal.session"
)

// resolvedKey holds, in a loaded session's values, the principal read with
// the row (resolved; nil for a disabled user), so the middleware needs no
// second query. Not a string: Save never stores it.
type (
	resolvedKey struct{}
	resolved    struct{ p *models.Principal }
)

// Store implements sessions.Store on models.SessionService.
type Store struct {
	name    string // the cookie's: CookieName, or SecureCookieName over TLS
	svc     models.SessionService
	codecs  []securecookie.Codec
	options sessions.Options
}

var _ sessions.Store = (*Store)(nil)

// NewStore returns a store signing (and encrypting) its cookie with keys:
// pairs of hash key and block key, newest first. secure means the portal
// is reached over TLS: the cookie is then Secure and named
// SecureCookieName.
func NewStore(svc models.SessionService, keys [][]byte, secure bool) *Store {
	codecs := securecookie.CodecsFromPairs(keys...)
	for _, c := range codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(int(models.SessionAbsoluteTimeout.Seconds()))
		}
	}
	name := CookieName
	if secure {
		name = SecureCookieName
	}
	return &Store{name: name, svc: svc, codecs: codecs, options: sessions.Options{
		Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		// MaxAge 0: a browser-session cookie; the server enforces the
		// idle and absolute timeouts on the row.
	}}
}

// Name is the session cookie's name.
func (s *Store) Name() string { return s.name }

func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New returns the session named by the request's cookie, or a new empty
// one when there is no valid cookie or the row has expired.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var token string
	if err := securecookie.DecodeMulti(name, c.Value, &token, s.codecs...); err != nil {
		return sess, nil // tampered, expired or signed with a retired key
	}
	row, p, err := s.svc.ResolveSession(r.Context(), token, r.Header.Get(BackgroundHeader) == "")
	if err != nil {
		if models.ErrorCode(err) == models.CodeUnauthorized {
			return sess, nil
		}
		return sess, err
	}
	var data map[string]string
	_ = json.Unmarshal([]byte(row.Data), &data)
	for k, v := range data {
		sess.Values[k] = v
	}
	sess.Values[keyUserID] = row.UserID
	sess.Values[resolvedKey{}] = resolved{p}
	sess.ID = token
	sess.IsNew = false
	return sess, nil
}

// Save creates the row for a new signed-in session, stores the values of an
// existing one, or deletes the row when MaxAge < 0; then sets the cookie.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.svc.DeleteSession(ctx, sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		uid, ok := sess.Values[keyUserID].(int64)
		if !ok {
			return nil // anonymous: nothing to keep, no cookie
		}
		ip, _ := sess.Values[keyClientIP].(string)
		ua, _ := sess.Values[keyUserAgent].(string)
		token, err := s.svc.CreateSession(ctx, uid, ip, ua)
		if err != nil {
			return err
		}
		sess.ID = token
	}
	data := map[string]string{}
	for k, v := range sess.Values {
		ks, ok1 := k.(string)
		vs, ok2 := v.(string)
		if ok1 && ok2 && ks != keyClientIP && ks != keyUserAgent {
			data[ks] = vs
		}
	}
	raw, _ := json.Marshal(data)
	if err := s.svc.SaveSessionData(ctx, sess.ID, string(raw)); err != nil {
		return err
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// Middleware loads the session and its principal into the request context
// (models.PrincipalFrom), both read in one statement (ResolveSession;
// auth resolves the principal only for a session loaded without it). A
// session whose user is gone or disabled is treated as signed out. fail
// answers a failure to load them (the database down: 503); nil answers a
// bare 500.
func Middleware(store *Store, auth models.AuthService, log *slog.Logger, fail func(*gin.Context, error)) gin.HandlerFunc {
	answer := func(c *gin.Context, what string, err error) {
		if fail != nil {
			fail(c, err)
			c.Abort()
			return
		}
		log.Error(what, "err", err)
		c.AbortWithStatus(http.StatusInternalServerError)
	}
	return func(c *gin.Context) {
		sess, err := store.Get(c.Request, store.name)
		if err != nil {
			answer(c, "load session", err)
			return
		}
		c.Set(ctxSession, sess)
		if uid, ok := sess.Values[keyUserID].(int64); ok && !sess.IsNew {
			var p *models.Principal
			if r, ok := sess.Values[resolvedKey{}].(resolved); ok {
				p = r.p
				if p == nil {
					err = models.Unauthorized("not signed in")
				}
			} else {
				p, err = auth.Principal(c.Request.Context(), uid)
			}
			switch {
			case err == nil:
				c.Request = c.Request.WithContext(models.WithPrincipal(c.Request.Context(), p))
			case models.ErrorCode(err) == models.CodeUnauthorized:
				sess.Options.MaxAge = -1
				_ = sess.Save(c.Request, c.Writer)
			default:
				answer(c, "resolve principal", err)
				return
			}
		}
		c.Next()
	}
}

func current(c *gin.Context) *sessions.Session {
	v, ok := c.Get(ctxSession)
	if !ok {
		return nil
	}
	return v.(*sessions.Session)
}

// Login replaces any session of this browser with a new one for p: the
// session id always changes at sign-in.
func Login(c *gin.Context, store *Store, p *models.Principal) error {
	if old := current(c); old != nil && old.ID != "" {
		if err := store.svc.DeleteSession(c.Request.Context(), old.ID); err != nil {
			return err
		}
	}
	sess := sessions.NewSession(store, store.name)
	opts := store.options
	sess.Options = &opts
	sess.IsNew = true
	sess.Values[keyUserID] = p.UserID
	sess.Values[keyClientIP] = c.ClientIP()
	sess.Values[keyUserAgent] = c.Request.UserAgent()
	if err := store.Save(c.Request, c.Writer, sess); err != nil {
		return err
	}
	c.Set(ctxSession, sess)
	c.Request = c.Request.WithContext(models.WithPrincipal(c.Request.Context(), p))
	return nil
}

// Logout deletes the session row and clears the cookie.
func Logout(c *gin.Context) error {
	sess := current(c)
	if sess == nil {
		return nil
	}
	sess.Options.MaxAge = -1
	return sess.Save(c.Request, c.Writer)
}

// HadCookie tells whether the request carries a session cookie (live or
// not: the middleware may have found no session for it).
func HadCookie(c *gin.Context) bool {
	sess := current(c)
	if sess == nil {
		return false
	}
	ck, err := c.Request.Cookie(sess.Name())
	return err == nil && ck.Value != ""
}

// SetFlash keeps a one-time message for the page at path (a path on this
// site, without query or fragment) of a signed-in user: it is shown there,
// the next time that page is loaded, and on no other page.
func SetFlash(c *gin.Context, path, msg string) error {
	sess := current(c)
	if sess == nil || sess.ID == "" {
		return nil
	}
	sess.Values[keyFlash] = msg
	sess.Values[keyFlashPath] = path
	return sess.Save(c.Request, c.Writer)
}

// TakeFlash returns and clears the pending flash message when it belongs
// to the requested page; another page leaves it pending.
func TakeFlash(c *gin.Context) string {
	sess := current(c)
	if sess == nil || sess.ID == "" {
		return ""
	}
	msg, _ := sess.Values[keyFlash].(string)
	if msg == "" {
		return ""
	}
	if path, _ := sess.Values[keyFlashPath].(string); path != c.Request.URL.Path {
		return ""
	}
	delete(sess.Values, keyFlash)
	delete(sess.Values, keyFlashPath)
	_ = sess.Save(c.Request, c.Writer)
	return msg
}
