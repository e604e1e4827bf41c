package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// The operation status codes of the partner API: this file is their one
// table; docs/api-error-codes.md documents the same (a test compares them).
//
// A code has six digits, CC FF SS: CC the category of the operation, FF the
// field it is about (00: the request as a whole), SS the specific result.
// An error answer carries the request-wide code (CC 00 SS) and, for invalid
// input, one entry per field with that field's code (CC FF 01).

// Categories (CC).
const (
	CategoryAuth       = "01"
	CategoryProcess    = "02"
	CategoryBorrower   = "03"
	CategoryDocument   = "04"
	CategoryProperty   = "05"
	CategorySimulation = "06"
	CategoryMessage    = "07"
	CategoryCallback   = "08"
	CategoryTaxonomy   = "09"
	CategoryESIS       = "10"
	CategoryGeneral    = "99"
)

// categories names each category for the documentation test.
var categories = map[string]string{
	CategoryAuth: "authentication", CategoryProcess: "process", CategoryBorrower: "borrower",
	CategoryDocument: "document", CategoryProperty: "property", CategorySimulation: "simulation",
	CategoryMessage: "message", CategoryCallback: "callback", CategoryTaxonomy: "taxonomy",
	CategoryESIS: "ESIS", CategoryGeneral: "general",
}

// outcome is the request-wide result SS and its HTTP status.
type outcome struct {
	Specific string
	Status   int
	Message  string // used when the error has none fit to show
}

// Request-wide results (SS with FF = 00), one per models error code, plus
// the transport's own.
var (
	outcomes = map[models.Code]outcome{
		models.CodeInvalid:      {"01", http.StatusBadRequest, "Invalid request"},
		models.CodeNotFound:     {"02", http.StatusNotFound, "Not found"},
		models.CodeConflict:     {"03", http.StatusConflict, "Conflict with the current state"},
		models.CodeUnauthorized: {"04", http.StatusUnauthorized, "Authentication required"},
		models.CodeForbidden:    {"05", http.StatusForbidden, "Not allowed"},
		models.CodeRateLimited:  {"06", http.StatusTooManyRequests, "Too many requests"},
		models.CodeUnavailable:  {"08", http.StatusServiceUnavailable, "Service temporarily unavailable; try again later"},
		models.CodeInternal:     {"99", http.StatusInternalServerError, "Internal error"},
	}
	outcomeTooLarge = outcome{"07", http.StatusRequestEntityTooLarge, "Request body too large"}
)

// Success codes the bank documents.
const (
	CodeProcessUpdated = "020101" // "Process Updated successfully"
	CodeSignedOut      = "010101" // "Session ended": DELETE /v1/authentication
)

// fieldCodes gives each input field its CC FF; a field error's code is that
// followed by 01 (invalid value). Fields not listed use CC 00 of the
// operation.
var fieldCodes = map[string]string{
	"pageNumber": "9901",
	"pageSize":   "9902",
	"parentId":   "0901", // the {id} of a taxonomy parent filter
	"subject":    "0701", // message subject
	"text":       "0702", // message text (the bank documents 070201)
}

// Code composes a request-wide code: category + "00" + the outcome of code.
func Code(category string, code models.Code) string {
	o, ok := outcomes[code]
	if !ok {
		o = outcomes[models.CodeInternal]
	}
	return category + "00" + o.Specific
}

func fieldCode(category, field string) string {
	if cf, ok := fieldCodes[field]; ok {
		return cf + "01"
	}
	return category + "0001"
}

// OperationStatus is the envelope of every answer that is not data.
type OperationStatus struct {
	Code    string `json:"operationStatusCode"`
	Message string `json:"operationStatusMessage"`
}

// FieldError names one invalid input field.
type FieldError struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Envelope is {"operationStatus":{...},"errors":[...]}.
type Envelope struct {
	OperationStatus OperationStatus `json:"operationStatus"`
	Errors          []FieldError    `json:"errors,omitempty"`
}

// fail answers err in the envelope: the one mapping from models error codes
// to API answers. Internal details are logged with the request id, never sent.
func fail(c *gin.Context, log *slog.Logger, category string, err error) {
	if wire.ClientGone(c, err) {
		log.Info("api request abandoned by the client", "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
		wire.AbortGone(c)
		return
	}
	e := models.AsError(err)
	o, ok := outcomes[e.Code]
	if !ok {
		o = outcomes[models.CodeInternal]
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		e, o = &models.Error{Code: models.CodeInvalid, Message: outcomeTooLarge.Message}, outcomeTooLarge
	}
	msg := e.Message
	if e.Code == models.CodeInternal || msg == "" {
		msg = o.Message
	}
	if e.Code == models.CodeInternal {
		log.Error("api request failed", "err", err, "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
	}
	if e.Code == models.CodeUnavailable {
		log.Warn("api request failed: database unavailable", "err", err, "route", c.FullPath(), "request_id", c.GetString("portal.request_id"))
	}
	if (e.Code == models.CodeRateLimited || e.Code == models.CodeUnavailable) && e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	env := Envelope{OperationStatus: OperationStatus{Code: category + "00" + o.Specific, Message: msg}}
	for _, f := range e.Fields {
		env.Errors = append(env.Errors, FieldError{Code: fieldCode(category, f.Field), Field: f.Field, Message: f.Message()})
	}
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(o.Status, env)
}

// NoRoute answers unknown paths under /v1 in the envelope (404) and lets
// every other path through to the next handler (the HTML 404 page).
func NoRoute(c *gin.Context) {
	if p := c.Request.URL.Path; p != "/v1" && !strings.HasPrefix(p, "/v1/") {
		c.Next()
		return
	}
	o := outcomes[models.CodeNotFound]
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(o.Status, Envelope{OperationStatus: OperationStatus{Code: CategoryGeneral + "00" + o.Specific, Message: "no such operation"}})
}
