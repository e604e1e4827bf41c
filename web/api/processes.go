package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

type processSummaryJSON struct {
	ProcessUniqueID          string  `json:"processUniqueID"`
	ProcessNumber            int64   `json:"processNumber"`
	ProcessStatusID          int     `json:"processStatusID"`
	ProcessStatusDescription string  `json:"processStatusDescription"`
	KeyBorrowerName          string  `json:"keyBorrowerName"`
	LoanAmount               float64 `json:"loanAmount"`
	CreationDate             string  `json:"creationDate"`
	LastActionDate           string  `json:"lastActionDate"`
}

type processListJSON struct {
	Processes      []processSummaryJSON `json:"processes"`
	TotalRecords   int64                `json:"totalRecords"`
	HasMoreResults bool                 `json:"hasMoreResults"`
	// Cursors to pass back as nextRecord / previousRecord; absent at the ends.
	NextRecord     string `json:"nextRecord,omitempty"`
	PreviousRecord string `json:"previousRecord,omitempty"`
}

// listFields renames the service's field names to this operation's
// parameters in error answers.
var listFields = map[string]string{
	"q": "filterByText", "status": "filterProcessStatus", "limit": "lineCount",
	"after": "nextRecord", "before": "previousRecord", "to": "filterStatusLastDateTo",
}

func renameFields(err error, names map[string]string) error {
	e := models.AsError(err)
	for i, f := range e.Fields {
		if n, ok := names[f.Field]; ok {
			e.Fields[i].Field = n
		}
	}
	return e
}

// parseDate accepts YYYY-MM-DD (a whole UTC day) or an RFC 3339 time.
// end moves a plain date to the next midnight, for an exclusive upper bound.
func parseDate(v string, end bool) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), true
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

func queryInt(c *gin.Context, name string, v *models.Validation) int {
	s := c.Query(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(name, "field.integer", models.Args{"Field": name})
	}
	return n
}

