package webtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"portal/models/store"
	"portal/models/store/storetest"
)

// EachDialect runs fn as a subtest per dialect, each on its own portal
// with the demo world.
func EachDialect(t *testing.T, fn func(t *testing.T, s *Server)) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) { fn(t, New(t, d)) })
}

// StrictJSON decodes body into v, failing t on fields v does not name and
// on anything after the value.
func StrictJSON[B string | []byte](t testing.TB, body B, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, body, err)
	}
	if dec.More() {
		t.Fatalf("trailing data after %s", body)
	}
}

// PartnerCredentials are the partner API's authentication headers (name,
// value pairs) for a demo broker of firm, through the demo partner network.
func PartnerCredentials(firm, email string) []string {
	return []string{"xClientID", store.DemoPartnerClient, "xClientSecret", store.DemoPartnerSecret,
		"xBrokerUID", firm, "xUsername", email}
}

var apiClient = &http.Client{Timeout: 60 * time.Second}

// PartnerToken signs in through the partner API (POST /v1/authentication)
// as a demo broker of firm and returns the session token. Argon2 is slow:
// tests reuse the token.
func (s *Server) PartnerToken(t testing.TB, firm, email string) string {
	t.Helper()
	token, _ := s.PartnerSignIn(t, firm, email)
	return token
}

// PartnerSignIn is PartnerToken with the partner's unique id the answer
// carries beside the token (the callback operations' {partnerUniqueId}).
func (s *Server) PartnerSignIn(t testing.TB, firm, email string) (token, partnerUniqueID string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/v1/authentication", nil)
	if err != nil {
		t.Fatal(err)
	}
	h := PartnerCredentials(firm, email)
	for i := 0; i+1 < len(h); i += 2 {
		req.Header[h[i]] = []string{h[i+1]}
	}
	res, err := apiClient.Do(req)
	if err != nil {
		t.Fatalf("authenticate %s: %v", email, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("authenticate %s: read: %v", email, err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("authenticate %s: %d %s", email, res.StatusCode, b)
	}
	var out struct {
		SessionToken    string `json:"sessionToken"`
		PartnerUniqueID string `json:"partnerUniqueID"`
	}
	StrictJSON(t, b, &out)
	if out.SessionToken == "" || out.PartnerUniqueID == "" {
		t.Fatalf("authenticate %s: no token or partner in %s", email, b)
	}
	return out.SessionToken, out.PartnerUniqueID
}
