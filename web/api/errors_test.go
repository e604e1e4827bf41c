package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// docs/api-error-codes.md documents exactly the table in errors.go.
func TestErrorCodesAreDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/api-error-codes.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	row := func(cells ...string) bool {
		return regexp.MustCompile(`(?m)^\| ` + strings.Join(cells, ` \| `) + ` \|`).MatchString(doc)
	}
	for cc, name := range categories {
		if len(cc) != 2 || !row("`"+cc+"`", regexp.QuoteMeta(name)) {
			t.Errorf("category %s %s is not in the categories table", cc, name)
		}
	}
	results := map[string]bool{}
	for code, o := range outcomes {
		results[o.Specific] = true
		if !row("`"+o.Specific+"`", fmt.Sprint(o.Status)) {
			t.Errorf("result %s (%s, %d) is not in the results table", o.Specific, code, o.Status)
		}
	}
	results[outcomeTooLarge.Specific] = true
	if !row("`"+outcomeTooLarge.Specific+"`", "413") {
		t.Error("the 413 result is not documented")
	}
	fields := map[string]bool{}
	for cat, codes := range fieldCodes {
		for field, ccff := range codes {
			if ccff[:2] != cat || ccff[2:] == "00" || ccff[2:] == "01" && successes[ccff+"01"].Message != "" {
				t.Errorf("field %s of category %s has the code %s: not its category's, or a success code's", field, cat, ccff)
			}
			if fields[ccff+"01"] {
				t.Errorf("field code %s01 is used twice", ccff)
			}
			fields[ccff+"01"] = true
			if !row("`"+ccff+"01`", "`"+field+"`") {
				t.Errorf("field %s (%s01) is not in the field table", field, ccff)
			}
		}
	}
	for code, o := range successes {
		if !row("`"+code+"`", `[^|]*\b`+fmt.Sprint(o.Status)+`\b[^|]*`, regexp.QuoteMeta(o.Message)+`[^|]*`) {
			t.Errorf("the success code %s (%d %s) is not documented", code, o.Status, o.Message)
		}
	}
	// Every code the page, and the OpenAPI document, mention is one the
	// table can produce.
	openapi, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mentioned := regexp.MustCompile("`(\\d{6})`").FindAllStringSubmatch(doc, -1)
	mentioned = append(mentioned, regexp.MustCompile(`\b(\d{6})\b`).FindAllStringSubmatch(string(openapi), -1)...)
	for _, m := range mentioned {
		code := m[1]
		cc, ff, ss := code[:2], code[2:4], code[4:]
		ok := successes[code].Message != "" || fields[code] || categories[cc] != "" && ff == "00" && results[ss]
		if !ok {
			t.Errorf("docs mention %s, which errors.go cannot produce", code)
		}
	}
}

func TestFailMapsEveryCode(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for code, o := range outcomes {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/v1/x", nil)
		fail(c, discard(), CategoryProcess, &models.Error{Code: code, Message: "secret detail", RetryAfter: 7})
		want := CategoryProcess + "00" + o.Specific
		if w.Code != o.Status || !strings.Contains(w.Body.String(), `"operationStatusCode":"`+want+`"`) {
			t.Errorf("%s: %d %s, want %d %s", code, w.Code, w.Body, o.Status, want)
		}
		if code == models.CodeInternal && strings.Contains(w.Body.String(), "secret") {
			t.Errorf("internal error detail sent: %s", w.Body)
		}
		if code == models.CodeRateLimited && w.Header().Get("Retry-After") != "7" {
			t.Errorf("rate limited without Retry-After")
		}
	}
	// A foreign error is internal; a body over the limit is 413.
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/v1/x", nil)
	fail(c, discard(), CategoryMessage, errors.New("db exploded"))
	if w.Code != 500 || !strings.Contains(w.Body.String(), `"070099"`) || strings.Contains(w.Body.String(), "exploded") {
		t.Errorf("foreign error: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	c, _ = gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/v1/x", nil)
	fail(c, discard(), CategoryMessage, fmt.Errorf("decode: %w", &http.MaxBytesError{Limit: 1}))
	if w.Code != 413 || !strings.Contains(w.Body.String(), `"070007"`) {
		t.Errorf("body too large: %d %s", w.Code, w.Body)
	}
	if Code(CategoryTaxonomy, models.CodeNotFound) != "090002" {
		t.Errorf("Code: %s", Code(CategoryTaxonomy, models.CodeNotFound))
	}
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
