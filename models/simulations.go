package models

import (
	"context"
	"strconv"
	"strings"
	"time"

	"portal/models/simulation"
)

// Simulations: a broker firm's priced loan scenarios (the partner API's
// Simulation List / Create / Detail / Update / Cancel / Validate). The
// figures are computed by models/simulation with the pricing in force at
// the simulation's date (PricingService), and stored with the pricing
// values used, so a re-read gives the same figures whatever the pricing
// has become since. Scoped like processes: a broker their firm's, staff
// their bank's; a foreign simulation answers exactly like a missing one.
//
// Each simulation has one message thread (SimulationMessageService,
// simmessages.go) and its issued ESIS sheets (EsisService, esis.go).

// Simulation statuses (workflow-states/simulation).
const (
	SimulationInCreation = 1
	SimulationValidated  = 2
	SimulationConverted  = 3
	SimulationExpired    = 4
	SimulationCancelled  = 5
	SimulationRejected   = 6
)

// SimulationBorrower is one borrower of a simulation. Name and TaxID are
// optional (the list's search); the maths needs the rest.
type SimulationBorrower struct {
	Name                               string `json:"name,omitempty"`
	TaxID                              string `json:"taxId,omitempty"`
	BirthDate                          string `json:"birthDate"` // YYYY-MM-DD
	MonthlyNetIncomeCents              int64  `json:"monthlyNetIncome"`
	MonthlyInstalmentsOtherCreditCents int64  `json:"monthlyInstalmentsOtherCredit"`
}

// SimulationInsurance is an insurance taken with the loan.
type SimulationInsurance struct {
	BankChargeTypeID    int   `json:"bankChargeTypeId"` // 14 life, 15 home
	MonthlyPremiumCents int64 `json:"monthlyPremium"`
	Required            bool  `json:"required"`
}

// SimulationData is a simulation's inputs, whole (0 or "" is unset).
type SimulationData struct {
	LoanAmountCents                int64
	LoanDurationMonths             int
	LoanPurposeID                  int
	ProductPurposeID               int
	ProductSchemeID                int // 0 on input: the general scheme (1)
	RateTypeID                     int // index-type-sub-categories
	IndexTypeID                    int // variable and mixed: index-types 1–3
	MixedFixedPeriodID             int // mixed: mixed-fixed-period
	FixedFixedPeriodID             int // fixed: fixed-fixed-period
	PropertyValueCents             int64
	PropertyAcquisitionAmountCents int64
	PropertyDistrictID             int
	Borrowers                      []SimulationBorrower
	Insurances                     []SimulationInsurance
}

// SimulationInput is Create's and Update's input, with the partner API's
// field names in its errors (loanAmount, borrowers[0].birthDate...; the
// borrowers and insurances are counted from 0, as in the request's JSON).
// On Create every required field must be set; on Update (PATCH) a nil
// field keeps the stored value, and Borrowers or Insurances, when set,
// replace the whole list.
type SimulationInput struct {
	LoanAmountCents                *int64
	LoanDurationMonths             *int
	LoanPurposeID                  *int
	ProductPurposeID               *int
	ProductSchemeID                *int
	RateTypeID                     *int
	IndexTypeID                    *int
	MixedFixedPeriodID             *int
	FixedFixedPeriodID             *int
	PropertyValueCents             *int64
	PropertyAcquisitionAmountCents *int64
	PropertyDistrictID             *int
	Borrowers                      *[]SimulationBorrower
	Insurances                     *[]SimulationInsurance
}

// Empty reports whether in changes nothing.
func (in SimulationInput) Empty() bool { return in == SimulationInput{} }

