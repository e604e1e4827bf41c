package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// keepAlive is the idle-timeout warning's "Stay signed in": the session
// middleware has already loaded the session, which extends its idle
// timeout (unless the request carries session.BackgroundHeader), so a
// signed-in user gets 204 and a browser without a live session 401.
func (h *Handlers) keepAlive(c *gin.Context) {
	if models.PrincipalFrom(c.Request.Context()) == nil {
		c.Status(http.StatusUnauthorized)
		return
	}
	c.Status(http.StatusNoContent)
}
