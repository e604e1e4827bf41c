package webtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"portal/docs"
	"portal/models"
	"portal/web/api"
)

// CheckOpenAPI makes every server New, NewWrapped, NewWith and EachDialect
// start check each partner API exchange (/v1, /API/partnersPortal) against
// docs/openapi.yaml, failing the test that started the server on a
// mismatch. A package's TestMain sets it before m.Run, so no call of its
// tests escapes (Options.NoOpenAPICheck leaves a benchmark's server alone).
//
// The rules, for every exchange:
//   - an operation the document does not describe answers 404 with the
//     general "no such operation" code (990002);
//   - a request the document calls invalid (a parameter or body of the
//     wrong shape, no bearer token where one is required, a body over the
//     64 KiB limit) is refused with a 4xx;
//   - every answer matches the document: a documented status, headers and
//     body of the documented schema (unknown fields fail: the schemas say
//     additionalProperties false).
var CheckOpenAPI bool

// apiBodyLimit is the partner API's body limit: a larger body is not read
// here (the portal refuses it from its Content-Length). Operations marked
// "x-body-limit: document" (Document Create and Update) take the Base64 of
// a document of the default limit instead (api.DocumentBodyLimit).
const apiBodyLimit = 64 << 10

// bodyLimit is the body limit of the operation r names.
func (k *contract) bodyLimit(r *http.Request) int64 {
	route, _, err := k.router.FindRoute(r)
	if err != nil || route.Operation == nil {
		return apiBodyLimit
	}
	if v, ok := route.Operation.Extensions["x-body-limit"]; ok && v == "document" {
		return api.DocumentBodyLimit(models.DefaultMaxDocumentBytes)
	}
	return apiBodyLimit
}

var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := docs.OpenAPI()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

// answered holds the operationIds that answered a valid request with a
// 2xx under the check (OpenAPIUnanswered).
var answered sync.Map

// OpenAPIUnanswered lists the document's operations that no checked
// exchange of this test process has answered with success: a package that
// means to exercise them all checks it after m.Run.
func OpenAPIUnanswered() ([]string, error) {
	doc, err := docs.OpenAPI()
	if err != nil {
		return nil, err
	}
	var out []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if _, ok := answered.Load(op.OperationID); !ok {
				out = append(out, method+" "+path+" ("+op.OperationID+")")
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// OpenAPIRouter is the document's router (for tests of the document).
func OpenAPIRouter() (routers.Router, error) { return openAPIRouter() }

type contract struct {
	t      testing.TB
	next   http.Handler
	router routers.Router
	mu     sync.Mutex
	done   bool
}

func openAPICheck(t testing.TB, next http.Handler) http.Handler {
	t.Helper()
	r, err := openAPIRouter()
	if err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	k := &contract{t: t, next: next, router: r}
	t.Cleanup(func() { k.mu.Lock(); k.done = true; k.mu.Unlock() })
	return k
}

func (k *contract) report(format string, args ...any) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.done { // a request still running after its test ended is not judged
		k.t.Errorf("OpenAPI contract: "+format, args...)
	}
}

func apiPath(p string) bool {
	return p == "/v1" || strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/API/partnersPortal/")
}

func (k *contract) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !apiPath(r.URL.Path) {
		k.next.ServeHTTP(w, r)
		return
	}
	// Keep a copy of the body as the portal reads it (reading it here
	// first would change what the portal sees: a client that stops sending
	// is noticed sooner), and validate it afterwards.
	limit := k.bodyLimit(r)
	tooLarge := r.ContentLength > limit
	tee := &teeBody{ReadCloser: r.Body, limit: limit}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = tee
	} else {
		tee.ended = true
	}
	what := r.Method + " " + r.URL.RequestURI()

	rec := &recorder{ResponseWriter: w}
	k.next.ServeHTTP(rec, r)
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	resBody := rec.body.Bytes()
	if rec.Header().Get("Content-Encoding") == "gzip" {
		if zr, err := gzip.NewReader(bytes.NewReader(resBody)); err == nil {
			resBody, _ = io.ReadAll(zr)
		}
	}
	if status == 499 { // the client went away: nobody reads an answer
		return
	}
	tooLarge = tooLarge || int64(tee.buf.Len()) > limit
	vr := r.Clone(context.Background())
	vr.Body = io.NopCloser(bytes.NewReader(tee.buf.Bytes()))

	route, params, err := k.router.FindRoute(vr)
	if err != nil {
		if status != http.StatusNotFound || !bytes.Contains(resBody, []byte(`"990002"`)) {
			k.report("%s is no operation of the document (%v) but answers %d %s", what, err, status, clip(resBody))
		}
		return
	}
	opts := &openapi3filter.Options{
		// A body the portal did not read to its end (refused before,
		// or cut short) is not judged.
		ExcludeRequestBody:    tooLarge || !tee.ended,
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    bearerPresent,
	}
	in := &openapi3filter.RequestValidationInput{Request: vr, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	if tooLarge && reqErr == nil {
		reqErr = fmt.Errorf("the body is over %d bytes", limit)
	}
	if reqErr != nil && (status < 400 || status > 499) {
		k.report("%s: the document calls the request invalid (%v), yet it answers %d %s", what, reqErr, status, clip(resBody))
	}
	if reqErr == nil && status < 300 {
		answered.Store(route.Operation.OperationID, true)
	}
	resErr := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(resBody)), Options: opts,
	})
	if resErr != nil {
		k.report("%s answers %d, not as the document says: %v\n%s", what, status, resErr, clip(resBody))
	}
}

// bearerPresent is the document's security scheme, as far as the document
// can tell: an Authorization: Bearer header with a token.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	v := in.RequestValidationInput.Request.Header.Get("Authorization")
	if len(v) > len("Bearer ") && strings.EqualFold(v[:len("Bearer ")], "Bearer ") && strings.TrimSpace(v[len("Bearer "):]) != "" {
		return nil
	}
	return fmt.Errorf("no bearer token for %s", in.SecuritySchemeName)
}

func clip(b []byte) string {
	if len(b) > 800 {
		return string(b[:800]) + "…"
	}
	return string(b)
}

// teeBody keeps what the portal reads of a body (up to just over the
// limit) and whether it read to the end.
type teeBody struct {
	io.ReadCloser
	limit int64
	buf   bytes.Buffer
	ended bool
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if room := b.limit + 1 - int64(b.buf.Len()); room > 0 {
		b.buf.Write(p[:min(int64(n), room)])
	}
	if err == io.EOF {
		b.ended = true
	}
	return n, err
}

// recorder passes the answer through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
