// Package taxonomydata holds the partner API's reference lists as versioned
// CSV files and renders them into the SQL migration that loads them into
// every database (migrations/{postgres,sqlite}/00003_taxonomy.sql), so
// SQLite and PostgreSQL get the same ids. See README.md for the sources and
// the rules (ids are published: never change or reuse one).
//
// Regenerate the migration after editing a file: go generate ./models/store
// (a store test fails while the committed migration differs from the files).
package taxonomydata

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"
)

//go:embed *.csv
var files embed.FS

// MigrationVersion is the goose version of the migration these files make.
const MigrationVersion = 3

// MigrationFile is the migration's file name in each dialect's folder.
const MigrationFile = "00003_taxonomy.sql"

// List is one reference list: its catalogue row and its items in order.
type List struct {
	Name   string // kebab-case, as served at /v1/taxonomy/{name}
	Parent string // the list that Item.ParentID points into; "" for none
	PT, EN string // titles
	Items  []Item
}

// Item is one value. EN is never empty after Load (it defaults to PT:
// place names are not translated unless the file says so).
type Item struct {
	ID       int
	Code     string
	ParentID int // 0 when the list has no parent
	PT, EN   string
}

// FileName is the CSV file holding list name ("/" becomes ".").
func FileName(name string) string { return strings.ReplaceAll(name, "/", ".") + ".csv" }

// Load reads and checks every list, in catalogue order (parents before
// children).
func Load() ([]List, error) { return load(files) }

func load(fsys fs.FS) ([]List, error) {
	catalogue, err := readCSV(fsys, "taxonomies.csv", []string{"name", "parent", "pt", "en"})
	if err != nil {
		return nil, err
	}
	var lists []List
	index := map[string]int{}
	for i, row := range catalogue {
		l := List{Name: row[0], Parent: row[1], PT: row[2], EN: row[3]}
		where := fmt.Sprintf("taxonomies.csv line %d", i+2)
		if !validName(l.Name) {
			return nil, fmt.Errorf("%s: invalid name %q", where, l.Name)
		}
		if _, dup := index[l.Name]; dup {
			return nil, fmt.Errorf("%s: %s listed twice", where, l.Name)
		}
		if l.PT == "" || l.EN == "" {
			return nil, fmt.Errorf("%s: %s needs both titles", where, l.Name)
		}
		if l.Parent != "" {
			if _, ok := index[l.Parent]; !ok {
				return nil, fmt.Errorf("%s: parent %q of %s must be listed before it", where, l.Parent, l.Name)
			}
		}
		rows, err := readCSV(fsys, FileName(l.Name), []string{"id", "code", "parent_id", "pt", "en"})
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("%s is empty", FileName(l.Name))
		}
		ids, codes := map[int]bool{}, map[string]bool{}
		for j, r := range rows {
			at := fmt.Sprintf("%s line %d", FileName(l.Name), j+2)
			it := Item{Code: r[1], PT: r[3], EN: r[4]}
			if it.ID, err = strconv.Atoi(r[0]); err != nil || it.ID <= 0 || r[0] != strconv.Itoa(it.ID) {
				return nil, fmt.Errorf("%s: id %q is not a positive integer", at, r[0])
			}
			if ids[it.ID] {
				return nil, fmt.Errorf("%s: id %d repeats", at, it.ID)
			}
			if it.Code == "" || codes[it.Code] {
				return nil, fmt.Errorf("%s: code %q is empty or repeats", at, it.Code)
			}
			if it.PT == "" {
				return nil, fmt.Errorf("%s: no Portuguese description", at)
			}
			if it.EN == "" {
				it.EN = it.PT
			}
			switch {
			case l.Parent == "" && r[2] != "":
				return nil, fmt.Errorf("%s: %s has no parent list but the item names parent %q", at, l.Name, r[2])
			case l.Parent != "":
				it.ParentID, err = strconv.Atoi(r[2])
				if err != nil || !lists[index[l.Parent]].has(it.ParentID) {
					return nil, fmt.Errorf("%s: parent %q is not an id of %s", at, r[2], l.Parent)
				}
			}
			ids[it.ID], codes[it.Code] = true, true
			l.Items = append(l.Items, it)
		}
		index[l.Name] = len(lists)
		lists = append(lists, l)
	}
	// Every data file must be in the catalogue.
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".csv") && n != "taxonomies.csv" {
			known := false
			for _, l := range lists {
				known = known || FileName(l.Name) == n
			}
			if !known {
				return nil, fmt.Errorf("%s is not listed in taxonomies.csv", n)
			}
		}
	}
	return lists, nil
}

func (l List) has(id int) bool {
	for _, it := range l.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}

func validName(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '/') {
			return false
		}
	}
	return true
}

