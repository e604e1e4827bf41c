package ui_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portal/models/store"
	"portal/web/webtest"
)

// staffRows are the numbers and firm names of the staff list's rows.
func staffRows(doc *goquery.Document) (numbers, firms []string) {
	doc.Find(`[data-testid="process-row"]`).Each(func(_ int, r *goquery.Selection) {
		numbers = append(numbers, strings.TrimSpace(r.Find("td:first-child a").Text()))
		firms = append(firms, strings.TrimSpace(r.Find(`td[data-label="Firm"]`).Text()))
	})
	return numbers, firms
}

// dbNumbers are the process numbers of the bank's processes matching where,
// in list order.
func dbNumbers(t *testing.T, s *webtest.Server, where string, args ...any) []string {
	t.Helper()
	var out []int64
	q := `SELECT p.process_number FROM processes p JOIN broker_firms f ON f.id = p.broker_id WHERE ` + where +
		` ORDER BY p.last_action_at DESC, p.process_number DESC`
	if err := s.Store.DB().Raw(q, args...).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	var s2 []string
	for _, n := range out {
		s2 = append(s2, strconv.FormatInt(n, 10))
	}
	return s2
}

// walk follows the list's rel="next" links from path and returns every
// row's number and firm.
func walk(t *testing.T, c *webtest.Client, path string) (numbers, firms []string, pages int) {
	t.Helper()
	for path != "" {
		res := c.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%.300s", path, res.StatusCode, res.Body)
		}
		doc := res.Doc(t)
		n, f := staffRows(doc)
		numbers, firms = append(numbers, n...), append(firms, f...)
		path, _ = doc.Find(`a[rel="next"]`).Attr("href")
		pages++
	}
	return numbers, firms, pages
}