// Apply is d with in's set fields.
func (in SimulationInput) Apply(d SimulationData) SimulationData {
	setI := func(dst *int, p *int) {
		if p != nil {
			*dst = *p
		}
	}
	set64 := func(dst *int64, p *int64) {
		if p != nil {
			*dst = *p
		}
	}
	set64(&d.LoanAmountCents, in.LoanAmountCents)
	setI(&d.LoanDurationMonths, in.LoanDurationMonths)
	setI(&d.LoanPurposeID, in.LoanPurposeID)
	setI(&d.ProductPurposeID, in.ProductPurposeID)
	setI(&d.ProductSchemeID, in.ProductSchemeID)
	setI(&d.RateTypeID, in.RateTypeID)
	setI(&d.IndexTypeID, in.IndexTypeID)
	setI(&d.MixedFixedPeriodID, in.MixedFixedPeriodID)
	setI(&d.FixedFixedPeriodID, in.FixedFixedPeriodID)
	set64(&d.PropertyValueCents, in.PropertyValueCents)
	set64(&d.PropertyAcquisitionAmountCents, in.PropertyAcquisitionAmountCents)
	setI(&d.PropertyDistrictID, in.PropertyDistrictID)
	if in.Borrowers != nil {
		d.Borrowers = append([]SimulationBorrower(nil), (*in.Borrowers)...)
	}
	if in.Insurances != nil {
		d.Insurances = append([]SimulationInsurance(nil), (*in.Insurances)...)
	}
	// A change of rate type drops what only the other types use, unless
	// the input sets it (then Validate refuses it).
	if in.RateTypeID != nil {
		drop := func(dst *int, p *int) {
			if p == nil {
				*dst = 0
			}
		}
		switch d.RateTypeID {
		case simulation.RateVariable:
			drop(&d.MixedFixedPeriodID, in.MixedFixedPeriodID)
			drop(&d.FixedFixedPeriodID, in.FixedFixedPeriodID)
		case simulation.RateFixed:
			drop(&d.IndexTypeID, in.IndexTypeID)
			drop(&d.MixedFixedPeriodID, in.MixedFixedPeriodID)
		case simulation.RateMixed:
			drop(&d.FixedFixedPeriodID, in.FixedFixedPeriodID)
		}
	}
	return d
}

func init() {
	englishText["simulation.borrowers"] = "A simulation has from {{.Min}} to {{.Max}} borrowers."
	englishText["simulation.insurance_type"] = "{{.Field}} must be 14 (life insurance) or 15 (home insurance)."
	englishText["simulation.insurance_twice"] = "{{.Field}}: each insurance at most once."
	englishText["simulation.fixed_period"] = "{{.Field}}: the fixed period must be shorter than the term."
	englishText["simulation.not_editable"] = "The simulation can only be changed while it is in creation or validated."
	englishText["simulation.not_cancellable"] = "The simulation can only be cancelled while it is in creation or validated."
	englishText["simulation.no_change"] = "Nothing to change."
	englishText["simulation.not_computable"] = "The simulation cannot be computed with these figures."
}

// Simulation conflicts (Error.Key).
func SimulationNotEditable() error {
	return &Error{Code: CodeConflict, Key: "simulation.not_editable", Message: English("simulation.not_editable", nil)}
}

func SimulationNotCancellable() error {
	return &Error{Code: CodeConflict, Key: "simulation.not_cancellable", Message: English("simulation.not_cancellable", nil)}
}

// SimulationEditable reports whether a simulation in status may be
// changed (Update) or cancelled.
func SimulationEditable(status int) bool {
	return status == SimulationInCreation || status == SimulationValidated
}

func required(v *Validation, field string, unset bool) bool {
	if unset {
		v.Add(field, "field.required", Args{"Field": field})
	}
	return !unset
}

func ref(v *Validation, t *Taxonomy, field, list string, id int, need bool) {
	switch {
	case id == 0 && need:
		v.Add(field, "field.required", Args{"Field": field})
	case id != 0 && !need:
		v.Add(field, "field.not_allowed", Args{"Field": field})
	case id != 0:
		taxonomyRef(v, t, field, list, &id)
	}
}

