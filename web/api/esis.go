package api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Simulation ESIS Get / Email and Process ESIS Get / Email over
// models.EsisService. Every call issues (and keeps) a new ESIS from the
// simulation's stored figures, in the request's language. Without
// ignoreRules=true the rules run first: a failing one is 400 naming each
// failing rule ("rules.<code>"). Another firm's simulation or process is
// the same 404 as a missing one.

type esisJSON struct {
	Esis string `json:"esis"` // the PDF, Base64
}

type esisEmailedJSON struct {
	OperationStatus OperationStatus `json:"operationStatus"`
	EsisUniqueID    string          `json:"esisUniqueID"`
	SendAddress     string          `json:"sendAddress"`
	IssuedAt        string          `json:"issuedAt"`
	ValidUntil      string          `json:"validUntil"`
}

// esisOptions reads ignoreRules (true or false, default false) and the
// sheet's language from Accept-Language.
func esisOptions(c *gin.Context) (models.EsisOptions, error) {
	o := models.EsisOptions{Lang: "pt-PT"}
	if language(c.GetHeader("Accept-Language")) == models.LangEN {
		o.Lang = "en"
	}
	if q := c.Query("ignoreRules"); q != "" {
		b, err := strconv.ParseBool(q)
		if err != nil {
			return o, models.Invalid("ignoreRules", "field.json_type", models.Args{"Field": "ignoreRules", "Type": "boolean"})
		}
		o.IgnoreRules = b
	}
	return o, nil
}

type esisIssuer func(ctx context.Context, id string, o models.EsisOptions) (*models.EsisIssue, error)
type esisMailer func(ctx context.Context, id string, o models.EsisOptions, sendAddress string) (*models.EsisIssue, error)

func (h *Handlers) getEsis(c *gin.Context, id string, issue esisIssuer) {
	o, err := esisOptions(c)
	if err != nil {
		fail(c, h.log, CategoryESIS, err)
		return
	}
	e, err := issue(c.Request.Context(), id, o)
	if err != nil {
		fail(c, h.log, CategoryESIS, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	wire.WriteJSON(c, http.StatusOK, esisJSON{Esis: base64.StdEncoding.EncodeToString(e.PDF)})
}

func (h *Handlers) emailEsis(c *gin.Context, id string, mail esisMailer) {
	o, err := esisOptions(c)
	if err != nil {
		fail(c, h.log, CategoryESIS, err)
		return
	}
	addr := strings.TrimSpace(c.Query("sendAddress"))
	if addr == "" {
		fail(c, h.log, CategoryESIS, models.Invalid("sendAddress", "field.required", models.Args{"Field": "sendAddress"}))
		return
	}
	e, err := mail(c.Request.Context(), id, o, addr)
	if err != nil {
		fail(c, h.log, CategoryESIS, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, esisEmailedJSON{OperationStatus: success(CodeEsisEmailed), EsisUniqueID: e.UUID,
		SendAddress: e.EmailedTo, IssuedAt: wire.Timestamp(e.IssuedAt), ValidUntil: wire.Timestamp(e.ValidUntil)})
}

// The four routes: the service is looked up per call (Services.Esis).
func (h *Handlers) getSimulationEsis(c *gin.Context) {
	h.getEsis(c, simulationID(c), func(ctx context.Context, id string, o models.EsisOptions) (*models.EsisIssue, error) {
		return h.svc.Esis.IssueSimulationEsis(ctx, id, o)
	})
}

func (h *Handlers) emailSimulationEsis(c *gin.Context) {
	h.emailEsis(c, simulationID(c), func(ctx context.Context, id string, o models.EsisOptions, to string) (*models.EsisIssue, error) {
		return h.svc.Esis.EmailSimulationEsis(ctx, id, o, to)
	})
}

func (h *Handlers) getProcessEsis(c *gin.Context) {
	h.getEsis(c, processID(c), func(ctx context.Context, id string, o models.EsisOptions) (*models.EsisIssue, error) {
		return h.svc.Esis.IssueProcessEsis(ctx, id, o)
	})
}

func (h *Handlers) emailProcessEsis(c *gin.Context) {
	h.emailEsis(c, processID(c), func(ctx context.Context, id string, o models.EsisOptions, to string) (*models.EsisIssue, error) {
		return h.svc.Esis.EmailProcessEsis(ctx, id, o, to)
	})
}
