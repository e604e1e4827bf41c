package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/models/store/taxonomydata"
)

// The committed migration is exactly what the data files render to, in both
// dialect folders.
func TestTaxonomyMigrationMatchesDataFiles(t *testing.T) {
	want, err := taxonomydata.MigrationSQL()
	if err != nil {
		t.Fatalf("taxonomy data files: %v", err)
	}
	for _, d := range []string{"postgres", "sqlite"} {
		got, err := os.ReadFile(filepath.Join("migrations", d, taxonomydata.MigrationFile))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("migrations/%s/%s differs from the data files: run go generate ./models/store "+
				"(and remember ids are published: change lists in a new migration once 00003 has shipped)", d, taxonomydata.MigrationFile)
		}
	}
	if taxonomydata.MigrationVersion != 3 {
		t.Fatalf("taxonomy migration version %d", taxonomydata.MigrationVersion)
	}
}

func loadTaxonomy(t *testing.T, s *store.Store) *models.Taxonomy {
	t.Helper()
	tx, err := s.Taxonomy(context.Background())
	storetest.Must(t, err, "load taxonomy")
	return tx
}

func TestTaxonomyLoadsTheDataFiles(t *testing.T) {
	files, err := taxonomydata.Load()
	storetest.Must(t, err, "data files")
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tx := loadTaxonomy(t, s)
		lists := tx.Lists()
		if len(lists) != len(files) || len(lists) < 42 {
			t.Fatalf("%d lists loaded, %d in the files", len(lists), len(files))
		}
		for i, f := range files {
			l := lists[i]
			if l.Name != f.Name || l.Parent != f.Parent || l.TitlePT != f.PT || l.TitleEN != f.EN {
				t.Errorf("list %d: %+v, file says %s/%s", i, l, f.Name, f.Parent)
			}
			if len(l.Items) != len(f.Items) || len(l.Items) == 0 {
				t.Fatalf("%s: %d items loaded, %d in the file", l.Name, len(l.Items), len(f.Items))
			}
			ids, codes := map[int]bool{}, map[string]bool{}
			for j, it := range l.Items {
				w := f.Items[j]
				if it.ID != w.ID || it.Code != w.Code || it.ParentID != w.ParentID || it.PT != w.PT || it.EN != w.EN {
					t.Errorf("%s item %d: %+v, file says %+v", l.Name, j, it, w)
				}
				if ids[it.ID] || codes[it.Code] || it.PT == "" || it.EN == "" {
					t.Errorf("%s: item %+v repeats an id or code or lacks a description", l.Name, it)
				}
				ids[it.ID], codes[it.Code] = true, true
			}
		}
		// Served from memory: once loaded, the database is not read again.
		storetest.Must(t, s.DB().Exec("ALTER TABLE taxonomy_items RENAME TO taxonomy_items_gone").Error, "hide the items")
		if again := loadTaxonomy(t, s); again != tx {
			t.Fatal("second call loaded the lists again")
		}
	})
}

