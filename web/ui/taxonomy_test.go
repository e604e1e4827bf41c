package ui_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

const admin = "admin@bank.example"

func taxonomyOf(t *testing.T, s *webtest.Server) *models.Taxonomy {
	t.Helper()
	tx, err := s.Store.Taxonomy(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func optionValues(sel *goquery.Selection) []string {
	var out []string
	sel.Find("option").Each(func(_ int, o *goquery.Selection) {
		v, _ := o.Attr("value")
		out = append(out, v)
	})
	return out
}

func idsOf(items []models.TaxonomyItem) []string {
	out := []string{""} // the placeholder
	for _, it := range items {
		out = append(out, strconv.Itoa(it.ID))
	}
	return out
}

func TestAdminTaxonomyPages(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	tx := taxonomyOf(t, s)
	c := s.Client(t)
	c.Login(admin)

	// The admin home links the lists.
	if home := c.Get("/admin").Doc(t); home.Find(`a[href="/admin/taxonomies"]`).Length() != 1 {
		t.Fatal("admin home does not link the reference lists")
	}
	res := c.Get("/admin/taxonomies")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("overview: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if n := doc.Find(`[data-testid="taxonomy-row"]`).Length(); n != len(tx.Lists()) {
		t.Errorf("overview lists %d, the store has %d", n, len(tx.Lists()))
	}
	for _, l := range tx.Lists() {
		link := doc.Find(`a[href="/admin/taxonomies/` + l.Name + `"]`)
		if link.Length() != 1 {
			t.Errorf("overview does not link %s", l.Name)
			continue
		}
		row := link.Closest("tr").Find("td")
		if got := strings.TrimSpace(row.Eq(3).Text()); got != strconv.Itoa(len(l.Items)) {
			t.Errorf("%s: overview says %s values, the list has %d", l.Name, got, len(l.Items))
		}
		// Every list's page shows its values, a hundred at a time.
		page := c.Get("/admin/taxonomies/" + l.Name).Doc(t)
		items := page.Find(`[data-testid="taxonomy-item"]`)
		if items.Length() != min(len(l.Items), 100) {
			t.Errorf("%s: page shows %d values", l.Name, items.Length())
		}
		first := items.First().Find("td")
		if strings.TrimSpace(first.Eq(0).Text()) != strconv.Itoa(l.Items[0].ID) || strings.TrimSpace(first.Eq(1).Text()) != l.Items[0].Code ||
			strings.TrimSpace(first.Eq(2).Text()) != l.Items[0].PT || strings.TrimSpace(first.Eq(3).Text()) != l.Items[0].EN {
			t.Errorf("%s: first row %q", l.Name, first.Text())
		}
	}
	// The parishes page by page.
	last := c.Get("/admin/taxonomies/parishes?page=31").Doc(t)
	if n := last.Find(`[data-testid="taxonomy-item"]`).Length(); n != 92 || last.Find(`a[rel="next"]`).Length() != 0 ||
		last.Find(`a[rel="prev"]`).AttrOr("href", "") != "/admin/taxonomies/parishes?page=30" {
		t.Errorf("last parishes page: %d rows", n)
	}
	if got := strings.TrimSpace(last.Find(`[data-testid="taxonomy-range"]`).Text()); got != "3001–3092 of 3092" {
		t.Errorf("range %q", got)
	}
	if res := c.Get("/admin/taxonomies/no-such-list"); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown list: %d", res.StatusCode)
	}

	// Only admins.
	for _, who := range []string{ana, marta} {
		other := s.Client(t)
		other.Login(who)
		if res := other.Get("/admin/taxonomies"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: overview %d", who, res.StatusCode)
		}
		if res := other.Get("/admin/taxonomies/districts"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: list page %d", who, res.StatusCode)
		}
	}
	if res := s.Client(t).Get("/admin/taxonomies"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
}

func TestCascadeFragmentsAndNoScriptForm(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	tx := taxonomyOf(t, s)
	c := s.Client(t)
	c.Login(ana) // brokers fill in property addresses

	lisboaCounties, _ := tx.Children(models.TaxonomyDistricts, 11, models.TaxonomyCounties)
	doc := c.Get("/taxonomy/counties?districtId=11", "HX-Request", "true").Doc(t)
	if got := optionValues(doc.Selection); strings.Join(got, ",") != strings.Join(idsOf(lisboaCounties), ",") {
		t.Fatalf("counties of Lisboa: %v", got)
	}
	if !strings.Contains(doc.Text(), "Lisbon") || !strings.Contains(doc.Text(), "Choose a municipality") {
		t.Errorf("counties fragment: %s", doc.Text())
	}
	parishes, _ := tx.Children(models.TaxonomyCounties, 153, models.TaxonomyParishes)
	doc = c.Get("/taxonomy/parishes?countyId=153", "HX-Request", "true").Doc(t)
	if got := optionValues(doc.Selection); len(parishes) != 24 || strings.Join(got, ",") != strings.Join(idsOf(parishes), ",") {
		t.Fatalf("parishes of Lisbon: %v", got)
	}
	for path, want := range map[string]string{
		"/taxonomy/counties":             "Choose a district first",
		"/taxonomy/counties?districtId=": "Choose a district first",
		"/taxonomy/parishes?countyId=":   "Choose a municipality first",
	} {
		doc := c.Get(path, "HX-Request", "true").Doc(t)
		if got := optionValues(doc.Selection); len(got) != 1 || !strings.Contains(doc.Text(), want) {
			t.Errorf("%s: %v %q", path, got, doc.Text())
		}
	}
	for path, status := range map[string]int{
		"/taxonomy/counties?districtId=abc": http.StatusBadRequest,
		"/taxonomy/counties?districtId=-1":  http.StatusBadRequest,
		"/taxonomy/counties?districtId=99":  http.StatusNotFound,
		"/taxonomy/parishes?countyId=9999":  http.StatusNotFound,
	} {
		if res := c.Get(path, "HX-Request", "true"); res.StatusCode != status {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, status)
		}
	}
	// Customers fill in no addresses; anonymous users sign in first.
	maria := s.Client(t)
	maria.Login("maria.ferreira@example.com")
	if res := maria.Get("/taxonomy/counties?districtId=11"); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer: %d", res.StatusCode)
	}
	if res := s.Client(t).Get("/taxonomy/counties?districtId=11"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}

	// Without JavaScript the form posts back and the server fills the
	// selects for the choices; a county outside the district is dropped.
	a := s.Client(t)
	a.Login(admin)
	res := a.Get("/admin/taxonomies?districtId=11&countyId=153&parishId=" + strconv.Itoa(parishes[3].ID))
	doc = res.Doc(t)
	if v := doc.Find(`#demo-district option[selected]`).AttrOr("value", ""); v != "11" {
		t.Errorf("district selected %q", v)
	}
	if v := doc.Find(`#demo-county option[selected]`).AttrOr("value", ""); v != "153" || doc.Find(`#demo-county option`).Length() != len(lisboaCounties)+1 {
		t.Errorf("county selected %q", v)
	}
	if v := doc.Find(`#demo-parish option[selected]`).AttrOr("value", ""); v != strconv.Itoa(parishes[3].ID) || doc.Find(`#demo-parish option`).Length() != 25 {
		t.Errorf("parish selected %q", v)
	}
	// (goquery reads <noscript> as text, as a browser with scripting does)
	if !strings.Contains(res.Body, `<noscript><button type="submit"`) {
		t.Error("no submit button for browsers without JavaScript")
	}
	doc = a.Get("/admin/taxonomies?districtId=13&countyId=153").Doc(t)
	if doc.Find(`#demo-county option[selected]`).Length() != 0 || doc.Find(`#demo-parish option`).Length() != 1 {
		t.Error("a county of another district stayed selected")
	}
	for _, sel := range []string{"#demo-district", "#demo-county", "#demo-parish"} {
		id := strings.TrimPrefix(sel, "#")
		if doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("%s has no label", sel)
		}
	}
}

