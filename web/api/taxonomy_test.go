package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

type item struct {
	ID          int    `json:"id"`
	Code        string `json:"code"`
	Description string `json:"description"`
}

type list struct {
	Items      []json.RawMessage `json:"items"`
	TotalCount int               `json:"totalCount"`
	Count      int               `json:"count"`
	PageNumber int               `json:"pageNumber"`
	PageSize   int               `json:"pageSize"`
}

type envelope struct {
	OperationStatus struct {
		Code    string `json:"operationStatusCode"`
		Message string `json:"operationStatusMessage"`
	} `json:"operationStatus"`
	Errors []struct {
		Code, Field, Message string
	} `json:"errors"`
}

type index struct {
	Taxonomies []struct {
		Name, Description, Path string
		Paged                   bool
	} `json:"taxonomies"`
}

func decode[T any](t *testing.T, res *webtest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
		t.Fatalf("%s: %v in %.200s", res.Request.URL, err, res.Body)
	}
	return v
}

func get(t *testing.T, c *webtest.Client, path string, want int, headers ...string) *webtest.Response {
	t.Helper()
	res := c.Get(path, headers...)
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %.300s", path, res.StatusCode, want, res.Body)
	}
	if want != http.StatusNotModified && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: content type %q", path, res.Header.Get("Content-Type"))
	}
	return res
}

// items decodes a list's items, checking each has exactly the three fields
// (plus the nested key for "with" views) and ids and codes are unique.
func items(t *testing.T, path string, raw []json.RawMessage, nestedKey string) ([]item, map[int][]item) {
	t.Helper()
	var out []item
	nested := map[int][]item{}
	ids, codes := map[int]bool{}, map[string]bool{}
	for _, r := range raw {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(r, &fields); err != nil {
			t.Fatal(err)
		}
		want := 3
		if nestedKey != "" {
			want = 4
		}
		if len(fields) != want || fields["id"] == nil || fields["code"] == nil || fields["description"] == nil {
			t.Fatalf("%s: item %s has fields %d, want id, code, description %s", path, r, len(fields), nestedKey)
		}
		var it item
		_ = json.Unmarshal(r, &it)
		if it.ID <= 0 || it.Code == "" || it.Description == "" || ids[it.ID] || codes[it.Code] {
			t.Fatalf("%s: item %+v is incomplete or repeats an id or code", path, it)
		}
		ids[it.ID], codes[it.Code] = true, true
		if nestedKey != "" {
			var kids []json.RawMessage
			if err := json.Unmarshal(fields[nestedKey], &kids); err != nil {
				t.Fatalf("%s: %s of %d: %v", path, nestedKey, it.ID, err)
			}
			nested[it.ID], _ = items(t, path+" "+nestedKey, kids, "")
		}
		out = append(out, it)
	}
	return out, nested
}

// all walks every page of a list.
func all(t *testing.T, c *webtest.Client, path string, nestedKey string, headers ...string) ([]item, map[int][]item) {
	t.Helper()
	var out []item
	nested := map[int][]item{}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for n := 1; ; n++ {
		l := decode[list](t, get(t, c, fmt.Sprintf("%s%spageNumber=%d&pageSize=100", path, sep, n), http.StatusOK, headers...))
		got, kids := items(t, path, l.Items, nestedKey)
		if l.Count != len(got) || l.PageNumber != n || l.PageSize != 100 {
			t.Fatalf("%s page %d: count %d for %d items, page %d size %d", path, n, l.Count, len(got), l.PageNumber, l.PageSize)
		}
		out = append(out, got...)
		for k, v := range kids {
			nested[k] = v
		}
		if len(got) < 100 {
			if len(out) != l.TotalCount {
				t.Fatalf("%s: %d items over all pages, totalCount %d", path, len(out), l.TotalCount)
			}
			return out, nested
		}
	}
}

// taxClient is a client without a language preference carrying Ana's
// partner token (one sign-in per server: argon2 is slow).
func taxClient(t *testing.T, s *webtest.Server) *webtest.Client {
	t.Helper()
	taxTokensMu.Lock()
	defer taxTokensMu.Unlock()
	tok, ok := taxTokens[s]
	if !ok {
		tok = s.PartnerToken(t, lisboaUID, anaEmail)
		taxTokens[s] = tok
	}
	c := s.ClientIn(t, "")
	c.Bearer = tok
	return c
}

