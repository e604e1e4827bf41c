package obp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Bounds on DirectLogin parameters: longer values are refused without
// reaching the password hash.
const (
	maxLoginParam = 256
	maxPassword   = 1024
)

// parseDirectLogin reads OBP's DirectLogin parameters from a header value:
// an optional "DirectLogin" scheme word, then name=value pairs separated by
// commas and/or spaces; values quoted ("..." with \" and \\ escapes) or
// bare (up to the next comma or space). Names are matched
// case-insensitively; empty values count as absent (as in OBP); the first
// occurrence of a name wins. Malformed input yields what parsed before it.
func parseDirectLogin(v string) map[string]string {
	s := strings.TrimSpace(v)
	if len(s) >= len("DirectLogin") && strings.EqualFold(s[:len("DirectLogin")], "DirectLogin") {
		rest := s[len("DirectLogin"):]
		if rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == ',' {
			s = rest
		}
	}
	out := map[string]string{}
	i := 0
	skipSep := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
	}
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	for {
		skipSep()
		if i >= len(s) {
			return out
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
			i++
		}
		name := strings.ToLower(s[start:i])
		skipSpace()
		if i >= len(s) || s[i] != '=' {
			continue // a word without a value: ignored
		}
		i++ // '='
		skipSpace()
		var value string
		if i < len(s) && s[i] == '"' {
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				ch := s[i]
				i++
				if ch == '\\' && i < len(s) {
					b.WriteByte(s[i])
					i++
					continue
				}
				if ch == '"' {
					closed = true
					break
				}
				b.WriteByte(ch)
			}
			if !closed {
				return out // unterminated quote: drop the broken pair
			}
			value = b.String()
		} else {
			start := i
			for i < len(s) && s[i] != ',' && s[i] != ' ' && s[i] != '\t' {
				i++
			}
			value = s[start:i]
		}
		if _, seen := out[name]; !seen && name != "" && value != "" {
			out[name] = value
		}
	}
}

// loginParams are the DirectLogin parameters of a request: the DirectLogin
// header, else an Authorization header using the DirectLogin scheme.
func loginParams(c *gin.Context) map[string]string {
	if v := c.GetHeader("DirectLogin"); strings.TrimSpace(v) != "" {
		return parseDirectLogin(v)
	}
	if v := strings.TrimSpace(c.GetHeader("Authorization")); hasScheme(v, "DirectLogin") {
		return parseDirectLogin(v)
	}
	return map[string]string{}
}

// schemeSeps may follow an Authorization scheme here: a space, a tab, or a
// comma as some DirectLogin clients write it (wider than /v1's one space).
const schemeSeps = " \t,"

func hasScheme(v, scheme string) bool {
	_, ok := wire.CutScheme(v, scheme, schemeSeps)
	return ok
}

type tokenJSON struct {
	Token string `json:"token"`
}

// directLogin is POST /my/logins/direct: username, password and consumer
// key in the DirectLogin (or Authorization: DirectLogin) header give a
// token, 201 {"token":"..."}. Every refusal of the credentials is the same
// 401 (OBP-20004), whether the consumer key, the user or the password was
// wrong, so the answer does not say which.
func (h *Handlers) directLogin(c *gin.Context) {
	p := loginParams(c)
	var missing missingLoginParams
	for _, name := range []string{"username", "password", "consumer_key"} {
		if p[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		h.fail(c, missing)
		return
	}
	if len(p["username"]) > maxLoginParam || len(p["consumer_key"]) > maxLoginParam || len(p["password"]) > maxPassword {
		h.fail(c, models.Unauthorized("parameter too long"))
		return
	}
	token, err := h.svc.OBPAuth.DirectLogin(c.Request.Context(), models.DirectLoginInput{
		Username: p["username"], Password: p["password"], ConsumerKey: p["consumer_key"], ClientIP: c.ClientIP(),
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	wire.WriteJSON(c, http.StatusCreated, tokenJSON{Token: token})
}

// revokeToken is DELETE /my/logins/direct, the portal's logout for
// DirectLogin (OBP has no such call): the token sent in the usual headers
// (DirectLogin: token="...", Authorization: DirectLogin token="..." or
// Bearer) is revoked at once and every later use of it is OBP-20001.
// Answers 200 {"success":"Success"}. It runs after requireUser, so a
// missing, unknown, expired or already revoked token is 401 OBP-20001 like
// any other authenticated call (a client can tell its token is gone).
func (h *Handlers) revokeToken(c *gin.Context) {
	if err := h.svc.OBPAuth.RevokeOBPToken(c.Request.Context(), bearerToken(c)); err != nil {
		h.fail(c, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, successJSON{Success: "Success"})
}

// bearerToken is the token a request carries: DirectLogin: token="...",
// Authorization: DirectLogin token="..." or Authorization: Bearer ...
func bearerToken(c *gin.Context) string {
	if v := c.GetHeader("DirectLogin"); strings.TrimSpace(v) != "" {
		if t := parseDirectLogin(v)["token"]; t != "" {
			return t
		}
	}
	v := strings.TrimSpace(c.GetHeader("Authorization"))
	if hasScheme(v, "DirectLogin") {
		return parseDirectLogin(v)["token"]
	}
	token, _ := wire.CutScheme(v, "Bearer", schemeSeps)
	return token
}

// requireUser resolves the token to its user and puts the principal in the
// request context; without a live token the answer is OBP-20001.
func (h *Handlers) requireUser(c *gin.Context) {
	token := bearerToken(c)
	if token == "" || len(token) > maxLoginParam {
		h.fail(c, models.Unauthorized("no token"))
		return
	}
	p, err := h.svc.OBPAuth.ResolveOBPToken(c.Request.Context(), token)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Request = c.Request.WithContext(models.WithPrincipal(c.Request.Context(), p))
	c.Next()
}
