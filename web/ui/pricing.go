package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components/admin"
	"portal/components/i18n"
	"portal/models"
	"portal/models/simulation"
	"portal/web/session"
)

// The admin pricing page (/admin/pricing): the pricing in force on a date
// and the forms that add a value from a date, one route per kind.

// pricingFields are the posted fields of each kind's form.
var pricingFields = map[string][]string{
	admin.KindIndex:     {"indexTypeId", "month", "value"},
	admin.KindSpread:    {"productSchemeId", "productPurposeId", "validFrom", "spread"},
	admin.KindFixedRate: {"period", "validFrom", "rate"},
	admin.KindLimit:     {"productSchemeId", "validFrom", "minAmount", "maxAmount"},
	admin.KindCharge:    {"chargeTypeId", "validFrom", "amount", "percentage", "periodicity", "active"},
}

// pricing shows the pricing in force on ?date= (default today).
func (h *Handlers) pricing(c *gin.Context) {
	h.pricingPage(c, http.StatusOK, strings.TrimSpace(c.Query("date")), "", admin.PricingForm{})
}

// pricingPage renders the page on day with kind's form refused (kind "":
// none). A refused date is 400 with its error next to the date field.
func (h *Handlers) pricingPage(c *gin.Context, status int, day, kind string, refused admin.PricingForm) {
	ctx := c.Request.Context()
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := admin.PricingView{Tax: tax, Date: day}
	p, err := h.svc.Pricing.PricingAt(ctx, day)
	if err != nil {
		msg, st, ok := refusal(c, err)
		if !ok || c.Request.Method != http.MethodGet {
			h.fail(c, err)
			return
		}
		v.DateError, status = msg, st
	} else {
		v.Pricing, v.Date = p, p.Date
	}
	if kind != "" {
		v.Forms = map[string]admin.PricingForm{kind: refused}
	}
	v.Page = h.page(c, i18n.T(ctx, "pricing.title"), "admin")
	h.render(c, status, admin.PricingPage(v))
}

// setPricing adds the value a kind's form posts: a 303 to the pricing on
// the value's first day with a flash, or the page again (422) with the
// refusal next to the fields.
func (h *Handlers) setPricing(c *gin.Context) {
	kind := c.Param("kind")
	names, ok := pricingFields[kind]
	if !ok {
		h.NotFound(c)
		return
	}
	vals := map[string]string{}
	for _, n := range names {
		vals[n] = strings.TrimSpace(c.PostForm(n))
	}
	ctx := c.Request.Context()
	r := pricingReader{vals: vals}
	var from string
	var call func() error
	switch kind {
	case admin.KindIndex:
		x := models.IndexValue{IndexTypeID: r.choice("indexTypeId"), Month: vals["month"], Value: r.rate("value")}
		from = x.Month + "-01"
		call = func() error { return h.svc.Pricing.SetIndexValue(ctx, x) }
	case admin.KindSpread:
		x := models.Spread{ProductSchemeID: r.choice("productSchemeId"), ProductPurposeID: r.choice("productPurposeId"),
			ValidFrom: vals["validFrom"], Spread: r.rate("spread")}
		call = func() error { return h.svc.Pricing.SetSpread(ctx, x) }
	case admin.KindFixedRate:
		x := models.FixedRate{ValidFrom: vals["validFrom"], Rate: r.rate("rate")}
		var ok bool
		if x.RateTypeID, x.PeriodID, ok = admin.ParsePeriodValue(vals["period"]); !ok {
			r.bad.Add("period", admin.PricingFormKeyPrefix+"choice", nil)
		}
		call = func() error { return h.svc.Pricing.SetFixedRate(ctx, x) }
	case admin.KindLimit:
		x := models.ProductLimit{ProductSchemeID: r.choice("productSchemeId"), ValidFrom: vals["validFrom"],
			MinAmountCents: r.money("minAmount", true), MaxAmountCents: r.money("maxAmount", true)}
		call = func() error { return h.svc.Pricing.SetProductLimit(ctx, x) }
	case admin.KindCharge:
		x := models.PriceCharge{ChargeTypeID: r.choice("chargeTypeId"), ValidFrom: vals["validFrom"],
			Periodicity: simulation.Periodicity(r.choice("periodicity")), Active: vals["active"] != ""}
		if vals["percentage"] != "" {
			pct := r.rate("percentage")
			x.Percentage = &pct
		}
		// A charge may be a percentage alone: then no amount is 0 €.
		x.AmountCents = r.money("amount", x.Percentage == nil)
		call = func() error { return h.svc.Pricing.SetCharge(ctx, x) }
	}
	if from == "" {
		from = vals["validFrom"]
	}
	// The page the form was on stays the page shown when it is refused.
	shown := strings.TrimSpace(c.PostForm("shown"))
	if !models.ValidDay(shown) {
		shown = ""
	}
	if err := r.bad.Err(); err != nil {
		h.pricingPage(c, http.StatusUnprocessableEntity, shown, kind, admin.PricingForm{Values: vals, Error: models.AsError(err)})
		return
	}
	if err := call(); err != nil {
		if _, status, ok := refusal(c, err); ok {
			e := models.AsError(err)
			if kind == admin.KindFixedRate {
				e = periodErrors(e)
			}
			h.pricingPage(c, status, shown, kind, admin.PricingForm{Values: vals, Error: e})
			return
		}
		h.fail(c, err)
		return
	}
	_ = session.SetFlash(c, admin.PricingURL, i18n.T(ctx, "pricing.saved", map[string]any{"Date": admin.Day(ctx, from)}))
	redirect(c, admin.PricingAtURL(from))
}

// periodErrors puts the fixed-rate service's errors of its rate type and
// period on the form's one period field.
func periodErrors(e *models.Error) *models.Error {
	out := *e
	out.Fields = nil
	for _, f := range e.Fields {
		if f.Field == "rateTypeId" || f.Field == "periodId" {
			if (&models.Validation{Fields: out.Fields}).Has("period") {
				continue
			}
			f.Field = "period"
		}
		out.Fields = append(out.Fields, f)
	}
	return &out
}

// pricingReader reads a pricing form's fields, recording what is not
// readable as the page's own field errors.
type pricingReader struct {
	vals map[string]string
	bad  models.Validation
}

func (r *pricingReader) choice(name string) int {
	n, err := strconv.Atoi(r.vals[name])
	if err != nil || n < 1 {
		r.bad.Add(name, admin.PricingFormKeyPrefix+"choice", nil)
		return 0
	}
	return n
}

func (r *pricingReader) rate(name string) simulation.Rate {
	if r.vals[name] == "" {
		r.bad.Add(name, admin.PricingFormKeyPrefix+"required", nil)
		return 0
	}
	v, ok := models.ParsePercent(r.vals[name])
	if !ok {
		r.bad.Add(name, admin.PricingFormKeyPrefix+"rate", nil)
	}
	return v
}

func (r *pricingReader) money(name string, required bool) int64 {
	s := r.vals[name]
	if s == "" {
		if required {
			r.bad.Add(name, admin.PricingFormKeyPrefix+"required", nil)
		}
		return 0
	}
	cents, ok := parseEuros(s)
	if !ok {
		r.bad.Add(name, admin.PricingFormKeyPrefix+"amount", nil)
	}
	return cents
}