var (
	taxTokensMu sync.Mutex
	taxTokens   = map[*webtest.Server]string{}
)

func taxonomyOf(t *testing.T, s *webtest.Server) *models.Taxonomy {
	tx, err := s.Store.Taxonomy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// The taxonomy answers are read-only: one server serves every check.
func TestTaxonomyAPI(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for name, fn := range map[string]func(*testing.T, *webtest.Server){
		"every route":      testEveryTaxonomyRoute,
		"counts, nesting":  testTaxonomyCountsAndNesting,
		"language":         testTaxonomyLanguage,
		"error envelope":   testTaxonomyErrorsUseTheEnvelope,
		"ETag and caching": testTaxonomyETagAndCaching,
	} {
		t.Run(name, func(t *testing.T) { fn(t, s) })
	}
}

// Every route the index names answers 200 with the list's items, in both
// languages, and the index names every stored list, view and parent filter.
func testEveryTaxonomyRoute(t *testing.T, s *webtest.Server) {
	c := taxClient(t, s)
	tx := taxonomyOf(t, s)
	idx := decode[index](t, get(t, c, "/v1/taxonomy", http.StatusOK))
	if len(idx.Taxonomies) != len(tx.Lists())+3+6 {
		t.Fatalf("index has %d entries", len(idx.Taxonomies))
	}
	served := map[string]bool{}
	for _, e := range idx.Taxonomies {
		served[e.Name] = true
		if e.Description == "" || e.Path != "/v1/taxonomy/"+e.Name {
			t.Errorf("index entry %+v", e)
		}
	}
	for _, name := range []string{
		"broker-types", "broker-sub-types", "broker-classifications", "broker-fee-types", "broker-statuses",
		"broker-iva-regimes", "broker-retention-regimes", "broker-extract-periodicity", "countries",
		"country-with-districts", "districts", "districts-with-counties", "counties", "county-with-parishes",
		"parishes", "document-types", "document-categories", "product-purposes", "loan-purposes",
		"product-schemes", "index-type-sub-categories", "index-types", "index-type-list-mixed",
		"fixed-fixed-period", "mixed-fixed-period", "bank-charge-types", "property-typologies", "entity-types",
		"identification-documents", "marital-statuses", "matrimonial-regimes", "residence-types", "genders",
		"professions", "employment-contract-types", "employment-situations", "employment-department-positions",
		"key-borrower-relations", "proposal-cancel-reasons", "proposal-reject-reasons",
		"simulation-reject-reasons", "workflow-phases", "workflow-states/simulation", "workflow-states/proposal",
		"notification-types", "districts/{id}/counties", "counties/{id}/parishes",
	} {
		if !served[name] {
			t.Errorf("%s is not in the index", name)
		}
	}

	for _, l := range tx.Lists() {
		for _, lang := range []string{models.LangPT, models.LangEN} {
			path := "/v1/taxonomy/" + l.Name
			var got []item
			if len(l.Items) > 1000 {
				first := decode[list](t, get(t, c, path, http.StatusOK, "Accept-Language", lang))
				if first.PageNumber != 1 || first.PageSize != 20 || first.Count != 20 || first.TotalCount != len(l.Items) {
					t.Errorf("%s: a long list is paged by default, got %+v", path, first)
				}
				got, _ = all(t, c, path, "", "Accept-Language", lang)
			} else {
				res := get(t, c, path, http.StatusOK, "Accept-Language", lang)
				if res.Header.Get("Content-Language") != lang {
					t.Errorf("%s: Content-Language %q for %s", path, res.Header.Get("Content-Language"), lang)
				}
				body := decode[list](t, res)
				got, _ = items(t, path, body.Items, "")
				if body.TotalCount != len(got) || body.Count != len(got) {
					t.Errorf("%s: totalCount %d count %d for %d items", path, body.TotalCount, body.Count, len(got))
				}
			}
			if len(got) == 0 || len(got) != len(l.Items) {
				t.Fatalf("%s (%s): %d items, the store has %d", path, lang, len(got), len(l.Items))
			}
			for i, it := range got {
				w := l.Items[i]
				if it.ID != w.ID || it.Code != w.Code || it.Description != w.Description(lang) {
					t.Fatalf("%s (%s) item %d: %+v, want %d %s %q", path, lang, i, it, w.ID, w.Code, w.Description(lang))
				}
			}
		}
		// The parent filter of a child list gives each parent's items.
		if l.Parent != "" {
			parent, _ := tx.List(l.Parent)
			seen := 0
			for _, p := range parent.Items {
				path := fmt.Sprintf("/v1/taxonomy/%s/%d/%s", l.Parent, p.ID, l.Name)
				body := decode[list](t, get(t, c, path, http.StatusOK))
				got, _ := items(t, path, body.Items, "")
				for _, it := range got {
					if w, ok := l.Item(it.ID); !ok || w.ParentID != p.ID || it.Description != w.PT {
						t.Fatalf("%s lists %+v", path, it)
					}
				}
				seen += len(got)
				if l.Parent == models.TaxonomyCountries && p.ID != 620 {
					break // the other countries have no districts: one is enough
				}
			}
			if l.Parent != models.TaxonomyCountries && seen != len(l.Items) {
				t.Errorf("%s: %d items through the parent filters, %d in all", l.Name, seen, len(l.Items))
			}
		}
	}
}

func testTaxonomyCountsAndNesting(t *testing.T, s *webtest.Server) {
	c := taxClient(t, s)
	districts, _ := items(t, "districts", decode[list](t, get(t, c, "/v1/taxonomy/districts", http.StatusOK)).Items, "")
	counties, _ := items(t, "counties", decode[list](t, get(t, c, "/v1/taxonomy/counties", http.StatusOK)).Items, "")
	parishes, _ := all(t, c, "/v1/taxonomy/parishes", "")
	if len(districts) != 20 || len(counties) != 308 || len(parishes) != 3092 {
		t.Fatalf("%d districts, %d counties, %d parishes", len(districts), len(counties), len(parishes))
	}

	// districts-with-counties: every district, every county once, under its district.
	body := decode[list](t, get(t, c, "/v1/taxonomy/districts-with-counties", http.StatusOK))
	withCounties, nested := items(t, "districts-with-counties", body.Items, "counties")
	n := 0
	for _, d := range withCounties {
		own, _ := items(t, "filter", decode[list](t, get(t, c, "/v1/taxonomy/districts/"+strconv.Itoa(d.ID)+"/counties", http.StatusOK)).Items, "")
		if fmt.Sprint(own) != fmt.Sprint(nested[d.ID]) {
			t.Errorf("district %s: nested counties differ from districts/%d/counties", d.Description, d.ID)
		}
		n += len(nested[d.ID])
	}
	if len(withCounties) != 20 || n != 308 {
		t.Fatalf("districts-with-counties: %d districts, %d counties", len(withCounties), n)
	}

	// country-with-districts: Portugal and its 20 districts only.
	body = decode[list](t, get(t, c, "/v1/taxonomy/country-with-districts", http.StatusOK, "Accept-Language", "en"))
	countries, nested := items(t, "country-with-districts", body.Items, "districts")
	if len(countries) != 1 || countries[0].Code != "PT" || len(nested[countries[0].ID]) != 20 {
		t.Fatalf("country-with-districts: %+v", countries)
	}
	if d := nested[countries[0].ID][10]; d.Code != "11" || d.Description != "Lisbon" {
		t.Errorf("district 11 in English: %+v", d)
	}

	// county-with-parishes is paged over counties and holds every parish.
	first := decode[list](t, get(t, c, "/v1/taxonomy/county-with-parishes", http.StatusOK))
	if first.TotalCount != 308 || first.Count != 20 || first.PageSize != 20 {
		t.Fatalf("county-with-parishes first page: total %d count %d size %d", first.TotalCount, first.Count, first.PageSize)
	}
	withParishes, nested := all(t, c, "/v1/taxonomy/county-with-parishes", "parishes")
	n = 0
	for _, k := range nested {
		n += len(k)
	}
	if len(withParishes) != 308 || n != 3092 {
		t.Fatalf("county-with-parishes: %d counties, %d parishes", len(withParishes), n)
	}

	// Paging edges: a short list pages on request; past the end is empty.
	l := decode[list](t, get(t, c, "/v1/taxonomy/districts?pageSize=5&pageNumber=4", http.StatusOK))
	if l.Count != 5 || l.TotalCount != 20 || l.PageNumber != 4 {
		t.Errorf("districts page 4 of 5: %+v", l)
	}
	if got, _ := items(t, "page", l.Items, ""); got[0].Code != "16" {
		t.Errorf("page 4 starts at %+v", got[0])
	}
	res := get(t, c, "/v1/taxonomy/parishes?pageNumber=1000", http.StatusOK)
	if l := decode[list](t, res); l.Count != 0 || l.TotalCount != 3092 || !strings.Contains(res.Body, `"items":[]`) {
		t.Errorf("past the last page: %s", res.Body)
	}
	if res := get(t, c, "/v1/taxonomy/countries/724/districts", http.StatusOK); !strings.Contains(res.Body, `"items":[]`) {
		t.Errorf("Spain's districts: %s", res.Body)
	}
}

func testTaxonomyLanguage(t *testing.T, s *webtest.Server) {
	c := taxClient(t, s)
	for header, want := range map[string]string{
		"":                       "Em criação",
		"pt":                     "Em criação",
		"pt-PT,pt;q=0.9":         "Em criação",
		"en":                     "In creation",
		"en-GB,en;q=0.9":         "In creation",
		"fr-FR, en;q=0.5":        "In creation",
		"pt;q=0.4, en-US;q=0.8":  "In creation",
		"en;q=0.3, pt-BR;q=0.7":  "Em criação",
		"de, fr;q=0.8":           "Em criação",
		"*":                      "Em criação",
		"EN":                     "In creation",
		"en;q=not-a-number, pt":  "In creation",
		"xx-invalid;;;, ,en;q=0": "Em criação",
	} {
		res := get(t, c, "/v1/taxonomy/workflow-states/proposal", http.StatusOK, "Accept-Language", header)
		got, _ := items(t, "states", decode[list](t, res).Items, "")
		if got[0].Description != want || got[0].ID != models.StatusInCreation || got[0].Code != "IN_CREATION" {
			t.Errorf("Accept-Language %q: %+v, want %q", header, got[0], want)
		}
	}
}

func testTaxonomyErrorsUseTheEnvelope(t *testing.T, s *webtest.Server) {
	c := taxClient(t, s)
	for _, tc := range []struct {
		path, code, field, fieldCode string
		status                       int
	}{
		{"/v1/taxonomy/no-such-list", "090002", "", "", http.StatusNotFound},
		{"/v1/taxonomy/workflow-states/nothing", "090002", "", "", http.StatusNotFound},
		{"/v1/taxonomy/parishes?pageSize=101", "090001", "pageSize", "990201", http.StatusBadRequest},
		{"/v1/taxonomy/parishes?pageSize=0", "090001", "pageSize", "990201", http.StatusBadRequest},
		{"/v1/taxonomy/districts?pageSize=ten", "090001", "pageSize", "990201", http.StatusBadRequest},
		{"/v1/taxonomy/districts?pageNumber=0", "090001", "pageNumber", "990101", http.StatusBadRequest},
		{"/v1/taxonomy/county-with-parishes?pageSize=1000", "090001", "pageSize", "990201", http.StatusBadRequest},
		{"/v1/taxonomy/districts/11/counties?pageSize=101", "090001", "pageSize", "990201", http.StatusBadRequest},
		{"/v1/taxonomy/districts/999/counties", "090002", "", "", http.StatusNotFound},
		{"/v1/taxonomy/districts/abc/counties", "090001", "parentId", "090101", http.StatusBadRequest},
		{"/v1/taxonomy/districts/11/parishes", "090002", "", "", http.StatusNotFound},
		{"/v1/taxonomy/no-such-list/1/counties", "090002", "", "", http.StatusNotFound},
		{"/v1/no-such-operation", "990002", "", "", http.StatusNotFound},
		{"/v1/taxonomy/a/b", "990002", "", "", http.StatusNotFound},
	} {
		res := get(t, c, tc.path, tc.status)
		env := decode[envelope](t, res)
		if env.OperationStatus.Code != tc.code || env.OperationStatus.Message == "" {
			t.Errorf("%s: operation status %+v, want code %s", tc.path, env.OperationStatus, tc.code)
		}
		if tc.field == "" && len(env.Errors) != 0 || tc.field != "" && (len(env.Errors) != 1 || env.Errors[0].Field != tc.field ||
			env.Errors[0].Code != tc.fieldCode || env.Errors[0].Message == "") {
			t.Errorf("%s: errors %+v, want field %q code %s", tc.path, env.Errors, tc.field, tc.fieldCode)
		}
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" {
			t.Errorf("%s: an error is cacheable: %q %q", tc.path, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
		}
	}
	// The lists are behind the partner token like every protected call:
	// without one, or with a bad one, 401 in the envelope, and no caching.
	anonymous := s.ClientIn(t, "")
	for _, path := range []string{"/v1/taxonomy", "/v1/taxonomy/districts", "/v1/taxonomy/workflow-states/proposal",
		"/v1/taxonomy/districts/11/counties", "/v1/taxonomy/no-such-list"} {
		for _, auth := range []string{"", "Bearer not-a-token"} {
			var h []string
			if auth != "" {
				h = []string{"Authorization", auth}
			}
			res := get(t, anonymous, path, http.StatusUnauthorized, h...)
			if env := decode[envelope](t, res); env.OperationStatus.Code != "010004" || res.Header.Get("ETag") != "" ||
				res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s with %q: %s (ETag %q, Cache-Control %q)", path, auth, res.Body, res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
			}
		}
	}
	// Paths outside /v1 keep the HTML not-found page.
	if res := c.Get("/no-such-page"); res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("/no-such-page: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func testTaxonomyETagAndCaching(t *testing.T, s *webtest.Server) {
	c := taxClient(t, s)
	for _, path := range []string{"/v1/taxonomy", "/v1/taxonomy/districts", "/v1/taxonomy/districts-with-counties",
		"/v1/taxonomy/counties/1/parishes", "/v1/taxonomy/parishes?pageNumber=2", "/v1/taxonomy/workflow-states/simulation"} {
		first := get(t, c, path, http.StatusOK)
		etag := first.Header.Get("ETag")
		if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 10 {
			t.Fatalf("%s: ETag %q", path, etag)
		}
		if cc := first.Header.Get("Cache-Control"); cc != "private, max-age=3600" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		if v := first.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") {
			t.Errorf("%s: Vary %q", path, v)
		}
		again := get(t, c, path, http.StatusOK)
		if again.Body != first.Body || again.Header.Get("ETag") != etag {
			t.Errorf("%s: second answer differs", path)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			res := get(t, c, path, http.StatusNotModified, "If-None-Match", inm)
			if res.Body != "" || res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") != "private, max-age=3600" {
				t.Errorf("%s If-None-Match %s: body %q etag %q", path, inm, res.Body, res.Header.Get("ETag"))
			}
		}
		get(t, c, path, http.StatusOK, "If-None-Match", `"stale"`)
		en := get(t, c, path, http.StatusOK, "Accept-Language", "en")
		if en.Header.Get("ETag") == etag && en.Body != first.Body {
			t.Errorf("%s: the English answer has the Portuguese ETag", path)
		}
		// Place names read the same in both languages: same bytes, same tag.
		if en.Body == first.Body {
			get(t, c, path, http.StatusNotModified, "If-None-Match", etag, "Accept-Language", "en")
		} else {
			get(t, c, path, http.StatusOK, "If-None-Match", etag, "Accept-Language", "en")
		}
	}
}

// Same data, same ids and the same bytes on both databases.
func TestTaxonomyAnswersIdenticalOnBothDialects(t *testing.T) {
	lite := webtest.New(t, store.SQLite)
	pg := webtest.New(t, store.Postgres)
	idx := decode[index](t, get(t, taxClient(t, lite), "/v1/taxonomy", http.StatusOK))
	var paths []string
	for _, e := range idx.Taxonomies {
		if !strings.Contains(e.Name, "{id}") {
			paths = append(paths, e.Path+"?pageSize=100&pageNumber=3")
			paths = append(paths, e.Path)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		a, b := get(t, taxClient(t, lite), p, http.StatusOK), get(t, taxClient(t, pg), p, http.StatusOK)
		if a.Body != b.Body || a.Header.Get("ETag") != b.Header.Get("ETag") {
			t.Errorf("%s differs between SQLite and PostgreSQL", p)
		}
	}
}