// listProcesses is Process List: the firm's processes, newest activity
// first, keyset paged with lineCount / nextRecord / previousRecord.
func (h *Handlers) listProcesses(c *gin.Context) {
	var v models.Validation
	f := models.ProcessFilter{
		Search: c.Query("filterByText"),
		After:  c.Query("nextRecord"),
		Before: c.Query("previousRecord"),
	}
	f.StatusID = queryInt(c, "filterProcessStatus", &v)
	if c.Query("lineCount") != "" {
		// One error per field: a lineCount that is not a number is not
		// also reported as out of range.
		before := len(v.Fields)
		if f.Limit = queryInt(c, "lineCount", &v); f.Limit < 1 && len(v.Fields) == before {
			v.Add("lineCount", "field.range", models.Args{"Field": "lineCount", "Min": 1, "Max": models.MaxProcessPageSize})
		}
	}
	var ok bool
	if f.LastActionFrom, ok = parseDate(c.Query("filterStatusLastDateFrom"), false); !ok {
		v.Add("filterStatusLastDateFrom", "field.date", nil)
	}
	if f.LastActionTo, ok = parseDate(c.Query("filterStatusLastDateTo"), true); !ok {
		v.Add("filterStatusLastDateTo", "field.date", nil)
	}
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	page, err := h.svc.Processes.ListProcesses(c.Request.Context(), f)
	if err != nil {
		fail(c, h.log, CategoryProcess, renameFields(err, listFields))
		return
	}
	status, err := h.statusNames(c)
	if err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	out := processListJSON{Processes: make([]processSummaryJSON, 0, len(page.Items)), TotalRecords: page.Total,
		HasMoreResults: page.NextCursor != "", NextRecord: page.NextCursor, PreviousRecord: page.PrevCursor}
	for _, p := range page.Items {
		out.Processes = append(out.Processes, processSummaryJSON{
			ProcessUniqueID: p.UUID, ProcessNumber: p.ProcessNumber, ProcessStatusID: p.StatusID,
			ProcessStatusDescription: status(p.StatusID), KeyBorrowerName: p.KeyBorrowerName,
			LoanAmount: euros(p.LoanAmountCents), CreationDate: wire.Timestamp(p.CreatedAt), LastActionDate: wire.Timestamp(p.LastActionAt),
		})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// statusNames describes workflow states in the request's language, from
// the taxonomy (read once, then from memory).
func (h *Handlers) statusNames(c *gin.Context) (func(id int) string, error) {
	tax, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		return nil, err
	}
	lang := language(c.GetHeader("Accept-Language"))
	return func(id int) string { return tax.StatusDescription(id, lang) }, nil
}

// euros turns cents into the API's decimal amount.
func euros(cents int64) float64 { return float64(cents) / 100 }

type processDetailJSON struct {
	ProcessUniqueID           string  `json:"processUniqueID"`
	ProcessNumber             int64   `json:"processNumber"`
	SimulationUniqueID        *string `json:"simulationUniqueID"`
	SimulationNumber          *int64  `json:"simulationNumber"`
	CreationDate              string  `json:"creationDate"`
	LastActionDate            string  `json:"lastActionDate"`
	BranchID                  *int    `json:"branchID"`
	BranchDescription         *string `json:"branchDescription"`
	ProcessStatusID           int     `json:"processStatusID"`
	ProcessStatusDescription  string  `json:"processStatusDescription"`
	KeyBorrowerName           string  `json:"keyBorrowerName"`
	LoanAmount                float64 `json:"loanAmount"`
	LoanDurationMonths        int     `json:"loanDurationMonths"`
	ProductSchemeID           *int    `json:"productSchemeID"`
	ProductSchemeDescription  *string `json:"productSchemeDescription"`
	LoanPurposeID             *int    `json:"loanPurposeID"`
	LoanPurposeDescription    *string `json:"loanPurposeDescription"`
	ProductPurposeID          *int    `json:"productPurposeID"`
	ProductPurposeDescription *string `json:"productPurposeDescription"`
	HasCrossSelling           bool    `json:"hasCrossSelling"`
}

// getProcess is Process Detail. Another firm's process is the same 404 as
// a missing one. The bank has no list of its branches in the taxonomy yet:
// branchDescription is null.
func (h *Handlers) getProcess(c *gin.Context) {
	dt, err := h.svc.Processes.GetProcess(c.Request.Context(), processID(c))
	if err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	p := dt.Process
	wire.WriteJSON(c, http.StatusOK, processDetailJSON{
		ProcessUniqueID: p.UUID, ProcessNumber: p.ProcessNumber, SimulationUniqueID: p.SimulationUUID,
		SimulationNumber: p.SimulationNumber, CreationDate: wire.Timestamp(p.CreatedAt), LastActionDate: wire.Timestamp(p.LastActionAt),
		BranchID: p.BranchID, ProcessStatusID: p.StatusID, ProcessStatusDescription: d.tax.StatusDescription(p.StatusID, d.lang),
		KeyBorrowerName: p.KeyBorrowerName, LoanAmount: euros(p.LoanAmountCents), LoanDurationMonths: p.LoanDurationMonths,
		ProductSchemeID: p.ProductSchemeID, ProductSchemeDescription: d.of("product-schemes", p.ProductSchemeID),
		LoanPurposeID: p.LoanPurposeID, LoanPurposeDescription: d.of("loan-purposes", p.LoanPurposeID),
		ProductPurposeID: p.ProductPurposeID, ProductPurposeDescription: d.of("product-purposes", p.ProductPurposeID),
		HasCrossSelling: p.HasCrossSelling,
	})
}

// processID is the path's process id; the API documents
// {processUniqueId} and ids are case-insensitive UUIDs.
func processID(c *gin.Context) string { return strings.TrimSpace(c.Param("processUniqueId")) }
