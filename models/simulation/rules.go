package simulation

import "time"

// Unit says what a rule's value and limits measure.
type Unit int

const (
	UnitRate   Unit = iota + 1 // a Rate (ratio)
	UnitMonths                 // months
	UnitYears                  // years of age
	UnitCents                  // money
	UnitID                     // a reference-list id (the district)
)

// Rule codes, stable: the API answers them and the catalogue keys its
// texts by them.
const (
	RuleAmount              = "AMOUNT"
	RuleTerm                = "TERM"
	RuleLTVOwnHome          = "LTV_OWN_PERMANENT_HOME"
	RuleLTVOther            = "LTV_OTHER_PURPOSES"
	RuleDSTI                = "DSTI"
	RuleMaturityByAge       = "MATURITY_BY_AGE"
	RuleAgeAtLastInstalment = "AGE_AT_LAST_INSTALMENT"
	RulePropertyInPortugal  = "PROPERTY_IN_PORTUGAL"
)

// Limits of the rules.
const (
	LTVOwnHomeLimit        Rate = 90 * Percent // BdP Recommendation (since 2018)
	LTVOtherLimit          Rate = 80 * Percent
	DSTILimit              Rate = 50 * Percent // with the rate shock
	MinTermMonths               = 10 * 12      // bank policy
	MaxTermMonths               = 40 * 12
	MaxAgeAtLastInstalment      = 75 // bank policy, completed years
)

// MaxMaturityMonths is the longest term the BdP Recommendation allows by
// the age of the oldest borrower at conclusion (since 1 April 2022): 40
// years up to 30 years old, 37 years over 30 and up to 35, 35 years above.
func MaxMaturityMonths(age int) int {
	switch {
	case age <= 30:
		return 40 * 12
	case age <= 35:
		return 37 * 12
	}
	return 35 * 12
}

// RuleResult is one rule checked against a simulation. Value and the
// limits are in Unit; a bound is absent when its Has flag is false. A
// failing rule names the simulation-reject-reasons item it maps to.
type RuleResult struct {
	Code   string `json:"code"`
	Rule   string `json:"rule"`   // what the rule says, in English (transports translate by Code)
	Source string `json:"source"` // where the limit comes from
	Passed bool   `json:"passed"`
	Unit   Unit   `json:"unit"`
	Value  int64  `json:"value"`
	Min    int64  `json:"min"`
	HasMin bool   `json:"hasMin"`
	Max    int64  `json:"max"`
	HasMax bool   `json:"hasMax"`
	// RejectReasonID is the simulation-reject-reasons id of a failure
	// (set whether or not the rule passed: it is the rule's reason).
	RejectReasonID int `json:"rejectReasonId"`
}

// Product holds the bank's limits for the simulated product (pricing
// data) and the facts the rules need from the reference lists.
type Product struct {
	MinAmount, MaxAmount int64 // cents
	// DistrictInPortugal reports whether a districts id is a Portuguese
	// district; nil means the reference list's districts, ids 1–20, which
	// are all in Portugal.
	DistrictInPortugal func(id int) bool
}

func defaultDistrict(id int) bool { return id >= 1 && id <= 20 }

// Oldest is the birth date of the oldest borrower (zero when none).
func Oldest(bs []Borrower) time.Time {
	var t time.Time
	for i, b := range bs {
		if i == 0 || b.BirthDate.Before(t) {
			t = b.BirthDate
		}
	}
	return t
}

