package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components/admin"
	"portal/components/i18n"
	"portal/components/taxonomy"
	"portal/models"
)

// The reference lists in the browser: the read-only admin pages and the
// district -> county -> parish cascade (its option fragments and the view
// any form embeds through h.cascade).

// adminPageSize is how many values a list's admin page shows at once.
const adminPageSize = 100

func (h *Handlers) adminTaxonomies(c *gin.Context) {
	ctx := c.Request.Context()
	t, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	lang, other := taxonomy.Lang(ctx), otherLang(ctx)
	v := admin.TaxonomiesView{
		Page:    h.page(c, i18n.T(ctx, "admin.taxonomies_title"), "admin"),
		Cascade: cascade(ctx, t, "demo", queryID(c, "districtId"), queryID(c, "countyId"), queryID(c, "parishId")),
	}
	for _, l := range t.Lists() {
		row := admin.ListRow{Name: l.Name, Title: l.Title(lang), TitleOther: l.Title(other), OtherLang: other, Values: len(l.Items)}
		if p, err := t.List(l.Parent); err == nil {
			row.Parent = p.Title(lang)
		}
		v.Lists = append(v.Lists, row)
	}
	h.render(c, http.StatusOK, admin.TaxonomiesPage(v))
}

func (h *Handlers) adminTaxonomy(c *gin.Context) {
	ctx := c.Request.Context()
	t, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	name := strings.Trim(c.Param("name"), "/")
	l, err := t.List(name)
	if err != nil {
		h.fail(c, err)
		return
	}
	// A page past the end shows the last page; clamping before the
	// multiplication also keeps a huge ?page= from overflowing it.
	lastPage := max((len(l.Items)+adminPageSize-1)/adminPageSize, 1)
	pageNo := min(max(queryID(c, "page"), 1), lastPage)
	from := min((pageNo-1)*adminPageSize, len(l.Items))
	to := min(from+adminPageSize, len(l.Items))
	lang, other := taxonomy.Lang(ctx), otherLang(ctx)
	v := admin.TaxonomyView{
		Page: h.page(c, l.Title(lang), "admin"),
		Name: l.Name, Title: l.Title(lang), TitleOther: l.Title(other), OtherLang: other,
		From: min(from+1, to), To: to, Total: len(l.Items),
	}
	parent, _ := t.List(l.Parent)
	if parent != nil {
		v.Parent = parent.Title(lang)
	}
	for _, it := range l.Items[from:to] {
		row := admin.ItemRow{ID: it.ID, Code: it.Code, PT: it.PT, EN: it.EN}
		if parent != nil {
			p, _ := parent.Item(it.ParentID)
			row.Parent = p.Description(lang) + " (" + p.Code + ")"
		}
		v.Items = append(v.Items, row)
	}
	if from > 0 {
		v.PrevURL = admin.TaxonomyURL(l.Name) + "?page=" + strconv.Itoa(pageNo-1)
	}
	if to < len(l.Items) {
		v.NextURL = admin.TaxonomyURL(l.Name) + "?page=" + strconv.Itoa(pageNo+1)
	}
	h.render(c, http.StatusOK, admin.TaxonomyPage(v))
}

// countyOptions is the cascade's fragment: the <option>s of the counties
// of ?districtId (only the placeholder when none is chosen).
func (h *Handlers) countyOptions(c *gin.Context) {
	h.childOptions(c, "districtId", models.TaxonomyDistricts, models.TaxonomyCounties)
}

// parishOptions: the <option>s of the parishes of ?countyId.
func (h *Handlers) parishOptions(c *gin.Context) {
	h.childOptions(c, "countyId", models.TaxonomyCounties, models.TaxonomyParishes)
}

func (h *Handlers) childOptions(c *gin.Context, param, parent, child string) {
	ctx := c.Request.Context()
	t, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	raw := c.Query(param)
	id, err := strconv.Atoi(raw)
	if raw != "" && (err != nil || id < 1) {
		h.fail(c, &models.Error{Code: models.CodeInvalid, Message: i18n.T(ctx, "taxonomy.bad_id", map[string]any{"Param": param})})
		return
	}
	if id > 0 {
		if _, err := t.Children(parent, id, child); err != nil {
			h.fail(c, err)
			return
		}
	}
	h.render(c, http.StatusOK, taxonomy.OptionList(childOptions(ctx, t, parent, id, child, 0)))
}

// cascade builds the district -> county -> parish selects with the given
// choices (0: none). A county outside the district or a parish outside the
// county is dropped, so the selects always agree with each other.
func cascade(ctx context.Context, t *models.Taxonomy, id string, districtID, countyID, parishID int) taxonomy.CascadeView {
	v := taxonomy.CascadeView{ID: id}
	districts, err := t.List(models.TaxonomyDistricts)
	if err != nil {
		return v
	}
	if _, ok := districts.Item(districtID); !ok {
		districtID = 0
	}
	if county, _ := mustList(t, models.TaxonomyCounties).Item(countyID); districtID == 0 || county.ParentID != districtID {
		countyID = 0
	}
	if parish, _ := mustList(t, models.TaxonomyParishes).Item(parishID); countyID == 0 || parish.ParentID != countyID {
		parishID = 0
	}
	lang := taxonomy.Lang(ctx)
	v.Districts = taxonomy.Options{Placeholder: i18n.T(ctx, "taxonomy.choose_district"), Items: options(districts.Items, districtID, lang)}
	v.Counties = childOptions(ctx, t, models.TaxonomyDistricts, districtID, models.TaxonomyCounties, countyID)
	v.Parishes = childOptions(ctx, t, models.TaxonomyCounties, countyID, models.TaxonomyParishes, parishID)
	return v
}

// childOptions lists the child items of parentID (none when it is 0) with
// selected chosen, and the placeholder that says what to do.
func childOptions(ctx context.Context, t *models.Taxonomy, parent string, parentID int, child string, selected int) taxonomy.Options {
	var placeholders [2]string
	switch child {
	case models.TaxonomyCounties:
		placeholders = [2]string{i18n.T(ctx, "taxonomy.district_first"), i18n.T(ctx, "taxonomy.choose_county")}
	case models.TaxonomyParishes:
		placeholders = [2]string{i18n.T(ctx, "taxonomy.county_first"), i18n.T(ctx, "taxonomy.choose_parish")}
	}
	if parentID == 0 {
		return taxonomy.Options{Placeholder: placeholders[0]}
	}
	kids, _ := t.Children(parent, parentID, child)
	return taxonomy.Options{Placeholder: placeholders[1], Items: options(kids, selected, taxonomy.Lang(ctx))}
}

func options(items []models.TaxonomyItem, selected int, lang string) []taxonomy.Option {
	out := make([]taxonomy.Option, len(items))
	for i, it := range items {
		out[i] = taxonomy.Option{Value: strconv.Itoa(it.ID), Label: it.Description(lang), Selected: it.ID == selected}
	}
	return out
}

// otherLang is the description language the page is not in: the admin
// pages show a list's title in both.
func otherLang(ctx context.Context) string {
	if taxonomy.Lang(ctx) == models.LangEN {
		return models.LangPT
	}
	return models.LangEN
}

func mustList(t *models.Taxonomy, name string) *models.TaxonomyList {
	if l, err := t.List(name); err == nil {
		return l
	}
	return &models.TaxonomyList{}
}

// queryID reads a positive whole number from the query, 0 when absent or
// not one.
func queryID(c *gin.Context, name string) int {
	n, err := strconv.Atoi(c.Query(name))
	if err != nil || n < 1 {
		return 0
	}
	return n
}
