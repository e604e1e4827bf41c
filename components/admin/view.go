// Package admin holds the administration pages.
package admin

import (
	"portal/components"
	"portal/components/taxonomy"
)

// ListRow is one reference list in the overview.
type ListRow struct {
	Name   string
	Title  string // in the page's language
	Parent string // the parent list's title in the page's language, "" for none
	Values int
	// TitleOther is the title in the other language, OtherLang.
	TitleOther, OtherLang string
}

// TaxonomiesView is the overview of the reference lists, with the address
// cascade as a working example.
type TaxonomiesView struct {
	Page    components.Page
	Lists   []ListRow
	Cascade taxonomy.CascadeView
}

// ItemRow is one value of a list.
type ItemRow struct {
	ID           int
	Code, PT, EN string
	Parent       string // the parent value's description (in the page's language) and code, "" for none
}

// TaxonomyView is one list's values, a page at a time.
type TaxonomyView struct {
	Page        components.Page
	Name, Title string // Title in the page's language
	Parent      string // the parent list's title, "" for none
	// TitleOther is the title in the other language, OtherLang.
	TitleOther, OtherLang string
	Items                 []ItemRow
	From, To, Total       int // 1-based positions of the shown rows
	PrevURL, NextURL      string
}

// TaxonomyURL is the page of list name.
func TaxonomyURL(name string) string { return "/admin/taxonomies/" + name }

// APIURL is the list's address in the partner API.
func APIURL(name string) string { return "/v1/taxonomy/" + name }
