// Package docs holds the partner API's OpenAPI document (openapi.yaml),
// embedded so the portal serves it (GET /v1/openapi.json) and the contract
// tests validate every request and response against it. The other files
// here are notes for people: error codes, taxonomies.
package docs

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPIYAML is the document as written.
func OpenAPIYAML() []byte { return openAPIYAML }

// OpenAPI loads the document and checks it against the OpenAPI 3.0
// specification: a fresh copy for each caller.
func OpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	return doc, nil
}

// OpenAPIJSON is the document as JSON, converted once.
var OpenAPIJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := OpenAPI()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})
