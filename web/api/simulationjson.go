package api

import (
	"time"

	"portal/models"
	"portal/models/simulation"
	"portal/web/wire"
)

// The answers of the simulation operations: a simulation's inputs with
// their descriptions, its stored figures (result) and its last rule check
// (validation). Money is euros with cents, rates and ratios percentages
// (3.5 is 3.5 %), as the process operations' amounts.

type simulationBorrowerOutJSON struct {
	Name                          string  `json:"name"`
	TaxID                         string  `json:"taxId"`
	BirthDate                     string  `json:"birthDate"`
	MonthlyNetIncome              float64 `json:"monthlyNetIncome"`
	MonthlyInstalmentsOtherCredit float64 `json:"monthlyInstalmentsOtherCredit"`
}

type simulationInsuranceOutJSON struct {
	BankChargeTypeID          int     `json:"bankChargeTypeID"`
	BankChargeTypeDescription string  `json:"bankChargeTypeDescription"`
	MonthlyPremium            float64 `json:"monthlyPremium"`
	Required                  bool    `json:"required"`
}

type chargeJSON struct {
	BankChargeTypeID          int     `json:"bankChargeTypeID"`
	BankChargeTypeDescription string  `json:"bankChargeTypeDescription"`
	Periodicity               string  `json:"periodicity"` // upfront, monthly
	Amount                    float64 `json:"amount"`
	Occurrences               int     `json:"occurrences"`
	Total                     float64 `json:"total"`
	InTAEG                    bool    `json:"inTAEG"`
}

type scheduleRowJSON struct {
	Kind       string  `json:"kind"` // month, year, total
	Period     int     `json:"period"`
	Instalment float64 `json:"instalment"`
	Interest   float64 `json:"interest"`
	Capital    float64 `json:"capital"`
	Costs      float64 `json:"costs"`
	Balance    float64 `json:"balance"`
}

type resultJSON struct {
	TAN                  float64           `json:"tan"`
	TANAfterFixed        float64           `json:"tanAfterFixed"`
	FixedMonths          int               `json:"fixedMonths"`
	TAEG                 float64           `json:"taeg"`
	MonthlyInstalment    float64           `json:"monthlyInstalment"`
	InstalmentAfterFixed float64           `json:"instalmentAfterFixed"`
	InstalmentCount      int               `json:"instalmentCount"`
	TotalInterest        float64           `json:"totalInterest"`
	StampDutyCredit      float64           `json:"stampDutyCredit"`
	StampDutyCommissions float64           `json:"stampDutyCommissions"`
	StampDutyInterest    float64           `json:"stampDutyInterest"`
	Charges              []chargeJSON      `json:"charges"`
	TotalCharges         float64           `json:"totalCharges"`
	TotalCostOfCredit    float64           `json:"totalCostOfCredit"`
	MTIC                 float64           `json:"mtic"`
	LTV                  float64           `json:"ltv"`
	DSTI                 float64           `json:"dsti"`
	StressRate           float64           `json:"stressRate"`
	StressedInstalment   float64           `json:"stressedInstalment"`
	Schedule             []scheduleRowJSON `json:"schedule"`
}

// ruleJSON is one rule checked: value and limits in unit (percent,
// months, years, euros, id). A failing rule names its
// simulation-reject-reasons item.
type ruleJSON struct {
	Code                    string   `json:"code"`
	Rule                    string   `json:"rule"`
	Source                  string   `json:"source"`
	Passed                  bool     `json:"passed"`
	Unit                    string   `json:"unit"`
	Value                   float64  `json:"value"`
	Minimum                 *float64 `json:"minimum"`
	Limit                   *float64 `json:"limit"`
	RejectReasonID          *int     `json:"rejectReasonID"`
	RejectReasonDescription *string  `json:"rejectReasonDescription"`
}