// The cascade in a real browser: choosing a district lists its counties,
// a county its parishes, and another district empties the parishes.
func TestBrowserAddressCascade(t *testing.T) {
	t.Parallel() // each has its own server and browser
	s := webtest.New(t, store.SQLite)
	tx := taxonomyOf(t, s)
	p := page{t, webtest.Browser(t)}
	p.signIn(s.URL, admin)
	p.do(chromedp.Navigate(s.URL+"/admin/taxonomies"), chromedp.WaitVisible(`#demo-district`))

	values := func(sel string) []string {
		return p.strings(`[...document.querySelectorAll('` + sel + ` option')].map(o => o.value)`)
	}
	// choose picks an option as a person would: the value changes, then the
	// select fires "change" (one script, so no DOM node is held in between).
	choose := func(sel, value string) {
		got := p.strings(`(() => { const s = document.querySelector('` + sel + `'); s.value = '` + value + `';
			s.dispatchEvent(new Event('change', {bubbles: true})); return [s.value]; })()`)
		if len(got) != 1 || got[0] != value {
			t.Fatalf("%s has no option %s", sel, value)
		}
	}
	waitOptions := func(sel string, n int) {
		p.do(chromedp.Poll[chromedp.Void](`document.querySelectorAll('` + sel + ` option').length === ` + strconv.Itoa(n)))
	}

	districts, _ := tx.List(models.TaxonomyDistricts)
	if got := values("#demo-district"); strings.Join(got, ",") != strings.Join(idsOf(districts.Items), ",") {
		t.Fatalf("districts offered: %v", got)
	}
	if got := values("#demo-county"); len(got) != 1 || p.text(`#demo-county`) != "Choose a district first" {
		t.Fatalf("counties before a district: %v", got)
	}

	lisboa, _ := tx.Children(models.TaxonomyDistricts, 11, models.TaxonomyCounties)
	choose("#demo-district", "11")
	waitOptions("#demo-county", len(lisboa)+1)
	if got := values("#demo-county"); strings.Join(got, ",") != strings.Join(idsOf(lisboa), ",") {
		t.Fatalf("counties of Lisboa: %v", got)
	}

	parishes, _ := tx.Children(models.TaxonomyCounties, 153, models.TaxonomyParishes)
	choose("#demo-county", "153")
	waitOptions("#demo-parish", len(parishes)+1)
	if got := values("#demo-parish"); strings.Join(got, ",") != strings.Join(idsOf(parishes), ",") {
		t.Fatalf("parishes of Lisbon: %v", got)
	}
	choose("#demo-parish", strconv.Itoa(parishes[0].ID))
	p.screenshot("taxonomy-cascade")

	// Another district: its counties, and the parishes go back to empty.
	porto, _ := tx.Children(models.TaxonomyDistricts, 13, models.TaxonomyCounties)
	choose("#demo-district", "13")
	waitOptions("#demo-county", len(porto)+1)
	waitOptions("#demo-parish", 1)
	if got := p.text(`#demo-parish`); got != "Choose a municipality first" {
		t.Errorf("parish select after a new district: %q", got)
	}
	if got := values("#demo-county"); strings.Join(got, ",") != strings.Join(idsOf(porto), ",") {
		t.Fatalf("counties of Porto: %v", got)
	}

	// A list's page, from its link in the overview.
	p.do(chromedp.Click(`a[href="/admin/taxonomies/document-types"]`), chromedp.WaitVisible(`[data-testid="taxonomy-heading"]`))
	if h := p.text(`[data-testid="taxonomy-heading"]`); h != "Document types" {
		t.Errorf("list page heading %q", h)
	}
	p.screenshot("taxonomy-list")
}

