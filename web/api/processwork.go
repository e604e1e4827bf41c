package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Process Create / Update / Submit / Cancel: the broker's work on a process
// through models.ProcessWorkService (Services.Work). Edits are allowed only
// while the process is "In creation" (409 otherwise); another firm's
// process answers exactly like a missing one.

// processInputJSON is the loan data of Process Create and Update.
type processInputJSON struct {
	LoanAmount         amount `json:"loanAmount"`
	LoanDurationMonths int    `json:"loanDurationMonths"`
	ProductSchemeID    *int   `json:"productSchemeId"`
	LoanPurposeID      *int   `json:"loanPurposeId"`
	ProductPurposeID   *int   `json:"productPurposeId"`
	HasCrossSelling    bool   `json:"hasCrossSelling"`
	BranchID           *int   `json:"branchId"`
}

// newProcessJSON is Process Create's body: the loan data, or a saved
// simulation to open the process from.
type newProcessJSON struct {
	processInputJSON
	SimulationUniqueID string `json:"simulationUniqueId"`
}

func (in processInputJSON) input(v *models.Validation) models.ProcessInput {
	return models.ProcessInput{
		LoanAmountCents: in.LoanAmount.centsOrZero(v, "loanAmount"), LoanDurationMonths: in.LoanDurationMonths,
		ProductSchemeID: in.ProductSchemeID, LoanPurposeID: in.LoanPurposeID, ProductPurposeID: in.ProductPurposeID,
		HasCrossSelling: in.HasCrossSelling, BranchID: in.BranchID,
	}
}

type createdProcessJSON struct {
	OperationStatus OperationStatus `json:"operationStatus"`
	ProcessUniqueID string          `json:"processUniqueID"`
	ProcessNumber   int64           `json:"processNumber"`
}

// createProcess is Process Create: a new process "In creation" for the
// caller's firm. With an Idempotency-Key a retry returns the first answer
// byte for byte and creates nothing.
func (h *Handlers) createProcess(c *gin.Context) {
	var body newProcessJSON
	raw, err := readJSON(c, &body)
	if err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	in.SimulationUUID = body.SimulationUniqueID
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	err = wire.Create(c, h.svc.Idempotency, raw, func(ctx context.Context) (models.StoredResponse, error) {
		p, err := h.svc.Work.CreateProcess(ctx, in)
		if err != nil {
			return models.StoredResponse{}, err
		}
		return wire.Response(http.StatusCreated, createdProcessJSON{
			OperationStatus: success(CodeProcessCreated), ProcessUniqueID: p.UUID, ProcessNumber: p.ProcessNumber,
		}), nil
	})
	if err != nil {
		fail(c, h.log, CategoryProcess, err)
	}
}

// updateProcess is Process Update: the loan data replaced (PUT).
func (h *Handlers) updateProcess(c *gin.Context) {
	var body processInputJSON
	if _, err := readJSON(c, &body); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	if _, err := h.svc.Work.UpdateProcess(c.Request.Context(), processID(c), in); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeProcessUpdated)})
}

// submitProcess is Process Submit: "In creation" to "Submitted". An
// incomplete process is 400 listing every missing field with its code.
func (h *Handlers) submitProcess(c *gin.Context) {
	if err := noBody(c); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	if _, err := h.svc.Work.SubmitProcess(c.Request.Context(), processID(c)); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeProcessSubmitted)})
}

// cancelJSON is Process Cancel's optional body.
type cancelJSON struct {
	CancelReasonID *int   `json:"cancelReasonId"`
	Comment        string `json:"comment"`
}

// cancelProcess is Process Cancel: cancelReasonId (a proposal-cancel-reasons
// id) in the body or the query; the body wins when both are sent.
func (h *Handlers) cancelProcess(c *gin.Context) {
	raw, err := readBody(c)
	if err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	var body cancelJSON
	if len(raw) > 0 {
		if err := decodeStrict(raw, &body); err != nil {
			fail(c, h.log, CategoryProcess, err)
			return
		}
	}
	in := models.CancelInput{Comment: body.Comment}
	switch q, ok := c.GetQuery("cancelReasonId"); {
	case body.CancelReasonID != nil:
		in.ReasonID = *body.CancelReasonID
	case ok:
		n, err := strconv.Atoi(q)
		if err != nil {
			fail(c, h.log, CategoryProcess, models.Invalid("cancelReasonId", "field.integer", models.Args{"Field": "cancelReasonId"}))
			return
		}
		in.ReasonID = n
	}
	if _, err := h.svc.Work.CancelProcess(c.Request.Context(), processID(c), in); err != nil {
		fail(c, h.log, CategoryProcess, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeProcessCancelled)})
}
