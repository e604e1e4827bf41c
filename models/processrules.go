package models

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The rules of process work (processwork.go): the inputs' checks and what a
// process needs before it is submitted. Pure functions of their inputs, the
// taxonomy and today's date (YYYY-MM-DD, the caller's clock), table-tested
// in processrules_test.go. Field errors name the partner API's input fields.

// Lengths and bounds of the process's data.
const (
	MaxNameLength     = 200 // a borrower's name, an employer's
	MaxFreeText       = 200 // addresses and other one-line texts
	MaxShortText      = 50  // document numbers, door numbers, floors
	MaxEmailLength    = 254
	MaxMoneyCents     = 1_000_000_000_00 // 1 000 M€: any amount, income or instalment
	MaxGrossBuiltArea = 100_000          // m²
	MinYearBuilt      = 1800
	MinBirthDate      = "1900-01-01"
	AdultAge          = 18
)

// Taxonomy lists the inputs refer to.
const (
	TaxonomyProductSchemes          = "product-schemes"
	TaxonomyLoanPurposes            = "loan-purposes"
	TaxonomyProductPurposes         = "product-purposes"
	TaxonomyKeyBorrowerRelations    = "key-borrower-relations"
	TaxonomyIdentificationDocuments = "identification-documents"
	TaxonomyGenders                 = "genders"
	TaxonomyMaritalStatuses         = "marital-statuses"
	TaxonomyMatrimonialRegimes      = "matrimonial-regimes"
	TaxonomyResidenceTypes          = "residence-types"
	TaxonomyProfessions             = "professions"
	TaxonomyEmploymentSituations    = "employment-situations"
	TaxonomyEmploymentContractTypes = "employment-contract-types"
	TaxonomyPropertyTypologies      = "property-typologies"
	TaxonomyCancelReasons           = "proposal-cancel-reasons"
	TaxonomyRejectReasons           = "proposal-reject-reasons"
)

// MaritalStatusMarried is the marital-statuses id of married borrowers,
// who also need a matrimonial regime.
const MaritalStatusMarried = 2

// taxonomyRef checks that id, when set, is a value of list.
func taxonomyRef(v *Validation, t *Taxonomy, field, list string, id *int) {
	if id == nil {
		return
	}
	if !t.HasItem(list, *id) {
		v.Add(field, "field.taxonomy", Args{"Field": field, "List": list})
	}
}

// HasItem reports whether id is a value of list name.
func (t *Taxonomy) HasItem(name string, id int) bool {
	if t == nil {
		return false
	}
	l := t.byName[name]
	if l == nil {
		return false
	}
	_, ok := l.Item(id)
	return ok
}

// parentOf is the parent id of item id of list name (0 when unknown).
func (t *Taxonomy) parentOf(name string, id int) int {
	if t == nil || t.byName[name] == nil {
		return 0
	}
	it, _ := t.byName[name].Item(id)
	return it.ParentID
}