// Validate checks a simulation's whole inputs against the taxonomy, today
// being YYYY-MM-DD, and returns them cleaned (the scheme defaulted to the
// general one, texts trimmed). The limits the bank's and Banco de
// Portugal's rules set (LTV, DSTI, ages, term 10–40 years, the product's
// amounts) are not input errors: Validate (the service) reports them.
func (d SimulationData) Validate(t *Taxonomy, today string) (SimulationData, error) {
	var v Validation
	if required(&v, "loanAmount", d.LoanAmountCents == 0) && (d.LoanAmountCents < 100 || d.LoanAmountCents > MaxLoanAmountCents) {
		v.Add("loanAmount", "field.range", Args{"Field": "loanAmount", "Min": 1, "Max": MaxLoanAmountCents / 100})
	}
	if required(&v, "loanDurationMonths", d.LoanDurationMonths == 0) &&
		(d.LoanDurationMonths < MinLoanDurationMonths || d.LoanDurationMonths > MaxLoanDurationMonths) {
		v.Add("loanDurationMonths", "field.range", Args{"Field": "loanDurationMonths",
			"Min": MinLoanDurationMonths, "Max": MaxLoanDurationMonths})
	}
	ref(&v, t, "loanPurposeId", TaxonomyLoanPurposes, d.LoanPurposeID, true)
	ref(&v, t, "productPurposeId", TaxonomyProductPurposes, d.ProductPurposeID, true)
	if d.ProductSchemeID == 0 {
		d.ProductSchemeID = 1
	}
	ref(&v, t, "productSchemeId", TaxonomyProductSchemes, d.ProductSchemeID, true)
	ref(&v, t, "rateTypeId", TaxonomyRateTypes, d.RateTypeID, true)
	rt := d.RateTypeID
	knownRate := !v.Has("rateTypeId") // the fields below depend on it
	indexed := rt == simulation.RateVariable || rt == simulation.RateMixed
	if knownRate && (indexed || d.IndexTypeID != simulation.IndexFixedRate) {
		ref(&v, t, "indexTypeId", TaxonomyIndexTypes, d.IndexTypeID, indexed)
	}
	if indexed && d.IndexTypeID == simulation.IndexFixedRate {
		v.Add("indexTypeId", "field.not_allowed", Args{"Field": "indexTypeId"})
	}
	if rt == simulation.RateFixed && d.IndexTypeID == simulation.IndexFixedRate {
		d.IndexTypeID = 0
	}
	if knownRate {
		ref(&v, t, "mixedFixedPeriodId", TaxonomyMixedFixedPeriod, d.MixedFixedPeriodID, rt == simulation.RateMixed)
		ref(&v, t, "fixedFixedPeriodId", TaxonomyFixedFixedPeriod, d.FixedFixedPeriodID, rt == simulation.RateFixed)
	}
	if m, ok := simulation.MixedFixedPeriodMonths(d.MixedFixedPeriodID); ok && rt == simulation.RateMixed &&
		d.LoanDurationMonths > 0 && m >= d.LoanDurationMonths {
		v.Add("mixedFixedPeriodId", "simulation.fixed_period", Args{"Field": "mixedFixedPeriodId"})
	}
	if required(&v, "propertyValue", d.PropertyValueCents == 0) && (d.PropertyValueCents < 0 || d.PropertyValueCents > MaxMoneyCents) {
		money(&v, "propertyValue", d.PropertyValueCents)
	}
	money(&v, "propertyAcquisitionAmount", d.PropertyAcquisitionAmountCents)
	if d.PropertyDistrictID != 0 {
		ref(&v, t, "propertyDistrictId", TaxonomyDistricts, d.PropertyDistrictID, true)
	}

	if len(d.Borrowers) < simulation.MinBorrowers || len(d.Borrowers) > simulation.MaxBorrowers {
		v.Add("borrowers", "simulation.borrowers", Args{"Min": simulation.MinBorrowers, "Max": simulation.MaxBorrowers})
	}
	bs := make([]SimulationBorrower, len(d.Borrowers))
	for i, b := range d.Borrowers {
		p := "borrowers[" + strconv.Itoa(i) + "]."
		b.Name = line(&v, p+"name", b.Name, false, MaxNameLength)
		b.TaxID = strings.ReplaceAll(line(&v, p+"taxId", b.TaxID, false, 20), " ", "")
		if b.TaxID != "" && !v.Has(p+"taxId") && !ValidNIF(b.TaxID) {
			v.Add(p+"taxId", "field.nif", Args{"Field": p + "taxId"})
		}
		b.BirthDate = day(&v, p+"birthDate", b.BirthDate)
		switch {
		case v.Has(p + "birthDate"):
		case b.BirthDate == "":
			v.Add(p+"birthDate", "field.required", Args{"Field": p + "birthDate"})
		case b.BirthDate < MinBirthDate:
			v.Add(p+"birthDate", "field.date_min", Args{"Field": p + "birthDate", "Min": MinBirthDate})
		case b.BirthDate > yearsBefore(today, AdultAge):
			v.Add(p+"birthDate", "field.adult", Args{"Field": p + "birthDate", "Age": AdultAge})
		}
		money(&v, p+"monthlyNetIncome", b.MonthlyNetIncomeCents)
		money(&v, p+"monthlyInstalmentsOtherCredit", b.MonthlyInstalmentsOtherCreditCents)
		bs[i] = b
	}
	d.Borrowers = bs
	seen := map[int]bool{}
	for i, in := range d.Insurances {
		p := "insurances[" + strconv.Itoa(i) + "]."
		switch {
		case in.BankChargeTypeID != simulation.ChargeLifeInsurance && in.BankChargeTypeID != simulation.ChargeHomeInsurance:
			v.Add(p+"bankChargeTypeId", "simulation.insurance_type", Args{"Field": p + "bankChargeTypeId"})
		case seen[in.BankChargeTypeID]:
			v.Add(p+"bankChargeTypeId", "simulation.insurance_twice", Args{"Field": p + "bankChargeTypeId"})
		}
		seen[in.BankChargeTypeID] = true
		money(&v, p+"monthlyPremium", in.MonthlyPremiumCents)
	}
	if d.Insurances == nil {
		d.Insurances = []SimulationInsurance{}
	}
	return d, v.Err()
}

