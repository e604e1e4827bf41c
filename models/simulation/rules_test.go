package simulation

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var product = Product{MinAmount: 2_500_000, MaxAmount: 100_000_000}

func rule(t *testing.T, in Input, code string) RuleResult {
	t.Helper()
	r := mustCompute(t, in)
	for _, rr := range Rules(in, r, product) {
		if rr.Code == code {
			return rr
		}
	}
	t.Fatalf("no rule %s", code)
	return RuleResult{}
}

func TestRulesPassOnTheBaseCase(t *testing.T) {
	in := base()
	rs := Rules(in, mustCompute(t, in), product)
	if len(rs) != 7 || !AllPassed(rs) {
		t.Errorf("rules = %+v, want 7 passing", rs)
	}
}

func TestRuleLTV(t *testing.T) {
	cases := []struct {
		name        string
		product     int
		loan, value int64
		price       int64
		code        string
		pass        bool
		ltv         Rate
	}{
		{"own home at 90%", ProductOwnPermanentHome, 18_000_000, 20_000_000, 0, RuleLTVOwnHome, true, 90 * Percent},
		{"own home a cent above 90%", ProductOwnPermanentHome, 18_000_001, 20_000_000, 0, RuleLTVOwnHome, false, 90*Percent + 1},
		{"own home a cent below 90%", ProductOwnPermanentHome, 17_999_999, 20_000_000, 0, RuleLTVOwnHome, true, 90 * Percent}, // 89.999995 % shows as 90 %: the check is exact
		{"own home 90% of value but above 90% of the lower price", ProductOwnPermanentHome, 18_000_000, 20_000_000, 19_000_000, RuleLTVOwnHome, false, 9_473_684},
		{"price above value: the value is the base", ProductOwnPermanentHome, 18_000_000, 20_000_000, 25_000_000, RuleLTVOwnHome, true, 90 * Percent},
		{"second home at 80%", ProductSecondHome, 16_000_000, 20_000_000, 0, RuleLTVOther, true, 80 * Percent},
		{"second home a cent above 80%", ProductSecondHome, 16_000_001, 20_000_000, 0, RuleLTVOther, false, 80*Percent + 1},
		{"to let a cent below 80%", ProductBuyToLet, 15_999_999, 20_000_000, 0, RuleLTVOther, true, 80 * Percent},
		{"to let at 85%", ProductBuyToLet, 17_000_000, 20_000_000, 0, RuleLTVOther, false, 85 * Percent},
		{"no property value", ProductOwnPermanentHome, 10_000_000, 0, 0, RuleLTVOwnHome, false, 0},
	}
	for _, c := range cases {
		in := base()
		in.ProductPurposeID, in.LoanAmount, in.PropertyValue, in.PropertyAcquisitionAmount = c.product, c.loan, c.value, c.price
		rr := rule(t, in, c.code)
		if rr.Passed != c.pass || Rate(rr.Value) != c.ltv || rr.RejectReasonID != RejectLTVAboveLimit {
			t.Errorf("%s: passed %v value %v reason %d, want %v %v", c.name, rr.Passed, Rate(rr.Value), rr.RejectReasonID, c.pass, c.ltv)
		}
	}
}

func TestRuleDSTIWithTheShock(t *testing.T) {
	in := base()
	in.RateTypeID, in.IndexTypeID, in.IndexValue, in.Spread = RateVariable, IndexEuribor12M, 250_000, 100_000
	in.Borrowers = []Borrower{{BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), MonthlyInstalmentsOtherCredit: 19_477}}
	// stressed 805.23 (3.5 % + 1.5 pp) + 194.77 other = 1 000 €: 50 % of 2 000 €
	for _, c := range []struct {
		income int64
		pass   bool
	}{{200_000, true}, {199_999, false}, {200_001, true}, {150_000, false}, {0, false}} {
		in.Borrowers[0].MonthlyNetIncome = c.income
		rr := rule(t, in, RuleDSTI)
		if rr.Passed != c.pass || rr.RejectReasonID != RejectDSTIAboveLimit {
			t.Errorf("income %d: DSTI %v passed %v, want %v", c.income, Rate(rr.Value), rr.Passed, c.pass)
		}
		if c.income == 200_000 && Rate(rr.Value) != 50*Percent {
			t.Errorf("DSTI at the limit = %v", Rate(rr.Value))
		}
	}
	// Without the shock the same borrower would be far below: the unshocked
	// instalment 673.57 + 194.77 is 43.4 % of 2 000 €, the rule fails at
	// 1 999.99 € only because of the shock.
	in.Borrowers[0].MonthlyNetIncome = 199_999
	in.RateTypeID, in.IndexTypeID, in.FixedRate = RateFixed, IndexFixedRate, 350_000
	if rr := rule(t, in, RuleDSTI); !rr.Passed {
		t.Errorf("fixed rate (no shock) at 1 999.99 € fails: %v", Rate(rr.Value))
	}
	// two borrowers' incomes and other instalments add up
	in.Borrowers = []Borrower{{BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), MonthlyNetIncome: 100_000, MonthlyInstalmentsOtherCredit: 10_000},
		{BirthDate: time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC), MonthlyNetIncome: 54_714, MonthlyInstalmentsOtherCredit: 0}}
	// (673.57 + 100) / (1 547.14) = 50 %
	if rr := rule(t, in, RuleDSTI); !rr.Passed || Rate(rr.Value) != 50*Percent {
		t.Errorf("two borrowers at the limit: %v passed %v", Rate(rr.Value), rr.Passed)
	}
	in.Borrowers[1].MonthlyNetIncome--
	if rr := rule(t, in, RuleDSTI); rr.Passed {
		t.Errorf("two borrowers a cent below the limit income pass: %v", Rate(rr.Value))
	}
}

