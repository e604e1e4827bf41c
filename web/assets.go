package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"

	"portal/static"
)

// asset is one static file held in memory with its compressed forms, made
// once at start-up: the files are small and few, and compressing them per
// request would cost more than keeping them.
type asset struct {
	body, gz, br []byte
	contentType  string
	version      string // the content hash components.Asset puts in ?v=
	etag         string
}

type assets map[string]*asset

func loadAssets(fsys fs.FS) (assets, error) {
	out := assets{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, version: hex.EncodeToString(sum[:4]), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		a.contentType = mime.TypeByExtension(path.Ext(p))
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if compressible(a.contentType) {
			a.gz, a.br = gzipBytes(body), brotliBytes(body)
		}
		out[p] = a
		return nil
	})
	return out, err
}

func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.Contains(contentType, "javascript") || strings.Contains(contentType, "svg")
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

func brotliBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// immutable is the caching of a file asked for by its current hash: the
// URL changes with the content, so browsers may keep it for a year.
const immutable = "public, max-age=31536000, immutable"

// serve answers GET/HEAD /static/*file. With the current hash in ?v= the
// answer is cacheable for good; any other request revalidates (ETag), so a
// stale page never pins an old file.
func (a assets) serve(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := name
		if p == "" {
			p = strings.TrimPrefix(path.Clean("/"+c.Param("file")), "/")
		}
		f, ok := a[p]
		if !ok {
			c.Status(http.StatusNotFound)
			return
		}
		h := c.Writer.Header()
		h.Set("Content-Type", f.contentType)
		h.Set("ETag", f.etag)
		h.Set("Vary", "Accept-Encoding")
		if name == "" && c.Query("v") == f.version {
			h.Set("Cache-Control", immutable)
		} else {
			h.Set("Cache-Control", "public, no-cache")
		}
		if match := c.GetHeader("If-None-Match"); match != "" && strings.Contains(match, f.etag) {
			c.Status(http.StatusNotModified)
			return
		}
		body := f.body
		switch accept := c.GetHeader("Accept-Encoding"); {
		case f.br != nil && acceptsEncoding(accept, "br"):
			h.Set("Content-Encoding", "br")
			body = f.br
		case f.gz != nil && acceptsEncoding(accept, "gzip"):
			h.Set("Content-Encoding", "gzip")
			body = f.gz
		}
		c.Data(http.StatusOK, f.contentType, body)
	}
}

// acceptsEncoding tells whether an Accept-Encoding header allows enc (not
// refused with q=0).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// compressPages gzips the server-rendered pages and fragments (HTML only:
// the APIs' JSON stays as their clients know it, SSE streams stay
// unbuffered, static files come compressed already). The random jitter
// hides the exact compressed size of pages that echo the user's input.
func compressPages(next http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.ContentTypes([]string{"text/html"}), gzhttp.MinSize(512), gzhttp.RandomJitter(32, 0, false))
	if err != nil {
		return nil, err
	}
	return wrap(next), nil
}

var staticFiles = func() assets {
	a, err := loadAssets(static.FS)
	if err != nil {
		panic("static assets: " + err.Error())
	}
	return a
}()
