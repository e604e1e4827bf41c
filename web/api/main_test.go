package api_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"portal/models/store/storetest"
	"portal/web/webtest"
)

// TestMain checks every exchange of these tests against the OpenAPI
// document (webtest.CheckOpenAPI) and removes the template databases the
// tests were copied from. A whole run (no -run filter) must have answered
// every operation of the document with success at least once (-run, -skip
// and -short runs are partial: not checked).
func TestMain(m *testing.M) {
	webtest.CheckOpenAPI = true
	code := storetest.Main(m)
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" && !testing.Short() {
		missing, err := webtest.OpenAPIUnanswered()
		if err != nil || len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: operations of docs/openapi.yaml no test answered with success: %v %v\n", missing, err)
			code = 1
		}
	}
	os.Exit(code)
}
