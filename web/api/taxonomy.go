package api

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// The taxonomy endpoints: GET /v1/taxonomy/{name} for every reference list,
// the "with" views that nest children, the parent filters
// ({parent}/{id}/{child}) and the index at GET /v1/taxonomy.
//
// Answers are rendered once per language and kept in memory with their
// ETag; clients revalidate with If-None-Match (304) and may cache for an
// hour (privately: the routes take the partner token). The lists change only with a new build (migration), and the ETag is
// a hash of the body, so every instance of a build agrees on it.

// nestedView is a "with" view: each item of Parent carries its Child items.
type nestedView struct {
	Name, Parent, Child string
	TitlePT, TitleEN    string
	Paged               bool // page over the parents
	OnlyWithChildren    bool // leave out parents without children
}

var nestedViews = []nestedView{
	{Name: "country-with-districts", Parent: models.TaxonomyCountries, Child: models.TaxonomyDistricts, OnlyWithChildren: true,
		TitlePT: "Países com distritos", TitleEN: "Countries with their districts"},
	{Name: "districts-with-counties", Parent: models.TaxonomyDistricts, Child: models.TaxonomyCounties,
		TitlePT: "Distritos e regiões autónomas com os seus concelhos", TitleEN: "Districts and autonomous regions with their municipalities"},
	{Name: "county-with-parishes", Parent: models.TaxonomyCounties, Child: models.TaxonomyParishes, Paged: true,
		TitlePT: "Concelhos com as suas freguesias", TitleEN: "Municipalities with their parishes"},
}

func nestedByName(name string) *nestedView {
	for i := range nestedViews {
		if nestedViews[i].Name == name {
			return &nestedViews[i]
		}
	}
	return nil
}

// Paging (pageNumber/pageSize, as the bank's message lists). Lists longer
// than alwaysPagedOver items (parishes) are always paged; any other list is
// paged when the request asks for it.
const (
	alwaysPagedOver = 1000
	defaultPageSize = 20
	maxPageSize     = 100
	maxPageNumber   = 100000
)

type paging struct {
	on           bool
	number, size int
}

func parsePaging(c *gin.Context, always bool) (paging, error) {
	p := paging{on: always, number: 1, size: defaultPageSize}
	var v models.Validation
	if s, ok := c.GetQuery("pageNumber"); ok {
		p.on = true
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageNumber {
			v.Add("pageNumber", "field.whole_range", models.Args{"Field": "pageNumber", "Max": maxPageNumber})
		}
		p.number = n
	}
	if s, ok := c.GetQuery("pageSize"); ok {
		p.on = true
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			v.Add("pageSize", "field.whole_range", models.Args{"Field": "pageSize", "Max": maxPageSize})
		}
		p.size = n
	}
	return p, v.Err()
}

// window returns the bounds of the page within total items.
func (p paging) window(total int) (from, to int) {
	if !p.on {
		return 0, total
	}
	from = min((p.number-1)*p.size, total)
	return from, min(from+p.size, total)
}

// The JSON shapes.
type itemJSON struct {
	ID          int    `json:"id"`
	Code        string `json:"code"`
	Description string `json:"description"`
}

// nestedJSON is an item with its children under the child list's name
// ("counties": [...]).
type nestedJSON struct {
	itemJSON
	key      string
	children []itemJSON
}

func (n nestedJSON) MarshalJSON() ([]byte, error) {
	head, err := json.Marshal(n.itemJSON)
	if err != nil {
		return nil, err
	}
	kids, err := json.Marshal(n.children)
	if err != nil {
		return nil, err
	}
	key, _ := json.Marshal(n.key)
	out := append(head[:len(head)-1], ',')
	out = append(append(append(out, key...), ':'), kids...)
	return append(out, '}'), nil
}

type listJSON struct {
	Items      any `json:"items"`
	TotalCount int `json:"totalCount"`
	Count      int `json:"count"`
	PageNumber int `json:"pageNumber,omitempty"`
	PageSize   int `json:"pageSize,omitempty"`
}

type indexEntryJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Path        string `json:"path"`
	Paged       bool   `json:"paged"`
}

// page cuts the page p out of all and renders it with conv; only the
// items of the page are rendered.
func page[T, J any](all []T, p paging, conv func(T) J) listJSON {
	from, to := p.window(len(all))
	window := make([]J, 0, to-from) // "items": [], never null
	for _, it := range all[from:to] {
		window = append(window, conv(it))
	}
	l := listJSON{Items: window, TotalCount: len(all), Count: to - from}
	if p.on {
		l.PageNumber, l.PageSize = p.number, p.size
	}
	return l
}

func itemsIn(in []models.TaxonomyItem, lang string) []itemJSON {
	out := make([]itemJSON, len(in))
	for i, it := range in {
		out[i] = itemIn(lang)(it)
	}
	return out
}

func itemIn(lang string) func(models.TaxonomyItem) itemJSON {
	return func(it models.TaxonomyItem) itemJSON {
		return itemJSON{ID: it.ID, Code: it.Code, Description: it.Description(lang)}
	}
}

