package models

import (
	"context"
	"slices"
	"strings"
	"time"

	"portal/models/simulation"
)

// Pricing data: the bank's rates and price list (preçário), kept by bank
// staff and read by the simulations. Every kind keeps its history: a change
// is a new value from a date (an index value is per month), and the pricing
// in force at a date is, per key, the value with the latest start on or
// before it. Rates are simulation.Rate (units of 10⁻⁷; 1 % = 100 000).
// Demo marks the seeded demonstration values (not real prices).

// IndexValue is the monthly value of an index (the month's average of the
// daily Euribor quotes, three decimals: DL 240/2006).
type IndexValue struct {
	IndexTypeID int             `json:"indexTypeId"` // index-types 1–3 (Euribor 3/6/12 months)
	Month       string          `json:"month"`       // YYYY-MM
	Value       simulation.Rate `json:"value"`
	Demo        bool            `json:"demo"`
}

// Spread is the bank's spread over the index for a product scheme and
// product purpose, from a date.
type Spread struct {
	ProductSchemeID  int             `json:"productSchemeId"`
	ProductPurposeID int             `json:"productPurposeId"`
	ValidFrom        string          `json:"validFrom"` // YYYY-MM-DD
	Spread           simulation.Rate `json:"spread"`
	Demo             bool            `json:"demo"`
}

// FixedRate is the rate of a fixed period: for a fixed rate (RateTypeID
// simulation.RateFixed) PeriodID is a fixed-fixed-period id, for a mixed
// rate's fixed period (simulation.RateMixed) a mixed-fixed-period id.
type FixedRate struct {
	RateTypeID int             `json:"rateTypeId"`
	PeriodID   int             `json:"periodId"`
	ValidFrom  string          `json:"validFrom"`
	Rate       simulation.Rate `json:"rate"`
	Demo       bool            `json:"demo"`
}

// ProductLimit is a product scheme's minimum and maximum loan amount.
type ProductLimit struct {
	ProductSchemeID int    `json:"productSchemeId"`
	ValidFrom       string `json:"validFrom"`
	MinAmountCents  int64  `json:"minAmount"`
	MaxAmountCents  int64  `json:"maxAmount"`
	Demo            bool   `json:"demo"`
}

// PriceCharge is one line of the price list: a bank-charge-types id, an
// amount in cents or, when Percentage is set, a percentage of the loan
// amount, paid upfront or with every instalment. An inactive line takes
// the charge off the list from its date.
type PriceCharge struct {
	ChargeTypeID int                    `json:"chargeTypeId"`
	ValidFrom    string                 `json:"validFrom"`
	AmountCents  int64                  `json:"amount"`
	Percentage   *simulation.Rate       `json:"percentage,omitempty"`
	Periodicity  simulation.Periodicity `json:"periodicity"`
	Active       bool                   `json:"active"`
	Demo         bool                   `json:"demo"`
}

// Pricing is the pricing in force at Date: per key, the newest value on or
// before it (inactive charges left out). Lists are ordered by their keys.
type Pricing struct {
	Date        string // YYYY-MM-DD
	IndexValues []IndexValue
	Spreads     []Spread
	FixedRates  []FixedRate
	Limits      []ProductLimit
	Charges     []PriceCharge
}

// PricingUsed is what a simulation was priced with, stored with it so a
// re-read gives the same figures whatever the pricing has become since.
type PricingUsed struct {
	Date        string              `json:"date"` // the pricing's date (the simulation's conclusion date)
	IndexTypeID int                 `json:"indexTypeId,omitempty"`
	IndexMonth  string              `json:"indexMonth,omitempty"`
	IndexValue  simulation.Rate     `json:"indexValue"`
	Spread      simulation.Rate     `json:"spread"`
	FixedRate   simulation.Rate     `json:"fixedRate"`
	MinAmount   int64               `json:"minAmount"`
	MaxAmount   int64               `json:"maxAmount"`
	Charges     []simulation.Charge `json:"charges"`
	Demo        bool                `json:"demo"` // any value used is a demo value
}

// Pricing limits.
const (
	// IndexValueStep: index values have three decimals of a percentage.
	IndexValueStep simulation.Rate = simulation.Percent / 1000
	// MaxPricingRate bounds any rate, spread or percentage of the pricing.
	MaxPricingRate simulation.Rate = 30 * simulation.Percent
	// MinIndexValue: Euribor has been negative (down to about −0.5 %).
	MinIndexValue simulation.Rate = -5 * simulation.Percent
)

// Taxonomy lists of the pricing and the simulations.
const (
	TaxonomyRateTypes         = "index-type-sub-categories"
	TaxonomyIndexTypes        = "index-types"
	TaxonomyFixedFixedPeriod  = "fixed-fixed-period"
	TaxonomyMixedFixedPeriod  = "mixed-fixed-period"
	TaxonomyBankChargeTypes   = "bank-charge-types"
	TaxonomySimulationStates  = "workflow-states/simulation"
	TaxonomySimulationRejects = "simulation-reject-reasons"
)

