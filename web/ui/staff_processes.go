package ui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/components/processes"
	"portal/models"
)

// staffProcesses is the bank's process list (GET /staff/processes): every
// firm's processes, filtered by status, firm (?firm=<firm UUID>), waiting
// time (?idle=<days>: no action for more than that) and the search; the
// rows and paging are the broker list's.
func (h *Handlers) staffProcesses(c *gin.Context) {
	ctx := c.Request.Context()
	v := processes.ListView{Q: c.Query("q"), ShowFirm: true, Path: processes.StaffListURL, Firm: c.Query("firm"), Now: time.Now()}
	f := models.ProcessFilter{FirmUUID: v.Firm}
	idleRefused := false
	if s := c.Query("idle"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && processes.ValidIdle(n) {
			v.Idle = n
			f.LastActionTo = time.Now().Add(-time.Duration(n) * 24 * time.Hour)
		} else {
			idleRefused = true
		}
	}
	status, ok := h.loadProcessList(c, &v, f)
	if !ok {
		return
	}
	if idleRefused && v.Error == "" {
		v.Error, v.Result, status = i18n.T(ctx, "staffprocesses.idle_unknown"), nil, http.StatusBadRequest
	}
	if isFragment(c) {
		h.render(c, status, processes.Results(v))
		return
	}
	firms, err := h.svc.Messages.ReplyQueueFirms(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v.Firms = firms
	v.Page = h.page(c, i18n.T(ctx, "staffprocesses.title"), "processes")
	h.render(c, status, processes.StaffListPage(v))
}
