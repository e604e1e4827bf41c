package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/components/simulations"
	"portal/components/threads"
	"portal/models"
	"portal/models/simulation"
	"portal/web/session"
)

// The simulation page (/simulations/:id) and its ESIS: issue (the PDF
// as a download), send by e-mail, the stored issues' downloads.

// maxEsisEmailBody caps the "send by e-mail" form.
const maxEsisEmailBody = 4 << 10

// simPageExtras are the page's forms and notices in a refused state.
type simPageExtras struct {
	refusal     string
	rulesFailed []simulation.RuleResult
	email       *simulations.Form
	compose     threads.ComposeView
}

func (h *Handlers) showSimulation(c *gin.Context) {
	h.simulationPage(c, http.StatusOK, nil, simPageExtras{})
}

// simulationPage renders the simulation page (sim when already loaded).
func (h *Handlers) simulationPage(c *gin.Context, status int, sim *models.Simulation, x simPageExtras) {
	ctx := c.Request.Context()
	id := c.Param("id")
	var err error
	if sim == nil {
		if sim, err = h.svc.Simulations.GetSimulation(ctx, id); err != nil {
			h.fail(c, err)
			return
		}
	}
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	viewer := models.PrincipalFrom(ctx)
	v := simulations.DetailView{Tax: tax, Simulation: sim, Esis: sim.Esis(time.Now()),
		StatusName: tax.Description(models.TaxonomySimulationStates, sim.StatusID, descLang(ctx)),
		CanEdit:    viewer.IsBroker(), HasEsis: h.svc.Esis != nil,
		Refusal: x.refusal, RulesFailed: x.rulesFailed, EmailForm: x.email}
	if h.svc.Esis != nil {
		if v.Issues, err = h.svc.Esis.ListEsis(ctx, sim.UUID); err != nil {
			h.fail(c, err)
			return
		}
	}
	if h.svc.SimulationMessages != nil {
		page, err := h.svc.SimulationMessages.SimulationThreadPage(ctx, sim.UUID, models.ThreadQuery{Before: c.Query("before"), MarkRead: true})
		if err != nil {
			if _, _, ok := refusal(c, err); !ok {
				h.fail(c, err)
				return
			}
			// A stale cursor: the newest page instead.
			if page, err = h.svc.SimulationMessages.SimulationThreadPage(ctx, sim.UUID, models.ThreadQuery{MarkRead: true}); err != nil {
				h.fail(c, err)
				return
			}
		}
		base := simulations.URL(sim.UUID)
		compose := x.compose
		compose.Base = base
		v.Thread = &threads.ThreadView{Base: base, Page: page, Viewer: viewer, Compose: compose}
	}
	v.Page = h.page(c, simulations.Heading(ctx, sim.SimulationNumber), "simulations")
	h.render(c, status, simulations.DetailPage(v))
}

func esisOptions(c *gin.Context) models.EsisOptions {
	o := models.EsisOptions{IgnoreRules: c.PostForm("ignoreRules") == "true", Lang: string(i18n.PT)}
	if i18n.From(c.Request.Context()) == i18n.EN {
		o.Lang = models.LangEN
	}
	return o
}

// issueEsis issues the ESIS and answers the PDF as a download; failing
// rules are shown on the page with "issue anyway".
func (h *Handlers) issueEsis(c *gin.Context) {
	if h.svc.Esis == nil {
		h.NotFound(c)
		return
	}
	e, err := h.svc.Esis.IssueSimulationEsis(c.Request.Context(), c.Param("id"), esisOptions(c))
	if err != nil {
		h.esisRefused(c, err, nil)
		return
	}
	h.sendEsis(c, e)
}

// emailEsis issues the ESIS and queues it to the address given.
func (h *Handlers) emailEsis(c *gin.Context) {
	if h.svc.Esis == nil {
		h.NotFound(c)
		return
	}
	ctx := c.Request.Context()
	addr := strings.TrimSpace(c.PostForm("sendAddress"))
	f := simulations.Form{Values: simulations.Values{"sendAddress": addr, "ignoreRules": c.PostForm("ignoreRules")}}
	if addr == "" {
		f.Error = models.AsError(models.Invalid("sendAddress", "field.required", models.Args{"Field": "sendAddress"}))
		h.simulationPage(c, http.StatusUnprocessableEntity, nil, simPageExtras{email: &f})
		return
	}
	if _, err := h.svc.Esis.EmailSimulationEsis(ctx, c.Param("id"), esisOptions(c), addr); err != nil {
		h.esisRefused(c, err, &f)
		return
	}
	h.simulationDone(c, c.Param("id"), i18n.T(ctx, "sim.esis_sent", map[string]any{"Address": addr}))
}

// esisRefused shows a refused issue on the page: the failing rules (with
// "issue anyway"), a wrong address next to its field, a status that
// allows no ESIS as a notice.
func (h *Handlers) esisRefused(c *gin.Context, err error, email *simulations.Form) {
	ctx := c.Request.Context()
	e := models.AsError(err)
	switch e.Code {
	case models.CodeInvalid:
		x := simPageExtras{email: email}
		var sim *models.Simulation
		if e.Key == "esis.rules_failed" {
			if sim, err = h.svc.Simulations.GetSimulation(ctx, c.Param("id")); err != nil {
				h.fail(c, err)
				return
			}
			x.rulesFailed = failedRules(sim, e)
			x.email = nil
		} else if email != nil {
			email.Error = e
		} else {
			x.refusal = i18n.Refusal(ctx, e)
		}
		h.simulationPage(c, http.StatusUnprocessableEntity, sim, x)
	case models.CodeConflict:
		h.simulationPage(c, http.StatusConflict, nil, simPageExtras{refusal: i18n.Refusal(ctx, e)})
	default:
		h.fail(c, err)
	}
}

