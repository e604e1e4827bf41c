package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/components/processes"
	"portal/components/simulations"
	"portal/models"
	"portal/models/simulation"
	"portal/web/session"
)

// The simulator and the simulations (routes /simulations,
// /simulations/new, /simulations/preview, /simulations/:id and its
// actions). The simulator's form recomputes through /simulations/preview
// as the broker types (htmx swaps the results panel); without JavaScript
// its "Calculate" button posts the form to its own address, which answers
// the whole page with the figures, and "Save" stores it.

// maxSimulatorBody caps the simulator's form (four borrowers and a few
// dozen short fields).
const maxSimulatorBody = 32 << 10

// listSimulations is the firm's simulations (staff: the bank's).
func (h *Handlers) listSimulations(c *gin.Context) {
	ctx := c.Request.Context()
	v := simulations.ListView{Q: c.Query("q"), From: c.Query("from"), To: c.Query("to"),
		ShowFirm: models.PrincipalFrom(ctx).IsStaff(), Now: time.Now()}
	status := http.StatusOK
	f := models.SimulationFilter{Search: v.Q, After: c.Query("after"), Before: c.Query("before")}
	if s := c.Query("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		v.Status, f.StatusID = n, n
	}
	var bad bool
	if v.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, v.From, lisbon)
		f.LastActionFrom, bad = t, err != nil
	}
	if v.To != "" && !bad {
		t, err := time.ParseInLocation(time.DateOnly, v.To, lisbon)
		f.LastActionTo, bad = t.AddDate(0, 0, 1), err != nil // the whole day
	}
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	if bad {
		v.Error, status = i18n.T(ctx, "sim.bad_date"), http.StatusBadRequest
	} else if v.Result, err = h.svc.Simulations.ListSimulations(ctx, f); err != nil {
		var ok bool
		if v.Error, status, ok = refusal(c, err); !ok {
			h.fail(c, err)
			return
		}
	}
	if v.Status < 0 {
		v.Status = 0
	}
	v.Statuses, v.StatusNames = simulationStatuses(tax, descLang(ctx))
	if isFragment(c) {
		h.render(c, status, simulations.List(v))
		return
	}
	v.Page = h.page(c, i18n.T(ctx, "sim.list_title"), "simulations")
	h.render(c, status, simulations.ListPage(v))
}

// lisbon is the zone the pages' dates are in.
var lisbon = func() *time.Location {
	l, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		return time.UTC
	}
	return l
}()

func simulationStatuses(tax *models.Taxonomy, lang string) ([]processes.Option, map[int]string) {
	names := map[int]string{}
	var opts []processes.Option
	for id := models.SimulationInCreation; id <= models.SimulationRejected; id++ {
		d := tax.Description(models.TaxonomySimulationStates, id, lang)
		names[id] = d
		opts = append(opts, processes.Option{ID: id, Label: d})
	}
	return opts, names
}

// newSimulation is the empty simulator.
func (h *Handlers) newSimulation(c *gin.Context) {
	h.simulatorPage(c, http.StatusOK, nil, simulations.Form{Values: simulations.Values{
		"loanDurationUnit": processes.UnitYears, "rateTypeId": strconv.Itoa(simulation.RateVariable)}}, nil)
}

// simulatorPage renders the simulator for sim (nil: a new one).
func (h *Handlers) simulatorPage(c *gin.Context, status int, sim *models.Simulation, f simulations.Form, fg *simulations.Figures) {
	ctx := c.Request.Context()
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	title := i18n.T(ctx, "sim.new_title")
	if sim != nil {
		title = i18n.T(ctx, "sim.edit_title", map[string]any{"Number": sim.SimulationNumber})
	}
	h.render(c, status, simulations.SimulatorPage(simulations.SimulatorView{
		Page: h.page(c, title, "simulations"), Tax: tax, Form: f, Simulation: sim, Figures: fg}))
}

