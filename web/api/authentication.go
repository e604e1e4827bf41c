package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// The bank's pages spell the authentication headers several ways; all are
// accepted (first non-empty wins).
var (
	hdrClientID     = []string{"xClientID", "x-client-id"}
	hdrClientSecret = []string{"xClientSecret", "x-client-secret"}
	hdrBroker       = []string{"xBrokerUID", "brokerID", "correlationId"}
	hdrUsername     = []string{"xUsername", "username"}
)

func header(c *gin.Context, names []string) string {
	for _, n := range names {
		if v := strings.TrimSpace(c.GetHeader(n)); v != "" {
			return v
		}
	}
	return ""
}

// authenticationResponse carries, beside the token, the partner's unique id:
// the {partnerUniqueId} of the callback operations (an added field; clients
// reading only the token are unaffected).
type authenticationResponse struct {
	SessionToken    string `json:"sessionToken"`
	PartnerUniqueID string `json:"partnerUniqueID"`
}

// authenticate is Authentication: partner credentials, broker firm and user
// in headers give a session token acting as that user. Every failure is
// the same 401, whichever check failed.
func (h *Handlers) authenticate(c *gin.Context) {
	token, partner, err := h.svc.Partners.AuthenticatePartner(c.Request.Context(), models.PartnerLogin{
		ClientID:     header(c, hdrClientID),
		ClientSecret: header(c, hdrClientSecret),
		BrokerUID:    header(c, hdrBroker),
		Username:     header(c, hdrUsername),
		ClientIP:     c.ClientIP(),
	})
	if err != nil {
		fail(c, h.log, CategoryAuth, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, authenticationResponse{SessionToken: token, PartnerUniqueID: partner})
}

// signOut revokes the caller's token (DELETE /v1/authentication).
func (h *Handlers) signOut(c *gin.Context) {
	if err := h.svc.Partners.RevokeToken(c.Request.Context(), wire.BearerToken(c)); err != nil {
		fail(c, h.log, CategoryAuth, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: OperationStatus{Code: CodeSignedOut, Message: "Session ended"}})
}

// requireToken resolves the bearer token to the broker user it acts as
// (sliding its expiry) and puts that principal in the request context.
func (h *Handlers) requireToken(c *gin.Context) {
	token := wire.BearerToken(c)
	if token == "" {
		fail(c, h.log, CategoryAuth, models.Unauthorized("A valid session token is required (Authorization: Bearer)."))
		return
	}
	p, err := h.svc.Partners.ResolveToken(c.Request.Context(), token)
	if err != nil {
		if models.ErrorCode(err) == models.CodeUnauthorized {
			err = models.Unauthorized("The session token is invalid or has expired.")
		}
		fail(c, h.log, CategoryAuth, err)
		return
	}
	c.Request = c.Request.WithContext(models.WithPrincipal(c.Request.Context(), p))
	c.Next()
}
