package models_test

import (
	"testing"

	"portal/models"
)

func sampleLists() []*models.TaxonomyList {
	return []*models.TaxonomyList{
		{Name: "districts", TitlePT: "Distritos", TitleEN: "Districts", Items: []models.TaxonomyItem{
			{ID: 1, Code: "01", PT: "Aveiro", EN: "Aveiro"}, {ID: 11, Code: "11", PT: "Lisboa", EN: "Lisbon"}, {ID: 12, Code: "12", PT: "Portalegre", EN: "Portalegre"}}},
		{Name: "counties", Parent: "districts", TitlePT: "Concelhos", TitleEN: "Municipalities", Items: []models.TaxonomyItem{
			{ID: 1, Code: "0101", ParentID: 1, PT: "Águeda", EN: "Águeda"}, {ID: 2, Code: "1106", ParentID: 11, PT: "Lisboa", EN: "Lisbon"},
			{ID: 3, Code: "1105", ParentID: 11, PT: "Cascais", EN: "Cascais"}}},
	}
}

func TestTaxonomyLookups(t *testing.T) {
	tx, err := models.NewTaxonomy(sampleLists())
	if err != nil {
		t.Fatal(err)
	}
	d, err := tx.List("districts")
	if err != nil || d.Title(models.LangEN) != "Districts" || d.Title("fr") != "Distritos" {
		t.Fatalf("districts: %v %v", d, err)
	}
	if it, ok := d.Item(11); !ok || it.Description(models.LangEN) != "Lisbon" || it.Description(models.LangPT) != "Lisboa" {
		t.Fatalf("item 11: %+v", it)
	}
	kids, err := tx.Children("districts", 11, "counties")
	if err != nil || len(kids) != 2 || kids[0].Code != "1106" || kids[1].Code != "1105" {
		t.Fatalf("counties of 11: %+v %v", kids, err)
	}
	if kids, err := tx.Children("districts", 12, "counties"); err != nil || kids == nil || len(kids) != 0 {
		t.Fatalf("a district without counties: %+v %v", kids, err)
	}
	for _, bad := range [][3]any{{"districts", 99, "counties"}, {"counties", 1, "districts"}, {"nothing", 1, "counties"}, {"districts", 1, "nothing"}} {
		if _, err := tx.Children(bad[0].(string), bad[1].(int), bad[2].(string)); models.ErrorCode(err) != models.CodeNotFound {
			t.Errorf("Children%v: %v", bad, err)
		}
	}
	if _, err := tx.List("nothing"); models.ErrorCode(err) != models.CodeNotFound {
		t.Errorf("unknown list: %v", err)
	}
	if tx.Description("counties", 2, models.LangEN) != "Lisbon" || tx.Description("counties", 2, models.LangPT) != "Lisboa" ||
		tx.Description("counties", 9, models.LangPT) != "" || tx.Description("nothing", 1, models.LangPT) != "" {
		t.Error("Description")
	}
}

func TestNewTaxonomyRejectsBrokenLists(t *testing.T) {
	for name, breakIt := range map[string]func(l []*models.TaxonomyList){
		"repeated id":     func(l []*models.TaxonomyList) { l[0].Items[1].ID = 1 },
		"zero id":         func(l []*models.TaxonomyList) { l[0].Items[1].ID = 0 },
		"repeated code":   func(l []*models.TaxonomyList) { l[1].Items[1].Code = "0101" },
		"empty code":      func(l []*models.TaxonomyList) { l[1].Items[1].Code = "" },
		"missing parent":  func(l []*models.TaxonomyList) { l[1].Items[0].ParentID = 7 },
		"unknown parent":  func(l []*models.TaxonomyList) { l[1].Parent = "regions" },
		"repeated name":   func(l []*models.TaxonomyList) { l[1].Name = "districts" },
		"parent after it": func(l []*models.TaxonomyList) { l[0], l[1] = l[1], l[0] },
	} {
		lists := sampleLists()
		breakIt(lists)
		if _, err := models.NewTaxonomy(lists); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