// previewSimulation computes the posted form without saving: the results
// panel for htmx, the whole simulator otherwise.
func (h *Handlers) previewSimulation(c *gin.Context) {
	if !isFragment(c) {
		h.calculate(c, nil)
		return
	}
	ctx := c.Request.Context()
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	f, p, status, ok := h.preview(c)
	if !ok {
		return
	}
	v := simulations.ResultsView{Tax: tax, Form: f}
	if p != nil {
		v.Figures = simulations.PreviewFigures(p)
	}
	h.render(c, status, simulations.Results(v))
}

// preview reads the form and prices it: the form (with its refusal), the
// preview (nil when refused) and the status; not ok when the answer is
// already written.
func (h *Handlers) preview(c *gin.Context) (simulations.Form, *models.SimulationPreview, int, bool) {
	f := simulations.Form{Values: postedSimulation(c)}
	in, names, bad := simulationInput(f.Values)
	if bad != nil {
		f.Error = bad
		return f, nil, http.StatusUnprocessableEntity, true
	}
	p, err := h.svc.Simulations.PreviewSimulation(c.Request.Context(), in)
	if err != nil {
		if _, status, ok := refusal(c, err); ok {
			f.Error = names.rename(models.AsError(err))
			return f, nil, status, true
		}
		h.fail(c, err)
		return f, nil, 0, false
	}
	return f, p, http.StatusOK, true
}

// calculate answers "Calculate" without JavaScript: the simulator with
// the figures, or with the errors next to the fields (422).
func (h *Handlers) calculate(c *gin.Context, sim *models.Simulation) {
	f, p, status, ok := h.preview(c)
	if !ok {
		return
	}
	var fg *simulations.Figures
	if p != nil {
		fg = simulations.PreviewFigures(p)
	}
	h.simulatorPage(c, status, sim, f, fg)
}

// createSimulation is the simulator's post: "Calculate" or "Save".
func (h *Handlers) createSimulation(c *gin.Context) {
	if c.PostForm("do") == simulations.DoCalculate {
		h.calculate(c, nil)
		return
	}
	ctx := c.Request.Context()
	f := simulations.Form{Values: postedSimulation(c)}
	in, names, bad := simulationInput(f.Values)
	if bad != nil {
		f.Error = bad
		h.simulatorPage(c, http.StatusUnprocessableEntity, nil, f, nil)
		return
	}
	sim, err := h.svc.Simulations.CreateSimulation(ctx, in)
	if err != nil {
		if _, status, ok := refusal(c, err); ok {
			f.Error = names.rename(models.AsError(err))
			h.simulatorPage(c, status, nil, f, nil)
			return
		}
		h.fail(c, err)
		return
	}
	h.simulationDone(c, sim.UUID, i18n.T(ctx, "sim.saved", map[string]any{"Number": sim.SimulationNumber}))
}

