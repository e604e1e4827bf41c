package simulations

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"portal/components/i18n"
	"portal/components/processes"
	"portal/components/taxonomy"
	"portal/models"
	"portal/models/simulation"
)

// MaxBorrowers is how many borrower groups the simulator offers.
const MaxBorrowers = simulation.MaxBorrowers

// Insurance kinds of the form: the field names' middle part.
var Insurances = []struct {
	Key    string
	TypeID int
}{{"life", simulation.ChargeLifeInsurance}, {"home", simulation.ChargeHomeInsurance}}

// BorrowerField is the name of a borrower's input ("borrowers[0].birthDate").
func BorrowerField(i int, name string) string {
	return "borrowers[" + strconv.Itoa(i) + "]." + name
}

// InsuranceField is the name of an insurance's input ("insurance.life.premium").
func InsuranceField(key, name string) string { return "insurance." + key + "." + name }

// BorrowerNames are a borrower's inputs, in order.
var BorrowerNames = []string{"name", "taxId", "birthDate", "monthlyNetIncome", "monthlyInstalmentsOtherCredit"}

// Names are every input the simulator posts.
func Names() []string {
	out := []string{"loanAmount", "loanDurationMonths", "loanDurationUnit", "loanPurposeId", "productPurposeId", "rateTypeId",
		"indexTypeId", "mixedFixedPeriodId", "fixedFixedPeriodId", "propertyValue", "propertyAcquisitionAmount", "propertyDistrictId"}
	for i := 0; i < MaxBorrowers; i++ {
		for _, n := range BorrowerNames {
			out = append(out, BorrowerField(i, n))
		}
	}
	for _, in := range Insurances {
		out = append(out, InsuranceField(in.Key, "premium"), InsuranceField(in.Key, "required"))
	}
	return out
}

// BorrowerUsed tells whether borrower i has any field filled in.
func (v Values) BorrowerUsed(i int) bool {
	for _, n := range BorrowerNames {
		if v[BorrowerField(i, n)] != "" {
			return true
		}
	}
	return false
}

// ValuesOf writes stored data the way the form takes it back.
func ValuesOf(ctx context.Context, d models.SimulationData) Values {
	v := Values{"loanAmount": processes.EurosText(ctx, d.LoanAmountCents), "loanDurationUnit": processes.UnitMonths}
	if d.LoanDurationMonths%12 == 0 {
		v["loanDurationMonths"], v["loanDurationUnit"] = strconv.Itoa(d.LoanDurationMonths/12), processes.UnitYears
	} else {
		v["loanDurationMonths"] = strconv.Itoa(d.LoanDurationMonths)
	}
	id := func(name string, n int) {
		if n != 0 {
			v[name] = strconv.Itoa(n)
		}
	}
	money := func(name string, c int64) {
		if c != 0 {
			v[name] = processes.EurosText(ctx, c)
		}
	}
	id("loanPurposeId", d.LoanPurposeID)
	id("productPurposeId", d.ProductPurposeID)
	id("rateTypeId", d.RateTypeID)
	id("indexTypeId", d.IndexTypeID)
	id("mixedFixedPeriodId", d.MixedFixedPeriodID)
	id("fixedFixedPeriodId", d.FixedFixedPeriodID)
	money("propertyValue", d.PropertyValueCents)
	money("propertyAcquisitionAmount", d.PropertyAcquisitionAmountCents)
	id("propertyDistrictId", d.PropertyDistrictID)
	for i, b := range d.Borrowers {
		v[BorrowerField(i, "name")], v[BorrowerField(i, "taxId")], v[BorrowerField(i, "birthDate")] = b.Name, b.TaxID, b.BirthDate
		v[BorrowerField(i, "monthlyNetIncome")] = processes.EurosText(ctx, b.MonthlyNetIncomeCents)
		money(BorrowerField(i, "monthlyInstalmentsOtherCredit"), b.MonthlyInstalmentsOtherCreditCents)
	}
	for _, x := range d.Insurances {
		for _, in := range Insurances {
			if in.TypeID == x.BankChargeTypeID {
				v[InsuranceField(in.Key, "premium")] = processes.EurosText(ctx, x.MonthlyPremiumCents)
				if x.Required {
					v[InsuranceField(in.Key, "required")] = processes.Checked
				}
			}
		}
	}
	return v
}

// Label is an input's label, by its name (a borrower's by the part after
// the dot).
func Label(ctx context.Context, name string) string {
	if i := strings.LastIndexByte(name, ']'); i >= 0 && i+2 <= len(name) {
		name = name[i+2:]
	}
	return i18n.T(ctx, "sim.f."+name)
}

// Message words the error of field, "" when it has none.
func (f Form) Message(ctx context.Context, field string) string {
	if f.Error == nil {
		return ""
	}
	fe, ok := f.Error.Field(field)
	if !ok {
		return ""
	}
	switch {
	case strings.HasPrefix(fe.Key, processes.FormKeyPrefix):
		return i18n.T(ctx, fe.Key)
	case fe.Key == "field.taxonomy":
		return i18n.T(ctx, "processform.err.choice")
	}
	args := models.Args{}
	for k, v := range fe.Args {
		args[k] = v
	}
	if _, ok := args["Field"]; ok {
		args["Field"] = Label(ctx, field)
	}
	fe.Args = args
	return i18n.Field(ctx, fe)
}

// General is a refusal of no field, or "fix the fields below".
func (f Form) General(ctx context.Context) string {
	switch {
	case f.Error == nil:
		return ""
	case len(f.Error.Fields) == 0:
		return i18n.Refusal(ctx, f.Error)
	}
	if msg := f.Message(ctx, "borrowers"); msg != "" {
		return msg
	}
	return i18n.T(ctx, "sim.fix_fields")
}

// Choices are a reference list's options with the chosen one selected.
func Choices(ctx context.Context, tax *models.Taxonomy, list, chosen string) []taxonomy.Option {
	return processes.Choices(ctx, tax, list, chosen)
}

// RateType is the chosen rate type (0 none).
func (v Values) RateType() int { n, _ := strconv.Atoi(v["rateTypeId"]); return n }

// indexChoices are the reference rates a variable or mixed rate follows
// (the Euribors, not the fixed rate's "no index").
func indexChoices(ctx context.Context, tax *models.Taxonomy, chosen string) []taxonomy.Option {
	all := Choices(ctx, tax, models.TaxonomyIndexTypes, chosen)
	out := all[:0:0]
	for _, o := range all {
		if o.Value != strconv.Itoa(simulation.IndexFixedRate) {
			out = append(out, o)
		}
	}
	return out
}

// What the simulator's buttons post as "do", and a ticked box's value.
const (
	DoCalculate = "calculate"
	DoSave      = "save"
	True        = "true"
)

var borrowerIndex = regexp.MustCompile(`^borrowers\[(\d+)\]\.`)

// Refusal words a refusal of the stored simulation (converting it, say)
// on its page: its first field's error, naming the borrower it is about.
func Refusal(ctx context.Context, e *models.Error) string {
	if len(e.Fields) == 0 {
		return i18n.Refusal(ctx, e)
	}
	field := e.Fields[0].Field
	msg := Form{Error: e}.Message(ctx, field)
	if m := borrowerIndex.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		msg = i18n.T(ctx, "sim.borrower_n", map[string]any{"N": n + 1}) + ": " + msg
	}
	return msg
}