// failedRules are the rules a refusal names, with their figures from the
// simulation's last check when it has them.
func failedRules(sim *models.Simulation, e *models.Error) []simulation.RuleResult {
	checked := sim.Validation
	if checked == nil { // not stored: the same rules on the stored figures
		checked = simulation.Rules(sim.Input, sim.Result, sim.Pricing.Product())
	}
	var out []simulation.RuleResult
	for _, f := range e.Fields {
		code := strings.TrimPrefix(f.Field, "rules.")
		r := simulation.RuleResult{Code: code}
		for _, s := range checked {
			if s.Code == code {
				r = s
			}
		}
		r.Passed = false
		out = append(out, r)
	}
	return out
}

// downloadEsis is one stored issue's PDF.
func (h *Handlers) downloadEsis(c *gin.Context) {
	if h.svc.Esis == nil {
		h.NotFound(c)
		return
	}
	e, err := h.svc.Esis.GetEsis(c.Request.Context(), c.Param("esis_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	if e.SimulationUUID != c.Param("id") {
		h.NotFound(c)
		return
	}
	h.sendEsis(c, e)
}

func (h *Handlers) sendEsis(c *gin.Context, e *models.EsisIssue) {
	name := i18n.T(c.Request.Context(), "sim.esis_file", map[string]any{"Number": strconv.FormatInt(e.SimulationNumber, 10)})
	hd := c.Writer.Header()
	hd.Set("Content-Disposition", attachment(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", e.PDF)
}

// The simulation's thread: as the process thread (messages.go), on the
// simulation's page.

func (h *Handlers) postSimulationMessage(c *gin.Context) {
	if h.svc.SimulationMessages == nil {
		h.NotFound(c)
		return
	}
	ctx := c.Request.Context()
	id := c.Param("id")
	base := simulations.URL(id)
	in := models.NewMessage{Subject: c.PostForm("subject"), Text: c.PostForm("text")}
	if _, err := h.svc.SimulationMessages.PostSimulationMessage(ctx, id, in); err != nil {
		_, status, ok := refusal(c, err)
		if !ok {
			h.fail(c, err)
			return
		}
		compose := threads.ComposeView{Base: base, Subject: in.Subject, Text: in.Text, Error: models.AsError(err), Autofocus: true}
		if isFragment(c) {
			h.render(c, status, threads.Compose(compose))
			return
		}
		h.simulationPage(c, status, nil, simPageExtras{compose: compose})
		return
	}
	if !isFragment(c) {
		_ = session.SetFlash(c, base, i18n.T(ctx, "threads.sent"))
		redirect(c, base+"#thread")
		return
	}
	msgs, err := h.svc.SimulationMessages.SimulationMessagesSince(ctx, id, models.SinceQuery{After: c.PostForm("after")})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, threads.Posted(threads.ComposeView{Base: base, Autofocus: true}, h.simAppended(c, id, msgs)))
}

func (h *Handlers) simAppended(c *gin.Context, id string, msgs []models.Message) threads.MessagesView {
	v := threads.MessagesView{Base: simulations.URL(id), Messages: msgs, Viewer: models.PrincipalFrom(c.Request.Context())}
	if len(msgs) > 0 {
		v.After = msgs[len(msgs)-1].UUID
	}
	return v
}

// simulationMessagesSince is the thread's poll (204 when nothing is new).
func (h *Handlers) simulationMessagesSince(c *gin.Context) {
	if h.svc.SimulationMessages == nil {
		h.NotFound(c)
		return
	}
	id := c.Param("id")
	msgs, err := h.svc.SimulationMessages.SimulationMessagesSince(c.Request.Context(), id, models.SinceQuery{After: c.Query("after"), MarkRead: true})
	if err != nil {
		h.fail(c, err)
		return
	}
	if len(msgs) == 0 {
		c.Status(http.StatusNoContent)
		return
	}
	h.render(c, http.StatusOK, threads.Appended(h.simAppended(c, id, msgs)))
}

// olderSimulationMessages is a page of older messages (htmx); without
// JavaScript the simulation page with the cursor.
func (h *Handlers) olderSimulationMessages(c *gin.Context) {
	if h.svc.SimulationMessages == nil {
		h.NotFound(c)
		return
	}
	id := c.Param("id")
	base := simulations.URL(id)
	before := c.Query("before")
	if !isFragment(c) {
		redirect(c, base+"?before="+url.QueryEscape(before)+"#thread")
		return
	}
	page, err := h.svc.SimulationMessages.SimulationThreadPage(c.Request.Context(), id, models.ThreadQuery{Before: before})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, threads.Older(threads.OlderView{Base: base, Page: page, Viewer: models.PrincipalFrom(c.Request.Context())}))
}
