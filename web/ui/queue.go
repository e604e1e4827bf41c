package ui

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"portal/components/staff"
	"portal/models"
)

// threadQueue is the staff reply queue; "waiting for the bank" first.
func (h *Handlers) threadQueue(c *gin.Context) {
	ctx := c.Request.Context()
	v := staff.QueueView{Filter: models.ReplyQueueFilterKind(c.DefaultQuery("filter", string(models.ReplyQueueWaiting))),
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
	v.Page = h.page(c, staff.T.QueueTitle, "queue")
	h.render(c, status, staff.QueuePage(v))
}