func born(y, m, d int) []Borrower {
	return []Borrower{{BirthDate: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), MonthlyNetIncome: 1_000_000}}
}

func TestRuleMaturityByAge(t *testing.T) {
	// conclusion 2026-12-04
	cases := []struct {
		name   string
		bs     []Borrower
		months int
		pass   bool
		max    int64
	}{
		{"30 today, 40 years", born(1996, 12, 4), 480, true, 480},
		{"30 today, 40 years and a month", born(1996, 12, 4), 481, false, 480},
		{"30, 31 tomorrow, 40 years", born(1995, 12, 5), 480, true, 480},
		{"31 today, 40 years", born(1995, 12, 4), 480, false, 444},
		{"31, 37 years", born(1995, 12, 4), 444, true, 444},
		{"35, 37 years", born(1991, 1, 1), 444, true, 444},
		{"35, 37 years and a month", born(1991, 1, 1), 445, false, 444},
		{"36 today, 37 years", born(1990, 12, 4), 444, false, 420},
		{"36, 35 years", born(1990, 12, 4), 420, true, 420},
		{"36, 35 years and a month", born(1990, 12, 4), 421, false, 420},
		{"the oldest of two counts", append(born(1999, 1, 1), born(1985, 1, 1)...), 444, false, 420},
		{"no borrower", nil, 360, false, 480},
	}
	for _, c := range cases {
		in := base()
		in.Borrowers, in.Months = c.bs, c.months
		rr := rule(t, in, RuleMaturityByAge)
		if rr.Passed != c.pass || rr.Max != c.max || rr.Value != int64(c.months) || rr.RejectReasonID != RejectTermOutOfRange {
			t.Errorf("%s: passed %v max %d, want %v %d", c.name, rr.Passed, rr.Max, c.pass, c.max)
		}
	}
}

func TestRuleAgeAtLastInstalment(t *testing.T) {
	// 360 months from 2026-12-04: the last instalment on 2056-12-04
	cases := []struct {
		name string
		bs   []Borrower
		pass bool
		age  int64
	}{
		{"75 on the day", born(1981, 12, 4), true, 75},
		{"74, 75 the day after", born(1981, 12, 5), true, 74},
		{"76 on the day", born(1980, 12, 4), false, 76},
		{"75, 76 the day after", born(1980, 12, 5), true, 75},
	}
	for _, c := range cases {
		in := base()
		in.Borrowers = c.bs
		rr := rule(t, in, RuleAgeAtLastInstalment)
		if rr.Passed != c.pass || rr.Value != c.age || rr.Max != 75 || rr.RejectReasonID != RejectAgeAtMaturity {
			t.Errorf("%s: passed %v age %d, want %v %d", c.name, rr.Passed, rr.Value, c.pass, c.age)
		}
	}
	// month ends are clamped: 31 Jan + 1 month is 28 Feb
	if got := addMonths(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), 1); !got.Equal(time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("addMonths = %v", got)
	}
}

func TestRuleTermAndAmount(t *testing.T) {
	young := born(2000, 1, 1)
	for _, c := range []struct {
		months int
		pass   bool
	}{{119, false}, {120, true}, {121, true}, {479, true}, {480, true}, {481, false}} {
		in := base()
		in.Months, in.Borrowers = c.months, young
		if rr := rule(t, in, RuleTerm); rr.Passed != c.pass || rr.RejectReasonID != RejectTermOutOfRange || rr.Min != 120 || rr.Max != 480 {
			t.Errorf("term %d: passed %v, want %v", c.months, rr.Passed, c.pass)
		}
	}
	for _, c := range []struct {
		amount int64
		pass   bool
	}{{2_499_999, false}, {2_500_000, true}, {2_500_001, true}, {99_999_999, true}, {100_000_000, true}, {100_000_001, false}} {
		in := base()
		in.LoanAmount, in.PropertyValue, in.PropertyAcquisitionAmount = c.amount, 200_000_000, 0
		if rr := rule(t, in, RuleAmount); rr.Passed != c.pass || rr.RejectReasonID != RejectAmountOutOfRange {
			t.Errorf("amount %d: passed %v, want %v", c.amount, rr.Passed, c.pass)
		}
	}
}