type simulationJSON struct {
	SimulationUniqueID          string                       `json:"simulationUniqueID"`
	SimulationNumber            int64                        `json:"simulationNumber"`
	SimulationStatusID          int                          `json:"simulationStatusID"`
	SimulationStatusDescription string                       `json:"simulationStatusDescription"`
	LoanAmount                  float64                      `json:"loanAmount"`
	LoanDurationMonths          int                          `json:"loanDurationMonths"`
	LoanPurposeID               *int                         `json:"loanPurposeID"`
	LoanPurposeDescription      *string                      `json:"loanPurposeDescription"`
	ProductPurposeID            *int                         `json:"productPurposeID"`
	ProductPurposeDescription   *string                      `json:"productPurposeDescription"`
	ProductSchemeID             *int                         `json:"productSchemeID"`
	ProductSchemeDescription    *string                      `json:"productSchemeDescription"`
	RateTypeID                  *int                         `json:"rateTypeID"`
	RateTypeDescription         *string                      `json:"rateTypeDescription"`
	IndexTypeID                 *int                         `json:"indexTypeID"`
	IndexTypeDescription        *string                      `json:"indexTypeDescription"`
	MixedFixedPeriodID          *int                         `json:"mixedFixedPeriodID"`
	MixedFixedPeriodDescription *string                      `json:"mixedFixedPeriodDescription"`
	FixedFixedPeriodID          *int                         `json:"fixedFixedPeriodID"`
	FixedFixedPeriodDescription *string                      `json:"fixedFixedPeriodDescription"`
	PropertyValue               float64                      `json:"propertyValue"`
	PropertyAcquisitionAmount   *float64                     `json:"propertyAcquisitionAmount"`
	PropertyDistrictID          *int                         `json:"propertyDistrictID"`
	PropertyDistrictDescription *string                      `json:"propertyDistrictDescription"`
	Borrowers                   []simulationBorrowerOutJSON  `json:"borrowers"`
	Insurances                  []simulationInsuranceOutJSON `json:"insurances"`
	PricingDate                 string                       `json:"pricingDate"`
	PricingDemo                 bool                         `json:"pricingDemo"`
	Result                      resultJSON                   `json:"result"`
	Validation                  []ruleJSON                   `json:"validation"`
	ValidatedAt                 *string                      `json:"validatedAt"`
	EsisIssuedAt                *string                      `json:"esisIssuedAt"`
	EsisValidUntil              *string                      `json:"esisValidUntil"`
	EsisState                   string                       `json:"esisState"`
	ProcessUniqueID             *string                      `json:"processUniqueID"`
	ProcessNumber               *int64                       `json:"processNumber"`
	CreatedBy                   string                       `json:"createdBy"`
	CreationDate                string                       `json:"creationDate"`
	LastActionDate              string                       `json:"lastActionDate"`
}

func percent(r simulation.Rate) float64 { return r.Percent() }

func timestampPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := wire.Timestamp(*t)
	return &s
}

// refOf is a stored reference for an answer: nil when unset (0).
func refOf(id int) *int {
	if id == 0 {
		return nil
	}
	return &id
}

func periodicityName(p simulation.Periodicity) string {
	if p == simulation.Monthly {
		return "monthly"
	}
	return "upfront"
}

func rowKindName(k simulation.RowKind) string {
	switch k {
	case simulation.RowMonth:
		return "month"
	case simulation.RowYear:
		return "year"
	}
	return "total"
}

// unitValue converts a rule's figure to its answer's unit.
func unitValue(u simulation.Unit, n int64) float64 {
	switch u {
	case simulation.UnitRate:
		return simulation.Rate(n).Percent()
	case simulation.UnitCents:
		return euros(n)
	}
	return float64(n)
}

func unitName(u simulation.Unit) string {
	switch u {
	case simulation.UnitRate:
		return "percent"
	case simulation.UnitMonths:
		return "months"
	case simulation.UnitYears:
		return "years"
	case simulation.UnitCents:
		return "euros"
	}
	return "id"
}

func (d describer) rules(rs []simulation.RuleResult) []ruleJSON {
	out := make([]ruleJSON, 0, len(rs))
	for _, r := range rs {
		j := ruleJSON{Code: r.Code, Rule: r.Rule, Source: r.Source, Passed: r.Passed, Unit: unitName(r.Unit),
			Value: unitValue(r.Unit, r.Value)}
		if r.HasMin {
			v := unitValue(r.Unit, r.Min)
			j.Minimum = &v
		}
		if r.HasMax {
			v := unitValue(r.Unit, r.Max)
			j.Limit = &v
		}
		if !r.Passed && r.RejectReasonID != 0 {
			id := r.RejectReasonID
			j.RejectReasonID, j.RejectReasonDescription = &id, d.of(models.TaxonomySimulationRejects, &id)
		}
		out = append(out, j)
	}
	return out
}

func (d describer) result(r simulation.Result, schedule []simulation.ScheduleRow) resultJSON {
	out := resultJSON{TAN: percent(r.TAN), TANAfterFixed: percent(r.TANAfterFixed), FixedMonths: r.FixedMonths,
		TAEG: percent(r.TAEGShown), MonthlyInstalment: euros(r.MonthlyInstalment),
		InstalmentAfterFixed: euros(r.InstalmentAfterFixed), InstalmentCount: r.InstalmentCount,
		TotalInterest: euros(r.TotalInterest), StampDutyCredit: euros(r.StampDutyCredit),
		StampDutyCommissions: euros(r.StampDutyCommissions), StampDutyInterest: euros(r.StampDutyInterest),
		Charges: make([]chargeJSON, 0, len(r.Charges)), TotalCharges: euros(r.TotalCharges),
		TotalCostOfCredit: euros(r.TotalCostOfCredit), MTIC: euros(r.MTIC), LTV: percent(r.LTV), DSTI: percent(r.DSTI),
		StressRate: percent(r.StressRate), StressedInstalment: euros(r.StressedInstalment),
		Schedule: make([]scheduleRowJSON, 0, len(schedule))}
	for _, c := range r.Charges {
		id := c.TypeID
		out.Charges = append(out.Charges, chargeJSON{BankChargeTypeID: id,
			BankChargeTypeDescription: *d.of(models.TaxonomyBankChargeTypes, &id), Periodicity: periodicityName(c.Periodicity),
			Amount: euros(c.Amount), Occurrences: c.Occurrences, Total: euros(c.Total), InTAEG: c.InTAEG})
	}
	for _, row := range schedule {
		out.Schedule = append(out.Schedule, scheduleRowJSON{Kind: rowKindName(row.Kind), Period: row.Period,
			Instalment: euros(row.Instalment), Interest: euros(row.Interest), Capital: euros(row.Capital),
			Costs: euros(row.Costs), Balance: euros(row.Balance)})
	}
	return out
}

