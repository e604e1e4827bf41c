// Package simulations holds the broker's simulation pages: the simulator
// (new and edit), the firm's list and the simulation page with its ESIS
// and thread.
package simulations

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portal/components"
	"portal/components/i18n"
	"portal/components/processes"
	"portal/components/taxonomy"
	"portal/components/threads"
	"portal/models"
	"portal/models/simulation"
)

// URL is a simulation's page.
func URL(uuid string) string { return "/simulations/" + uuid }

// Values are the simulator's fields as text, named as the partner API's
// fields ("loanAmount", "borrowers[0].birthDate").
type Values map[string]string

// Form is the simulator's values and the refusal to word next to them.
type Form struct {
	Values Values
	Error  *models.Error
}

// Figures are what the results panel shows: computed now (a preview) or
// as stored.
type Figures struct {
	Data   models.SimulationData
	Result simulation.Result
	Rules  []simulation.RuleResult // nil: not checked yet
	Passed bool
	Demo   bool // priced with demo pricing data
}

// PreviewFigures are a preview's figures.
func PreviewFigures(p *models.SimulationPreview) *Figures {
	return &Figures{Data: p.Data, Result: p.Result, Rules: p.Rules, Passed: p.Passed, Demo: p.Pricing.Demo}
}

// StoredFigures are a stored simulation's figures and its last rule check.
func StoredFigures(s *models.Simulation) *Figures {
	return &Figures{Data: s.Data, Result: s.Result, Rules: s.Validation, Passed: s.Validation != nil && simulation.AllPassed(s.Validation),
		Demo: s.Pricing.Demo}
}

// SimulatorView is the simulator page: new (Simulation nil) or editing a
// stored one.
type SimulatorView struct {
	Page       components.Page
	Tax        *models.Taxonomy
	Form       Form
	Simulation *models.Simulation
	Figures    *Figures // nil: nothing computed yet (or the form is refused)
}

// Action is where the simulator's form posts.
func (v SimulatorView) Action() string {
	if v.Simulation != nil {
		return URL(v.Simulation.UUID) + "/edit"
	}
	return "/simulations/new"
}

// ResultsView is the results panel (the fragment the preview swaps).
type ResultsView struct {
	Tax     *models.Taxonomy
	Figures *Figures
	Form    Form // a refused preview: what to fix
}

// ListView is the firm's simulations.
type ListView struct {
	Page        components.Page
	Q           string
	Status      int
	From, To    string // YYYY-MM-DD, last action
	Statuses    []processes.Option
	StatusNames components.StatusNames
	Result      *models.SimulationPage
	Error       string
	ShowFirm    bool
	Now         time.Time // the ESIS validity of each row is as at Now
}

// Filtered reports whether any filter is set.
func (v ListView) Filtered() bool { return v.Q != "" || v.Status != 0 || v.From != "" || v.To != "" }

func (v ListView) query(cursorName, cursor string) string {
	q := url.Values{}
	if v.Q != "" {
		q.Set("q", v.Q)
	}
	if v.Status != 0 {
		q.Set("status", strconv.Itoa(v.Status))
	}
	if v.From != "" {
		q.Set("from", v.From)
	}
	if v.To != "" {
		q.Set("to", v.To)
	}
	q.Set(cursorName, cursor)
	return "/simulations?" + q.Encode()
}

// NextURL and PrevURL page the list ("" at the end).
func (v ListView) NextURL() string {
	if v.Result == nil || v.Result.NextCursor == "" {
		return ""
	}
	return v.query("after", v.Result.NextCursor)
}

func (v ListView) PrevURL() string {
	if v.Result == nil || v.Result.PrevCursor == "" {
		return ""
	}
	return v.query("before", v.Result.PrevCursor)
}

// DetailView is the simulation page.
type DetailView struct {
	Page        components.Page
	Tax         *models.Taxonomy
	Simulation  *models.Simulation
	StatusName  string
	Esis        models.EsisValidity
	Issues      []models.EsisIssue
	Thread      *threads.ThreadView // nil when threads are unavailable
	CanEdit     bool                // the viewer is of the owning firm
	HasEsis     bool                // the ESIS service is there
	RulesFailed []simulation.RuleResult
	// EmailForm is the "send by e-mail" form refused (open, with its error).
	EmailForm *Form
	Refusal   string // a refusal with no field (a conflict)
}

// Editable tells whether the simulation may still be changed.
func (v DetailView) Editable() bool {
	return v.CanEdit && models.SimulationEditable(v.Simulation.StatusID)
}

// Convertible tells whether "Convert into a process" is offered.
func (v DetailView) Convertible() bool {
	return v.CanEdit && v.Simulation.StatusID == models.SimulationValidated
}

// Issuable tells whether an ESIS may be issued.
func (v DetailView) Issuable() bool {
	return v.CanEdit && v.HasEsis && models.SimulationEditable(v.Simulation.StatusID)
}

// Heading is a simulation's title.
func Heading(ctx context.Context, number int64) string {
	return i18n.T(ctx, "sim.heading", map[string]any{"Number": number})
}

// Percent writes a rate with decimals in the page's language ("3,500 %",
// "3.500%").
func Percent(ctx context.Context, r simulation.Rate, decimals int) string {
	s := strconv.FormatFloat(r.RoundPercent(decimals).Percent(), 'f', decimals, 64)
	if i18n.From(ctx) == i18n.EN {
		return s + "%"
	}
	return strings.Replace(s, ".", ",", 1) + "\u00a0%"
}

