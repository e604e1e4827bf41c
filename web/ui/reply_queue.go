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
	v := replyqueue.ReplyQueueView{Filter: models.ReplyQueueFilterKind(c.DefaultQuery("filter", string(models.ReplyQueueWaiting))),
		Firm: c.Query("firm"), Now: time.Now()}
	status := http.StatusOK
	firms, err := h.svc.Messages.ReplyQueueFirms(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v.Firms = firms
	page, err := h.svc.Messages.ReplyQueue(ctx, models.ReplyQueueFilter{Filter: v.Filter, FirmUID: v.Firm, After: c.Query("after")})
	if err != nil {
		var ok bool
		if v.Error, status, ok = refusal(c, err); !ok {
			h.fail(c, err)
			return
		}
	}
	v.Result = page
	v.Page = h.page(c, i18n.T(ctx, "replyqueue.title"), "queue")
	h.render(c, status, replyqueue.ReplyQueuePage(v))
}