func TestTaxonomyGeography(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		tx := loadTaxonomy(t, s)
		counts := map[string]int{models.TaxonomyDistricts: 20, models.TaxonomyCounties: 308, models.TaxonomyParishes: 3092, models.TaxonomyCountries: 249}
		for name, want := range counts {
			l, err := tx.List(name)
			storetest.Must(t, err, "list %s", name)
			if len(l.Items) != want {
				t.Errorf("%s: %d items, want %d", name, len(l.Items), want)
			}
		}
		// Every county and parish links to an existing parent, and the
		// parent filter gives back exactly the children.
		for _, pair := range [][2]string{{models.TaxonomyDistricts, models.TaxonomyCounties}, {models.TaxonomyCounties, models.TaxonomyParishes}} {
			parent, _ := tx.List(pair[0])
			child, _ := tx.List(pair[1])
			if child.Parent != parent.Name {
				t.Fatalf("%s has parent %q", child.Name, child.Parent)
			}
			seen := 0
			for _, p := range parent.Items {
				kids, err := tx.Children(parent.Name, p.ID, child.Name)
				storetest.Must(t, err, "children of %s %d", parent.Name, p.ID)
				if len(kids) == 0 {
					t.Errorf("%s %s has no %s", parent.Name, p.PT, child.Name)
				}
				seen += len(kids)
			}
			for _, c := range child.Items {
				if _, ok := parent.Item(c.ParentID); !ok {
					t.Errorf("%s %s: parent %d missing", child.Name, c.Code, c.ParentID)
				}
			}
			if seen != len(child.Items) {
				t.Errorf("%s: %d reached through their parents, %d in all", child.Name, seen, len(child.Items))
			}
		}
		// Districts belong to Portugal; DICOFRE codes keep their prefixes.
		pt, _ := tx.List(models.TaxonomyCountries)
		portugal, ok := pt.Item(620)
		if !ok || portugal.Code != "PT" || portugal.PT != "Portugal" {
			t.Fatalf("country 620: %+v", portugal)
		}
		districts, _ := tx.List(models.TaxonomyDistricts)
		counties, _ := tx.List(models.TaxonomyCounties)
		parishes, _ := tx.List(models.TaxonomyParishes)
		for _, d := range districts.Items {
			if d.ParentID != 620 {
				t.Errorf("district %s belongs to %d", d.Code, d.ParentID)
			}
		}
		for _, p := range parishes.Items {
			c, _ := counties.Item(p.ParentID)
			if p.Code[:4] != c.Code {
				t.Errorf("parish %s in county %s", p.Code, c.Code)
			}
		}
		lisboa, _ := districts.Item(11)
		if lisboa.Code != "11" || lisboa.PT != "Lisboa" || lisboa.EN != "Lisbon" {
			t.Errorf("district 11: %+v", lisboa)
		}
		// The database enforces the links too.
		err := s.DB().Exec(`INSERT INTO taxonomy_items (taxonomy, id, code, description_pt, description_en, parent_taxonomy, parent_id, position)
			VALUES ('parishes', 99999, '999999', 'x', 'x', 'counties', 99999, 99999)`).Error
		if err == nil {
			t.Error("a parish of a missing county was accepted")
		}
	})
}

// The ids are the data files' on every database, so SQLite and PostgreSQL
// agree item for item.
func TestTaxonomyIdsIdenticalOnSQLiteAndPostgres(t *testing.T) {
	type row struct {
		Taxonomy, Code, DescriptionPT, DescriptionEN string
		ID, ParentID, Position                       int
	}
	dump := func(s *store.Store) []row {
		var rows []row
		storetest.Must(t, s.DB().Raw(`SELECT taxonomy, id, code, description_pt, description_en, COALESCE(parent_id, 0) AS parent_id, position
			FROM taxonomy_items ORDER BY taxonomy, id`).Scan(&rows).Error, "dump")
		return rows
	}
	lite := storetest.Open(t, store.SQLite)
	pg := storetest.Open(t, store.Postgres)
	a, b := dump(lite), dump(pg)
	if len(a) < 3092+308+20+249 || !reflect.DeepEqual(a, b) {
		t.Fatalf("SQLite has %d items, PostgreSQL %d, and they differ", len(a), len(b))
	}
	if ta, tb := loadTaxonomy(t, lite), loadTaxonomy(t, pg); !reflect.DeepEqual(ta.Lists(), tb.Lists()) {
		t.Fatal("the loaded lists differ between dialects")
	}
}