// Term words a number of months as years and months.
func Term(ctx context.Context, months int) string {
	y, m := months/12, months%12
	switch {
	case m == 0:
		return i18n.N(ctx, "sim.years", y)
	case y == 0:
		return i18n.N(ctx, "sim.months", m)
	}
	return i18n.N(ctx, "sim.years", y) + " " + i18n.N(ctx, "sim.months", m)
}

// RuleName is a rule's name, by its code.
func RuleName(ctx context.Context, code string) string { return i18n.T(ctx, "sim.rule."+code) }

// ruleValue words a rule's quantity in its unit.
func ruleValue(ctx context.Context, tax *models.Taxonomy, u simulation.Unit, n int64) string {
	switch u {
	case simulation.UnitRate:
		return Percent(ctx, simulation.Rate(n), 1)
	case simulation.UnitMonths:
		return Term(ctx, int(n))
	case simulation.UnitYears:
		return i18n.N(ctx, "sim.age", int(n))
	case simulation.UnitCents:
		return components.Money(ctx, n)
	case simulation.UnitID:
		if n == 0 {
			return i18n.T(ctx, "sim.no_district")
		}
		if tax != nil {
			if d := tax.Description(models.TaxonomyDistricts, int(n), taxonomy.Lang(ctx)); d != "" {
				return d
			}
		}
	}
	return strconv.FormatInt(n, 10)
}

// RuleWhy words a rule's value against its limits: why it passed or not.
func RuleWhy(ctx context.Context, tax *models.Taxonomy, r simulation.RuleResult) string {
	a := map[string]any{"Value": ruleValue(ctx, tax, r.Unit, r.Value)}
	if r.HasMin {
		a["Min"] = ruleValue(ctx, tax, r.Unit, r.Min)
	}
	if r.HasMax {
		a["Max"] = ruleValue(ctx, tax, r.Unit, r.Max)
	}
	switch {
	case r.Unit == simulation.UnitID && r.Passed:
		return i18n.T(ctx, "sim.why.district_ok", a)
	case r.Unit == simulation.UnitID:
		return i18n.T(ctx, "sim.why.district_bad", a)
	case !r.Passed && r.HasMin && r.Value < r.Min:
		return i18n.T(ctx, "sim.why.below", a)
	case !r.Passed && r.HasMax && r.Value > r.Max:
		return i18n.T(ctx, "sim.why.above", a)
	case !r.Passed && r.Code == simulation.RuleLTVOwnHome, !r.Passed && r.Code == simulation.RuleLTVOther,
		!r.Passed && r.Code == simulation.RuleDSTI:
		// Limits are checked exactly; the shown ratio rounds to the limit.
		return i18n.T(ctx, "sim.why.above", a)
	case r.HasMin && r.HasMax:
		return i18n.T(ctx, "sim.why.between", a)
	case r.HasMax:
		return i18n.T(ctx, "sim.why.at_most", a)
	}
	return i18n.T(ctx, "sim.why.value", a)
}

// Failing are the rules that did not pass.
func Failing(rs []simulation.RuleResult) []simulation.RuleResult {
	var out []simulation.RuleResult
	for _, r := range rs {
		if !r.Passed {
			out = append(out, r)
		}
	}
	return out
}

// RowLabel names a schedule row: "Month 3", "Year 2", "Total".
func RowLabel(ctx context.Context, r simulation.ScheduleRow) string {
	switch r.Kind {
	case simulation.RowMonth:
		return i18n.T(ctx, "sim.row_month", map[string]any{"N": r.Period})
	case simulation.RowYear:
		return i18n.T(ctx, "sim.row_year", map[string]any{"N": r.Period})
	}
	return i18n.T(ctx, "sim.row_total")
}

// ChargeName is a bank charge type's description.
func ChargeName(ctx context.Context, tax *models.Taxonomy, id int) string {
	if tax != nil {
		if d := tax.Description(models.TaxonomyBankChargeTypes, id, taxonomy.Lang(ctx)); d != "" {
			return d
		}
	}
	return strconv.Itoa(id)
}

// Periodicity words how often a charge is paid.
func Periodicity(ctx context.Context, p simulation.Periodicity) string {
	if p == simulation.Monthly {
		return i18n.T(ctx, "sim.monthly")
	}
	return i18n.T(ctx, "sim.upfront")
}

// EsisText and EsisClass word and colour an ESIS validity (shared with
// the process page).
var (
	EsisText  = components.EsisText
	EsisClass = components.EsisClass
)

// StatusClass is the badge colour of a simulation status.
func StatusClass(id int) string {
	switch id {
	case models.SimulationValidated:
		return "badge bg-green-100 text-green-800"
	case models.SimulationConverted:
		return "badge bg-brand-100 text-brand-800"
	case models.SimulationCancelled, models.SimulationRejected, models.SimulationExpired:
		return "badge bg-red-100 text-red-800"
	}
	return "badge bg-gray-100 text-gray-800"
}

// Day writes a stored YYYY-MM-DD date in the page's style.
func Day(ctx context.Context, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return components.Date(ctx, t)
}
