package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"portal/models/store"
	"portal/static"
	"portal/web/webtest"
)

// The stylesheet and scripts come compressed (br, else gzip), cacheable for
// a year under their hashed URL and revalidated under any other; pages are
// gzipped; the APIs' JSON is left as it is.
func TestCompressionAndCaching(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	login := c.Get("/login", "Accept-Encoding", "gzip")
	if login.StatusCode != http.StatusOK || login.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("login page: %d, Content-Encoding %q", login.StatusCode, login.Header.Get("Content-Encoding"))
	}
	// A cache must keep the page apart by encoding, language and htmx.
	vary := strings.Join(login.Header.Values("Vary"), ", ")
	for _, h := range []string{"Accept-Encoding", "Accept-Language", "Cookie", "HX-Request"} {
		if !strings.Contains(vary, h) {
			t.Errorf("Vary %q lacks %s", vary, h)
		}
	}
	page := gunzip(t, login.Body)
	if !strings.Contains(page, `<meta name="description" content="`) || !strings.Contains(page, `rel="icon"`) {
		t.Errorf("the page has no description or favicon link:\n%.600s", page)
	}
	css := regexp.MustCompile(`href="(/static/css/app\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatal("no hashed stylesheet link in the page")
	}
	want, _ := static.FS.ReadFile("css/app.css")

	br := c.Get(css[1], "Accept-Encoding", "gzip, deflate, br")
	if br.Header.Get("Content-Encoding") != "br" || br.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("hashed stylesheet: Content-Encoding %q, Cache-Control %q", br.Header.Get("Content-Encoding"), br.Header.Get("Cache-Control"))
	}
	if got, _ := io.ReadAll(brotli.NewReader(strings.NewReader(br.Body))); !bytes.Equal(got, want) {
		t.Error("the brotli stylesheet is not the file")
	}
	if len(br.Body)*3 > len(want) {
		t.Errorf("brotli saves little: %d of %d bytes", len(br.Body), len(want))
	}
	gz := c.Get(css[1], "Accept-Encoding", "gzip, br;q=0")
	if gz.Header.Get("Content-Encoding") != "gzip" || gunzip(t, gz.Body) != string(want) {
		t.Errorf("br refused: Content-Encoding %q", gz.Header.Get("Content-Encoding"))
	}
	plain := c.Get(css[1], "Accept-Encoding", "identity")
	if plain.Header.Get("Content-Encoding") != "" || plain.Body != string(want) || plain.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("identity: Content-Encoding %q, Vary %q, %d bytes", plain.Header.Get("Content-Encoding"), plain.Header.Get("Vary"), len(plain.Body))
	}

	stale := c.Get("/static/css/app.css?v=00000000")
	if stale.StatusCode != http.StatusOK || stale.Header.Get("Cache-Control") != "public, no-cache" {
		t.Errorf("an old hash: %d, Cache-Control %q", stale.StatusCode, stale.Header.Get("Cache-Control"))
	}
	if again := c.Get("/static/css/app.css", "If-None-Match", stale.Header.Get("ETag")); again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", again.StatusCode)
	}
	if js := c.Get("/static/js/htmx.min.js", "Accept-Encoding", "gzip"); js.Header.Get("Content-Encoding") != "gzip" ||
		!strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("htmx: Content-Encoding %q, Content-Type %q", js.Header.Get("Content-Encoding"), js.Header.Get("Content-Type"))
	}
	for _, p := range []string{"/static/nothing.css", "/static/../go.mod", "/static/"} {
		if res := c.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, res.StatusCode)
		}
	}
	if icon := c.Get("/favicon.ico"); icon.StatusCode != http.StatusOK || icon.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("favicon: %d %q", icon.StatusCode, icon.Header.Get("Content-Type"))
	}
	if api := c.Get("/healthz", "Accept-Encoding", "gzip"); api.Header.Get("Content-Encoding") != "" || !strings.Contains(api.Body, `"ok"`) {
		t.Errorf("JSON was compressed: %q", api.Header.Get("Content-Encoding"))
	}
}

func gunzip(t *testing.T, body string) string {
	t.Helper()
	r, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
