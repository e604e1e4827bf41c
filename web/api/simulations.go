package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Simulation List / Create / Detail / Update / Cancel / Validate over
// models.SimulationService. Create and Update (PATCH) take the same body;
// on PATCH an absent or null field keeps the stored value, and borrowers
// or insurances, when sent, replace the whole list. Another firm's
// simulation answers exactly like a missing one.

type simulationBorrowerInJSON struct {
	Name                          string `json:"name"`
	TaxID                         string `json:"taxId"`
	BirthDate                     string `json:"birthDate"`
	MonthlyNetIncome              amount `json:"monthlyNetIncome"`
	MonthlyInstalmentsOtherCredit amount `json:"monthlyInstalmentsOtherCredit"`
}

type simulationInsuranceInJSON struct {
	BankChargeTypeID int    `json:"bankChargeTypeId"`
	MonthlyPremium   amount `json:"monthlyPremium"`
	Required         bool   `json:"required"`
}

type simulationInputJSON struct {
	LoanAmount                amount                       `json:"loanAmount"`
	LoanDurationMonths        *int                         `json:"loanDurationMonths"`
	LoanPurposeID             *int                         `json:"loanPurposeId"`
	ProductPurposeID          *int                         `json:"productPurposeId"`
	ProductSchemeID           *int                         `json:"productSchemeId"`
	RateTypeID                *int                         `json:"rateTypeId"`
	IndexTypeID               *int                         `json:"indexTypeId"`
	MixedFixedPeriodID        *int                         `json:"mixedFixedPeriodId"`
	FixedFixedPeriodID        *int                         `json:"fixedFixedPeriodId"`
	PropertyValue             amount                       `json:"propertyValue"`
	PropertyAcquisitionAmount amount                       `json:"propertyAcquisitionAmount"`
	PropertyDistrictID        *int                         `json:"propertyDistrictId"`
	Borrowers                 *[]simulationBorrowerInJSON  `json:"borrowers"`
	Insurances                *[]simulationInsuranceInJSON `json:"insurances"`
}

func (in simulationInputJSON) input(v *models.Validation) models.SimulationInput {
	out := models.SimulationInput{
		LoanAmountCents: in.LoanAmount.centsPtr(v, "loanAmount"), LoanDurationMonths: in.LoanDurationMonths,
		LoanPurposeID: in.LoanPurposeID, ProductPurposeID: in.ProductPurposeID, ProductSchemeID: in.ProductSchemeID,
		RateTypeID: in.RateTypeID, IndexTypeID: in.IndexTypeID, MixedFixedPeriodID: in.MixedFixedPeriodID,
		FixedFixedPeriodID: in.FixedFixedPeriodID, PropertyValueCents: in.PropertyValue.centsPtr(v, "propertyValue"),
		PropertyAcquisitionAmountCents: in.PropertyAcquisitionAmount.centsPtr(v, "propertyAcquisitionAmount"),
		PropertyDistrictID:             in.PropertyDistrictID,
	}
	if in.Borrowers != nil {
		bs := make([]models.SimulationBorrower, len(*in.Borrowers))
		for i, b := range *in.Borrowers {
			p := "borrowers[" + strconv.Itoa(i) + "]."
			bs[i] = models.SimulationBorrower{Name: b.Name, TaxID: b.TaxID, BirthDate: b.BirthDate,
				MonthlyNetIncomeCents:              b.MonthlyNetIncome.centsOrZero(v, p+"monthlyNetIncome"),
				MonthlyInstalmentsOtherCreditCents: b.MonthlyInstalmentsOtherCredit.centsOrZero(v, p+"monthlyInstalmentsOtherCredit")}
		}
		out.Borrowers = &bs
	}
	if in.Insurances != nil {
		xs := make([]models.SimulationInsurance, len(*in.Insurances))
		for i, x := range *in.Insurances {
			xs[i] = models.SimulationInsurance{BankChargeTypeID: x.BankChargeTypeID, Required: x.Required,
				MonthlyPremiumCents: x.MonthlyPremium.centsOrZero(v, "insurances["+strconv.Itoa(i)+"].monthlyPremium")}
		}
		out.Insurances = &xs
	}
	return out
}

// simulationListFields renames the filter's field names to Simulation
// List's parameters in error answers.
var simulationListFields = map[string]string{
	"q": "filterByText", "status": "filterSimulationStatus", "limit": "lineCount",
	"after": "nextRecord", "before": "previousRecord", "to": "filterStatusLastDateTo",
}

type simulationSummaryJSON struct {
	SimulationUniqueID          string  `json:"simulationUniqueID"`
	SimulationNumber            int64   `json:"simulationNumber"`
	SimulationStatusID          int     `json:"simulationStatusID"`
	SimulationStatusDescription string  `json:"simulationStatusDescription"`
	KeyBorrowerName             string  `json:"keyBorrowerName"`
	LoanAmount                  float64 `json:"loanAmount"`
	MonthlyInstalment           float64 `json:"monthlyInstalment"`
	CreationDate                string  `json:"creationDate"`
	LastActionDate              string  `json:"lastActionDate"`
}

type simulationListJSON struct {
	Simulations    []simulationSummaryJSON `json:"simulations"`
	TotalRecords   int64                   `json:"totalRecords"`
	HasMoreResults bool                    `json:"hasMoreResults"`
	NextRecord     string                  `json:"nextRecord,omitempty"`
	PreviousRecord string                  `json:"previousRecord,omitempty"`
}