// The reference lists in Portuguese: texts, the list titles and the
// descriptions in the page's language, the other language's title beside.
func TestAdminTaxonomyPagesInPortugueseAndEnglish(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	pt := s.ClientIn(t, "")
	pt.Login(admin)
	res := pt.Get("/admin/taxonomies")
	doc := res.Doc(t)
	if htmlLang(t, res) != "pt-PT" || strings.TrimSpace(doc.Find("h1").Text()) != "Listas de referência" ||
		doc.Find(`th:contains("Título em inglês")`).Length() != 1 || doc.Find(`label:contains("Concelho")`).Length() != 1 {
		t.Errorf("Portuguese overview: lang %q, h1 %q", htmlLang(t, res), doc.Find("h1").Text())
	}
	row := doc.Find(`a[href="/admin/taxonomies/districts"]`).Closest("tr").Find("td")
	if row.Eq(1).Text() != "Distritos e regiões autónomas" || row.Eq(2).Text() != "Districts and autonomous regions" ||
		row.Eq(2).Find("span").AttrOr("lang", "") != "en" || row.Eq(4).Text() != "Países" {
		t.Errorf("Portuguese overview row %q", row.Text())
	}
	if got := doc.Find(`#demo-district option[value="11"]`).Text(); got != "Lisboa" {
		t.Errorf("Portuguese cascade option %q", got)
	}
	res = pt.Get("/admin/taxonomies/counties")
	doc = res.Doc(t)
	if h := doc.Find(`[data-testid="taxonomy-heading"]`).Text(); h != "Concelhos" {
		t.Errorf("Portuguese list heading %q", h)
	}
	if r := doc.Find(`[data-testid="taxonomy-range"]`).Text(); !strings.Contains(r, " de ") {
		t.Errorf("Portuguese range %q", r)
	}
	if !strings.Contains(doc.Find(`[data-testid="taxonomy-item"]`).First().Text(), "Aveiro (") {
		t.Errorf("Portuguese parent description: %q", doc.Find(`[data-testid="taxonomy-item"]`).First().Text())
	}
	frag := pt.Get("/taxonomy/counties?districtId=11", "HX-Request", "true").Doc(t)
	if !strings.Contains(frag.Text(), "Escolha um concelho") || !strings.Contains(frag.Text(), "Lisboa") {
		t.Errorf("Portuguese counties fragment: %s", frag.Text())
	}

	en := s.Client(t)
	en.Login(admin)
	res = en.Get("/admin/taxonomies")
	doc = res.Doc(t)
	if htmlLang(t, res) != "en" || strings.TrimSpace(doc.Find("h1").Text()) != "Reference lists" || doc.Find(`th:contains("Portuguese title")`).Length() != 1 {
		t.Errorf("English overview: lang %q, h1 %q", htmlLang(t, res), doc.Find("h1").Text())
	}
	row = doc.Find(`a[href="/admin/taxonomies/districts"]`).Closest("tr").Find("td")
	if row.Eq(1).Text() != "Districts and autonomous regions" || row.Eq(2).Text() != "Distritos e regiões autónomas" ||
		row.Eq(2).Find("span").AttrOr("lang", "") != "pt" || row.Eq(4).Text() != "Countries" {
		t.Errorf("English overview row %q", row.Text())
	}
	if h := en.Get("/admin/taxonomies/counties").Doc(t).Find(`[data-testid="taxonomy-heading"]`).Text(); h != "Municipalities" {
		t.Errorf("English list heading %q", h)
	}
}
