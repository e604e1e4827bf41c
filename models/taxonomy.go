package models

import (
	"context"
	"fmt"
)

// The reference lists ("taxonomies") of the partner API: broker types,
// districts, document types, workflow states... Each list has a kebab-case
// name, stable integer ids, codes and descriptions in Portuguese and English.
// They are loaded by migration from versioned data files (models/store/
// taxonomydata) and change only with a new migration, so a loaded Taxonomy
// is immutable and may be shared and kept in memory.

// Names of the lists the code refers to.
const (
	TaxonomyCountries     = "countries"
	TaxonomyDistricts     = "districts"
	TaxonomyCounties      = "counties"
	TaxonomyParishes      = "parishes"
	TaxonomyProcessStates = "workflow-states/proposal" // ids are the workflow status ids (status.go)
)

// Languages of the descriptions; LangPT is the default.
const (
	LangPT = "pt"
	LangEN = "en"
)

// TaxonomyService serves the reference lists.
type TaxonomyService interface {
	// Taxonomy returns every list. It is read from the database once and
	// then served from memory; the result is shared and must not be changed.
	Taxonomy(ctx context.Context) (*Taxonomy, error)
}

// TaxonomyItem is one value of a list.
type TaxonomyItem struct {
	ID       int
	Code     string
	ParentID int // the item of the parent list this one belongs to; 0 when the list has none
	PT, EN   string
}

// Description is the item's text in lang (LangEN, anything else is LangPT).
func (i TaxonomyItem) Description(lang string) string {
	if lang == LangEN {
		return i.EN
	}
	return i.PT
}

// TaxonomyList is one named list.
type TaxonomyList struct {
	Name             string
	Parent           string // the list ParentID points into ("" for none)
	TitlePT, TitleEN string
	Items            []TaxonomyItem // in display order

	byID     map[int]int
	byParent map[int][]TaxonomyItem // parent id -> items, when Parent is set
}

// Title is the list's name for people in lang.
func (l *TaxonomyList) Title(lang string) string {
	if lang == LangEN {
		return l.TitleEN
	}
	return l.TitlePT
}

// Item returns the item with id.
func (l *TaxonomyList) Item(id int) (TaxonomyItem, bool) {
	i, ok := l.byID[id]
	if !ok {
		return TaxonomyItem{}, false
	}
	return l.Items[i], true
}

// Taxonomy is every list, indexed for lookups by name, id and parent.
type Taxonomy struct {
	lists  []*TaxonomyList
	byName map[string]*TaxonomyList
}

// NewTaxonomy indexes lists (parents before children) and checks them:
// names, ids and codes unique, every parent id an item of the parent list.
func NewTaxonomy(lists []*TaxonomyList) (*Taxonomy, error) {
	t := &Taxonomy{byName: map[string]*TaxonomyList{}}
	for _, l := range lists {
		if l.Name == "" || t.byName[l.Name] != nil {
			return nil, fmt.Errorf("taxonomy %q: empty or repeated name", l.Name)
		}
		l.byID = make(map[int]int, len(l.Items))
		codes := make(map[string]bool, len(l.Items))
		for i, it := range l.Items {
			if _, dup := l.byID[it.ID]; dup || it.ID <= 0 {
				return nil, fmt.Errorf("taxonomy %s: id %d invalid or repeated", l.Name, it.ID)
			}
			if codes[it.Code] || it.Code == "" {
				return nil, fmt.Errorf("taxonomy %s: code %q empty or repeated", l.Name, it.Code)
			}
			l.byID[it.ID], codes[it.Code] = i, true
		}
		if l.Parent != "" {
			p := t.byName[l.Parent]
			if p == nil {
				return nil, fmt.Errorf("taxonomy %s: parent list %q missing or after it", l.Name, l.Parent)
			}
			l.byParent = map[int][]TaxonomyItem{}
			for _, it := range l.Items {
				if _, ok := p.byID[it.ParentID]; !ok {
					return nil, fmt.Errorf("taxonomy %s: item %d names parent %d, not an id of %s", l.Name, it.ID, it.ParentID, p.Name)
				}
				l.byParent[it.ParentID] = append(l.byParent[it.ParentID], it)
			}
		}
		t.lists = append(t.lists, l)
		t.byName[l.Name] = l
	}
	return t, nil
}

// Lists returns every list in catalogue order.
func (t *Taxonomy) Lists() []*TaxonomyList { return t.lists }

// List returns the list called name; CodeNotFound when there is none.
func (t *Taxonomy) List(name string) (*TaxonomyList, error) {
	if l := t.byName[name]; l != nil {
		return l, nil
	}
	return nil, NotFound("taxonomy")
}

// Description is the text of item id of list name in lang, "" when either
// is unknown: what an answer's xxxDescription field shows next to xxxID.
func (t *Taxonomy) Description(name string, id int, lang string) string {
	if l := t.byName[name]; l != nil {
		if it, ok := l.Item(id); ok {
			return it.Description(lang)
		}
	}
	return ""
}

// Children returns the items of list child that belong to item parentID of
// list parent (the counties of a district, the parishes of a county...):
// CodeNotFound when child is not a child list of parent or parentID is not
// one of parent's ids. A parent without children gives an empty list.
func (t *Taxonomy) Children(parent string, parentID int, child string) ([]TaxonomyItem, error) {
	p, err := t.List(parent)
	if err != nil {
		return nil, err
	}
	c, err := t.List(child)
	if err != nil || c.Parent != parent {
		return nil, NotFound("taxonomy")
	}
	if _, ok := p.Item(parentID); !ok {
		return nil, NotFound(parent + " item")
	}
	if out := c.byParent[parentID]; out != nil {
		return out, nil
	}
	return []TaxonomyItem{}, nil
}
