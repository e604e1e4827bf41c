package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// BenchmarkTaxonomyGet serves taxonomy answers from memory through the whole
// portal engine (request id, logging, metrics, security headers, routing,
// language, ETag, the partner token) and, as the baseline in the same run, through a plain
// net/http handler that writes the same bytes. The portal sub-benchmark
// reports its cost as a multiple of the baseline (x-plain).
//
//	go test ./web/api -run '^$' -bench TaxonomyGet -benchmem
func BenchmarkTaxonomyGet(b *testing.B) {
	s := webtest.NewWith(b, store.SQLite, webtest.Options{NoOpenAPICheck: true})
	portal := s.Config.Handler
	token := s.PartnerToken(b, lisboaUID, anaEmail)
	for _, bc := range []struct{ name, path string }{
		{"districts", "/v1/taxonomy/districts"},                              // ~1.4 kB
		{"districts-with-counties", "/v1/taxonomy/districts-with-counties"},  // ~17 kB
		{"parishes-page", "/v1/taxonomy/parishes?pageNumber=3&pageSize=100"}, // rendered per request
	} {
		req := httptest.NewRequest(http.MethodGet, bc.path, nil)
		req.Header.Set("Authorization", "Bearer "+token) // resolved on each request, as a partner sends it
		warm := httptest.NewRecorder()
		portal.ServeHTTP(warm, req) // the first request loads the lists
		if warm.Code != http.StatusOK {
			b.Fatalf("%s: %d", bc.path, warm.Code)
		}
		body, ctype := warm.Body.Bytes(), warm.Header().Get("Content-Type")
		plain := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ctype)
			_, _ = w.Write(body)
		})
		var baseline float64
		run := func(h http.Handler) func(b *testing.B) {
			return func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK || w.Body.Len() != len(body) {
						b.Fatalf("%d, %d bytes", w.Code, w.Body.Len())
					}
				}
			}
		}
		b.Run(bc.name+"/plain-net-http", func(b *testing.B) {
			run(plain)(b)
			baseline = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		})
		b.Run(bc.name+"/portal", func(b *testing.B) {
			run(portal)(b)
			if baseline > 0 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-plain")
			}
		})
	}
}