// readCSV returns the rows after the header, which must be want. Every
// field must be valid UTF-8 without surrounding spaces.
func readCSV(fsys fs.FS, name string, want []string) ([][]string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) || bytes.Contains(b, []byte("\r")) {
		return nil, fmt.Errorf("%s: must be UTF-8 without BOM and with LF line endings", name)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(want)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if strings.Join(header, ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("%s: header %v, want %v", name, header, want)
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, f := range rec {
			if !utf8.ValidString(f) || strings.TrimSpace(f) != f || strings.ContainsAny(f, "\n\t") {
				return nil, fmt.Errorf("%s line %d: field %q has stray spaces or invalid characters", name, len(rows)+2, f)
			}
		}
		rows = append(rows, rec)
	}
}

// rowsPerInsert keeps each INSERT statement small enough for both databases
// and few enough that migrating a fresh test database stays fast; rows go
// rowsPerLine to a line because goose's SQL parser works line by line and
// costs per line (much more so under the race detector).
const (
	rowsPerInsert = 500
	rowsPerLine   = 20
)

// MigrationSQL renders the goose migration that creates the taxonomy tables
// and loads every list. The SQL is the same for PostgreSQL and SQLite.
func MigrationSQL() ([]byte, error) {
	lists, err := Load()
	if err != nil {
		return nil, err
	}
	return render(lists), nil
}

func render(lists []List) []byte {
	var b bytes.Buffer
	b.WriteString(`-- Reference lists of the partner API (GET /v1/taxonomy/...), one migration
-- for PostgreSQL and SQLite alike so both get the same ids.
--
-- GENERATED from models/store/taxonomydata/*.csv by "go generate ./models/store":
-- do not edit. Ids are published: never change or reuse one. Later changes
-- to the lists go in a new migration, never into this one.

-- +goose Up
CREATE TABLE taxonomies (
    name      text PRIMARY KEY,
    parent    text REFERENCES taxonomies (name),
    title_pt  text NOT NULL,
    title_en  text NOT NULL,
    position  integer NOT NULL UNIQUE,
    UNIQUE (name, parent)
);

CREATE TABLE taxonomy_items (
    taxonomy         text NOT NULL REFERENCES taxonomies (name),
    id               integer NOT NULL CHECK (id > 0),
    code             text NOT NULL CHECK (code <> ''),
    description_pt   text NOT NULL CHECK (description_pt <> ''),
    description_en   text NOT NULL CHECK (description_en <> ''),
    parent_taxonomy  text,
    parent_id        integer,
    position         integer NOT NULL,
    PRIMARY KEY (taxonomy, id),
    UNIQUE (taxonomy, code),
    -- an item's parent is an item of the list its taxonomy names as parent
    FOREIGN KEY (taxonomy, parent_taxonomy) REFERENCES taxonomies (name, parent),
    FOREIGN KEY (parent_taxonomy, parent_id) REFERENCES taxonomy_items (taxonomy, id),
    CHECK ((parent_taxonomy IS NULL) = (parent_id IS NULL))
);
-- the children of an item (foreign key checks, parent filters)
CREATE INDEX taxonomy_items_parent_idx ON taxonomy_items (parent_taxonomy, parent_id, position);

`)
	b.WriteString("INSERT INTO taxonomies (name, parent, title_pt, title_en, position) VALUES\n")
	for i, l := range lists {
		parent := "NULL"
		if l.Parent != "" {
			parent = quote(l.Parent)
		}
		fmt.Fprintf(&b, "(%s, %s, %s, %s, %d)%s\n", quote(l.Name), parent, quote(l.PT), quote(l.EN), i+1, sep(i, len(lists)))
	}
	for _, l := range lists {
		fmt.Fprintf(&b, "\n-- %s: %d\n", l.Name, len(l.Items))
		for start := 0; start < len(l.Items); start += rowsPerInsert {
			chunk := l.Items[start:min(start+rowsPerInsert, len(l.Items))]
			b.WriteString("INSERT INTO taxonomy_items (taxonomy, id, code, description_pt, description_en, parent_taxonomy, parent_id, position) VALUES\n")
			for i, it := range chunk {
				parent := "NULL, NULL"
				if l.Parent != "" {
					parent = quote(l.Parent) + ", " + strconv.Itoa(it.ParentID)
				}
				end := " "
				if i%rowsPerLine == rowsPerLine-1 || i == len(chunk)-1 {
					end = "\n"
				}
				fmt.Fprintf(&b, "(%s, %d, %s, %s, %s, %s, %d)%s%s", quote(l.Name), it.ID, quote(it.Code),
					quote(it.PT), quote(it.EN), parent, start+i+1, sep(i, len(chunk)), end)
			}
		}
	}
	b.WriteString("\n-- +goose Down\nDROP TABLE taxonomy_items;\nDROP TABLE taxonomies;\n")
	return b.Bytes()
}

func sep(i, n int) string {
	if i == n-1 {
		return ";"
	}
	return ","
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
