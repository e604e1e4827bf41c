package obp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// maxBody caps request bodies (413 past it).
const maxBody = 64 << 10

// readBody reads the whole body before anything else runs and, when it is
// declared JSON, checks its syntax: the first of OBP's checks, answered
// even before authentication. The handler decodes it later (decode), so a
// body that parses but does not fit is reported after the bank and role
// checks.
func (h *Handlers) readBody(c *gin.Context) {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		h.fail(c, wire.BodyError(err)) // *http.MaxBytesError: 413; a body cut short: 400
		return
	}
	if isJSON(c.GetHeader("Content-Type")) {
		if err := syntaxError(raw); err != nil {
			h.fail(c, err)
			return
		}
	}
	c.Set(bodyKey, raw)
	c.Next()
}

// isJSON reports a JSON media type (application/json, text/json, */*+json).
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// syntaxError is nil for a valid JSON text, else OBP-10001's detail: the
// parser's message.
func syntaxError(raw []byte) error {
	if json.Valid(raw) {
		return nil
	}
	var v any
	err := json.Unmarshal(raw, &v)
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return invalidBody(fmt.Sprintf("%s (at byte %d).", syn.Error(), syn.Offset))
	case err != nil:
		return invalidBody(err.Error() + ".")
	}
	return invalidBody("The body is not valid JSON.")
}

// decode turns the body into v, a struct of the operation's fields. A body
// that is not a JSON object, holds a value of the wrong type or (when
// strict) a field v does not name is invalid input (OBP-10001), reported
// at the input's place in the order of checks: the handler passes it in
// the service's input (Undecodable), and the service reports it after the
// bank and role checks.
func decode(c *gin.Context, v any, strict bool) error {
	raw, _ := c.Get(bodyKey)
	b, _ := raw.([]byte)
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return invalidBody("The body is empty: a JSON object is expected.")
	}
	if err := syntaxError(trimmed); err != nil {
		return err // a body not declared JSON
	}
	if trimmed[0] != '{' {
		return invalidBody("The body must be a JSON object.")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			return invalidBody(fmt.Sprintf("The field %s must be %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return invalidBody("Unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + ".")
		}
		return invalidBody(err.Error() + ".")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string", "ptr":
		return "a string"
	case "int", "int64", "float64":
		return "a number"
	case "bool":
		return "a boolean"
	case "slice":
		return "an array"
	}
	return "an object"
}

// paging reads the optional limit and offset query parameters, which OBP
// clients do not send. The service checks their range (limit 1..500,
// default 50; offset 0..10000) with the other input, after the bank and
// role: a value that is not a number, or an explicit limit of 0, is passed
// on as -1 so the service refuses it at that place.
func paging(c *gin.Context) models.Paging {
	var p models.Paging
	if s, ok := c.GetQuery("limit"); ok {
		p.Limit = -1
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			p.Limit = n
		}
	}
	if s, ok := c.GetQuery("offset"); ok {
		p.Offset = -1
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			p.Offset = n
		}
	}
	return p
}
