package admin

import "fmt"

// T holds the administration pages' user-visible strings.
var T = struct {
	TaxonomiesTitle, TaxonomiesIntro, TaxonomiesLink, ColName, ColTitle, ColTitlePT, ColValues  string
	ColParent, ColID, ColCode, ColPT, ColEN, AllTaxonomies, CascadeTitle, CascadeIntro, APIPath string
	Pagination, Previous, Next, ListsLabel, ValuesLabel                                         string
	Range                                                                                       func(from, to, total int) string
	ParentOf                                                                                    func(parent string) string
}{
	TaxonomiesTitle: "Reference lists",
	TaxonomiesIntro: "The lists the partner API serves at /v1/taxonomy and the portal's forms use. They are loaded with the portal's database migrations and cannot be edited here.",
	TaxonomiesLink:  "Reference lists",
	ColName:         "Name",
	ColTitle:        "Title",
	ColTitlePT:      "Portuguese title",
	ColValues:       "Values",
	ColParent:       "Belongs to",
	ColID:           "Id",
	ColCode:         "Code",
	ColPT:           "Portuguese",
	ColEN:           "English",
	AllTaxonomies:   "All reference lists",
	CascadeTitle:    "Address fields",
	CascadeIntro:    "The district, municipality and parish selects that address forms use: choosing a district lists its municipalities, choosing a municipality lists its parishes.",
	APIPath:         "API",
	Pagination:      "Pages",
	Previous:        "Previous",
	Next:            "Next",
	ListsLabel:      "Reference lists",
	ValuesLabel:     "Values",
	Range: func(from, to, total int) string {
		return fmt.Sprintf("%d–%d of %d", from, to, total)
	},
	ParentOf: func(parent string) string { return "Each value belongs to a value of " + parent + "." },
}