// ComputeInput is the simulation package's input for d priced with u,
// concluded on conclusion (its birth dates are valid: d was validated).
func (d SimulationData) ComputeInput(u PricingUsed, conclusion time.Time) simulation.Input {
	in := simulation.Input{LoanAmount: d.LoanAmountCents, Months: d.LoanDurationMonths, RateTypeID: d.RateTypeID,
		IndexTypeID: d.IndexTypeID, IndexValue: u.IndexValue, Spread: u.Spread, FixedRate: u.FixedRate,
		LoanPurposeID: d.LoanPurposeID, ProductPurposeID: d.ProductPurposeID, PropertyValue: d.PropertyValueCents,
		PropertyAcquisitionAmount: d.PropertyAcquisitionAmountCents, PropertyDistrictID: d.PropertyDistrictID,
		Charges: u.Charges, ConclusionDate: conclusion}
	if d.RateTypeID == simulation.RateFixed {
		in.IndexTypeID = simulation.IndexFixedRate
	}
	if d.RateTypeID == simulation.RateMixed {
		in.FixedPeriodMonths, _ = simulation.MixedFixedPeriodMonths(d.MixedFixedPeriodID)
	}
	for _, b := range d.Borrowers {
		born, _ := time.Parse(time.DateOnly, b.BirthDate)
		in.Borrowers = append(in.Borrowers, simulation.Borrower{BirthDate: born, MonthlyNetIncome: b.MonthlyNetIncomeCents,
			MonthlyInstalmentsOtherCredit: b.MonthlyInstalmentsOtherCreditCents})
	}
	for _, x := range d.Insurances {
		in.Insurances = append(in.Insurances, simulation.Insurance{TypeID: x.BankChargeTypeID, MonthlyPremium: x.MonthlyPremiumCents,
			Required: x.Required})
	}
	return in
}

// Product is the rules' view of the pricing's limits.
func (u PricingUsed) Product() simulation.Product {
	return simulation.Product{MinAmount: u.MinAmount, MaxAmount: u.MaxAmount}
}

// Simulation is one stored simulation: its inputs, the pricing values and
// the figures computed with them, the last validation's rule results.
type Simulation struct {
	UUID             string
	SimulationNumber int64
	BankID           int64
	BrokerID         int64
	FirmName         string
	StatusID         int
	Data             SimulationData
	Pricing          PricingUsed
	Input            simulation.Input  // what Result was computed from
	Result           simulation.Result // stored (Result.Months() is nil: recompute from Input)
	// Validation is the rule results of the last Validate (nil before
	// any, or after a change sent the simulation back to "in creation").
	Validation     []simulation.RuleResult
	ValidatedAt    *time.Time
	EsisIssuedAt   *time.Time
	EsisValidUntil *time.Time
	// EsisFiguresHash is FiguresHash of the result the last ESIS was
	// issued with ("" before any): Esis compares it with the current one.
	EsisFiguresHash string
	// ProcessUUID and ProcessNumber: the process it was converted into
	// ("" and 0 before).
	ProcessUUID   string
	ProcessNumber int64
	CreatedByName string
	CreatedAt     time.Time
	LastActionAt  time.Time
	UpdatedAt     time.Time
}

// SimulationFilter selects and pages a firm's simulations (keyset paging
// by last action, then number, newest first, like ProcessFilter).
type SimulationFilter struct {
	Search         string // simulation number, or a borrower's name (substring) or tax id
	StatusID       int    // 0: any
	After, Before  string // cursors
	Limit          int    // 1..100 (default 20)
	LastActionFrom time.Time
	LastActionTo   time.Time // exclusive
	FirmUUID       string    // staff: only this broker firm's ("" any)
}