// schedule is the repayment table of s: the stored one, or recomputed from
// the stored input when the stored result has none (the figures are the
// same: Compute is deterministic).
func schedule(s *models.Simulation) []simulation.ScheduleRow {
	if len(s.Result.Schedule) > 0 {
		return s.Result.Schedule
	}
	r, err := simulation.Compute(s.Input)
	if err != nil {
		return nil
	}
	return r.Schedule
}

func (d describer) simulation(s *models.Simulation, now time.Time) simulationJSON {
	dt := s.Data
	ref := func(list string, id int) (*int, *string) {
		p := refOf(id)
		return p, d.of(list, p)
	}
	out := simulationJSON{SimulationUniqueID: s.UUID, SimulationNumber: s.SimulationNumber, SimulationStatusID: s.StatusID,
		SimulationStatusDescription: d.tax.Description(models.TaxonomySimulationStates, s.StatusID, d.lang),
		LoanAmount:                  euros(dt.LoanAmountCents), LoanDurationMonths: dt.LoanDurationMonths,
		PropertyValue: euros(dt.PropertyValueCents), Borrowers: make([]simulationBorrowerOutJSON, 0, len(dt.Borrowers)),
		Insurances: make([]simulationInsuranceOutJSON, 0, len(dt.Insurances)), PricingDate: s.Pricing.Date,
		PricingDemo: s.Pricing.Demo, Result: d.result(s.Result, schedule(s)), Validation: d.rules(s.Validation),
		ValidatedAt: timestampPtr(s.ValidatedAt), EsisIssuedAt: timestampPtr(s.EsisIssuedAt),
		EsisValidUntil: timestampPtr(s.EsisValidUntil), EsisState: string(s.Esis(now).State),
		CreatedBy: s.CreatedByName, CreationDate: wire.Timestamp(s.CreatedAt), LastActionDate: wire.Timestamp(s.LastActionAt)}
	out.LoanPurposeID, out.LoanPurposeDescription = ref(models.TaxonomyLoanPurposes, dt.LoanPurposeID)
	out.ProductPurposeID, out.ProductPurposeDescription = ref(models.TaxonomyProductPurposes, dt.ProductPurposeID)
	out.ProductSchemeID, out.ProductSchemeDescription = ref(models.TaxonomyProductSchemes, dt.ProductSchemeID)
	out.RateTypeID, out.RateTypeDescription = ref(models.TaxonomyRateTypes, dt.RateTypeID)
	out.IndexTypeID, out.IndexTypeDescription = ref(models.TaxonomyIndexTypes, dt.IndexTypeID)
	out.MixedFixedPeriodID, out.MixedFixedPeriodDescription = ref(models.TaxonomyMixedFixedPeriod, dt.MixedFixedPeriodID)
	out.FixedFixedPeriodID, out.FixedFixedPeriodDescription = ref(models.TaxonomyFixedFixedPeriod, dt.FixedFixedPeriodID)
	out.PropertyDistrictID, out.PropertyDistrictDescription = ref(models.TaxonomyDistricts, dt.PropertyDistrictID)
	if dt.PropertyAcquisitionAmountCents != 0 {
		e := euros(dt.PropertyAcquisitionAmountCents)
		out.PropertyAcquisitionAmount = &e
	}
	for _, b := range dt.Borrowers {
		out.Borrowers = append(out.Borrowers, simulationBorrowerOutJSON{Name: b.Name, TaxID: b.TaxID, BirthDate: b.BirthDate,
			MonthlyNetIncome: euros(b.MonthlyNetIncomeCents), MonthlyInstalmentsOtherCredit: euros(b.MonthlyInstalmentsOtherCreditCents)})
	}
	for _, x := range dt.Insurances {
		id := x.BankChargeTypeID
		out.Insurances = append(out.Insurances, simulationInsuranceOutJSON{BankChargeTypeID: id,
			BankChargeTypeDescription: *d.of(models.TaxonomyBankChargeTypes, &id), MonthlyPremium: euros(x.MonthlyPremiumCents),
			Required: x.Required})
	}
	if s.ProcessUUID != "" {
		u, n := s.ProcessUUID, s.ProcessNumber
		out.ProcessUniqueID, out.ProcessNumber = &u, &n
	}
	return out
}