// listSimulations is Simulation List: the firm's simulations, newest
// activity first, keyset paged exactly like Process List.
func (h *Handlers) listSimulations(c *gin.Context) {
	var v models.Validation
	f := models.SimulationFilter{Search: c.Query("filterByText"), After: c.Query("nextRecord"), Before: c.Query("previousRecord")}
	f.StatusID = queryInt(c, "filterSimulationStatus", &v)
	if c.Query("lineCount") != "" {
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
		fail(c, h.log, CategorySimulation, err)
		return
	}
	page, err := h.svc.Simulations.ListSimulations(c.Request.Context(), f)
	if err != nil {
		fail(c, h.log, CategorySimulation, renameFields(err, simulationListFields))
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	out := simulationListJSON{Simulations: make([]simulationSummaryJSON, 0, len(page.Items)), TotalRecords: page.Total,
		HasMoreResults: page.NextCursor != "", NextRecord: page.NextCursor, PreviousRecord: page.PrevCursor}
	for _, s := range page.Items {
		out.Simulations = append(out.Simulations, simulationSummaryJSON{SimulationUniqueID: s.UUID,
			SimulationNumber: s.SimulationNumber, SimulationStatusID: s.StatusID,
			SimulationStatusDescription: d.tax.Description(models.TaxonomySimulationStates, s.StatusID, d.lang),
			KeyBorrowerName:             s.KeyBorrowerName, LoanAmount: euros(s.LoanAmountCents),
			MonthlyInstalment: euros(s.MonthlyInstalment), CreationDate: wire.Timestamp(s.CreatedAt),
			LastActionDate: wire.Timestamp(s.LastActionAt)})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

type createdSimulationJSON struct {
	OperationStatus    OperationStatus `json:"operationStatus"`
	SimulationUniqueID string          `json:"simulationUniqueID"`
	SimulationNumber   int64           `json:"simulationNumber"`
}

// createSimulation is Simulation Create: priced with today's pricing and
// stored "in creation". With an Idempotency-Key a retry returns the first
// answer byte for byte and creates nothing.
func (h *Handlers) createSimulation(c *gin.Context) {
	var body simulationInputJSON
	raw, err := readJSON(c, &body)
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	if err := v.Err(); err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	err = wire.Create(c, h.svc.Idempotency, raw, func(ctx context.Context) (models.StoredResponse, error) {
		s, err := h.svc.Simulations.CreateSimulation(ctx, in)
		if err != nil {
			return models.StoredResponse{}, err
		}
		return wire.Response(http.StatusCreated, createdSimulationJSON{OperationStatus: success(CodeSimulationCreated),
			SimulationUniqueID: s.UUID, SimulationNumber: s.SimulationNumber}), nil
	})
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
	}
}

// getSimulation is Simulation Detail: inputs, figures, the last check.
func (h *Handlers) getSimulation(c *gin.Context) {
	s, err := h.svc.Simulations.GetSimulation(c.Request.Context(), simulationID(c))
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, d.simulation(s, time.Now()))
}

type simulationChangedJSON struct {
	OperationStatus             OperationStatus `json:"operationStatus"`
	SimulationStatusID          int             `json:"simulationStatusID"`
	SimulationStatusDescription string          `json:"simulationStatusDescription"`
}

func (h *Handlers) changed(c *gin.Context, code string, s *models.Simulation) {
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, simulationChangedJSON{OperationStatus: success(code), SimulationStatusID: s.StatusID,
		SimulationStatusDescription: d.tax.Description(models.TaxonomySimulationStates, s.StatusID, d.lang)})
}

// updateSimulation is Simulation Update (PATCH): the fields sent change,
// the figures are recomputed with today's pricing, and a validated
// simulation goes back to "in creation".
func (h *Handlers) updateSimulation(c *gin.Context) {
	var body simulationInputJSON
	if _, err := readJSON(c, &body); err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	if err := v.Err(); err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	s, err := h.svc.Simulations.UpdateSimulation(c.Request.Context(), simulationID(c), in)
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	h.changed(c, CodeSimulationUpdated, s)
}

// cancelSimulation is Simulation Cancel (DELETE): only from "in creation"
// or "validated" (409 otherwise).
func (h *Handlers) cancelSimulation(c *gin.Context) {
	s, err := h.svc.Simulations.CancelSimulation(c.Request.Context(), simulationID(c))
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	h.changed(c, CodeSimulationCancelled, s)
}

type validatedJSON struct {
	OperationStatus             OperationStatus `json:"operationStatus"`
	Passed                      bool            `json:"passed"`
	SimulationStatusID          int             `json:"simulationStatusID"`
	SimulationStatusDescription string          `json:"simulationStatusDescription"`
	Validation                  []ruleJSON      `json:"validation"`
}

// validateSimulation is Simulation Validate: the rules run on the stored
// figures; all passing moves the simulation to "validated". A failing
// rule is an answer, not an error: 200 with passed false and the rule
// list, each failing rule naming its reject reason.
func (h *Handlers) validateSimulation(c *gin.Context) {
	if err := noBody(c); err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	r, err := h.svc.Simulations.ValidateSimulation(c.Request.Context(), simulationID(c))
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategorySimulation, err)
		return
	}
	code := CodeSimulationValidated
	if !r.Passed {
		code = CodeSimulationRulesFailed
	}
	wire.WriteJSON(c, http.StatusOK, validatedJSON{OperationStatus: success(code), Passed: r.Passed,
		SimulationStatusID:          r.Simulation.StatusID,
		SimulationStatusDescription: d.tax.Description(models.TaxonomySimulationStates, r.Simulation.StatusID, d.lang),
		Validation:                  d.rules(r.Rules)})
}

// simulationID is the path's simulation id.
func simulationID(c *gin.Context) string { return strings.TrimSpace(c.Param("simulationUniqueId")) }
