package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"portal/docs"
	"portal/models/store"
	"portal/web/api"
	"portal/web/webtest"
)

// The document describes exactly the operations the route table serves:
// every route of the engine is in docs/openapi.yaml, and every operation
// of the document is a route.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	h := api.New(api.Deps{})
	h.Register(e.Group("/v1"))
	h.RegisterBankAlias(e.Group("/API/partnersPortal"))
	param := regexp.MustCompile(`:([A-Za-z]+)`)
	var routes []string
	for _, r := range e.Routes() {
		routes = append(routes, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	doc, err := docs.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in docs/openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("docs/openapi.yaml describes %s, which is not served", d)
		}
	}
	if len(routes) < 20 {
		t.Fatalf("only %d routes: %v", len(routes), routes)
	}
	// Every operation names its answers' statuses and has an id.
	for _, d := range documented {
		method, path, _ := strings.Cut(d, " ")
		op := doc.Paths.Value(path).GetOperation(method)
		if op.OperationID == "" || op.Responses.Len() < 2 || op.Responses.Status(500) == nil {
			t.Errorf("%s: operationId %q, %d responses (500 among them: %v)", d, op.OperationID, op.Responses.Len(), op.Responses.Status(500) != nil)
		}
	}
}

// GET /v1/openapi.json serves the document as JSON, without a token.
func TestOpenAPIServed(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	a := apiMust(t, s, http.MethodGet, "/v1/openapi.json", "")
	if a.Status != http.StatusOK || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", a.Status, a.Header.Get("Content-Type"))
	}
	served, err := openapi3.NewLoader().LoadFromData(a.Body)
	if err != nil {
		t.Fatalf("the served document does not load: %v", err)
	}
	if err := served.Validate(context.Background()); err != nil {
		t.Fatalf("the served document is not valid: %v", err)
	}
	if served.OpenAPI != "3.0.3" || served.Paths.Value("/v1/processes/{processUniqueId}/submit") == nil {
		t.Fatalf("served %s with paths %v", served.OpenAPI, served.Paths.InMatchingOrder())
	}
	want, err := docs.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got, exp any
	_ = json.Unmarshal(a.Body, &got)
	_ = json.Unmarshal(want, &exp)
	if b1, b2 := webtestJSON(got), webtestJSON(exp); b1 != b2 {
		t.Error("the served document is not docs/openapi.yaml")
	}
	// Twice the same bytes (converted once).
	if b := apiMust(t, s, http.MethodGet, "/v1/openapi.json", ""); string(b.Body) != string(a.Body) {
		t.Error("a second answer differs")
	}
}

func webtestJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