// language picks the answer's language from Accept-Language: "en" when
// English is preferred to Portuguese, "pt" otherwise (the default).
func language(header string) string {
	best, bestQ := models.LangPT, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if (primary == models.LangPT || primary == models.LangEN) && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}

func (h *Handlers) taxonomyIndex(c *gin.Context) {
	t, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	lang := language(c.GetHeader("Accept-Language"))
	h.send(c, lang, "index", func() any {
		var out []indexEntryJSON
		for _, l := range t.Lists() {
			out = append(out, indexEntryJSON{Name: l.Name, Description: l.Title(lang), Path: "/v1/taxonomy/" + l.Name, Paged: len(l.Items) > alwaysPagedOver})
		}
		for _, v := range nestedViews {
			title := v.TitlePT
			if lang == models.LangEN {
				title = v.TitleEN
			}
			out = append(out, indexEntryJSON{Name: v.Name, Description: title, Path: "/v1/taxonomy/" + v.Name, Paged: v.Paged})
		}
		for _, l := range t.Lists() {
			if l.Parent == "" {
				continue
			}
			p, _ := t.List(l.Parent)
			by := " por "
			if lang == models.LangEN {
				by = " by "
			}
			name := l.Parent + "/{id}/" + l.Name
			out = append(out, indexEntryJSON{Name: name, Description: l.Title(lang) + by + lowerFirst(p.Title(lang)), Path: "/v1/taxonomy/" + name})
		}
		return map[string]any{"taxonomies": out}
	})
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func (h *Handlers) taxonomyList(c *gin.Context) { h.serveList(c, c.Param("name")) }

func (h *Handlers) workflowStates(c *gin.Context) {
	h.serveList(c, "workflow-states/"+c.Param("kind"))
}

func (h *Handlers) serveList(c *gin.Context, name string) {
	t, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	lang := language(c.GetHeader("Accept-Language"))
	if v := nestedByName(name); v != nil {
		h.serveNested(c, t, v, lang)
		return
	}
	l, err := t.List(name)
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	p, err := parsePaging(c, len(l.Items) > alwaysPagedOver)
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	h.send(c, lang, cacheKey(name, p), func() any { return page(l.Items, p, itemIn(lang)) })
}

func (h *Handlers) serveNested(c *gin.Context, t *models.Taxonomy, v *nestedView, lang string) {
	p, err := parsePaging(c, v.Paged)
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	h.send(c, lang, cacheKey(v.Name, p), func() any {
		parents, _ := t.List(v.Parent)
		shown := parents.Items
		if v.OnlyWithChildren {
			shown = nil
			for _, it := range parents.Items {
				if kids, _ := t.Children(v.Parent, it.ID, v.Child); len(kids) > 0 {
					shown = append(shown, it)
				}
			}
		}
		return page(shown, p, func(it models.TaxonomyItem) nestedJSON {
			kids, _ := t.Children(v.Parent, it.ID, v.Child)
			return nestedJSON{itemJSON: itemIn(lang)(it), key: v.Child, children: itemsIn(kids, lang)}
		})
	})
}

func (h *Handlers) taxonomyChildren(c *gin.Context) {
	t, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	parent, child := c.Param("name"), c.Param("child")
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil || id < 1 {
		fail(c, h.log, CategoryTaxonomy, models.Invalid("parentId", "field.path_id", nil))
		return
	}
	kids, err := t.Children(parent, id, child)
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	p, err := parsePaging(c, len(kids) > alwaysPagedOver)
	if err != nil {
		fail(c, h.log, CategoryTaxonomy, err)
		return
	}
	lang := language(c.GetHeader("Accept-Language"))
	h.send(c, lang, cacheKey(parent+"/"+strconv.Itoa(id)+"/"+child, p), func() any { return page(kids, p, itemIn(lang)) })
}

// cacheKey names an answer to keep, "" for one not to keep: paged answers
// are cheap to render and their number is bounded only by the query.
func cacheKey(name string, p paging) string {
	if p.on {
		return ""
	}
	return name
}

// responseCache holds rendered answers by language and key. Its size is
// bounded by the lists: one entry per list, view and parent per language.
type responseCache struct{ m sync.Map }

type rendered struct {
	body []byte
	etag string
}

// send writes the answer built by build (or kept under key) with its ETag
// and caching headers, or 304 when the client's copy is current.
func (h *Handlers) send(c *gin.Context, lang, key string, build func() any) {
	var r *rendered
	if key != "" {
		if v, ok := h.taxonomy.m.Load(lang + "|" + key); ok {
			r = v.(*rendered)
		}
	}
	if r == nil {
		body, err := json.Marshal(build())
		if err != nil {
			fail(c, h.log, CategoryTaxonomy, models.Internal(err))
			return
		}
		sum := sha256.Sum256(body)
		r = &rendered{body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
		if key != "" {
			h.taxonomy.m.Store(lang+"|"+key, r)
		}
	}
	hd := c.Writer.Header()
	hd.Set("ETag", r.etag)
	hd.Set("Cache-Control", "private, max-age=3600") // answers for token holders: no shared cache
	hd.Set("Vary", "Accept-Language")
	hd.Set("Content-Language", lang)
	if etagMatches(c.GetHeader("If-None-Match"), r.etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", r.body)
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2).
func etagMatches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
