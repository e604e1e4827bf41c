package ui

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/components/replyqueue"
	"portal/models"
)

// replyQueue is the staff reply queue (GET /staff/threads); "waiting for
// the bank" first.
func (h *Handlers) replyQueue(c *gin.Context) {
	ctx := c.Request.Context()
	firms, err := h.svc.Messages.ReplyQueueFirms(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v, status, ok := h.replyQueueView(c)
	if !ok {
		return
	}
	v.Firms = firms
	v.Page = h.page(c, i18n.T(ctx, "replyqueue.title"), "queue")
	h.render(c, status, replyqueue.ReplyQueuePage(v))
}

// replyQueueList is the queue's list and tabs alone (GET
// /staff/threads/list): the page's refresh, an htmx poll marked as
// background. Without htmx it is the page.
func (h *Handlers) replyQueueList(c *gin.Context) {
	if !isFragment(c) {
		target := replyqueue.URL
		if q := c.Request.URL.RawQuery; q != "" {
			target += "?" + q
		}
		redirect(c, target)
		return
	}
	v, status, ok := h.replyQueueView(c)
	if !ok {
		return
	}
	h.render(c, status, replyqueue.Refresh(v))
}

// replyQueueView reads the queue's filters and loads the page of threads
// and the tabs' counts; a refused filter is shown in place (ok with the
// status), any other failure is answered here (not ok).
func (h *Handlers) replyQueueView(c *gin.Context) (v replyqueue.ReplyQueueView, status int, ok bool) {
	ctx := c.Request.Context()
	v = replyqueue.ReplyQueueView{Filter: models.ReplyQueueFilterKind(c.DefaultQuery("filter", string(models.ReplyQueueWaiting))),
		Firm: c.Query("firm"), After: c.Query("after"), Now: time.Now()}
	page, err := h.svc.Messages.ReplyQueue(ctx, models.ReplyQueueFilter{Filter: v.Filter, FirmUID: v.Firm, After: v.After})
	if err == nil {
		v.Counts, err = h.svc.Messages.ReplyQueueCounts(ctx, v.Firm)
	}
	if err != nil {
		if v.Error, status, ok = refusal(c, err); !ok {
			h.fail(c, err)
		}
		return v, status, ok
	}
	v.Result = page
	return v, http.StatusOK, true
}