// PricingService reads and changes the pricing. Brokers and staff read it
// (the simulator prices with it); only admins change it (anyone else is
// CodeForbidden, anonymous CodeUnauthorized), each change audited in its
// transaction ("pricing.changed"). A change of the same key from the same
// date (month for an index) replaces that value.
type PricingService interface {
	// PricingAt is the pricing in force on day (YYYY-MM-DD; "" today).
	PricingAt(ctx context.Context, day string) (*Pricing, error)
	SetIndexValue(ctx context.Context, v IndexValue) error
	SetSpread(ctx context.Context, v Spread) error
	SetFixedRate(ctx context.Context, v FixedRate) error
	SetProductLimit(ctx context.Context, v ProductLimit) error
	SetCharge(ctx context.Context, v PriceCharge) error
}

// AuditPricingChanged is the audit action of every pricing change.
const AuditPricingChanged = "pricing.changed"

func init() {
	englishText["pricing.month"] = "{{.Field}} must be a month (YYYY-MM)."
	englishText["pricing.index_step"] = "{{.Field}} has at most three decimals of a percentage."
	englishText["pricing.missing"] = "The bank has no price for {{.Field}} on this date."
	englishText["pricing.min_max"] = "The minimum cannot be above the maximum."
	englishText["pricing.periodicity"] = "{{.Field}} must be 1 (upfront) or 2 (monthly)."
}

func validMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

func pricingRate(v *Validation, field string, r simulation.Rate, lo simulation.Rate) {
	if r < lo || r > MaxPricingRate {
		v.Add(field, "field.range", Args{"Field": field, "Min": lo.Percent(), "Max": MaxPricingRate.Percent()})
	}
}

func validFrom(v *Validation, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		v.Add("validFrom", "field.required", Args{"Field": "validFrom"})
	} else if !ValidDay(s) {
		v.Add("validFrom", "field.day", Args{"Field": "validFrom"})
	}
	return s
}

// Validate checks an index value.
func (x IndexValue) Validate() (IndexValue, error) {
	var v Validation
	if x.IndexTypeID < simulation.IndexEuribor3M || x.IndexTypeID > simulation.IndexEuribor12M {
		v.Add("indexTypeId", "field.taxonomy", Args{"Field": "indexTypeId", "List": TaxonomyIndexTypes})
	}
	x.Month = strings.TrimSpace(x.Month)
	if !validMonth(x.Month) {
		v.Add("month", "pricing.month", Args{"Field": "month"})
	}
	pricingRate(&v, "value", x.Value, MinIndexValue)
	if x.Value%IndexValueStep != 0 {
		v.Add("value", "pricing.index_step", Args{"Field": "value"})
	}
	return x, v.Err()
}

// Validate checks a spread against the taxonomy.
func (x Spread) Validate(t *Taxonomy) (Spread, error) {
	var v Validation
	taxonomyRef(&v, t, "productSchemeId", TaxonomyProductSchemes, &x.ProductSchemeID)
	taxonomyRef(&v, t, "productPurposeId", TaxonomyProductPurposes, &x.ProductPurposeID)
	x.ValidFrom = validFrom(&v, x.ValidFrom)
	pricingRate(&v, "spread", x.Spread, 0)
	return x, v.Err()
}

// Validate checks a fixed rate against the taxonomy.
func (x FixedRate) Validate(t *Taxonomy) (FixedRate, error) {
	var v Validation
	switch x.RateTypeID {
	case simulation.RateFixed:
		taxonomyRef(&v, t, "periodId", TaxonomyFixedFixedPeriod, &x.PeriodID)
	case simulation.RateMixed:
		taxonomyRef(&v, t, "periodId", TaxonomyMixedFixedPeriod, &x.PeriodID)
	default:
		v.Add("rateTypeId", "field.taxonomy", Args{"Field": "rateTypeId", "List": TaxonomyRateTypes})
	}
	x.ValidFrom = validFrom(&v, x.ValidFrom)
	pricingRate(&v, "rate", x.Rate, 0)
	return x, v.Err()
}

// Validate checks a product limit against the taxonomy.
func (x ProductLimit) Validate(t *Taxonomy) (ProductLimit, error) {
	var v Validation
	taxonomyRef(&v, t, "productSchemeId", TaxonomyProductSchemes, &x.ProductSchemeID)
	x.ValidFrom = validFrom(&v, x.ValidFrom)
	money(&v, "minAmount", x.MinAmountCents)
	money(&v, "maxAmount", x.MaxAmountCents)
	if x.MinAmountCents > x.MaxAmountCents {
		v.Add("maxAmount", "pricing.min_max", nil)
	}
	return x, v.Err()
}

