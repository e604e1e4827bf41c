package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/components/processes"
	"portal/components/threads"
	"portal/models"
	"portal/web/session"
)

// maxDecisionBody bounds a decision's form: a comment of
// models.MaxTransitionComment characters (4 bytes each at most, percent-
// encoded) and three numbers.
const maxDecisionBody = 64 << 10

// decideFormKey holds a refused decision for the re-rendered process page.
const decideFormKey = "ui.decideForm"

// decideForm is a posted decision and why it was refused.
type decideForm struct {
	in       models.ProcessTransition
	conflict string // the refusal's key when the process had moved or the move is not allowed
	err      *models.Error
}

// formStatus reads a status id field: missing or malformed is -1, which the
// service refuses (0 would skip the check of the status the page showed).
func formStatus(c *gin.Context, name string) int {
	n, err := strconv.Atoi(c.PostForm(name))
	if err != nil {
		return -1
	}
	return n
}

// decideProcess is a bank decision (POST /processes/:id/status, staff):
// the move from the status the page showed (fromStatusId) to toStatusId,
// with reasonId and comment. Done, back to the process page with a flash;
// refused (someone decided first, a move not offered, a missing reason),
// the page again with the current status, the message and the form as
// posted.
func (h *Handlers) decideProcess(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	in := models.ProcessTransition{FromStatusID: formStatus(c, "fromStatusId"), ToStatusID: formStatus(c, "toStatusId"),
		Comment: c.PostForm("comment")}
	if r := c.PostForm("reasonId"); r != "" {
		if in.ReasonID, _ = strconv.Atoi(r); in.ReasonID <= 0 {
			in.ReasonID = -1
		}
	}
	p, err := h.svc.Work.MoveProcess(ctx, id, in)
	if err == nil {
		tax, terr := h.svc.Taxonomy.Taxonomy(ctx)
		if terr != nil {
			h.fail(c, terr)
			return
		}
		msg := i18n.T(ctx, "staffprocesses.moved", map[string]any{"Status": tax.StatusDescription(p.StatusID, descLang(ctx))})
		_ = session.SetFlash(c, processes.ProcessURL(id), msg)
		redirect(c, processes.ProcessURL(id))
		return
	}
	e := models.AsError(err)
	form := &decideForm{in: in, err: e}
	status := http.StatusUnprocessableEntity
	switch e.Code {
	case models.CodeConflict:
		form.conflict, status = e.Key, http.StatusConflict
	case models.CodeInvalid:
	default:
		h.fail(c, err)
		return
	}
	c.Set(decideFormKey, form)
	h.processPage(c, status, threads.ComposeView{})
}

// decidePanel is the decision panel of the process page for staff (nil for
// everyone else): the moves from the process's current status and, after a
// refused decision, the form as posted.
func (h *Handlers) decidePanel(c *gin.Context, d *models.ProcessDetail, tax *models.Taxonomy) (*processes.DecideView, error) {
	ctx := c.Request.Context()
	who := models.PrincipalFrom(ctx)
	if !who.IsStaff() {
		return nil, nil
	}
	lang := descLang(ctx)
	v := &processes.DecideView{ProcessUUID: d.Process.UUID, StatusID: d.Process.StatusID}
	reasons := func(list string) ([]processes.Option, error) {
		l, err := tax.List(list)
		if err != nil {
			return nil, err
		}
		out := make([]processes.Option, 0, len(l.Items))
		for _, it := range l.Items {
			out = append(out, processes.Option{ID: it.ID, Label: it.Description(lang)})
		}
		return out, nil
	}
	for _, to := range models.NextStatuses(d.Process.StatusID, who.Kind) {
		m := processes.Move{StatusID: to, Label: tax.StatusDescription(to, lang)}
		var err error
		switch to {
		case models.StatusRejected:
			m.Reasons, err = reasons(models.TaxonomyRejectReasons)
		case models.StatusCancelled:
			m.Reasons, err = reasons(models.TaxonomyCancelReasons)
		}
		if err != nil {
			return nil, err
		}
		v.Moves = append(v.Moves, m)
	}
	f, _ := c.Get(decideFormKey)
	form, _ := f.(*decideForm)
	if form == nil {
		return v, nil
	}
	v.Posted, v.Comment, v.Reason = form.in.ToStatusID, form.in.Comment, form.in.ReasonID
	current := map[string]any{"Status": tax.StatusDescription(d.Process.StatusID, lang)}
	switch {
	case form.conflict == "process.moved":
		v.Error = i18n.T(ctx, "staffprocesses.conflict_moved", current)
	case form.conflict != "":
		v.Error = i18n.T(ctx, "staffprocesses.conflict_not_allowed", current)
	}
	asksReason := false // the posted move's form has a reason to choose
	for _, m := range v.Moves {
		asksReason = asksReason || m.StatusID == v.Posted && len(m.Reasons) > 0
	}
	for _, fe := range form.err.Fields {
		switch {
		case fe.Field == "reasonId" && asksReason:
			v.ReasonError = i18n.T(ctx, "staffprocesses.reason_required")
		case fe.Field == "comment":
			v.CommentError = i18n.Field(ctx, fe)
		default:
			if v.Error == "" {
				v.Error = i18n.Field(ctx, fe)
			}
		}
	}
	if form.err.Code == models.CodeInvalid && len(form.err.Fields) == 0 {
		v.Error = i18n.Refusal(ctx, form.err)
	}
	open := false
	for i := range v.Moves {
		if v.Moves[i].StatusID == v.Posted {
			v.Moves[i].Open, open = true, true
		}
	}
	if !open && len(v.Moves) > 0 {
		v.Moves[0].Open = true
	}
	return v, nil
}