// The stored statuses use models.ProcessStatusIDs; the taxonomy, the one
// source of their descriptions, must describe exactly those, in order.
func TestTaxonomyProcessStatesAreTheWorkflowStatuses(t *testing.T) {
	tx := loadTaxonomy(t, storetest.Open(t, store.SQLite))
	l, err := tx.List(models.TaxonomyProcessStates)
	storetest.Must(t, err, "process states")
	if len(l.Items) != len(models.ProcessStatusIDs) {
		t.Fatalf("%d states, %d statuses", len(l.Items), len(models.ProcessStatusIDs))
	}
	for i, id := range models.ProcessStatusIDs {
		it := l.Items[i]
		if it.ID != id || it.PT == "" || it.EN == "" || !models.ValidStatus(id) {
			t.Errorf("state %+v, status %d", it, id)
		}
	}
	if got := tx.StatusDescription(models.StatusPendingDocuments, models.LangPT); got != "Documentos pendentes" {
		t.Errorf("status 4 in Portuguese is %q", got)
	}
	if got := tx.StatusDescription(models.StatusPendingDocuments, models.LangEN); got != "Pending documents" {
		t.Errorf("status 4 in English is %q", got)
	}
	// Demo rows use these ids: the spouse relation and the apartment typologies.
	rel, _ := tx.List("key-borrower-relations")
	if it, _ := rel.Item(1); it.Code != "SPOUSE" {
		t.Errorf("key borrower relation 1 is %+v", it)
	}
	typ, _ := tx.List("property-typologies")
	for id := 1; id <= 6; id++ {
		if it, ok := typ.Item(id); !ok || it.Code[0] != 'T' {
			t.Errorf("property typology %d is %+v", id, it)
		}
	}
}

// Districts and the two autonomous regions belong to Portugal (see
// models/store/taxonomydata/README.md, "Sources"; counts and the county and
// parish links are checked by TestTaxonomyGeography).
func TestTaxonomyDistrictsBelongToPortugal(t *testing.T) {
	files, err := taxonomydata.Load()
	storetest.Must(t, err, "data files")
	byName := map[string]taxonomydata.List{}
	for _, l := range files {
		byName[l.Name] = l
	}
	code := func(list string, id int) string {
		for _, it := range byName[list].Items {
			if it.ID == id {
				return it.Code
			}
		}
		return ""
	}
	for _, it := range byName["districts"].Items {
		if got := code("countries", it.ParentID); got != "PT" {
			t.Errorf("district %s %q: parent %q, want PT", it.Code, it.PT, got)
		}
	}
}

// Countries: all of ISO 3166-1, id the numeric code, code alpha-2; checked
// against Debian's iso-codes when the machine has it.
func TestTaxonomyCountries(t *testing.T) {
	files, err := taxonomydata.Load()
	storetest.Must(t, err, "data files")
	var countries taxonomydata.List
	for _, l := range files {
		if l.Name == models.TaxonomyCountries {
			countries = l
		}
	}
	alpha2 := regexp.MustCompile(`^[A-Z]{2}$`)
	for _, c := range countries.Items {
		if !alpha2.MatchString(c.Code) || c.ID >= 1000 {
			t.Errorf("country %+v", c)
		}
	}
	b, err := os.ReadFile("/usr/share/iso-codes/json/iso_3166-1.json")
	if err != nil {
		t.Skipf("iso-codes not installed: only the form was checked (%v)", err)
	}
	var iso struct {
		Countries []struct {
			Alpha2     string `json:"alpha_2"`
			Numeric    string `json:"numeric"`
			Name       string `json:"name"`
			CommonName string `json:"common_name"`
		} `json:"3166-1"`
	}
	storetest.Must(t, json.Unmarshal(b, &iso), "iso-codes")
	if len(iso.Countries) != len(countries.Items) {
		t.Errorf("%d countries, iso-codes has %d", len(countries.Items), len(iso.Countries))
	}
	for _, c := range iso.Countries {
		n, _ := strconv.Atoi(c.Numeric)
		en := c.CommonName
		if en == "" {
			en = c.Name
		}
		found := false
		for _, it := range countries.Items {
			if it.Code == c.Alpha2 {
				found = true
				if it.ID != n || it.EN != en {
					t.Errorf("%s: id %d %q, iso-codes says %d %q", c.Alpha2, it.ID, it.EN, n, en)
				}
			}
		}
		if !found {
			t.Errorf("country %s missing", c.Alpha2)
		}
	}
}