// Validate checks a price list line against the taxonomy. The charge
// types the simulation computes itself (stamp duty, 10–12) and the
// insurances (14, 15: their premiums are the simulation's input) are not
// price list lines.
func (x PriceCharge) Validate(t *Taxonomy) (PriceCharge, error) {
	var v Validation
	taxonomyRef(&v, t, "chargeTypeId", TaxonomyBankChargeTypes, &x.ChargeTypeID)
	switch x.ChargeTypeID {
	case simulation.ChargeStampDutyLoan, simulation.ChargeStampDutyInterest, simulation.ChargeStampDutyFees,
		simulation.ChargeLifeInsurance, simulation.ChargeHomeInsurance:
		v.Add("chargeTypeId", "field.not_allowed", Args{"Field": "chargeTypeId"})
	}
	x.ValidFrom = validFrom(&v, x.ValidFrom)
	money(&v, "amount", x.AmountCents)
	if x.Percentage != nil {
		pricingRate(&v, "percentage", *x.Percentage, 0)
	}
	if x.Periodicity != simulation.Upfront && x.Periodicity != simulation.Monthly {
		v.Add("periodicity", "pricing.periodicity", Args{"Field": "periodicity"})
	}
	return x, v.Err()
}

// Price picks the values d is priced with from p (the pricing in force at
// its conclusion date): the index value of its index (the newest month),
// the spread of its scheme and purpose, the fixed rate of its period, the
// scheme's limits and the price list, each percentage charge turned into
// cents of the loan amount (half-up). A value the pricing lacks is
// CodeInvalid on the field that asked for it (pricing.missing).
func (p *Pricing) Price(d SimulationData) (PricingUsed, error) {
	var v Validation
	u := PricingUsed{Date: p.Date}
	needIndex := d.RateTypeID == simulation.RateVariable || d.RateTypeID == simulation.RateMixed
	if needIndex {
		u.IndexTypeID = d.IndexTypeID
		found := false
		for _, x := range p.IndexValues {
			if x.IndexTypeID == d.IndexTypeID && (!found || x.Month > u.IndexMonth) {
				u.IndexMonth, u.IndexValue, found = x.Month, x.Value, true
				u.Demo = u.Demo || x.Demo
			}
		}
		if !found {
			v.Add("indexTypeId", "pricing.missing", Args{"Field": "indexTypeId"})
		}
		i := slices.IndexFunc(p.Spreads, func(s Spread) bool {
			return s.ProductSchemeID == d.ProductSchemeID && s.ProductPurposeID == d.ProductPurposeID
		})
		if i < 0 {
			v.Add("productSchemeId", "pricing.missing", Args{"Field": "productSchemeId"})
		} else {
			u.Spread, u.Demo = p.Spreads[i].Spread, u.Demo || p.Spreads[i].Demo
		}
	}
	if d.RateTypeID == simulation.RateFixed || d.RateTypeID == simulation.RateMixed {
		period, field := d.FixedFixedPeriodID, "fixedFixedPeriodId"
		if d.RateTypeID == simulation.RateMixed {
			period, field = d.MixedFixedPeriodID, "mixedFixedPeriodId"
		}
		i := slices.IndexFunc(p.FixedRates, func(f FixedRate) bool { return f.RateTypeID == d.RateTypeID && f.PeriodID == period })
		if i < 0 {
			v.Add(field, "pricing.missing", Args{"Field": field})
		} else {
			u.FixedRate, u.Demo = p.FixedRates[i].Rate, u.Demo || p.FixedRates[i].Demo
		}
	}
	i := slices.IndexFunc(p.Limits, func(l ProductLimit) bool { return l.ProductSchemeID == d.ProductSchemeID })
	if i < 0 {
		v.Add("productSchemeId", "pricing.missing", Args{"Field": "productSchemeId"})
	} else {
		u.MinAmount, u.MaxAmount, u.Demo = p.Limits[i].MinAmountCents, p.Limits[i].MaxAmountCents, u.Demo || p.Limits[i].Demo
	}
	u.Charges = []simulation.Charge{}
	for _, c := range p.Charges {
		if !c.Active {
			continue
		}
		amount := c.AmountCents
		if c.Percentage != nil {
			amount += percentOfHalfUp(d.LoanAmountCents, *c.Percentage)
		}
		if amount == 0 {
			continue
		}
		u.Charges = append(u.Charges, simulation.Charge{TypeID: c.ChargeTypeID, Amount: amount, Periodicity: c.Periodicity})
		u.Demo = u.Demo || c.Demo
	}
	return u, v.Err()
}

// percentOfHalfUp is r of amount cents, rounded half-up to the cent.
func percentOfHalfUp(amount int64, r simulation.Rate) int64 {
	const scale = 100 * simulation.Percent // Rate units of 1
	n := amount * int64(r)
	if n >= 0 {
		return (n + int64(scale)/2) / int64(scale)
	}
	return -((-n + int64(scale)/2) / int64(scale))
}
