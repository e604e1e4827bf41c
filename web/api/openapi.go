package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/docs"
	"portal/models"
)

// openAPI serves the API's description, docs/openapi.yaml as JSON
// (converted once, at start). Public: it describes, it holds no data.
func (h *Handlers) openAPI(c *gin.Context) {
	if h.openapiErr != nil {
		fail(c, h.log, CategoryGeneral, models.Internal(h.openapiErr))
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "application/json; charset=utf-8", h.openapi)
}

// loadOpenAPI converts the document for openAPI.
func (h *Handlers) loadOpenAPI() {
	h.openapi, h.openapiErr = docs.OpenAPIJSON()
	if h.openapiErr != nil {
		h.log.Error("the OpenAPI document does not load", "err", h.openapiErr)
	}
}