// editSimulation is the simulator prefilled with a stored simulation.
func (h *Handlers) editSimulation(c *gin.Context) {
	ctx := c.Request.Context()
	sim, err := h.svc.Simulations.GetSimulation(ctx, c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if !models.SimulationEditable(sim.StatusID) {
		h.simulationPage(c, http.StatusConflict, sim, simPageExtras{refusal: i18n.Refusal(ctx, models.AsError(models.SimulationNotEditable()))})
		return
	}
	h.simulatorPage(c, http.StatusOK, sim, simulations.Form{Values: simulations.ValuesOf(ctx, sim.Data)}, simulations.StoredFigures(sim))
}

// updateSimulation saves the edited simulator (or calculates).
func (h *Handlers) updateSimulation(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	sim, err := h.svc.Simulations.GetSimulation(ctx, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	if c.PostForm("do") == simulations.DoCalculate {
		h.calculate(c, sim)
		return
	}
	f := simulations.Form{Values: postedSimulation(c)}
	in, names, bad := simulationInput(f.Values)
	if bad != nil {
		f.Error = bad
		h.simulatorPage(c, http.StatusUnprocessableEntity, sim, f, nil)
		return
	}
	saved, err := h.svc.Simulations.UpdateSimulation(ctx, id, in)
	if err != nil {
		if _, status, ok := refusal(c, err); ok {
			f.Error = names.rename(models.AsError(err))
			h.simulatorPage(c, status, sim, f, nil)
			return
		}
		h.simulationRefused(c, err)
		return
	}
	h.simulationDone(c, id, i18n.T(ctx, "sim.updated", map[string]any{"Number": saved.SimulationNumber}))
}

// simulationDone sends the browser to the simulation's page with a flash.
func (h *Handlers) simulationDone(c *gin.Context, id, msg string) {
	_ = session.SetFlash(c, simulations.URL(id), msg)
	redirect(c, simulations.URL(id))
}

// simulationRefused answers a change refused outright: a conflict (the
// status no longer allows it) on the simulation's page (409), anything
// else its error page.
func (h *Handlers) simulationRefused(c *gin.Context, err error) {
	e := models.AsError(err)
	if e.Code != models.CodeConflict {
		h.fail(c, err)
		return
	}
	h.simulationPage(c, http.StatusConflict, nil, simPageExtras{refusal: i18n.Refusal(c.Request.Context(), e)})
}

// validateSimulation runs the rules; the page says how it went.
func (h *Handlers) validateSimulation(c *gin.Context) {
	ctx := c.Request.Context()
	val, err := h.svc.Simulations.ValidateSimulation(ctx, c.Param("id"))
	if err != nil {
		h.simulationRefused(c, err)
		return
	}
	msg := i18n.T(ctx, "sim.validated")
	if !val.Passed {
		msg = i18n.N(ctx, "sim.rules_fail", len(simulations.Failing(val.Rules)))
	}
	h.simulationDone(c, c.Param("id"), msg)
}

// cancelSimulation cancels it.
func (h *Handlers) cancelSimulation(c *gin.Context) {
	if _, err := h.svc.Simulations.CancelSimulation(c.Request.Context(), c.Param("id")); err != nil {
		h.simulationRefused(c, err)
		return
	}
	h.simulationDone(c, c.Param("id"), i18n.T(c.Request.Context(), "sim.cancelled"))
}

// convertSimulation opens a process from a validated simulation and goes
// to it.
func (h *Handlers) convertSimulation(c *gin.Context) {
	ctx := c.Request.Context()
	p, err := h.svc.Work.CreateProcess(ctx, models.ProcessInput{SimulationUUID: c.Param("id")})
	if err != nil {
		// Refused in place: what the simulation lacks (a borrower's name,
		// 422) or its status (409).
		if _, status, ok := refusal(c, err); ok {
			h.simulationPage(c, status, nil, simPageExtras{refusal: simulations.Refusal(ctx, models.AsError(err))})
			return
		}
		if e := models.AsError(err); e.Code == models.CodeConflict {
			h.simulationPage(c, http.StatusConflict, nil, simPageExtras{refusal: i18n.Refusal(ctx, e)})
			return
		}
		h.fail(c, err)
		return
	}
	_ = session.SetFlash(c, processes.ProcessURL(p.UUID), i18n.T(ctx, "sim.converted", map[string]any{"Number": p.ProcessNumber}))
	redirect(c, processes.ProcessURL(p.UUID))
}

// postedSimulation is the simulator's fields as posted.
func postedSimulation(c *gin.Context) simulations.Values {
	names := simulations.Names()
	v := make(simulations.Values, len(names))
	for _, n := range names {
		if s := strings.TrimSpace(c.PostForm(n)); s != "" {
			v[n] = s
		}
	}
	return v
}

// fieldNames maps the service's field names (borrowers and insurances
// counted in the list sent) back to the form's inputs.
type fieldNames map[string]string

func (m fieldNames) rename(e *models.Error) *models.Error {
	if len(e.Fields) == 0 || len(m) == 0 {
		return e
	}
	out := *e
	out.Fields = make([]models.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if to, ok := m[f.Field]; ok {
			f.Field = to
			out.Fields[i] = f
			continue
		}
		for from, to := range m {
			if strings.HasPrefix(f.Field, from) {
				f.Field = to + strings.TrimPrefix(f.Field, from)
				break
			}
		}
		out.Fields[i] = f
	}
	return &out
}

// simulationInput reads the simulator: every field set (blank is zero),
// so the same input creates and, as a whole, replaces. Only the chosen
// rate type's own fields are read; blank borrowers after the first are
// left out.
func simulationInput(f simulations.Values) (models.SimulationInput, fieldNames, *models.Error) {
	r := formReader{v: processes.Values(f)}
	names := fieldNames{}
	zero, zero64 := func() *int { n := 0; return &n }, func() *int64 { n := int64(0); return &n }
	or := func(p *int) *int {
		if p == nil {
			return zero()
		}
		return p
	}
	or64 := func(p *int64) *int64 {
		if p == nil {
			return zero64()
		}
		return p
	}
	in := models.SimulationInput{
		LoanAmountCents:                or64(r.money("loanAmount")),
		LoanPurposeID:                  or(r.ref("loanPurposeId")),
		ProductPurposeID:               or(r.ref("productPurposeId")),
		RateTypeID:                     or(r.ref("rateTypeId")),
		PropertyValueCents:             or64(r.money("propertyValue")),
		PropertyAcquisitionAmountCents: or64(r.money("propertyAcquisitionAmount")),
		PropertyDistrictID:             or(r.ref("propertyDistrictId")),
		IndexTypeID:                    zero(), MixedFixedPeriodID: zero(), FixedFixedPeriodID: zero(),
	}
	months := r.number("loanDurationMonths")
	if months != nil && f["loanDurationUnit"] != processes.UnitMonths {
		*months *= 12
	}
	in.LoanDurationMonths = or(months)
	switch *in.RateTypeID {
	case simulation.RateVariable:
		in.IndexTypeID = or(r.ref("indexTypeId"))
	case simulation.RateFixed:
		in.FixedFixedPeriodID = or(r.ref("fixedFixedPeriodId"))
	case simulation.RateMixed:
		in.IndexTypeID, in.MixedFixedPeriodID = or(r.ref("indexTypeId")), or(r.ref("mixedFixedPeriodId"))
	}
	bs := []models.SimulationBorrower{}
	for i := 0; i < simulations.MaxBorrowers; i++ {
		if i > 0 && !f.BorrowerUsed(i) {
			continue
		}
		field := func(n string) string { return simulations.BorrowerField(i, n) }
		names["borrowers["+strconv.Itoa(len(bs))+"]."] = field("")
		bs = append(bs, models.SimulationBorrower{Name: f[field("name")], TaxID: strings.ReplaceAll(f[field("taxId")], " ", ""),
			BirthDate: f[field("birthDate")], MonthlyNetIncomeCents: r.cents(field("monthlyNetIncome")),
			MonthlyInstalmentsOtherCreditCents: r.cents(field("monthlyInstalmentsOtherCredit"))})
	}
	in.Borrowers = &bs
	ins := []models.SimulationInsurance{}
	for _, k := range simulations.Insurances {
		premium := r.cents(simulations.InsuranceField(k.Key, "premium"))
		if premium == 0 {
			continue
		}
		names["insurances["+strconv.Itoa(len(ins))+"].monthlyPremium"] = simulations.InsuranceField(k.Key, "premium")
		names["insurances["+strconv.Itoa(len(ins))+"]."] = simulations.InsuranceField(k.Key, "")
		ins = append(ins, models.SimulationInsurance{BankChargeTypeID: k.TypeID, MonthlyPremiumCents: premium,
			Required: f[simulations.InsuranceField(k.Key, "required")] != ""})
	}
	in.Insurances = &ins
	return in, names, r.err()
}