func TestStaffProcessListFilters(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		c := s.Client(t)
		c.Login(marta)

		// Every firm's processes, paged by rel="next", with the firm column.
		numbers, firms, pages := walk(t, c, "/staff/processes")
		if want := dbNumbers(t, s, "1 = 1"); !slices.Equal(numbers, want) || pages != 3 {
			t.Fatalf("whole list: %d rows on %d pages, want %d on 3", len(numbers), pages, len(want))
		}
		if !slices.Contains(firms, "Lisboa Crédito, Lda") || !slices.Contains(firms, "Porto Hipotecas, Lda") {
			t.Fatalf("firm column: %v", firms)
		}
		res := c.Get("/staff/processes")
		doc := res.Doc(t)
		if got := doc.Find(`[data-testid="process-count"]`).Text(); !strings.Contains(got, strconv.Itoa(2*store.DemoProcesses)) {
			t.Errorf("count %q", got)
		}
		if href, _ := doc.Find(`header a[href="/staff/processes"]`).Attr("href"); href == "" {
			t.Error("no link to the staff list in the header")
		}

		// By firm: the select lists both firms by their public id.
		var lisboa string
		s.Store.DB().Raw("SELECT uuid FROM broker_firms WHERE broker_uid = 'BRK-LIS-001'").Scan(&lisboa)
		if doc.Find(`select#firm option[value="`+lisboa+`"]`).Length() != 1 {
			t.Fatal("the firm filter does not offer Lisboa")
		}
		numbers, firms, _ = walk(t, c, "/staff/processes?firm="+lisboa)
		if want := dbNumbers(t, s, "f.broker_uid = 'BRK-LIS-001'"); !slices.Equal(numbers, want) {
			t.Fatalf("Lisboa: %v, want %v", numbers, want)
		}
		for _, f := range firms {
			if f != "Lisboa Crédito, Lda" {
				t.Fatalf("Lisboa's list shows a row of %q", f)
			}
		}
		doc = c.Get("/staff/processes?firm=" + lisboa).Doc(t)
		if got := doc.Find(`[data-testid="process-count"]`).Text(); !strings.Contains(got, strconv.Itoa(store.DemoProcesses)) {
			t.Errorf("Lisboa's count %q", got)
		}
		if doc.Find(`select#firm option[selected]`).AttrOr("value", "") != lisboa {
			t.Error("the chosen firm is not selected")
		}

		// By status, within a firm, and the paging links keep the filters.
		numbers, _, _ = walk(t, c, "/staff/processes?status=3&firm="+lisboa)
		if want := dbNumbers(t, s, "f.broker_uid = 'BRK-LIS-001' AND p.status_id = 3"); !slices.Equal(numbers, want) || len(want) == 0 {
			t.Fatalf("Lisboa in analysis: %v, want %v", numbers, want)
		}
		numbers, _, _ = walk(t, c, "/staff/processes?status=3")
		if want := dbNumbers(t, s, "p.status_id = 3"); !slices.Equal(numbers, want) {
			t.Fatalf("in analysis: %v, want %v", numbers, want)
		}
		if next, _ := c.Get("/staff/processes?firm=" + lisboa + "&idle=1").Doc(t).Find(`a[rel="next"]`).Attr("href"); next != "" {
			u, _ := url.Parse(next)
			if u.Path != "/staff/processes" || u.Query().Get("firm") != lisboa || u.Query().Get("idle") != "1" {
				t.Errorf("next link %q loses the filters", next)
			}
		}

		// By waiting time: no action for more than N days.
		for _, days := range []int{1, 3, 7, 30} {
			cut := time.Now().Add(-time.Duration(days) * 24 * time.Hour)
			numbers, _, _ = walk(t, c, "/staff/processes?idle="+strconv.Itoa(days))
			want := dbNumbers(t, s, "p.last_action_at < ?", cut.Add(-time.Minute))
			if len(numbers) < len(want) || len(numbers) > len(dbNumbers(t, s, "p.last_action_at < ?", cut.Add(time.Minute))) {
				t.Fatalf("idle %d: %d rows, want %d", days, len(numbers), len(want))
			}
		}
		if all, idle := dbNumbers(t, s, "1 = 1"), dbNumbers(t, s, "p.last_action_at < ?", time.Now().Add(-24*time.Hour)); len(idle) == 0 || len(idle) == len(all) {
			t.Fatalf("the demo's last actions do not tell the waiting filter apart: %d of %d idle", len(idle), len(all))
		}
		if bad := c.Get("/staff/processes?idle=2"); bad.StatusCode != http.StatusBadRequest ||
			!strings.Contains(bad.Body, "Choose one of the listed waiting times.") {
			t.Errorf("idle=2: %d", bad.StatusCode)
		}

		// The search, bank-wide: a Porto tax id finds Porto's process.
		var portoNum, portoTax string
		s.Store.DB().Raw(`SELECT p.process_number, p.key_borrower_tax_id FROM processes p JOIN broker_firms f ON f.id = p.broker_id
			WHERE f.broker_uid = 'BRK-POR-002' ORDER BY p.process_number LIMIT 1`).Row().Scan(&portoNum, &portoTax)
		numbers, firms = staffRows(c.Get("/staff/processes?q=" + portoTax).Doc(t))
		if !slices.Equal(numbers, []string{portoNum}) || firms[0] != "Porto Hipotecas, Lda" {
			t.Fatalf("tax id search: %v %v", numbers, firms)
		}
		numbers, _ = staffRows(c.Get("/staff/processes?q=" + portoTax + "&firm=" + lisboa).Doc(t))
		if len(numbers) != 0 {
			t.Fatalf("Porto's tax id within Lisboa: %v", numbers)
		}
		numbers, _, _ = walk(t, c, "/staff/processes?q=silva")
		want := dbNumbers(t, s, `lower(p.key_borrower_name) LIKE '%silva%' OR EXISTS (SELECT 1 FROM borrowers b WHERE b.process_id = p.id AND lower(b.name) LIKE '%silva%')`)
		if !slices.Equal(numbers, want) || len(want) == 0 {
			t.Fatalf("silva: %v, want %v", numbers, want)
		}

		// A malformed firm is refused in place; htmx gets only the results.
		if bad := c.Get("/staff/processes?firm=BRK-LIS-001"); bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, "Unknown firm.") {
			t.Errorf("malformed firm: %d", bad.StatusCode)
		}
		frag := c.Get("/staff/processes?status=2", "HX-Request", "true")
		if frag.StatusCode != http.StatusOK || strings.Contains(frag.Body, "<html") || !strings.Contains(frag.Body, `id="process-results"`) {
			t.Errorf("htmx fragment: %d", frag.StatusCode)
		}
	})
}

func TestStaffProcessListIsForStaff(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	for _, who := range []string{ana, rui, maria} {
		c := s.Client(t)
		c.Login(who)
		if res := c.Get("/staff/processes"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", who, res.StatusCode)
		}
	}
	c := s.Client(t)
	if res := c.Get("/staff/processes"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d, want 303 to sign in", res.StatusCode)
	}
	a := s.Client(t)
	a.Login("admin@bank.example")
	if res := a.Get("/staff/processes"); res.StatusCode != http.StatusOK || len(rows(res.Doc(t))) == 0 {
		t.Errorf("admin: %d", res.StatusCode)
	}
}
