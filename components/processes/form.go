package processes

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"portal/components"
	"portal/components/i18n"
	"portal/components/taxonomy"
	"portal/models"
)

// The broker's guided process form: "New process" (loan data), then the
// edit page's steps (loan data -> key borrower -> other borrowers ->
// property), each saved by its own form, with the submit checklist beside
// them. Inputs are named and identified by the partner API's fields
// ("loanAmount", "taxId", "parishId"), so the checklist links to them and
// the service's field errors land next to them.

// Steps of the edit page, in order.
const (
	StepLoan      = "loan"
	StepKey       = "key"
	StepBorrowers = "borrowers"
	StepProperty  = "property"
)

// Steps are the edit page's steps in order.
var Steps = []string{StepLoan, StepKey, StepBorrowers, StepProperty}

// ValidStep reports whether s names a step.
func ValidStep(s string) bool {
	for _, st := range Steps {
		if s == st {
			return true
		}
	}
	return false
}

// Values of the duration's unit and of a ticked checkbox.
const (
	UnitMonths = "months"
	UnitYears  = "years"
	Checked    = "on"
)

// Values are a form's fields as text: what was posted, or the stored
// values written the way the form takes them.
type Values map[string]string

// Form is one refused or fresh form: its values and the errors of the
// service (or of reading the form), worded next to each field.
type Form struct {
	Values Values
	Error  *models.Error
}

// NewView is the "New process" page (loan data only).
type NewView struct {
	Page components.Page
	Tax  *models.Taxonomy
	Form Form
}

// EditView is the edit page of a process in creation.
type EditView struct {
	Page    components.Page
	Detail  *models.ProcessDetail
	Tax     *models.Taxonomy
	Step    string
	Check   models.SubmitCheck
	Form    Form                 // the current step's form
	Editing *models.Borrower     // borrowers step: the other borrower being edited (nil: a new one)
	Cascade taxonomy.CascadeView // property step
	// SubmitError is a refused submit's field list (the checklist shows it).
	SubmitError bool
}

// NotEditableView says a process can no longer be edited.
type NotEditableView struct {
	Page        components.Page
	Process     models.Process
	StatusNames components.StatusNames
}

// EditURL is the edit page at step ("" the first).
func EditURL(uuid, step string) string {
	if step == "" || step == StepLoan {
		return ProcessURL(uuid) + "/edit"
	}
	return ProcessURL(uuid) + "/edit?step=" + step
}

// BorrowerURL is the borrowers step editing one other borrower.
func BorrowerURL(processUUID, borrowerUUID string) string {
	return ProcessURL(processUUID) + "/edit?step=" + StepBorrowers + "&borrower=" + url.QueryEscape(borrowerUUID)
}

// KeyBorrower is the process's key borrower, nil when it has none.
func (v EditView) KeyBorrower() *models.Borrower {
	for i := range v.Detail.Borrowers {
		if v.Detail.Borrowers[i].IsKey() {
			return &v.Detail.Borrowers[i]
		}
	}
	return nil
}

// Others are the borrowers besides the key borrower.
func (v EditView) Others() []models.Borrower {
	var out []models.Borrower
	for _, b := range v.Detail.Borrowers {
		if !b.IsKey() {
			out = append(out, b)
		}
	}
	return out
}

// StepDone tells whether the checklist has nothing left for step.
func (v EditView) StepDone(step string) bool {
	for _, f := range v.Check {
		if s, _, _ := v.target(f.Field); s == step {
			return false
		}
	}
	return true
}

var borrowerIndex = regexp.MustCompile(`^borrower\[(\d+)\]\.(.+)$`)

// target is where a checklist field is filled in: its step, the borrower
// it belongs to ("" none) and the input's id. Children's fields are
// prefixed by their entity: "keyBorrower" (the whole key borrower),
// "keyBorrower.taxId", "property.parishId", "borrower[n].x" (n counting
// the process's borrowers from 1, key borrower first, as ListBorrowers
// orders them; an index beyond them falls back on the step).
func (v EditView) target(field string) (step, borrower, id string) {
	switch {
	case field == "keyBorrower":
		return StepKey, "", "name"
	case strings.HasPrefix(field, "keyBorrower."):
		return StepKey, "", strings.TrimPrefix(field, "keyBorrower.")
	case strings.HasPrefix(field, "property."):
		id := strings.TrimPrefix(field, "property.")
		switch c := PropertyCascade; id {
		case "districtId":
			id = c.DistrictID()
		case "countyId":
			id = c.CountyID()
		case "parishId":
			id = c.ParishID()
		}
		return StepProperty, "", id
	}
	if m := borrowerIndex.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		n-- // counted from 1
		if n >= 0 && n < len(v.Detail.Borrowers) {
			b := v.Detail.Borrowers[n]
			if b.IsKey() {
				return StepKey, "", m[2]
			}
			return StepBorrowers, b.UUID, m[2]
		}
		return StepBorrowers, "", m[2]
	}
	return StepLoan, "", field
}

