// Package taxonomy holds views of the reference lists that forms reuse: the
// district -> county -> parish cascade of address fields.
package taxonomy

import (
	"context"

	"portal/components/i18n"
	"portal/models"
)

// Option is one <option> of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

// Options is a select's content: the empty first choice, then the items.
type Options struct {
	Placeholder string
	Items       []Option
}

// CascadeView is the three linked selects. Their names are the partner
// API's property fields (districtId, countyId, parishId), so a form that
// embeds the cascade posts them as the API would receive them.
type CascadeView struct {
	ID                            string // prefix of the element ids, unique in the page
	Districts, Counties, Parishes Options
}

func (v CascadeView) DistrictID() string { return v.ID + "-district" }
func (v CascadeView) CountyID() string   { return v.ID + "-county" }
func (v CascadeView) ParishID() string   { return v.ID + "-parish" }

// Fragment URLs of the cascade (web/ui/routes.go).
const (
	CountiesURL = "/taxonomy/counties"
	ParishesURL = "/taxonomy/parishes"
)

// Lang is the language of the descriptions the views show: the page's
// (models.LangEN or models.LangPT).
func Lang(ctx context.Context) string {
	if i18n.From(ctx) == i18n.EN {
		return models.LangEN
	}
	return models.LangPT
}
