package admin

import (
	"context"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"portal/components"
	"portal/components/i18n"
	"portal/components/taxonomy"
	"portal/models"
	"portal/models/simulation"
)

// The pricing page: the bank's rates and price list in force on a date,
// and one form per kind of value to add a new value from a date. Inputs
// are named after the pricing service's fields ("validFrom", "spread"), so
// its field errors land next to them; their ids carry the form's kind,
// since several forms share a field name.

// PricingURL is the page; each kind's form posts to PricingKindURL.
const PricingURL = "/admin/pricing"

// The kinds of pricing value, each with its form.
const (
	KindIndex     = "index"
	KindSpread    = "spread"
	KindFixedRate = "fixed-rate"
	KindLimit     = "limit"
	KindCharge    = "charge"
)

// PricingKindURL is where the form of kind posts.
func PricingKindURL(kind string) string { return PricingURL + "/" + kind }

// PricingAtURL is the page showing the pricing in force on day.
func PricingAtURL(day string) string { return PricingURL + "?date=" + day }

// PricingFormKeyPrefix marks the field errors of reading a form (a rate
// or an amount that is not one): the page's own, worded by its catalogue.
const PricingFormKeyPrefix = "pricing.err."

// PricingForm is one kind's form: what was posted (or its defaults) and
// the refusal to show next to its fields.
type PricingForm struct {
	Values map[string]string
	Error  *models.Error
}

// PricingView is the page.
type PricingView struct {
	Page components.Page
	Tax  *models.Taxonomy
	// Date is the day shown, as asked (YYYY-MM-DD); DateError says why it
	// was refused (then Pricing is nil).
	Date, DateError string
	Pricing         *models.Pricing
	Forms           map[string]PricingForm // by kind; a missing kind is a fresh form
}

// Form is kind's form (fresh when none was posted).
func (v PricingView) Form(kind string) PricingForm {
	if f, ok := v.Forms[kind]; ok {
		return f
	}
	return PricingForm{Values: freshPricingValues(kind, v.Date)}
}

// freshPricingValues are a new form's defaults: from the shown date, an
// active upfront charge.
func freshPricingValues(kind, day string) map[string]string {
	vals := map[string]string{}
	switch kind {
	case KindIndex:
		if len(day) >= 7 {
			vals["month"] = day[:7]
		}
	case KindCharge:
		vals["validFrom"], vals["periodicity"], vals["active"] = day, strconv.Itoa(int(simulation.Upfront)), CheckedValue
	default:
		vals["validFrom"] = day
	}
	return vals
}

// HasDemo tells whether any value shown is a demonstration value.
func (v PricingView) HasDemo() bool {
	p := v.Pricing
	if p == nil {
		return false
	}
	for _, x := range p.IndexValues {
		if x.Demo {
			return true
		}
	}
	for _, x := range p.Spreads {
		if x.Demo {
			return true
		}
	}
	for _, x := range p.FixedRates {
		if x.Demo {
			return true
		}
	}
	for _, x := range p.Limits {
		if x.Demo {
			return true
		}
	}
	for _, x := range p.Charges {
		if x.Demo {
			return true
		}
	}
	return false
}

// FieldMessage words the error of field in form f, naming the field by
// its label; "" when it has none.
func (f PricingForm) FieldMessage(ctx context.Context, field string) string {
	if f.Error == nil {
		return ""
	}
	fe, ok := f.Error.Field(field)
	if !ok {
		return ""
	}
	switch {
	case strings.HasPrefix(fe.Key, PricingFormKeyPrefix):
		return i18n.T(ctx, "pricing.err."+strings.TrimPrefix(fe.Key, PricingFormKeyPrefix))
	case fe.Key == "field.taxonomy":
		return i18n.T(ctx, "pricing.err.choice")
	case fe.Key == "field.range" && isRateField(field):
		// The service's bounds are percentages: write them as such.
		lo, _ := fe.Args["Min"].(float64)
		hi, _ := fe.Args["Max"].(float64)
		return i18n.T(ctx, "pricing.err.rate_range", map[string]any{
			"Min": Percent(ctx, simulation.RateFromPercent(lo)), "Max": Percent(ctx, simulation.RateFromPercent(hi))})
	case fe.Key == "field.range":
		return i18n.T(ctx, "pricing.err.amount_range", map[string]any{"Max": components.Money(ctx, models.MaxMoneyCents)})
	}
	args := models.Args{}
	for k, a := range fe.Args {
		args[k] = a
	}
	if _, ok := args["Field"]; ok {
		args["Field"] = PricingLabel(ctx, field)
	}
	return i18n.Field(ctx, models.FieldError{Field: field, Key: fe.Key, Args: args})
}

// GeneralError is a refusal not tied to a field, "" when none.
func (f PricingForm) GeneralError(ctx context.Context) string {
	if f.Error == nil || len(f.Error.Fields) > 0 {
		return ""
	}
	return i18n.Refusal(ctx, f.Error)
}

func isRateField(field string) bool {
	switch field {
	case "value", "spread", "rate", "percentage":
		return true
	}
	return false
}

// PricingLabel is the label of a field in the page's language.
func PricingLabel(ctx context.Context, field string) string {
	return i18n.T(ctx, "pricing.field."+field)
}

