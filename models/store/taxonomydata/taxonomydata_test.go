package taxonomydata

import (
	"strings"
	"testing"
	"testing/fstest"
)

const header = "id,code,parent_id,pt,en\n"

func testFiles(over map[string]string) fstest.MapFS {
	m := fstest.MapFS{
		"taxonomies.csv": {Data: []byte("name,parent,pt,en\nregions,,Regiões,Regions\ntowns,regions,Localidades,Towns\n")},
		"regions.csv":    {Data: []byte(header + "1,N,,Norte,North\n2,S,,Sul,\n")},
		"towns.csv":      {Data: []byte(header + "1,PRT,1,Porto,\n2,FAO,2,Faro,\n")},
	}
	for k, v := range over {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = &fstest.MapFile{Data: []byte(v)}
		}
	}
	return m
}

func TestLoadChecksTheFiles(t *testing.T) {
	lists, err := load(testFiles(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || lists[0].Items[1].EN != "Sul" || lists[1].Items[1].ParentID != 2 {
		t.Fatalf("loaded %+v", lists)
	}
	sql := string(render(lists))
	for _, want := range []string{"-- +goose Up", "-- +goose Down", "('regions', 2, 'S', 'Sul', 'Sul', NULL, NULL, 2);",
		"('towns', 1, 'PRT', 'Porto', 'Porto', 'regions', 1, 1),", "('towns', 'regions', 'Localidades', 'Towns', 2);"} {
		if !strings.Contains(sql, want) {
			t.Errorf("migration lacks %q", want)
		}
	}
	if !strings.Contains(string(render([]List{{Name: "x", PT: "X", EN: "X", Items: []Item{{ID: 1, Code: "a", PT: "d'El-Rei", EN: "d'El-Rei"}}}})), "'d''El-Rei'") {
		t.Error("quotes are not escaped")
	}
	for name, over := range map[string]map[string]string{
		"repeated id":           {"towns.csv": header + "1,PRT,1,Porto,\n1,FAO,2,Faro,\n"},
		"repeated code":         {"towns.csv": header + "1,PRT,1,Porto,\n2,PRT,2,Faro,\n"},
		"id not a number":       {"towns.csv": header + "x,PRT,1,Porto,\n"},
		"id with a zero prefix": {"towns.csv": header + "01,PRT,1,Porto,\n"},
		"unknown parent":        {"towns.csv": header + "1,PRT,3,Porto,\n"},
		"parent on a root list": {"regions.csv": header + "1,N,1,Norte,\n"},
		"no description":        {"towns.csv": header + "1,PRT,1,,Porto\n"},
		"stray space":           {"towns.csv": header + "1,PRT,1,Porto ,\n"},
		"CRLF":                  {"towns.csv": strings.ReplaceAll(header+"1,PRT,1,Porto,\n", "\n", "\r\n")},
		"wrong header":          {"towns.csv": "id,code,pt,en\n1,PRT,Porto,\n"},
		"empty list":            {"towns.csv": header},
		"missing file":          {"towns.csv": ""},
		"file not catalogued":   {"other.csv": header + "1,A,,A,\n"},
		"parent after child":    {"taxonomies.csv": "name,parent,pt,en\ntowns,regions,L,T\nregions,,R,R\n"},
		"bad name":              {"taxonomies.csv": "name,parent,pt,en\nRegions,,R,R\n", "regions.csv": "", "towns.csv": ""},
		"missing title":         {"taxonomies.csv": "name,parent,pt,en\nregions,,,R\ntowns,regions,L,T\n"},
	} {
		if _, err := load(testFiles(over)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
