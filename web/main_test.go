package web_test

import (
	"os"
	"testing"

	"portal/models/store/storetest"
	"portal/web/webtest"
)

// TestMain checks every partner API exchange of these tests against the
// OpenAPI document (webtest.CheckOpenAPI) and removes the template
// databases the tests were copied from.
func TestMain(m *testing.M) {
	webtest.CheckOpenAPI = true
	os.Exit(storetest.Main(m))
}
