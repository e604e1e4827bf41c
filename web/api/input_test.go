package api

import (
	"testing"

	"portal/models"
)

func TestAmountCents(t *testing.T) {
	for _, tc := range []struct {
		json  string
		cents int64
		set   bool
		bad   bool
	}{
		{"0", 0, true, false},
		{"0.5", 50, true, false},
		{"12.34", 1234, true, false},
		{"150000", 15000000, true, false},
		{"99999999.99", 9999999999, true, false},
		{"-1", -100, true, false}, // the service refuses it with its own message
		{"null", 0, false, false},
		{"", 0, false, false}, // absent
		{"1.005", 0, true, true},
		{"1.", 0, true, true},
		{".5", 0, true, true},
		{"01", 0, true, true},
		{"1e3", 0, true, true},
		{"1E+3", 0, true, true},
		{`"12"`, 0, true, true},
		{"true", 0, true, true},
		{"[1]", 0, true, true},
		{"1234567890123", 0, true, true},
	} {
		var a amount
		if tc.json != "" {
			_ = a.UnmarshalJSON([]byte(tc.json))
		}
		var v models.Validation
		cents, set := a.cents(&v, "loanAmount")
		if bad := v.Has("loanAmount"); bad != tc.bad || !bad && (cents != tc.cents || set != tc.set) {
			t.Errorf("%s: %d %v (invalid %v), want %d %v (invalid %v)", tc.json, cents, set, bad, tc.cents, tc.set, tc.bad)
		}
	}
}

func TestFieldCodeByEntity(t *testing.T) {
	for _, tc := range []struct{ category, field, code string }{
		{CategoryProcess, "loanAmount", "020201"},
		{CategoryProcess, "keyBorrower", "039901"},
		{CategoryProcess, "keyBorrower.taxId", "030601"},
		{CategoryProcess, "borrower[3].keyBorrowerRelationId", "030301"},
		{CategoryProcess, "property.parishId", "051201"},
		{CategoryBorrower, "address", "031701"},
		{CategoryProperty, "address", "050701"},
		{CategoryMessage, "text", "070201"},
		{CategoryMessage, "pageSize", "990201"},
		{CategoryTaxonomy, "pageNumber", "990101"},
		{CategoryProcess, "filterByText", "020001"},
		{CategoryProcess, "borrower[x", "020001"},
		{CategorySimulation, "borrowers[2].birthDate", "061701"},
		{CategorySimulation, "insurances[0].monthlyPremium", "062201"},
		{CategorySimulation, "borrowers", "061401"},
		{CategorySimulation, "loanAmount", "060201"},
		{CategoryESIS, "rules.DSTI", "101401"},
		{CategoryESIS, "rules.UNKNOWN", "100001"},
	} {
		if got := fieldCode(tc.category, tc.field); got != tc.code {
			t.Errorf("%s in %s: %s, want %s", tc.field, tc.category, got, tc.code)
		}
	}
}
