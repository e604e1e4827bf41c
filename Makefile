# Front-end assets are built with Node (Tailwind) but committed, so `go run`
# and `go build` need no Node. Run `make generate` after editing .templ files,
# static/css/input.css or tailwind.config.js, and commit the results.

TAILWIND := BROWSERSLIST_IGNORE_OLD_DATA=1 npx --no-install tailwindcss

.PHONY: generate templ css vendor-js test ci run

generate: templ css

templ:
	go tool templ generate

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

css: node_modules
	$(TAILWIND) -c tailwind.config.js -i static/css/input.css -o static/css/app.css --minify

vendor-js: node_modules
	cp node_modules/htmx.org/dist/htmx.min.js static/js/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.js static/js/sse.js
	cp node_modules/axe-core/axe.min.js web/webtest/axe/axe.min.js

test:
	go test ./...

ci:
	bash .ci/run

run:
	go run ./cmd/portal