// Percent shows a rate as a percentage with three decimals (more when it
// has them): "1,234 %", "1.234%".
func Percent(ctx context.Context, r simulation.Rate) string {
	l := i18n.From(ctx)
	n := message.NewPrinter(l.Tag()).Sprint(number.Decimal(r.Percent(), number.MinFractionDigits(3), number.MaxFractionDigits(5)))
	return i18n.T(ctx, "pricing.percent", map[string]any{"Value": n})
}

// Day shows a YYYY-MM-DD date in the page's language.
func Day(ctx context.Context, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return components.Date(ctx, t.Add(12*time.Hour)) // noon: the same day in Lisbon
}

// Month shows a YYYY-MM month in the page's language: "dez. 2026".
func Month(ctx context.Context, month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return i18n.T(ctx, "pricing.month_of", map[string]any{"Month": i18n.T(ctx, "format.month."+strconv.Itoa(int(t.Month()))), "Year": t.Year()})
}

// Periodicity names when a charge is paid.
func Periodicity(ctx context.Context, p simulation.Periodicity) string {
	if p == simulation.Monthly {
		return i18n.T(ctx, "pricing.periodicity_monthly")
	}
	return i18n.T(ctx, "pricing.periodicity_upfront")
}

// Choice is one option of a select.
type Choice struct {
	Value, Label string
	Selected     bool
}

// ListChoices are the items of taxonomy list name as options, selected
// the one whose id is chosen; skip leaves ids out.
func ListChoices(ctx context.Context, tax *models.Taxonomy, name, chosen string, skip ...int) []Choice {
	l, err := tax.List(name)
	if err != nil {
		return nil
	}
	lang := taxonomy.Lang(ctx)
	var out []Choice
outer:
	for _, it := range l.Items {
		for _, s := range skip {
			if it.ID == s {
				continue outer
			}
		}
		id := strconv.Itoa(it.ID)
		out = append(out, Choice{Value: id, Label: it.Description(lang), Selected: id == chosen})
	}
	return out
}

// IndexChoices are the Euribor indexes (the index-types the pricing keeps
// values of).
func IndexChoices(ctx context.Context, tax *models.Taxonomy, chosen string) []Choice {
	var out []Choice
	for _, c := range ListChoices(ctx, tax, models.TaxonomyIndexTypes, chosen) {
		if id, _ := strconv.Atoi(c.Value); id >= simulation.IndexEuribor3M && id <= simulation.IndexEuribor12M {
			out = append(out, c)
		}
	}
	return out
}

// PeriodValue is the fixed-rate form's value of a period: its rate type
// and its period id ("2:1": fixed, the first fixed period).
func PeriodValue(rateType, period int) string {
	return strconv.Itoa(rateType) + ":" + strconv.Itoa(period)
}

// ParsePeriodValue reads PeriodValue back.
func ParsePeriodValue(s string) (rateType, period int, ok bool) {
	a, b, found := strings.Cut(s, ":")
	rateType, err1 := strconv.Atoi(a)
	period, err2 := strconv.Atoi(b)
	return rateType, period, found && err1 == nil && err2 == nil
}

// PeriodChoices are the fixed periods of a rate type (fixed-fixed-period
// for simulation.RateFixed, mixed-fixed-period for RateMixed).
func PeriodChoices(ctx context.Context, tax *models.Taxonomy, rateType int, chosen string) []Choice {
	list := models.TaxonomyFixedFixedPeriod
	if rateType == simulation.RateMixed {
		list = models.TaxonomyMixedFixedPeriod
	}
	out := ListChoices(ctx, tax, list, "")
	for i := range out {
		id, _ := strconv.Atoi(out[i].Value)
		out[i].Value = PeriodValue(rateType, id)
		out[i].Selected = out[i].Value == chosen
	}
	return out
}

// ChargeChoices are the charge types a price list line may have: not the
// stamp duties (computed) nor the insurances (the simulation's input).
func ChargeChoices(ctx context.Context, tax *models.Taxonomy, chosen string) []Choice {
	return ListChoices(ctx, tax, models.TaxonomyBankChargeTypes, chosen,
		simulation.ChargeStampDutyLoan, simulation.ChargeStampDutyInterest, simulation.ChargeStampDutyFees,
		simulation.ChargeLifeInsurance, simulation.ChargeHomeInsurance)
}

// Describe is the description of item id of list name.
func Describe(ctx context.Context, tax *models.Taxonomy, name string, id int) string {
	if d := tax.Description(name, id, taxonomy.Lang(ctx)); d != "" {
		return d
	}
	return strconv.Itoa(id)
}

// PeriodName is the description of a fixed rate's period.
func PeriodName(ctx context.Context, tax *models.Taxonomy, rateType, period int) string {
	if rateType == simulation.RateMixed {
		return Describe(ctx, tax, models.TaxonomyMixedFixedPeriod, period)
	}
	return Describe(ctx, tax, models.TaxonomyFixedFixedPeriod, period)
}

func pricingID(kind, field string) string { return kind + "-" + field }

func pricingErrID(kind, field, msg string) string {
	if msg == "" {
		return ""
	}
	return pricingID(kind, field) + "-error"
}

func joinIDs(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// CheckedValue is what a ticked checkbox posts.
const CheckedValue = "on"
