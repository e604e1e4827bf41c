package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/components/processes"
	"portal/models"
)

func (h *Handlers) listProcesses(c *gin.Context) {
	p := models.PrincipalFrom(c.Request.Context())
	v := processes.ListView{Q: c.Query("q"), ShowFirm: p.IsStaff()}
	status := http.StatusOK
	if s := c.Query("status"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		v.Status = n
	}
	page, err := h.svc.Processes.ListProcesses(c.Request.Context(), models.ProcessFilter{
		Search: v.Q, StatusID: v.Status, After: c.Query("after"), Before: c.Query("before"),
	})
	if err != nil {
		e := models.AsError(err)
		if e.Code != models.CodeInvalid {
			h.fail(c, err)
			return
		}
		v.Error = e.Fields[0].Message
		status = http.StatusBadRequest
		if v.Status < 0 {
			v.Status = 0
		}
	}
	v.Result = page
	if isFragment(c) {
		h.render(c, status, processes.Results(v))
		return
	}
	v.Page = h.page(c, processes.T.ListTitle, "processes")
	h.render(c, status, processes.ListPage(v))
}

func (h *Handlers) showProcess(c *gin.Context) {
	d, err := h.svc.Processes.GetProcess(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	v := processes.DetailView{Detail: d}
	v.Page = h.page(c, processes.T.ProcessHeading(d.Process.ProcessNumber), "processes")
	h.render(c, http.StatusOK, processes.DetailPage(v))
}
