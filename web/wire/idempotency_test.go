package wire

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// memoryIdem remembers answers by key, like the store but without a
// transaction: enough to see what Create hands it and writes back.
type memoryIdem struct {
	answers      map[string]models.StoredResponse
	fingerprints map[string]string
	calls        int
}

func (m *memoryIdem) Idempotent(ctx context.Context, key, fingerprint string,
	fn func(ctx context.Context) (models.StoredResponse, error)) (models.StoredResponse, bool, error) {
	m.calls++
	if resp, ok := m.answers[key]; ok {
		if m.fingerprints[key] != fingerprint {
			return models.StoredResponse{}, false, &models.Error{Code: models.CodeConflict, Message: "other request"}
		}
		return resp, true, nil
	}
	resp, err := fn(ctx)
	if err != nil {
		return resp, false, err
	}
	m.answers[key], m.fingerprints[key] = resp, fingerprint
	return resp, false, nil
}

type answer struct {
	status   int
	body     string
	replayed string
	err      error
}

func TestCreate(t *testing.T) {
	idem := &memoryIdem{answers: map[string]models.StoredResponse{}, fingerprints: map[string]string{}}
	created := 0
	create := func(ctx context.Context) (models.StoredResponse, error) {
		created++
		return Response(http.StatusCreated, map[string]any{"n": created, "html": "<&>"}), nil
	}
	do := func(path, key, body string, create func(context.Context) (models.StoredResponse, error)) answer {
		t.Helper()
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodPost, path, nil)
		if key != "" {
			c.Request.Header.Set(models.IdempotencyKeyName, key)
		}
		err := Create(c, idem, []byte(body), create)
		if err == nil && w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s %q: Cache-Control %q", path, key, w.Header().Get("Cache-Control"))
		}
		return answer{w.Code, w.Body.String(), w.Header().Get("Idempotent-Replayed"), err}
	}

	// No key: runs every time, without the service.
	if a := do("/v1/p/1/message", "", "{}", create); a.status != 201 || a.body != `{"html":"<&>","n":1}` || a.replayed != "" || a.err != nil {
		t.Fatalf("no key: %+v", a)
	}
	if a := do("/v1/p/1/message", "", "{}", create); a.body != `{"html":"<&>","n":2}` || idem.calls != 0 {
		t.Fatalf("no key again: %+v, %d service calls", a, idem.calls)
	}

	// A key: the first answer, then the same bytes marked replayed.
	first := do("/v1/p/1/message", "k1", `{"text":"x"}`, create)
	if first.status != 201 || first.body != `{"html":"<&>","n":3}` || first.replayed != "" || first.err != nil {
		t.Fatalf("first with key: %+v", first)
	}
	again := do("/v1/P/1/message", "k1", `{"text":"x"}`, create)
	if again.status != first.status || again.body != first.body || again.replayed != "true" || created != 3 {
		t.Fatalf("retry (path case differs) = %+v, created %d; want a replay of %+v", again, created, first)
	}
	sum := sha256.Sum256([]byte("POST /v1/p/1/message\n" + `{"text":"x"}`))
	if got := idem.fingerprints["k1"]; got != hex.EncodeToString(sum[:]) {
		t.Fatalf("fingerprint %s, want sha256 of method, lower-cased path and body", got)
	}

	// The same key on another body or path: the service's refusal, unwritten.
	for _, other := range []struct{ path, body string }{{"/v1/p/1/message", `{"text":"y"}`}, {"/v1/p/2/message", `{"text":"x"}`}} {
		a := do(other.path, "k1", other.body, create)
		if models.ErrorCode(a.err) != models.CodeConflict || a.body != "" || a.replayed != "" {
			t.Fatalf("key reused on %s %s: %+v", other.path, other.body, a)
		}
	}

	// create's error is returned, nothing written or remembered.
	refused := errors.New("refused")
	failing := func(context.Context) (models.StoredResponse, error) { return models.StoredResponse{}, refused }
	for _, key := range []string{"", "k2"} {
		if a := do("/v1/p/1/message", key, "{}", failing); !errors.Is(a.err, refused) || a.body != "" {
			t.Fatalf("failing create, key %q: %+v", key, a)
		}
	}
	if _, ok := idem.answers["k2"]; ok {
		t.Fatal("a failed create was remembered")
	}
}

// A body hashed as it is read identifies the request exactly as Create
// does from the same body held whole.
func TestHashBodyIsCreatesFingerprint(t *testing.T) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	body := `{"content":"` + strings.Repeat("QUJD", 5000) + `"}`
	c.Request = httptest.NewRequest(http.MethodPost, "/v1/P/1/documents", strings.NewReader(body))
	h := HashBody(c)
	if b, err := io.ReadAll(c.Request.Body); err != nil || string(b) != body {
		t.Fatalf("read through the hash: %v", err)
	}
	if got, want := hex.EncodeToString(h.h.Sum(nil)), fingerprint(c, []byte(body)); got != want {
		t.Fatalf("fingerprint %s, want %s", got, want)
	}
}