// PropertyCascade names the property form's district -> county -> parish
// selects (their ids are the cascade's: "property-district"...).
var PropertyCascade = taxonomy.CascadeView{ID: "property"}

// CheckItem is one line of the submit checklist.
type CheckItem struct {
	Href, Section, Label, Problem string
}

// Checklist words the submit check: each missing field with a link to it.
func (v EditView) Checklist(ctx context.Context) []CheckItem {
	out := make([]CheckItem, 0, len(v.Check))
	for _, f := range v.Check {
		step, borrower, id := v.target(f.Field)
		href := EditURL(v.Detail.Process.UUID, step)
		if borrower != "" {
			href = BorrowerURL(v.Detail.Process.UUID, borrower)
		}
		item := CheckItem{Href: href + "#" + id, Section: StepName(ctx, step)}
		if borrower != "" {
			for _, b := range v.Detail.Borrowers {
				if b.UUID == borrower {
					item.Section += " · " + b.Name
				}
			}
		}
		if f.Field == "keyBorrower" {
			item.Label = i18n.T(ctx, "processform.missing_key_borrower")
		} else {
			name := id
			if i := strings.LastIndexByte(f.Field, '.'); i >= 0 {
				name = f.Field[i+1:]
			}
			item.Label = FieldLabel(ctx, name)
			item.Problem = fieldText(ctx, f, name)
		}
		out = append(out, item)
	}
	return out
}

// StepName is a step's title.
func StepName(ctx context.Context, step string) string {
	return i18n.T(ctx, "processform.step."+step)
}

// FieldLabel is an input's label, by its API name.
func FieldLabel(ctx context.Context, name string) string {
	return i18n.T(ctx, "processform.f."+name)
}

// FieldMessage words the error of field in the form, "" when it has none.
func (f Form) FieldMessage(ctx context.Context, field string) string {
	if f.Error == nil {
		return ""
	}
	fe, ok := f.Error.Field(field)
	if !ok {
		return ""
	}
	return fieldText(ctx, fe, field)
}

// FormKeyPrefix marks the field errors of reading a form (an amount that
// is not one, a choice that is not a number): the pages' own, worded by
// the form catalogue; the services' are worded by i18n.Field.
const FormKeyPrefix = "processform.err."

// fieldText words one field error, naming the field by its label.
func fieldText(ctx context.Context, f models.FieldError, name string) string {
	switch {
	case strings.HasPrefix(f.Key, FormKeyPrefix):
		return i18n.T(ctx, "processform.err."+strings.TrimPrefix(f.Key, FormKeyPrefix))
	case f.Key == "field.taxonomy":
		// The API names the list; the page offered only its values.
		return i18n.T(ctx, "processform.err.choice")
	}
	args := models.Args{}
	for k, v := range f.Args {
		args[k] = v
	}
	if _, ok := args["Field"]; ok {
		args["Field"] = FieldLabel(ctx, name)
	}
	if parent, ok := args["Parent"].(string); ok {
		args["Parent"] = FieldLabel(ctx, parent)
	}
	f.Args = args
	return i18n.Field(ctx, f)
}

// GeneralMessage is a refusal not tied to a field, "" when there is none.
func (f Form) GeneralMessage(ctx context.Context) string {
	if f.Error == nil || len(f.Error.Fields) > 0 {
		return ""
	}
	return i18n.Refusal(ctx, f.Error)
}

// Choices are the items of a reference list as a select's options, the
// value chosen selected.
func Choices(ctx context.Context, tax *models.Taxonomy, list, chosen string) []taxonomy.Option {
	l, err := tax.List(list)
	if err != nil {
		return nil
	}
	lang := taxonomy.Lang(ctx)
	out := make([]taxonomy.Option, len(l.Items))
	for i, it := range l.Items {
		v := strconv.Itoa(it.ID)
		out[i] = taxonomy.Option{Value: v, Label: it.Description(lang), Selected: v == chosen}
	}
	return out
}

// Reference lists of the form's selects, by input name.
var fieldLists = map[string]string{
	"productSchemeId":              "product-schemes",
	"loanPurposeId":                "loan-purposes",
	"productPurposeId":             "product-purposes",
	"keyBorrowerRelationId":        "key-borrower-relations",
	"identificationDocumentTypeId": "identification-documents",
	"nationalityId":                models.TaxonomyCountries,
	"genderId":                     "genders",
	"maritalStatusId":              "marital-statuses",
	"matrimonialRegimeId":          "matrimonial-regimes",
	"residenceTypeId":              "residence-types",
	"professionId":                 "professions",
	"employmentSituationId":        "employment-situations",
	"employmentContractTypeId":     "employment-contract-types",
	"propertyTypologyId":           "property-typologies",
}