// Rules checks a computed simulation (r is Compute(in)) against every rule
// of the spec, in a fixed order: amount, term, LTV, DSTI, maturity by age,
// age at the last instalment, property in Portugal. Ages are in completed
// years on in.ConclusionDate and on the date of the last instalment, so
// the caller must set the conclusion date. A simulation passes when every
// result passed.
func Rules(in Input, r Result, p Product) []RuleResult {
	out := make([]RuleResult, 0, 7)
	n := int64(in.Months)

	out = append(out, RuleResult{
		Code: RuleAmount, Rule: "loan amount within the product's minimum and maximum", Source: "bank policy",
		Passed: in.LoanAmount >= p.MinAmount && in.LoanAmount <= p.MaxAmount,
		Unit:   UnitCents, Value: in.LoanAmount, Min: p.MinAmount, HasMin: true, Max: p.MaxAmount, HasMax: true,
		RejectReasonID: RejectAmountOutOfRange,
	})
	out = append(out, RuleResult{
		Code: RuleTerm, Rule: "term from 10 to 40 years", Source: "bank policy",
		Passed: n >= MinTermMonths && n <= MaxTermMonths,
		Unit:   UnitMonths, Value: n, Min: MinTermMonths, HasMin: true, Max: MaxTermMonths, HasMax: true,
		RejectReasonID: RejectTermOutOfRange,
	})

	ltv := RuleResult{
		Code: RuleLTVOther, Rule: "loan at most 80% of the smaller of the property's value and price", Source: "BdP Recommendation",
		Unit: UnitRate, Value: int64(r.LTV), Max: int64(LTVOtherLimit), HasMax: true, RejectReasonID: RejectLTVAboveLimit,
	}
	if in.ProductPurposeID == ProductOwnPermanentHome {
		ltv.Code, ltv.Rule, ltv.Max = RuleLTVOwnHome, "loan at most 90% of the smaller of the property's value and price", int64(LTVOwnHomeLimit)
	}
	// exact: loan ≤ limit·base, not the rounded ratio
	ltv.Passed = r.LTVBase > 0 && mulLE(in.LoanAmount, rateScale, ltv.Max, r.LTVBase)
	out = append(out, ltv)

	debt := r.StressedInstalment + r.OtherInstalments
	out = append(out, RuleResult{
		Code: RuleDSTI, Rule: "instalments, with the rate shock, at most 50% of the borrowers' net income", Source: "BdP Recommendation",
		Passed: r.TotalIncome > 0 && mulLE(debt, rateScale, int64(DSTILimit), r.TotalIncome),
		Unit:   UnitRate, Value: int64(r.DSTI), Max: int64(DSTILimit), HasMax: true, RejectReasonID: RejectDSTIAboveLimit,
	})

	oldest := Oldest(in.Borrowers)
	hasBorrower := len(in.Borrowers) > 0
	var age, ageEnd int
	if hasBorrower {
		age = ageOn(oldest, in.ConclusionDate)
		ageEnd = ageOn(oldest, addMonths(in.ConclusionDate, in.Months))
	}
	maxMonths := int64(MaxMaturityMonths(age))
	out = append(out, RuleResult{
		Code: RuleMaturityByAge, Rule: "term at most 40 years up to age 30, 37 up to 35, 35 above (oldest borrower)", Source: "BdP Recommendation",
		Passed: hasBorrower && n <= maxMonths,
		Unit:   UnitMonths, Value: n, Max: maxMonths, HasMax: true, RejectReasonID: RejectTermOutOfRange,
	})
	out = append(out, RuleResult{
		Code: RuleAgeAtLastInstalment, Rule: "oldest borrower at most 75 at the last instalment", Source: "bank policy",
		Passed: hasBorrower && ageEnd <= MaxAgeAtLastInstalment,
		Unit:   UnitYears, Value: int64(ageEnd), Max: MaxAgeAtLastInstalment, HasMax: true, RejectReasonID: RejectAgeAtMaturity,
	})

	inPT := p.DistrictInPortugal
	if inPT == nil {
		inPT = defaultDistrict
	}
	out = append(out, RuleResult{
		Code: RulePropertyInPortugal, Rule: "property in a Portuguese district", Source: "bank policy",
		Passed: inPT(in.PropertyDistrictID),
		Unit:   UnitID, Value: int64(in.PropertyDistrictID), RejectReasonID: RejectPropertyOutside,
	})
	return out
}

// AllPassed reports whether every rule passed.
func AllPassed(rs []RuleResult) bool {
	for _, r := range rs {
		if !r.Passed {
			return false
		}
	}
	return true
}