// ValidDay reports whether s is a real date written YYYY-MM-DD.
func ValidDay(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// day checks an optional date field into v, returning it trimmed.
func day(v *Validation, field, s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !ValidDay(s) {
		v.Add(field, "field.day", Args{"Field": field})
	}
	return s
}

// yearsBefore is the date n years before day (YYYY-MM-DD); 29 February
// becomes 28 February in a year without it.
func yearsBefore(today string, n int) string {
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return today
	}
	y, m, d := t.Date()
	if m == time.February && d == 29 {
		d = 28
	}
	return time.Date(y-n, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// money checks an amount in cents.
func money(v *Validation, field string, cents int64) {
	if cents < 0 || cents > MaxMoneyCents {
		v.Add(field, "field.range", Args{"Field": field, "Min": 0, "Max": MaxMoneyCents / 100})
	}
}

// ValidZipCode reports whether s is a Portuguese postal code, NNNN-NNN.
func ValidZipCode(s string) bool {
	if len(s) != 8 || s[4] != '-' {
		return false
	}
	return isDigitString(s[:4]) && isDigitString(s[5:])
}

func isDigitString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ValidPhone reports whether s is a phone number: an optional leading +,
// then 6 to 15 digits, spaces allowed between them.
func ValidPhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// Validate checks a process's loan data and returns it cleaned.
func (in ProcessInput) Validate(t *Taxonomy) (ProcessInput, error) {
	var v Validation
	in.SimulationUUID = strings.TrimSpace(in.SimulationUUID)
	if in.LoanAmountCents < 100 || in.LoanAmountCents > MaxLoanAmountCents {
		v.Add("loanAmount", "field.range", Args{"Field": "loanAmount", "Min": 1, "Max": MaxLoanAmountCents / 100})
	}
	if in.LoanDurationMonths < MinLoanDurationMonths || in.LoanDurationMonths > MaxLoanDurationMonths {
		v.Add("loanDurationMonths", "field.range", Args{"Field": "loanDurationMonths",
			"Min": MinLoanDurationMonths, "Max": MaxLoanDurationMonths})
	}
	taxonomyRef(&v, t, "productSchemeId", TaxonomyProductSchemes, in.ProductSchemeID)
	taxonomyRef(&v, t, "loanPurposeId", TaxonomyLoanPurposes, in.LoanPurposeID)
	taxonomyRef(&v, t, "productPurposeId", TaxonomyProductPurposes, in.ProductPurposeID)
	if in.BranchID != nil && *in.BranchID < 1 {
		v.Add("branchId", "field.min", Args{"Field": "branchId", "Min": 1})
	}
	return in, v.Err()
}

// Validate checks a borrower's data and returns it cleaned (texts trimmed,
// spaces taken out of the tax id); today is YYYY-MM-DD. The document's
// expiry may be past here: Submit refuses an expired document.
func (in BorrowerInput) Validate(t *Taxonomy, today string) (BorrowerInput, error) {
	var v Validation
	switch in.BorrowerTypeID {
	case 0, BorrowerTypeKey, BorrowerTypeOther:
	default:
		v.Add("borrowerTypeId", "borrower.type", Args{"Field": "borrowerTypeId"})
	}
	taxonomyRef(&v, t, "keyBorrowerRelationId", TaxonomyKeyBorrowerRelations, in.KeyBorrowerRelationID)
	in.Name = line(&v, "name", in.Name, true, MaxNameLength)

	in.BirthDate = day(&v, "birthDate", in.BirthDate)
	if in.BirthDate != "" && !v.Has("birthDate") {
		switch {
		case in.BirthDate < MinBirthDate:
			v.Add("birthDate", "field.date_min", Args{"Field": "birthDate", "Min": MinBirthDate})
		case in.BirthDate > yearsBefore(today, AdultAge):
			v.Add("birthDate", "field.adult", Args{"Field": "birthDate", "Age": AdultAge})
		}
	}
	in.TaxID = strings.ReplaceAll(line(&v, "taxId", in.TaxID, false, 20), " ", "")
	if in.TaxID != "" && !v.Has("taxId") && !ValidNIF(in.TaxID) {
		v.Add("taxId", "field.nif", Args{"Field": "taxId"})
	}

	taxonomyRef(&v, t, "identificationDocumentTypeId", TaxonomyIdentificationDocuments, in.IDDocumentTypeID)
	in.IDDocumentNumber = line(&v, "identificationDocumentNumber", in.IDDocumentNumber, false, MaxShortText)
	in.IDDocumentExpiry = day(&v, "identificationDocumentExpiryDate", in.IDDocumentExpiry)
	taxonomyRef(&v, t, "nationalityId", TaxonomyCountries, in.NationalityID)
	taxonomyRef(&v, t, "genderId", TaxonomyGenders, in.GenderID)
	taxonomyRef(&v, t, "maritalStatusId", TaxonomyMaritalStatuses, in.MaritalStatusID)
	taxonomyRef(&v, t, "matrimonialRegimeId", TaxonomyMatrimonialRegimes, in.MatrimonialRegimeID)
	taxonomyRef(&v, t, "residenceTypeId", TaxonomyResidenceTypes, in.ResidenceTypeID)

	in.Mobile = line(&v, "mobile", in.Mobile, false, 30)
	if in.Mobile != "" && !v.Has("mobile") && !ValidPhone(in.Mobile) {
		v.Add("mobile", "field.phone", Args{"Field": "mobile"})
	}
	in.Email = line(&v, "email", in.Email, false, MaxEmailLength)
	if in.Email != "" && !v.Has("email") {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			v.Add("email", "field.email", Args{"Field": "email"})
		}
	}
	in.Address = line(&v, "address", in.Address, false, MaxFreeText)
	in.ZipCode = zipCode(&v, "zipCode", in.ZipCode)
	in.ZipCodeLocal = line(&v, "zipCodeLocal", in.ZipCodeLocal, false, MaxFreeText)

	taxonomyRef(&v, t, "professionId", TaxonomyProfessions, in.ProfessionID)
	taxonomyRef(&v, t, "employmentSituationId", TaxonomyEmploymentSituations, in.EmploymentSituationID)
	taxonomyRef(&v, t, "employmentContractTypeId", TaxonomyEmploymentContractTypes, in.EmploymentContractTypeID)
	in.EmployerName = line(&v, "employerName", in.EmployerName, false, MaxNameLength)
	in.EmployedSince = day(&v, "employedSince", in.EmployedSince)
	if in.EmployedSince != "" && !v.Has("employedSince") && in.EmployedSince > today {
		v.Add("employedSince", "field.future", Args{"Field": "employedSince"})
	}

	for _, m := range []struct {
		field string
		cents int64
	}{
		{"incomeWagesPensions", in.IncomeWagesPensionsCents}, {"incomeGreenReceipts", in.IncomeGreenReceiptsCents},
		{"incomeRents", in.IncomeRentsCents}, {"incomeOthers", in.IncomeOthersCents},
		{"installmentHousingCredit", in.InstallmentHousingCents}, {"installmentPersonalCredit", in.InstallmentPersonalCents},
		{"installmentAutoLeasingCredit", in.InstallmentAutoLeasingCents}, {"installmentCreditCard", in.InstallmentCreditCardCents},
		{"installmentBankOverdraft", in.InstallmentBankOverdraftCents}, {"installmentOther", in.InstallmentOtherCents},
	} {
		money(&v, m.field, m.cents)
	}
	return in, v.Err()
}

// zipCode checks an optional postal code.
func zipCode(v *Validation, field, s string) string {
	s = strings.TrimSpace(s)
	if s != "" && !ValidZipCode(s) {
		v.Add(field, "field.zip", Args{"Field": field})
	}
	return s
}

// Validate checks the property's data and returns it cleaned; today is
// YYYY-MM-DD (a building is at most from next year). The county must be
// one of the district's and the parish one of the county's; a county needs
// its district and a parish its county.
func (in PropertyInput) Validate(t *Taxonomy, today string) (PropertyInput, error) {
	var v Validation
	taxonomyRef(&v, t, "propertyTypologyId", TaxonomyPropertyTypologies, in.PropertyTypologyID)
	if in.GrossBuiltArea != nil && (*in.GrossBuiltArea < 1 || *in.GrossBuiltArea > MaxGrossBuiltArea) {
		v.Add("grossBuiltArea", "field.range", Args{"Field": "grossBuiltArea", "Min": 1, "Max": MaxGrossBuiltArea})
	}
	if in.YearBuilt != nil {
		next := 1
		if len(today) >= 4 {
			if y, err := strconv.Atoi(today[:4]); err == nil {
				next = y + 1
			}
		}
		if *in.YearBuilt < MinYearBuilt || *in.YearBuilt > next {
			v.Add("yearBuilt", "field.range", Args{"Field": "yearBuilt", "Min": MinYearBuilt, "Max": next})
		}
	}
	if in.AcquisitionAmountCents != nil {
		money(&v, "acquisitionAmount", *in.AcquisitionAmountCents)
	}
	in.AcquisitionDate = day(&v, "acquisitionDate", in.AcquisitionDate)
	in.Address = line(&v, "address", in.Address, false, MaxFreeText)
	in.DoorNumber = line(&v, "doorNumber", in.DoorNumber, false, MaxShortText)
	in.Floor = line(&v, "floor", in.Floor, false, MaxShortText)

	taxonomyRef(&v, t, "districtId", TaxonomyDistricts, in.DistrictID)
	taxonomyRef(&v, t, "countyId", TaxonomyCounties, in.CountyID)
	taxonomyRef(&v, t, "parishId", TaxonomyParishes, in.ParishID)
	cascade := func(field, parentField, list string, id, parent *int) {
		switch {
		case id == nil || v.Has(field):
		case parent == nil:
			v.Add(parentField, "field.required", Args{"Field": parentField})
		case !v.Has(parentField) && t.parentOf(list, *id) != *parent:
			v.Add(field, "field.cascade", Args{"Field": field, "Parent": parentField})
		}
	}
	cascade("countyId", "districtId", TaxonomyCounties, in.CountyID, in.DistrictID)
	cascade("parishId", "countyId", TaxonomyParishes, in.ParishID, in.CountyID)
	in.ZipCode = zipCode(&v, "zipCode", in.ZipCode)
	in.ZipCodeLocal = line(&v, "zipCodeLocal", in.ZipCodeLocal, false, MaxFreeText)
	return in, v.Err()
}

// Validate checks a cancellation: a proposal-cancel-reasons reason
// (cancelReasonId) and a comment of at most MaxTransitionComment
// characters; it returns the comment cleaned.
func (in CancelInput) Validate(t *Taxonomy) (CancelInput, error) {
	var v Validation
	switch {
	case in.ReasonID == 0:
		v.Add("cancelReasonId", "field.required", Args{"Field": "cancelReasonId"})
	case !t.HasItem(TaxonomyCancelReasons, in.ReasonID):
		v.Add("cancelReasonId", "field.taxonomy", Args{"Field": "cancelReasonId", "List": TaxonomyCancelReasons})
	}
	in.Comment = transitionComment(&v, in.Comment)
	return in, v.Err()
}

// transitionComment checks a decision's comment: optional, several lines,
// at most MaxTransitionComment characters.
func transitionComment(v *Validation, s string) string {
	c, ok := CleanText(s, true)
	switch {
	case !ok:
		v.Add("comment", "message.text_characters", nil)
	case runes(c) > MaxTransitionComment:
		v.Add("comment", "field.too_long", Args{"Field": "comment", "Max": MaxTransitionComment})
	}
	return c
}

// Validate checks a bank decision's input on its own (the move itself is
// checked against the process's status: CanMove): a known status
// (toStatusId), a reason (reasonId) of proposal-reject-reasons when
// rejecting and of proposal-cancel-reasons when cancelling, none for
// other moves, and the comment.
func (in ProcessTransition) Validate(t *Taxonomy) (ProcessTransition, error) {
	var v Validation
	if !ValidStatus(in.ToStatusID) {
		v.Add("toStatusId", "processes.status", nil)
	}
	if in.FromStatusID != 0 && !ValidStatus(in.FromStatusID) {
		v.Add("fromStatusId", "processes.status", nil)
	}
	list := ""
	switch in.ToStatusID {
	case StatusRejected:
		list = TaxonomyRejectReasons
	case StatusCancelled:
		list = TaxonomyCancelReasons
	}
	switch {
	case list == "" && in.ReasonID != 0:
		v.Add("reasonId", "field.not_allowed", Args{"Field": "reasonId"})
	case list != "" && in.ReasonID == 0:
		v.Add("reasonId", "field.required", Args{"Field": "reasonId"})
	case list != "" && !t.HasItem(list, in.ReasonID):
		v.Add("reasonId", "field.taxonomy", Args{"Field": "reasonId", "List": list})
	}
	in.Comment = transitionComment(&v, in.Comment)
	return in, v.Err()
}

// CheckSubmitRules is what p, with its borrowers and property (nil: none),
// lacks before it may be submitted (SubmitCheck; empty when complete);
// today is YYYY-MM-DD. Borrowers other than the key borrower are named by
// their position in the list order (key borrower first, then the others in
// the order given), counting from 1.
func CheckSubmitRules(p Process, borrowers []Borrower, prop *Property, today string) SubmitCheck {
	var v Validation
	need := func(field string, missing bool) {
		if missing {
			v.Add(field, "field.required", Args{"Field": field})
		}
	}
	need("loanAmount", p.LoanAmountCents <= 0)
	need("loanDurationMonths", p.LoanDurationMonths <= 0)
	need("productSchemeId", p.ProductSchemeID == nil)
	need("loanPurposeId", p.LoanPurposeID == nil)
	need("productPurposeId", p.ProductPurposeID == nil)

	list := slices.Clone(borrowers)
	slices.SortStableFunc(list, func(a, b Borrower) int {
		switch {
		case a.IsKey() == b.IsKey():
			return 0
		case a.IsKey():
			return -1
		}
		return 1
	})
	hasKey := len(list) > 0 && list[0].IsKey()
	if !hasKey {
		v.Add("keyBorrower", "submit.key_borrower", nil)
	}
	for i, b := range list {
		prefix := "borrower[" + strconv.Itoa(i+1) + "]."
		if b.IsKey() {
			prefix = "keyBorrower."
		}
		need(prefix+"name", strings.TrimSpace(b.Name) == "")
		need(prefix+"birthDate", b.BirthDate == "")
		need(prefix+"taxId", b.TaxID == "")
		if !b.IsKey() {
			need(prefix+"keyBorrowerRelationId", b.KeyBorrowerRelationID == nil)
			continue
		}
		need(prefix+"identificationDocumentTypeId", b.IDDocumentTypeID == nil)
		need(prefix+"identificationDocumentNumber", b.IDDocumentNumber == "")
		switch {
		case b.IDDocumentExpiry == "":
			need(prefix+"identificationDocumentExpiryDate", true)
		case b.IDDocumentExpiry < today:
			v.Add(prefix+"identificationDocumentExpiryDate", "field.expired", Args{"Field": prefix + "identificationDocumentExpiryDate"})
		}
		need(prefix+"nationalityId", b.NationalityID == nil)
		need(prefix+"maritalStatusId", b.MaritalStatusID == nil)
		if b.MaritalStatusID != nil && *b.MaritalStatusID == MaritalStatusMarried {
			need(prefix+"matrimonialRegimeId", b.MatrimonialRegimeID == nil)
		}
		need(prefix+"residenceTypeId", b.ResidenceTypeID == nil)
		if b.Mobile == "" && b.Email == "" {
			v.Add(prefix+"mobile", "submit.contact", nil)
		}
		need(prefix+"professionId", b.ProfessionID == nil)
		need(prefix+"employmentSituationId", b.EmploymentSituationID == nil)
		if b.MonthlyIncomeCents() <= 0 {
			v.Add(prefix+"incomeWagesPensions", "field.income_required", nil)
		}
	}

	if prop == nil {
		prop = &Property{}
	}
	need("property.districtId", prop.DistrictID == nil)
	need("property.countyId", prop.CountyID == nil)
	need("property.parishId", prop.ParishID == nil)
	need("property.acquisitionAmount", prop.AcquisitionAmountCents == nil)
	return SubmitCheck(v.Fields)
}

// Err is the check as the error Submit answers: nil when complete, else
// CodeInvalid with every missing field.
func (c SubmitCheck) Err() error {
	v := Validation{Fields: c}
	return v.Err()
}

// Conflicts of process work, worded by the catalogue (a page words them
// from Key in its own language).

// NotInCreation refuses an edit of a process that is no longer "In creation".
func NotInCreation() error {
	return &Error{Code: CodeConflict, Key: "process.not_in_creation", Message: English("process.not_in_creation", nil)}
}

// ProcessMoved refuses a decision on a status the process has left.
func ProcessMoved() error {
	return &Error{Code: CodeConflict, Key: "process.moved", Message: English("process.moved", nil)}
}

// MoveNotAllowed refuses a move the workflow does not allow (CanMove).
func MoveNotAllowed() error {
	return &Error{Code: CodeConflict, Key: "process.move_not_allowed", Message: English("process.move_not_allowed", nil)}
}

// KeyBorrowerUndeletable refuses to remove the key borrower.
func KeyBorrowerUndeletable() error {
	return &Error{Code: CodeConflict, Key: "borrower.key_undeletable", Message: English("borrower.key_undeletable", nil)}
}

// Input is the process's loan data as the input that would write it again
// (a form's starting values; an edit that changes one field).
func (p Process) Input() ProcessInput {
	return ProcessInput{LoanAmountCents: p.LoanAmountCents, LoanDurationMonths: p.LoanDurationMonths,
		ProductSchemeID: p.ProductSchemeID, LoanPurposeID: p.LoanPurposeID, ProductPurposeID: p.ProductPurposeID,
		HasCrossSelling: p.HasCrossSelling, BranchID: p.BranchID}
}

// Input is the borrower as the input that would write it again.
func (b Borrower) Input() BorrowerInput {
	return BorrowerInput{BorrowerTypeID: b.BorrowerTypeID, KeyBorrowerRelationID: b.KeyBorrowerRelationID, Name: b.Name,
		BirthDate: b.BirthDate, TaxID: b.TaxID, IDDocumentTypeID: b.IDDocumentTypeID, IDDocumentNumber: b.IDDocumentNumber,
		IDDocumentExpiry: b.IDDocumentExpiry, NationalityID: b.NationalityID, GenderID: b.GenderID,
		MaritalStatusID: b.MaritalStatusID, MatrimonialRegimeID: b.MatrimonialRegimeID, ResidenceTypeID: b.ResidenceTypeID,
		Mobile: b.Mobile, Email: b.Email, Address: b.Address, ZipCode: b.ZipCode, ZipCodeLocal: b.ZipCodeLocal,
		ProfessionID: b.ProfessionID, EmploymentSituationID: b.EmploymentSituationID,
		EmploymentContractTypeID: b.EmploymentContractTypeID, EmployerName: b.EmployerName, EmployedSince: b.EmployedSince,
		IncomeWagesPensionsCents: b.IncomeWagesPensionsCents, IncomeGreenReceiptsCents: b.IncomeGreenReceiptsCents,
		IncomeRentsCents: b.IncomeRentsCents, IncomeOthersCents: b.IncomeOthersCents,
		InstallmentHousingCents: b.InstallmentHousingCents, InstallmentPersonalCents: b.InstallmentPersonalCents,
		InstallmentAutoLeasingCents: b.InstallmentAutoLeasingCents, InstallmentCreditCardCents: b.InstallmentCreditCardCents,
		InstallmentBankOverdraftCents: b.InstallmentBankOverdraftCents, InstallmentOtherCents: b.InstallmentOtherCents,
		HasSocialSecurityDebt: b.HasSocialSecurityDebt}
}

// Input is the property as the input that would write it again.
func (p Property) Input() PropertyInput {
	return PropertyInput{PropertyTypologyID: p.PropertyTypologyID, GrossBuiltArea: p.GrossBuiltArea, YearBuilt: p.YearBuilt,
		AcquisitionAmountCents: p.AcquisitionAmountCents, AcquisitionDate: p.AcquisitionDate, Address: p.Address,
		DoorNumber: p.DoorNumber, Floor: p.Floor, DistrictID: p.DistrictID, CountyID: p.CountyID, ParishID: p.ParishID,
		ZipCode: p.ZipCode, ZipCodeLocal: p.ZipCodeLocal}
}
