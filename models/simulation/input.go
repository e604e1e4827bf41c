package simulation

import "time"

// Rate types: ids of the index-type-sub-categories reference list.
const (
	RateVariable = 1 // VARIABLE: index + spread for the whole term
	RateFixed    = 2 // FIXED: one contractual rate for the whole term
	RateMixed    = 3 // MIXED: fixed for a period, then index + spread
)

// Index types: ids of the index-types reference list. 1–3 are the Euribor
// indexes a variable or mixed rate follows; 4 is a fixed rate's "no index".
const (
	IndexEuribor3M  = 1
	IndexEuribor6M  = 2
	IndexEuribor12M = 3
	IndexFixedRate  = 4
)

// Loan purposes: ids of the loan-purposes reference list.
const (
	LoanPurchase            = 1
	LoanConstruction        = 2
	LoanWorks               = 3
	LoanTransfer            = 4
	LoanLandAndConstruction = 5
	LoanPurchaseAndWorks    = 6
	LoanMultipurpose        = 7
)

// Product purposes: ids of the product-purposes reference list.
const (
	ProductOwnPermanentHome = 1
	ProductSecondHome       = 2
	ProductBuyToLet         = 3
)

// Bank charge types: ids of the bank-charge-types reference list.
const (
	ChargeValuation            = 1
	ChargeArrangement          = 2
	ChargeFormalisation        = 3
	ChargeDeedServices         = 4
	ChargeInstalmentProcessing = 5
	ChargeEarlyRepaymentPart   = 6
	ChargeEarlyRepaymentFull   = 7
	ChargeContractChange       = 8
	ChargeMortgageRelease      = 9
	ChargeStampDutyLoan        = 10
	ChargeStampDutyInterest    = 11
	ChargeStampDutyFees        = 12
	ChargeMortgageRegistration = 13
	ChargeLifeInsurance        = 14
	ChargeHomeInsurance        = 15
)

// Simulation reject reasons: ids of the simulation-reject-reasons list.
const (
	RejectAmountOutOfRange   = 1
	RejectTermOutOfRange     = 2
	RejectLTVAboveLimit      = 3
	RejectDSTIAboveLimit     = 4
	RejectAgeAtMaturity      = 5
	RejectPurposeNotFinanced = 6
	RejectPropertyOutside    = 7
	RejectOther              = 8
)

// Limits on the number of borrowers of one simulation.
const (
	MinBorrowers = 1
	MaxBorrowers = 4
)

// mixedFixedPeriods maps the mixed-fixed-period list's ids to months.
var mixedFixedPeriods = map[int]int{1: 24, 2: 36, 3: 60, 4: 84, 5: 120, 6: 180, 7: 240, 8: 300, 9: 360}

// fixedFixedPeriods maps the fixed-fixed-period list's ids to months.
var fixedFixedPeriods = map[int]int{1: 120, 2: 180, 3: 240, 4: 300, 5: 360, 6: 420, 7: 480}

// MixedFixedPeriodMonths is the length in months of a mixed rate's fixed
// period, by its mixed-fixed-period id.
func MixedFixedPeriodMonths(id int) (int, bool) { m, ok := mixedFixedPeriods[id]; return m, ok }

// FixedFixedPeriodMonths is the term in months a fixed rate is priced for,
// by its fixed-fixed-period id (the pricing data keys fixed rates by it).
func FixedFixedPeriodMonths(id int) (int, bool) { m, ok := fixedFixedPeriods[id]; return m, ok }

// Periodicity says when a charge of the price list is paid.
type Periodicity int

const (
	// Upfront is paid once, at the conclusion of the contract.
	Upfront Periodicity = iota + 1
	// Monthly is paid with every instalment.
	Monthly
)

// Charge is one line of the bank's price list (preçário) that applies to
// the simulated product. The caller keeps the price list; this package
// only computes with it.
type Charge struct {
	TypeID      int         `json:"typeId"`      // bank-charge-types id
	Amount      int64       `json:"amount"`      // cents per occurrence, before stamp duty
	Periodicity Periodicity `json:"periodicity"` // Upfront or Monthly
}

// Insurance is an insurance the borrowers take with the loan.
type Insurance struct {
	TypeID         int   `json:"typeId"`         // ChargeLifeInsurance or ChargeHomeInsurance
	MonthlyPremium int64 `json:"monthlyPremium"` // cents
	// Required: the bank makes it a condition of the loan, so its premiums
	// are part of the TAEG (DL 74-A/2017); an optional one is only shown.
	Required bool `json:"required"`
}

// Borrower is what the maths needs of one borrower.
type Borrower struct {
	BirthDate                     time.Time `json:"birthDate"`
	MonthlyNetIncome              int64     `json:"monthlyNetIncome"`              // cents
	MonthlyInstalmentsOtherCredit int64     `json:"monthlyInstalmentsOtherCredit"` // cents
}

// Input is everything one simulation is computed from. Rates are the
// values the caller read from its pricing data at the conclusion date; a
// stored simulation keeps them so a recomputation gives the same figures.
type Input struct {
	LoanAmount int64 `json:"loanAmount"` // cents
	Months     int   `json:"months"`     // term, number of monthly instalments

	RateTypeID  int  `json:"rateTypeId"`  // RateVariable, RateFixed or RateMixed
	IndexTypeID int  `json:"indexTypeId"` // Euribor for variable and mixed; IndexFixedRate or 0 for fixed
	IndexValue  Rate `json:"indexValue"`  // the index's monthly value (variable, mixed after the fixed period)
	Spread      Rate `json:"spread"`      // the bank's spread over the index
	FixedRate   Rate `json:"fixedRate"`   // the fixed rate (fixed; mixed during the fixed period)
	// FixedPeriodMonths is the length of a mixed rate's fixed period.
	FixedPeriodMonths int `json:"fixedPeriodMonths"`

	LoanPurposeID    int `json:"loanPurposeId"`    // loan-purposes id
	ProductPurposeID int `json:"productPurposeId"` // product-purposes id

	PropertyValue             int64 `json:"propertyValue"`             // cents, the valuation
	PropertyAcquisitionAmount int64 `json:"propertyAcquisitionAmount"` // cents, the price (0 when not a purchase)
	PropertyDistrictID        int   `json:"propertyDistrictId"`        // districts id

	Borrowers  []Borrower  `json:"borrowers"`
	Insurances []Insurance `json:"insurances"`
	Charges    []Charge    `json:"charges"` // the price list lines of the product

	// StampDutyExempt is set by the caller when a legal exemption from
	// stamp duty on this credit applies; then no verba 17 tax is computed.
	StampDutyExempt bool `json:"stampDutyExempt"`

	ConclusionDate time.Time `json:"conclusionDate"` // the (expected) date of the contract
}
