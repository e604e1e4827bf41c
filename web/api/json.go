package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// maxBody caps request bodies of the partner API (413 past it).
const maxBody = 64 << 10

// readJSON reads the whole body (so an idempotent retry can compare it)
// and decodes it strictly: unknown fields and trailing data are invalid.
// A value of the wrong JSON type is a field error naming the field.
func readJSON(c *gin.Context, v any) ([]byte, error) {
	raw, err := readBody(c)
	if err != nil {
		return nil, err
	}
	return raw, decodeStrict(raw, v)
}

func readBody(c *gin.Context) ([]byte, error) {
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return nil, wire.BodyError(err) // *http.MaxBytesError answers 413, a body cut short 400
	}
	return raw, nil
}

func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			// The bodies are flat objects: an embedded struct's name is
			// the only prefix ("processInputJSON.loanAmount").
			field := typ.Field[strings.LastIndex(typ.Field, ".")+1:]
			return models.Invalid(field, "field.json_type", models.Args{"Field": field, "Type": jsonTypeName(typ.Type.String())})
		}
		return &models.Error{Code: models.CodeInvalid, Message: "The body must be a JSON object with the documented fields: " + jsonProblem(err)}
	}
	if dec.More() {
		return &models.Error{Code: models.CodeInvalid, Message: "The body must hold one JSON object."}
	}
	return nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "malformed JSON."
	case errors.As(err, &typ):
		return typ.Field + " has the wrong type."
	case errors.Is(err, io.EOF):
		return "the body is empty."
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ") + "."
	}
	return "malformed JSON."
}
