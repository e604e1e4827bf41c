package ui

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/callbacks"
	"portal/components/i18n"
	"portal/components/processes"
	"portal/components/threads"
	"portal/models"
)

func (h *Handlers) listProcesses(c *gin.Context) {
	p := models.PrincipalFrom(c.Request.Context())
	v := processes.ListView{Q: c.Query("q"), ShowFirm: p.IsStaff(), Now: time.Now()}
	status, ok := h.loadProcessList(c, &v, models.ProcessFilter{})
	if !ok {
		return
	}
	if isFragment(c) {
		h.render(c, status, processes.Results(v))
		return
	}
	// One query, for brokers only; the notice shows only when the service
	// reports disabled callbacks.
	if p.IsBroker() {
		subs, err := h.svc.Callbacks.DisabledCallbacks(c.Request.Context())
		if err != nil {
			h.fail(c, err)
			return
		}
		if len(subs) > 0 {
			tax, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
			if err != nil {
				h.fail(c, err)
				return
			}
			v.Callbacks = callbacks.NoticeView{Tax: tax, Subs: subs}
		}
	}
	v.Page = h.page(c, i18n.T(c.Request.Context(), "processes.list_title"), "processes")
	h.render(c, status, processes.ListPage(v))
}

// loadProcessList fills v with the page of processes f selects, the page's
// search, status and cursors read from the query; a refused filter is
// shown in place (ok with the status), any other failure is answered here
// (not ok). The broker list and the staff list (staff_processes.go) share it.
func (h *Handlers) loadProcessList(c *gin.Context, v *processes.ListView, f models.ProcessFilter) (int, bool) {
	status := http.StatusOK
	if s := c.Query("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		v.Status = n
	}
	f.Search, f.StatusID, f.After, f.Before = v.Q, v.Status, c.Query("after"), c.Query("before")
	page, err := h.svc.Processes.ListProcesses(c.Request.Context(), f)
	if err != nil {
		var ok bool
		if v.Error, status, ok = refusal(c, err); !ok {
			h.fail(c, err)
			return 0, false
		}
		if v.Status < 0 {
			v.Status = 0
		}
	}
	v.Result = page
	if v.Statuses, v.StatusNames, err = h.statusOptions(c); err != nil {
		h.fail(c, err)
		return 0, false
	}
	if page != nil && len(page.Items) > 0 {
		ids := make([]string, len(page.Items))
		for i, it := range page.Items {
			ids[i] = it.UUID
		}
		if v.Unread, err = h.svc.Messages.UnreadCounts(c.Request.Context(), ids); err != nil {
			h.fail(c, err)
			return 0, false
		}
	}
	return status, true
}

// showProcess renders the process page with its thread (the newest page,
// or an older one with ?before=) and marks the thread read.
func (h *Handlers) showProcess(c *gin.Context) {
	h.processPage(c, http.StatusOK, threads.ComposeView{})
}

func (h *Handlers) processPage(c *gin.Context, status int, compose threads.ComposeView) {
	h.processPageWith(c, status, pageExtras{compose: compose})
}

// pageExtras are the process page's forms in a refused state: the
// thread's compose form, the broker's cancel form.
type pageExtras struct {
	compose threads.ComposeView
	cancel  *processes.Form
}

func (h *Handlers) processPageWith(c *gin.Context, status int, x pageExtras) {
	compose := x.compose
	ctx := c.Request.Context()
	id := c.Param("id")
	d, page, err := h.svc.Processes.ProcessPage(ctx, id, models.ThreadQuery{Before: c.Query("before"), MarkRead: true})
	if err != nil {
		h.fail(c, err)
		return
	}
	compose.ProcessUUID = id
	v := processes.DetailView{Detail: d, Thread: threads.ThreadView{
		ProcessUUID: id, Page: page, Viewer: models.PrincipalFrom(ctx), Compose: compose,
	}}
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	lang := descLang(ctx)
	v.StatusNames = statusNames(tax, lang)
	v.Tax, v.Viewer = tax, models.PrincipalFrom(ctx)
	if x.cancel != nil { // the broker's cancel form, refused
		v.Cancel, v.CancelOpen = *x.cancel, true
	}
	v.LoanPurpose = describe(tax, "loan-purposes", d.Process.LoanPurposeID, lang)
	v.ProductScheme = describe(tax, "product-schemes", d.Process.ProductSchemeID, lang)
	v.ProductPurpose = describe(tax, "product-purposes", d.Process.ProductPurposeID, lang)
	if d.Property != nil {
		v.Typology = describe(tax, "property-typologies", d.Property.PropertyTypologyID, lang)
	}
	if v.Decide, err = h.decidePanel(c, d, tax); err != nil { // staff only (decide.go)
		h.fail(c, err)
		return
	}
	if v.Documents, err = h.documentsView(c, d, tax); err != nil { // documents.go
		h.fail(c, err)
		return
	}
	v.Page = h.page(c, processes.Heading(ctx, d.Process.ProcessNumber), "processes")
	if models.PrincipalFrom(ctx).IsStaff() {
		v.Page.Active = "queue"
	}
	h.render(c, status, processes.DetailPage(v))
}

// descLang is the language of the reference lists' descriptions (status
// names, loan purposes…) for the request: the page's language.
func descLang(ctx context.Context) string {
	if i18n.From(ctx) == i18n.EN {
		return models.LangEN
	}
	return models.LangPT
}

// statusOptions are the workflow states for the status filter and their
// descriptions for the rows, from the taxonomy the partner API serves too.
func (h *Handlers) statusOptions(c *gin.Context) ([]processes.Option, components.StatusNames, error) {
	tax, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		return nil, nil, err
	}
	l, err := tax.List(models.TaxonomyProcessStates)
	if err != nil {
		return nil, nil, err
	}
	lang := descLang(c.Request.Context())
	opts := make([]processes.Option, 0, len(l.Items))
	for _, it := range l.Items {
		opts = append(opts, processes.Option{ID: it.ID, Label: it.Description(lang)})
	}
	return opts, statusNames(tax, lang), nil
}

// statusNames describes every workflow state in lang.
func statusNames(tax *models.Taxonomy, lang string) components.StatusNames {
	names := components.StatusNames{}
	for _, id := range models.ProcessStatusIDs {
		names[id] = tax.StatusDescription(id, lang)
	}
	return names
}

// describe is the description of a reference value in lang, "" when unset.
func describe(tax *models.Taxonomy, list string, id *int, lang string) string {
	if id == nil {
		return ""
	}
	return tax.Description(list, *id, lang)
}
