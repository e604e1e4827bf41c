// Package static holds the portal's built front-end assets: the compiled,
// minified Tailwind stylesheet (css/app.css) and the vendored htmx and htmx
// SSE extension scripts (js/*.js).
//
// These files are generated or copied by the Makefile (`make css`,
// `make vendor-js`) and committed to the repository, so `go build` and
// `go run ./cmd/portal` need no Node.js toolchain. CI rebuilds them and fails
// if the committed copies are stale.
package static

import "embed"

// FS contains css/app.css, js/*.js and favicon.svg, rooted at this directory.
//
//go:embed css/app.css js/*.js favicon.svg
var FS embed.FS