// FieldList is the reference list of a select input, "" for other inputs.
func FieldList(name string) string { return fieldLists[name] }

// Input kinds.
const (
	KindText     = "text"
	KindEmail    = "email"
	KindTel      = "tel"
	KindDate     = "date"
	KindMoney    = "money"
	KindNumber   = "number"
	KindSelect   = "select"
	KindCheckbox = "checkbox"
)

// Input is one field of a form.
type Input struct {
	Name, Kind   string
	Autocomplete string
	Required     bool // needed to submit (marked, not enforced by the browser)
	Max          int  // maxlength of text inputs
}

// The groups of inputs of each form, in order.
var (
	LoanInputs = []Input{
		{Name: "loanAmount", Kind: KindMoney, Required: true},
		{Name: "loanDurationMonths", Kind: KindNumber, Required: true},
		{Name: "productSchemeId", Kind: KindSelect, Required: true},
		{Name: "loanPurposeId", Kind: KindSelect, Required: true},
		{Name: "productPurposeId", Kind: KindSelect, Required: true},
		{Name: "branchId", Kind: KindNumber},
		{Name: "hasCrossSelling", Kind: KindCheckbox},
	}
	BorrowerPersonal = []Input{
		{Name: "name", Kind: KindText, Required: true, Autocomplete: "off", Max: 200},
		{Name: "birthDate", Kind: KindDate, Required: true},
		{Name: "taxId", Kind: KindText, Required: true, Max: 9},
		{Name: "identificationDocumentTypeId", Kind: KindSelect},
		{Name: "identificationDocumentNumber", Kind: KindText, Max: 50},
		{Name: "identificationDocumentExpiryDate", Kind: KindDate},
		{Name: "nationalityId", Kind: KindSelect},
		{Name: "genderId", Kind: KindSelect},
		{Name: "maritalStatusId", Kind: KindSelect},
		{Name: "matrimonialRegimeId", Kind: KindSelect},
		{Name: "residenceTypeId", Kind: KindSelect},
		{Name: "mobile", Kind: KindTel, Max: 30},
		{Name: "email", Kind: KindEmail, Max: 200},
		{Name: "address", Kind: KindText, Max: 200},
		{Name: "zipCode", Kind: KindText, Max: 8},
		{Name: "zipCodeLocal", Kind: KindText, Max: 100},
	}
	BorrowerProfessional = []Input{
		{Name: "professionId", Kind: KindSelect},
		{Name: "employmentSituationId", Kind: KindSelect},
		{Name: "employmentContractTypeId", Kind: KindSelect},
		{Name: "employerName", Kind: KindText, Max: 200},
		{Name: "employedSince", Kind: KindDate},
	}
	BorrowerFinancial = []Input{
		{Name: "incomeWagesPensions", Kind: KindMoney},
		{Name: "incomeGreenReceipts", Kind: KindMoney},
		{Name: "incomeRents", Kind: KindMoney},
		{Name: "incomeOthers", Kind: KindMoney},
		{Name: "installmentHousingCredit", Kind: KindMoney},
		{Name: "installmentPersonalCredit", Kind: KindMoney},
		{Name: "installmentAutoLeasingCredit", Kind: KindMoney},
		{Name: "installmentCreditCard", Kind: KindMoney},
		{Name: "installmentBankOverdraft", Kind: KindMoney},
		{Name: "installmentOther", Kind: KindMoney},
		{Name: "hasSocialSecurityDebt", Kind: KindCheckbox},
	}
	PropertyInputs = []Input{
		{Name: "propertyTypologyId", Kind: KindSelect},
		{Name: "grossBuiltArea", Kind: KindNumber},
		{Name: "yearBuilt", Kind: KindNumber},
		{Name: "acquisitionAmount", Kind: KindMoney, Required: true},
		{Name: "acquisitionDate", Kind: KindDate},
		{Name: "address", Kind: KindText, Max: 200},
		{Name: "doorNumber", Kind: KindText, Max: 20},
		{Name: "floor", Kind: KindText, Max: 20},
		{Name: "zipCode", Kind: KindText, Max: 8},
		{Name: "zipCodeLocal", Kind: KindText, Max: 100},
	}
)