// Validate checks f and applies the default page size.
func (f *SimulationFilter) Validate(v *Validation) {
	pf := ProcessFilter{Search: f.Search, Limit: f.Limit, LastActionFrom: f.LastActionFrom, LastActionTo: f.LastActionTo,
		After: f.After, Before: f.Before}
	pf.Validate(v)
	f.Search, f.Limit = pf.Search, pf.Limit
	if f.StatusID != 0 && (f.StatusID < SimulationInCreation || f.StatusID > SimulationRejected) {
		v.Add("status", "processes.status", nil)
	}
}

// SimulationSummary is one row of a simulation list.
type SimulationSummary struct {
	UUID              string
	SimulationNumber  int64
	KeyBorrowerName   string
	LoanAmountCents   int64
	MonthlyInstalment int64
	StatusID          int
	FirmName          string
	CreatedAt         time.Time
	LastActionAt      time.Time
	EsisIssuedAt      *time.Time // last ESIS; nil when none was issued
	EsisValidUntil    *time.Time
	EsisChanged       bool // the figures changed since the last ESIS
}

// Esis is the validity of the row's last ESIS at now, as Simulation.Esis.
func (s SimulationSummary) Esis(now time.Time) EsisValidity {
	return esisOfRow(s.EsisIssuedAt, s.EsisValidUntil, s.EsisChanged, now)
}

// SimulationPage is one page of a simulation list (cursors as ProcessPage).
type SimulationPage struct {
	Items       []SimulationSummary
	Total       int64
	TotalCapped bool
	NextCursor  string
	PrevCursor  string
}

// SimulationValidation is Validate's answer: the simulation as it now is
// and its rule results.
type SimulationValidation struct {
	Simulation *Simulation
	Rules      []simulation.RuleResult
	Passed     bool
}

// Simulation timeline events (simulation_events.what).
const (
	SimulationEventCreated   = "simulation.created"
	SimulationEventUpdated   = "simulation.updated"
	SimulationEventValidated = "simulation.validated"
	SimulationEventFailed    = "simulation.validation_failed"
	SimulationEventCancelled = "simulation.cancelled"
)

// SimulationService keeps simulations. Creating, changing, cancelling and
// validating are for brokers (their firm's; anyone else CodeForbidden,
// anonymous CodeUnauthorized); reading for whoever may see them (brokers
// their firm's, staff their bank's). Refusals come in this order: the
// caller's kind, a simulation missing or not the caller's (CodeNotFound,
// Entity "simulation"), its status (CodeConflict: simulation.not_editable,
// simulation.not_cancellable), then the input (CodeInvalid, fields named
// as the API's). Every write records a simulation_events row and moves the
// last action date in the transaction of the change.
type SimulationService interface {
	// CreateSimulation prices and computes in (every required field set)
	// with the pricing in force today and stores it "in creation".
	CreateSimulation(ctx context.Context, in SimulationInput) (*Simulation, error)
	ListSimulations(ctx context.Context, f SimulationFilter) (*SimulationPage, error)
	GetSimulation(ctx context.Context, simulationUUID string) (*Simulation, error)
	// UpdateSimulation applies in's set fields (PATCH), re-prices with the
	// pricing in force today and recomputes; only "in creation" or
	// "validated", and a validated one goes back to "in creation". An
	// empty input is CodeInvalid (simulation.no_change).
	UpdateSimulation(ctx context.Context, simulationUUID string, in SimulationInput) (*Simulation, error)
	// CancelSimulation moves it to "cancelled" (from 1 or 2 only).
	CancelSimulation(ctx context.Context, simulationUUID string) (*Simulation, error)
	// ValidateSimulation runs the rules on the stored figures; all passing
	// moves it to "validated". Only from 1 or 2.
	ValidateSimulation(ctx context.Context, simulationUUID string) (*SimulationValidation, error)
	// PreviewSimulation prices and computes in (as Create would, every
	// required field set) and runs the rules, storing nothing: the
	// simulator page's figures as the broker types. Brokers only.
	PreviewSimulation(ctx context.Context, in SimulationInput) (*SimulationPreview, error)
}

// SimulationPreview is PreviewSimulation's answer. Result holds the whole
// schedule (Result.Months()).
type SimulationPreview struct {
	Data    SimulationData
	Pricing PricingUsed
	Input   simulation.Input
	Result  simulation.Result
	Rules   []simulation.RuleResult
	Passed  bool
}