func TestRulePropertyInPortugal(t *testing.T) {
	for _, c := range []struct {
		district int
		pass     bool
	}{{0, false}, {1, true}, {20, true}, {21, false}} {
		in := base()
		in.PropertyDistrictID = c.district
		if rr := rule(t, in, RulePropertyInPortugal); rr.Passed != c.pass || rr.RejectReasonID != RejectPropertyOutside {
			t.Errorf("district %d: passed %v, want %v", c.district, rr.Passed, c.pass)
		}
	}
	in := base()
	only := Product{MinAmount: 0, MaxAmount: 1 << 40, DistrictInPortugal: func(id int) bool { return id == 11 }}
	in.PropertyDistrictID = 12
	rs := Rules(in, mustCompute(t, in), only)
	if rs[len(rs)-1].Passed {
		t.Errorf("the product's own district check was not used")
	}
}

// readList reads a reference list of the portal as id -> code.
func readList(t *testing.T, name string) map[int]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "store", "taxonomydata", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, r := range recs[1:] {
		id, _ := strconv.Atoi(r[0])
		out[id] = r[1]
	}
	return out
}

// The ids this package names are those of the reference lists.
func TestIDsMatchTheReferenceLists(t *testing.T) {
	lists := map[string]map[int]string{
		"index-type-sub-categories": {RateVariable: "VARIABLE", RateFixed: "FIXED", RateMixed: "MIXED"},
		"index-types":               {IndexEuribor3M: "EURIBOR_3M", IndexEuribor6M: "EURIBOR_6M", IndexEuribor12M: "EURIBOR_12M", IndexFixedRate: "FIXED_RATE"},
		"loan-purposes": {LoanPurchase: "PURCHASE", LoanConstruction: "CONSTRUCTION", LoanWorks: "WORKS", LoanTransfer: "TRANSFER",
			LoanLandAndConstruction: "LAND_AND_CONSTRUCTION", LoanPurchaseAndWorks: "PURCHASE_AND_WORKS", LoanMultipurpose: "MULTIPURPOSE"},
		"product-purposes": {ProductOwnPermanentHome: "OWN_PERMANENT_HOME", ProductSecondHome: "SECOND_HOME", ProductBuyToLet: "BUY_TO_LET"},
		"bank-charge-types": {ChargeValuation: "VALUATION", ChargeArrangement: "ARRANGEMENT", ChargeFormalisation: "FORMALISATION",
			ChargeDeedServices: "DEED_SERVICES", ChargeInstalmentProcessing: "INSTALMENT_PROCESSING", ChargeEarlyRepaymentPart: "EARLY_REPAYMENT_PARTIAL",
			ChargeEarlyRepaymentFull: "EARLY_REPAYMENT_FULL", ChargeContractChange: "CONTRACT_CHANGE", ChargeMortgageRelease: "MORTGAGE_RELEASE",
			ChargeStampDutyLoan: "STAMP_DUTY_LOAN", ChargeStampDutyInterest: "STAMP_DUTY_INTEREST", ChargeStampDutyFees: "STAMP_DUTY_FEES",
			ChargeMortgageRegistration: "MORTGAGE_REGISTRATION", ChargeLifeInsurance: "LIFE_INSURANCE", ChargeHomeInsurance: "HOME_INSURANCE"},
		"simulation-reject-reasons": {RejectAmountOutOfRange: "AMOUNT_OUT_OF_RANGE", RejectTermOutOfRange: "TERM_OUT_OF_RANGE",
			RejectLTVAboveLimit: "LTV_ABOVE_LIMIT", RejectDSTIAboveLimit: "DSTI_ABOVE_LIMIT", RejectAgeAtMaturity: "AGE_AT_MATURITY",
			RejectPurposeNotFinanced: "PURPOSE_NOT_FINANCED", RejectPropertyOutside: "PROPERTY_OUTSIDE_PORTUGAL", RejectOther: "OTHER"},
	}
	for name, want := range lists {
		got := readList(t, name)
		if len(got) != len(want) {
			t.Errorf("%s has %d items, this package names %d", name, len(got), len(want))
		}
		for id, code := range want {
			if got[id] != code {
				t.Errorf("%s id %d is %q, want %q", name, id, got[id], code)
			}
		}
	}
	for name, months := range map[string]func(int) (int, bool){"mixed-fixed-period": MixedFixedPeriodMonths, "fixed-fixed-period": FixedFixedPeriodMonths} {
		for id, code := range readList(t, name) {
			years, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(code, "P"), "Y"))
			if m, ok := months(id); !ok || m != years*12 {
				t.Errorf("%s id %d (%s) = %d months", name, id, code, m)
			}
		}
	}
	districts := readList(t, "districts")
	for id := 0; id <= 21; id++ {
		if _, ok := districts[id]; ok != defaultDistrict(id) {
			t.Errorf("district %d in the list %v, in the default check %v", id, ok, defaultDistrict(id))
		}
	}
}