// EurosText writes cents the way the form reads them back ("241000,00"
// in Portuguese, "241000.00" in English; no grouping, so it is never
// ambiguous).
func EurosText(ctx context.Context, cents int64) string {
	s := strconv.FormatInt(cents/100, 10) + "." + twoDigits(cents%100)
	if i18n.From(ctx) != i18n.EN {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func ptrText(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func boolValue(b bool) string {
	if b {
		return Checked
	}
	return ""
}

func moneyValue(ctx context.Context, cents int64) string {
	if cents == 0 {
		return ""
	}
	return EurosText(ctx, cents)
}

// LoanValues are a process's loan data as the form shows them.
func LoanValues(ctx context.Context, p models.Process) Values {
	v := Values{
		"loanAmount":         moneyValue(ctx, p.LoanAmountCents),
		"loanDurationMonths": "",
		"loanDurationUnit":   UnitMonths,
		"productSchemeId":    ptrText(p.ProductSchemeID),
		"loanPurposeId":      ptrText(p.LoanPurposeID),
		"productPurposeId":   ptrText(p.ProductPurposeID),
		"branchId":           ptrText(p.BranchID),
		"hasCrossSelling":    boolValue(p.HasCrossSelling),
	}
	if p.LoanDurationMonths > 0 {
		v["loanDurationMonths"] = strconv.Itoa(p.LoanDurationMonths)
	}
	return v
}

// BorrowerValues are a borrower as the form shows it.
func BorrowerValues(ctx context.Context, b models.Borrower) Values {
	return Values{
		"borrowerTypeId":                   strconv.Itoa(b.BorrowerTypeID),
		"keyBorrowerRelationId":            ptrText(b.KeyBorrowerRelationID),
		"name":                             b.Name,
		"birthDate":                        b.BirthDate,
		"taxId":                            b.TaxID,
		"identificationDocumentTypeId":     ptrText(b.IDDocumentTypeID),
		"identificationDocumentNumber":     b.IDDocumentNumber,
		"identificationDocumentExpiryDate": b.IDDocumentExpiry,
		"nationalityId":                    ptrText(b.NationalityID),
		"genderId":                         ptrText(b.GenderID),
		"maritalStatusId":                  ptrText(b.MaritalStatusID),
		"matrimonialRegimeId":              ptrText(b.MatrimonialRegimeID),
		"residenceTypeId":                  ptrText(b.ResidenceTypeID),
		"mobile":                           b.Mobile,
		"email":                            b.Email,
		"address":                          b.Address,
		"zipCode":                          b.ZipCode,
		"zipCodeLocal":                     b.ZipCodeLocal,
		"professionId":                     ptrText(b.ProfessionID),
		"employmentSituationId":            ptrText(b.EmploymentSituationID),
		"employmentContractTypeId":         ptrText(b.EmploymentContractTypeID),
		"employerName":                     b.EmployerName,
		"employedSince":                    b.EmployedSince,
		"incomeWagesPensions":              moneyValue(ctx, b.IncomeWagesPensionsCents),
		"incomeGreenReceipts":              moneyValue(ctx, b.IncomeGreenReceiptsCents),
		"incomeRents":                      moneyValue(ctx, b.IncomeRentsCents),
		"incomeOthers":                     moneyValue(ctx, b.IncomeOthersCents),
		"installmentHousingCredit":         moneyValue(ctx, b.InstallmentHousingCents),
		"installmentPersonalCredit":        moneyValue(ctx, b.InstallmentPersonalCents),
		"installmentAutoLeasingCredit":     moneyValue(ctx, b.InstallmentAutoLeasingCents),
		"installmentCreditCard":            moneyValue(ctx, b.InstallmentCreditCardCents),
		"installmentBankOverdraft":         moneyValue(ctx, b.InstallmentBankOverdraftCents),
		"installmentOther":                 moneyValue(ctx, b.InstallmentOtherCents),
		"hasSocialSecurityDebt":            boolValue(b.HasSocialSecurityDebt),
	}
}

// PropertyValues are the property as the form shows it.
func PropertyValues(ctx context.Context, pr models.Property) Values {
	v := Values{
		"propertyTypologyId": ptrText(pr.PropertyTypologyID),
		"grossBuiltArea":     ptrText(pr.GrossBuiltArea),
		"yearBuilt":          ptrText(pr.YearBuilt),
		"acquisitionDate":    pr.AcquisitionDate,
		"address":            pr.Address,
		"doorNumber":         pr.DoorNumber,
		"floor":              pr.Floor,
		"districtId":         ptrText(pr.DistrictID),
		"countyId":           ptrText(pr.CountyID),
		"parishId":           ptrText(pr.ParishID),
		"zipCode":            pr.ZipCode,
		"zipCodeLocal":       pr.ZipCodeLocal,
	}
	if pr.AcquisitionAmountCents != nil {
		v["acquisitionAmount"] = EurosText(ctx, *pr.AcquisitionAmountCents)
	}
	return v
}

// describePtr is the description of a reference value, "" when unset.
func describePtr(ctx context.Context, tax *models.Taxonomy, list string, id *int) string {
	if id == nil || tax == nil {
		return ""
	}
	return tax.Description(list, *id, taxonomy.Lang(ctx))
}
