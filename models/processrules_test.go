package models

import (
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"portal/models/store/taxonomydata"
)

var (
	realTaxonomyOnce sync.Once
	realTaxonomy     *Taxonomy
)

// taxonomy is the portal's real reference lists (the data files the
// migration loads).
func taxonomy(t *testing.T) *Taxonomy {
	t.Helper()
	realTaxonomyOnce.Do(func() {
		lists, err := taxonomydata.Load()
		if err != nil {
			t.Fatal(err)
		}
		var out []*TaxonomyList
		for _, l := range lists {
			tl := &TaxonomyList{Name: l.Name, Parent: l.Parent, TitlePT: l.PT, TitleEN: l.EN}
			for _, it := range l.Items {
				tl.Items = append(tl.Items, TaxonomyItem{ID: it.ID, Code: it.Code, ParentID: it.ParentID, PT: it.PT, EN: it.EN})
			}
			out = append(out, tl)
		}
		realTaxonomy, err = NewTaxonomy(out)
		if err != nil {
			t.Fatal(err)
		}
	})
	if realTaxonomy == nil {
		t.Fatal("no taxonomy")
	}
	return realTaxonomy
}

func ptr[T any](v T) *T { return &v }

// fieldsOf is the sorted "field key" pairs of err's field errors.
func fieldsOf(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, f := range AsError(err).Fields {
		out = append(out, f.Field+" "+f.Key)
	}
	sort.Strings(out)
	return out
}

func checkFields(t *testing.T, name string, err error, want ...string) {
	t.Helper()
	sort.Strings(want)
	got := fieldsOf(err)
	if len(want) == 0 && err != nil {
		t.Errorf("%s: %v, want no error", name, got)
		return
	}
	if len(want) > 0 && ErrorCode(err) != CodeInvalid {
		t.Errorf("%s: error %v, want invalid %v", name, err, want)
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: fields\n %v\nwant\n %v", name, got, want)
	}
}

func TestValidNIF(t *testing.T) {
	for _, tc := range []struct {
		nif string
		ok  bool
	}{
		{"123456789", true},
		{"999999990", true}, // check digit 11 - 0 -> 0
		{"200000004", true},
		{"501964843", true}, // a company
		{"453456782", true}, // 45: non-resident person
		{"123456788", false},
		{"12345678", false},
		{"1234567890", false},
		{"12345678a", false},
		{" 23456789", false},
		{"023456789", false}, // no tax number starts with 0
		{"423456789", false}, // 4 only as 45
		{"", false},
	} {
		if got := ValidNIF(tc.nif); got != tc.ok {
			t.Errorf("ValidNIF(%q) = %v, want %v", tc.nif, got, tc.ok)
		}
	}
}

func TestWorkflowMoves(t *testing.T) {
	for _, tc := range []struct {
		from, to int
		kind     UserKind
		ok       bool
	}{
		{StatusInCreation, StatusSubmitted, KindBroker, true},
		{StatusInCreation, StatusCancelled, KindBroker, true},
		{StatusPendingDocuments, StatusCancelled, KindBroker, true},
		{StatusApproved, StatusCancelled, KindBroker, false}, // the bank has decided
		{StatusSubmitted, StatusInAnalysis, KindBroker, false},
		{StatusInCreation, StatusSubmitted, KindStaff, false}, // the broker submits
		{StatusSubmitted, StatusInAnalysis, KindStaff, true},
		{StatusSubmitted, StatusApproved, KindStaff, false}, // analysis first
		{StatusInAnalysis, StatusPendingDocuments, KindStaff, true},
		{StatusPendingDocuments, StatusInAnalysis, KindStaff, true},
		{StatusInAnalysis, StatusApproved, KindAdmin, true},
		{StatusApproved, StatusContracted, KindStaff, true},
		{StatusApproved, StatusRejected, KindStaff, false},
		{StatusInAnalysis, StatusRejected, KindStaff, true},
		{StatusContracted, StatusCancelled, KindStaff, false}, // final
		{StatusRejected, StatusInAnalysis, KindStaff, false},
		{StatusCancelled, StatusInCreation, KindBroker, false},
		{StatusSubmitted, StatusCancelled, KindCustomer, false},
	} {
		if got := CanMove(tc.from, tc.to, tc.kind); got != tc.ok {
			t.Errorf("CanMove(%d, %d, %s) = %v, want %v", tc.from, tc.to, tc.kind, got, tc.ok)
		}
	}
	for _, s := range []int{StatusContracted, StatusRejected, StatusCancelled} {
		if !FinalStatus(s) || NextStatuses(s, KindStaff) != nil || NextStatuses(s, KindBroker) != nil {
			t.Errorf("status %d must be final", s)
		}
	}
	if got := NextStatuses(StatusInAnalysis, KindStaff); !slices.Equal(got,
		[]int{StatusPendingDocuments, StatusApproved, StatusRejected, StatusCancelled}) {
		t.Errorf("staff moves from in analysis: %v", got)
	}
}

const today = "2026-12-04"

func validBorrower() BorrowerInput {
	return BorrowerInput{Name: "Carla Rocha", BirthDate: "1985-04-12", TaxID: "123456789",
		IDDocumentTypeID: ptr(1), IDDocumentNumber: "12345678", IDDocumentExpiry: "2020-01-01", // past: fine at input
		NationalityID: ptr(620), GenderID: ptr(2), MaritalStatusID: ptr(2), MatrimonialRegimeID: ptr(1), ResidenceTypeID: ptr(3),
		Mobile: "+351 912 345 678", Email: "carla@example.com", Address: "Rua Augusta 10", ZipCode: "1100-053",
		ZipCodeLocal: "Lisboa", ProfessionID: ptr(3), EmploymentSituationID: ptr(1), EmploymentContractTypeID: ptr(1),
		EmployerName: "Acme", EmployedSince: "2015-09-01", IncomeWagesPensionsCents: 250000}
}

func TestBorrowerInputValidate(t *testing.T) {
	tx := taxonomy(t)
	for _, tc := range []struct {
		name string
		edit func(*BorrowerInput)
		want []string
	}{
		{"valid", func(*BorrowerInput) {}, nil},
		{"minimal: a name", func(b *BorrowerInput) { *b = BorrowerInput{Name: "X"} }, nil},
		{"no name", func(b *BorrowerInput) { b.Name = "   " }, []string{"name field.required"}},
		{"long name", func(b *BorrowerInput) { b.Name = strings.Repeat("a", 201) }, []string{"name field.too_long"}},
		{"two-line name", func(b *BorrowerInput) { b.Name = "a\nb" }, []string{"name field.single_line"}},
		{"type", func(b *BorrowerInput) { b.BorrowerTypeID = 3 }, []string{"borrowerTypeId borrower.type"}},
		{"relation", func(b *BorrowerInput) { b.KeyBorrowerRelationID = ptr(8) }, []string{"keyBorrowerRelationId field.taxonomy"}},
		{"NIF", func(b *BorrowerInput) { b.TaxID = "123456780" }, []string{"taxId field.nif"}},
		{"NIF with spaces", func(b *BorrowerInput) { b.TaxID = "123 456 789" }, nil},
		{"birth date", func(b *BorrowerInput) { b.BirthDate = "1985-02-29" }, []string{"birthDate field.day"}},
		{"birth date format", func(b *BorrowerInput) { b.BirthDate = "12/04/1985" }, []string{"birthDate field.day"}},
		{"a minor", func(b *BorrowerInput) { b.BirthDate = "2008-12-05" }, []string{"birthDate field.adult"}},
		{"18 today", func(b *BorrowerInput) { b.BirthDate = "2008-12-04" }, nil},
		{"before 1900", func(b *BorrowerInput) { b.BirthDate = "1899-12-31" }, []string{"birthDate field.date_min"}},
		{"expiry", func(b *BorrowerInput) { b.IDDocumentExpiry = "2031-13-01" }, []string{"identificationDocumentExpiryDate field.day"}},
		{"references", func(b *BorrowerInput) {
			b.IDDocumentTypeID, b.NationalityID, b.GenderID, b.MaritalStatusID = ptr(0), ptr(999), ptr(3), ptr(7)
			b.MatrimonialRegimeID, b.ResidenceTypeID, b.ProfessionID = ptr(6), ptr(7), ptr(99)
			b.EmploymentSituationID, b.EmploymentContractTypeID = ptr(99), ptr(99)
		}, []string{"identificationDocumentTypeId field.taxonomy", "nationalityId field.taxonomy", "genderId field.taxonomy",
			"maritalStatusId field.taxonomy", "matrimonialRegimeId field.taxonomy", "residenceTypeId field.taxonomy",
			"professionId field.taxonomy", "employmentSituationId field.taxonomy", "employmentContractTypeId field.taxonomy"}},
		{"mobile", func(b *BorrowerInput) { b.Mobile = "91-234" }, []string{"mobile field.phone"}},
		{"email", func(b *BorrowerInput) { b.Email = "Carla <carla@example.com>" }, []string{"email field.email"}},
		{"zip", func(b *BorrowerInput) { b.ZipCode = "1100053" }, []string{"zipCode field.zip"}},
		{"employed in the future", func(b *BorrowerInput) { b.EmployedSince = "2026-12-05" }, []string{"employedSince field.future"}},
		{"money", func(b *BorrowerInput) {
			b.IncomeOthersCents, b.InstallmentOtherCents = -1, MaxMoneyCents+1
		}, []string{"incomeOthers field.range", "installmentOther field.range"}},
	} {
		in := validBorrower()
		tc.edit(&in)
		_, err := in.Validate(tx, today)
		checkFields(t, tc.name, err, tc.want...)
	}
	out, err := BorrowerInput{Name: "  Ana  ", TaxID: " 123 456 789 ", Email: " a@b.pt "}.Validate(tx, today)
	if err != nil || out.Name != "Ana" || out.TaxID != "123456789" || out.Email != "a@b.pt" {
		t.Errorf("cleaned %+v %v", out, err)
	}
}

func TestProcessInputValidate(t *testing.T) {
	tx := taxonomy(t)
	valid := ProcessInput{LoanAmountCents: 100, LoanDurationMonths: 12, ProductSchemeID: ptr(1), LoanPurposeID: ptr(7),
		ProductPurposeID: ptr(3), BranchID: ptr(1)}
	checkFields(t, "valid", func() error { _, err := valid.Validate(tx); return err }())
	for _, tc := range []struct {
		name string
		edit func(*ProcessInput)
		want []string
	}{
		{"no loan data", func(p *ProcessInput) { *p = ProcessInput{} },
			[]string{"loanAmount field.range", "loanDurationMonths field.range"}},
		{"max", func(p *ProcessInput) {
			p.LoanAmountCents, p.LoanDurationMonths = MaxLoanAmountCents, MaxLoanDurationMonths
		}, nil},
		{"over", func(p *ProcessInput) {
			p.LoanAmountCents, p.LoanDurationMonths = MaxLoanAmountCents+1, MaxLoanDurationMonths+1
		},
			[]string{"loanAmount field.range", "loanDurationMonths field.range"}},
		{"references", func(p *ProcessInput) { p.ProductSchemeID, p.LoanPurposeID, p.ProductPurposeID = ptr(4), ptr(8), ptr(0) },
			[]string{"productSchemeId field.taxonomy", "loanPurposeId field.taxonomy", "productPurposeId field.taxonomy"}},
		{"branch", func(p *ProcessInput) { p.BranchID = ptr(0) }, []string{"branchId field.min"}},
		{"optional references", func(p *ProcessInput) {
			p.ProductSchemeID, p.LoanPurposeID, p.ProductPurposeID, p.BranchID = nil, nil, nil, nil
		}, nil},
	} {
		in := valid
		tc.edit(&in)
		_, err := in.Validate(tx)
		checkFields(t, tc.name, err, tc.want...)
	}
}

func TestPropertyInputValidate(t *testing.T) {
	tx := taxonomy(t)
	// Lisboa (district 11) > Lisboa (county 153) > Ajuda (parish 1592);
	// Azambuja (150) is another county of Lisboa, Mealhada (11) Aveiro's.
	valid := PropertyInput{PropertyTypologyID: ptr(3), GrossBuiltArea: ptr(90), YearBuilt: ptr(2027),
		AcquisitionAmountCents: ptr(int64(25000000)), AcquisitionDate: "2027-01-15", Address: "Rua da Junqueira",
		DoorNumber: "12", Floor: "2.º", DistrictID: ptr(11), CountyID: ptr(153), ParishID: ptr(1592), ZipCode: "1300-343"}
	for _, tc := range []struct {
		name string
		edit func(*PropertyInput)
		want []string
	}{
		{"valid", func(*PropertyInput) {}, nil},
		{"empty", func(p *PropertyInput) { *p = PropertyInput{} }, nil},
		{"district only", func(p *PropertyInput) { p.CountyID, p.ParishID = nil, nil }, nil},
		{"county of another district", func(p *PropertyInput) { p.CountyID, p.ParishID = ptr(11), nil },
			[]string{"countyId field.cascade"}},
		{"parish of another county", func(p *PropertyInput) { p.CountyID = ptr(150) }, []string{"parishId field.cascade"}},
		{"parish without county", func(p *PropertyInput) { p.CountyID = nil }, []string{"countyId field.required"}},
		{"county without district", func(p *PropertyInput) { p.DistrictID = nil }, []string{"districtId field.required"}},
		{"unknown parish", func(p *PropertyInput) { p.ParishID = ptr(999999) }, []string{"parishId field.taxonomy"}},
		{"unknown county: its parish is not judged", func(p *PropertyInput) { p.CountyID = ptr(999999) },
			[]string{"countyId field.taxonomy"}},
		{"numbers", func(p *PropertyInput) {
			p.GrossBuiltArea, p.YearBuilt, p.AcquisitionAmountCents = ptr(0), ptr(2028), ptr(int64(-1))
		}, []string{"grossBuiltArea field.range", "yearBuilt field.range", "acquisitionAmount field.range"}},
		{"old building", func(p *PropertyInput) { p.YearBuilt = ptr(1799) }, []string{"yearBuilt field.range"}},
		{"texts", func(p *PropertyInput) {
			p.AcquisitionDate, p.Address, p.DoorNumber, p.ZipCode = "2027-1-15", strings.Repeat("x", 201), "1\n2", "13000-343"
		}, []string{"acquisitionDate field.day", "address field.too_long", "doorNumber field.single_line", "zipCode field.zip"}},
		{"typology", func(p *PropertyInput) { p.PropertyTypologyID = ptr(0) }, []string{"propertyTypologyId field.taxonomy"}},
	} {
		in := valid
		tc.edit(&in)
		_, err := in.Validate(tx, today)
		checkFields(t, tc.name, err, tc.want...)
	}
}

func TestDecisionInputs(t *testing.T) {
	tx := taxonomy(t)
	long := strings.Repeat("é", MaxTransitionComment+1)
	for _, tc := range []struct {
		name string
		in   CancelInput
		want []string
	}{
		{"valid", CancelInput{ReasonID: 8, Comment: " ok\nthanks "}, nil},
		{"no reason", CancelInput{}, []string{"cancelReasonId field.required"}},
		{"unknown reason", CancelInput{ReasonID: 9}, []string{"cancelReasonId field.taxonomy"}},
		{"long comment", CancelInput{ReasonID: 1, Comment: long}, []string{"comment field.too_long"}},
	} {
		_, err := tc.in.Validate(tx)
		checkFields(t, "cancel "+tc.name, err, tc.want...)
	}
	if out, _ := (CancelInput{ReasonID: 1, Comment: "  a\r\nb "}).Validate(tx); out.Comment != "a\nb" {
		t.Errorf("comment cleaned to %q", out.Comment)
	}
	for _, tc := range []struct {
		name string
		in   ProcessTransition
		want []string
	}{
		{"analysis", ProcessTransition{ToStatusID: StatusInAnalysis, Comment: "starting"}, nil},
		{"reject", ProcessTransition{FromStatusID: StatusInAnalysis, ToStatusID: StatusRejected, ReasonID: 11}, nil},
		{"reject without reason", ProcessTransition{ToStatusID: StatusRejected}, []string{"reasonId field.required"}},
		{"reject with a cancel reason id out of the list", ProcessTransition{ToStatusID: StatusRejected, ReasonID: 12},
			[]string{"reasonId field.taxonomy"}},
		{"cancel", ProcessTransition{ToStatusID: StatusCancelled, ReasonID: 8}, nil},
		{"cancel reason out of the list", ProcessTransition{ToStatusID: StatusCancelled, ReasonID: 11},
			[]string{"reasonId field.taxonomy"}},
		{"reason elsewhere", ProcessTransition{ToStatusID: StatusApproved, ReasonID: 1}, []string{"reasonId field.not_allowed"}},
		{"unknown status", ProcessTransition{ToStatusID: 9, FromStatusID: -1}, []string{"toStatusId processes.status", "fromStatusId processes.status"}},
		{"long comment", ProcessTransition{ToStatusID: StatusApproved, Comment: long}, []string{"comment field.too_long"}},
		{"control characters", ProcessTransition{ToStatusID: StatusApproved, Comment: "a\x00b"}, []string{"comment message.text_characters"}},
	} {
		_, err := tc.in.Validate(tx)
		checkFields(t, "move "+tc.name, err, tc.want...)
	}
}

// completeProcess is a process Submit accepts: loan data, a key borrower
// with everything, a co-borrower and a located property.
func completeProcess() (Process, []Borrower, *Property) {
	p := Process{LoanAmountCents: 1000000, LoanDurationMonths: 360, ProductSchemeID: ptr(1), LoanPurposeID: ptr(1),
		ProductPurposeID: ptr(1), StatusID: StatusInCreation}
	key := Borrower{BorrowerTypeID: BorrowerTypeKey, Name: "Carla", BirthDate: "1985-04-12", TaxID: "123456789",
		IDDocumentTypeID: ptr(1), IDDocumentNumber: "1", IDDocumentExpiry: today, NationalityID: ptr(620),
		MaritalStatusID: ptr(2), MatrimonialRegimeID: ptr(1), ResidenceTypeID: ptr(3), Email: "c@example.com",
		ProfessionID: ptr(3), EmploymentSituationID: ptr(1), IncomeRentsCents: 1}
	other := Borrower{BorrowerTypeID: BorrowerTypeOther, KeyBorrowerRelationID: ptr(1), Name: "Rui", BirthDate: "1983-01-01", TaxID: "200000004"}
	prop := &Property{DistrictID: ptr(11), CountyID: ptr(153), ParishID: ptr(1592), AcquisitionAmountCents: ptr(int64(0))}
	return p, []Borrower{other, key}, prop // any order: the key borrower is found
}

func TestCheckSubmitRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(p *Process, bs *[]Borrower, prop **Property)
		want []string
	}{
		{"complete", func(*Process, *[]Borrower, **Property) {}, nil},
		{"loan data", func(p *Process, _ *[]Borrower, _ **Property) {
			*p = Process{}
		}, []string{"loanAmount field.required", "loanDurationMonths field.required", "productSchemeId field.required",
			"loanPurposeId field.required", "productPurposeId field.required"}},
		{"no key borrower", func(_ *Process, bs *[]Borrower, _ **Property) { *bs = (*bs)[:1] },
			[]string{"keyBorrower submit.key_borrower"}},
		{"no borrower at all", func(_ *Process, bs *[]Borrower, _ **Property) { *bs = nil },
			[]string{"keyBorrower submit.key_borrower"}},
		{"empty key borrower", func(_ *Process, bs *[]Borrower, _ **Property) {
			(*bs)[1] = Borrower{BorrowerTypeID: BorrowerTypeKey}
		}, []string{"keyBorrower.name field.required", "keyBorrower.birthDate field.required", "keyBorrower.taxId field.required",
			"keyBorrower.identificationDocumentTypeId field.required", "keyBorrower.identificationDocumentNumber field.required",
			"keyBorrower.identificationDocumentExpiryDate field.required", "keyBorrower.nationalityId field.required",
			"keyBorrower.maritalStatusId field.required", "keyBorrower.residenceTypeId field.required",
			"keyBorrower.mobile submit.contact", "keyBorrower.professionId field.required",
			"keyBorrower.employmentSituationId field.required", "keyBorrower.incomeWagesPensions field.income_required"}},
		{"expired document, married without regime", func(_ *Process, bs *[]Borrower, _ **Property) {
			(*bs)[1].IDDocumentExpiry, (*bs)[1].MatrimonialRegimeID = "2026-12-03", nil
		}, []string{"keyBorrower.identificationDocumentExpiryDate field.expired", "keyBorrower.matrimonialRegimeId field.required"}},
		{"single: no regime needed; mobile is enough", func(_ *Process, bs *[]Borrower, _ **Property) {
			(*bs)[1].MaritalStatusID, (*bs)[1].MatrimonialRegimeID, (*bs)[1].Email, (*bs)[1].Mobile = ptr(1), nil, "", "+351912345678"
		}, nil},
		{"co-borrowers by position", func(_ *Process, bs *[]Borrower, _ **Property) {
			*bs = append(*bs, Borrower{BorrowerTypeID: BorrowerTypeOther, Name: "Third"})
			(*bs)[0].KeyBorrowerRelationID = nil
		}, []string{"borrower[2].keyBorrowerRelationId field.required", "borrower[3].keyBorrowerRelationId field.required",
			"borrower[3].birthDate field.required", "borrower[3].taxId field.required"}},
		{"no property", func(_ *Process, _ *[]Borrower, prop **Property) { *prop = nil },
			[]string{"property.districtId field.required", "property.countyId field.required", "property.parishId field.required",
				"property.acquisitionAmount field.required"}},
		{"property without parish", func(_ *Process, _ *[]Borrower, prop **Property) { (*prop).ParishID = nil },
			[]string{"property.parishId field.required"}},
	} {
		p, bs, prop := completeProcess()
		tc.edit(&p, &bs, &prop)
		check := CheckSubmitRules(p, bs, prop, today)
		checkFields(t, tc.name, check.Err(), tc.want...)
		if (len(check) == 0) != (len(tc.want) == 0) {
			t.Errorf("%s: check %v", tc.name, check)
		}
	}
	// Every key is worded in English.
	p, _, _ := completeProcess()
	for _, f := range CheckSubmitRules(p, []Borrower{{BorrowerTypeID: BorrowerTypeKey}}, nil, today) {
		if !HasEnglish(f.Key) || strings.Contains(f.Message(), "{{") {
			t.Errorf("%s: %q -> %q", f.Field, f.Key, f.Message())
		}
	}
}

// TestInputRoundTrip: an entity's Input, stored again, is the entity: every
// field of the inputs is copied (a field added to one and not the other
// fails here).
func TestInputRoundTrip(t *testing.T) {
	tx := taxonomy(t)
	b := validBorrower()
	b.BorrowerTypeID, b.KeyBorrowerRelationID, b.HasSocialSecurityDebt = BorrowerTypeOther, ptr(1), true
	b.IncomeGreenReceiptsCents, b.IncomeRentsCents, b.IncomeOthersCents = 1, 2, 3
	b.InstallmentHousingCents, b.InstallmentPersonalCents, b.InstallmentAutoLeasingCents = 4, 5, 6
	b.InstallmentCreditCardCents, b.InstallmentBankOverdraftCents, b.InstallmentOtherCents = 7, 8, 9
	b, err := b.Validate(tx, today)
	if err != nil {
		t.Fatal(err)
	}
	stored := Borrower{BorrowerTypeID: b.BorrowerTypeID, KeyBorrowerRelationID: b.KeyBorrowerRelationID, Name: b.Name,
		BirthDate: b.BirthDate, TaxID: b.TaxID, IDDocumentTypeID: b.IDDocumentTypeID, IDDocumentNumber: b.IDDocumentNumber,
		IDDocumentExpiry: b.IDDocumentExpiry, NationalityID: b.NationalityID, GenderID: b.GenderID,
		MaritalStatusID: b.MaritalStatusID, MatrimonialRegimeID: b.MatrimonialRegimeID, ResidenceTypeID: b.ResidenceTypeID,
		Mobile: b.Mobile, Email: b.Email, Address: b.Address, ZipCode: b.ZipCode, ZipCodeLocal: b.ZipCodeLocal,
		ProfessionID: b.ProfessionID, EmploymentSituationID: b.EmploymentSituationID,
		EmploymentContractTypeID: b.EmploymentContractTypeID, EmployerName: b.EmployerName, EmployedSince: b.EmployedSince,
		IncomeWagesPensionsCents: b.IncomeWagesPensionsCents, IncomeGreenReceiptsCents: 1, IncomeRentsCents: 2,
		IncomeOthersCents: 3, InstallmentHousingCents: 4, InstallmentPersonalCents: 5, InstallmentAutoLeasingCents: 6,
		InstallmentCreditCardCents: 7, InstallmentBankOverdraftCents: 8, InstallmentOtherCents: 9, HasSocialSecurityDebt: true}
	if got := stored.Input(); !reflect.DeepEqual(got, b) {
		t.Errorf("borrower input\n%+v\nwant\n%+v", got, b)
	}
	// Every field of BorrowerInput set (non-zero) above, so none is forgotten.
	v := reflect.ValueOf(b)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).IsZero() {
			t.Errorf("BorrowerInput.%s unset in the round trip", v.Type().Field(i).Name)
		}
	}
	pi := PropertyInput{PropertyTypologyID: ptr(1), GrossBuiltArea: ptr(2), YearBuilt: ptr(2000),
		AcquisitionAmountCents: ptr(int64(4)), AcquisitionDate: "2026-01-01", Address: "a", DoorNumber: "b", Floor: "c",
		DistrictID: ptr(11), CountyID: ptr(153), ParishID: ptr(1592), ZipCode: "1000-001", ZipCodeLocal: "d"}
	pr := Property{PropertyTypologyID: pi.PropertyTypologyID, GrossBuiltArea: pi.GrossBuiltArea, YearBuilt: pi.YearBuilt,
		AcquisitionAmountCents: pi.AcquisitionAmountCents, AcquisitionDate: pi.AcquisitionDate, Address: pi.Address,
		DoorNumber: pi.DoorNumber, Floor: pi.Floor, DistrictID: pi.DistrictID, CountyID: pi.CountyID, ParishID: pi.ParishID,
		ZipCode: pi.ZipCode, ZipCodeLocal: pi.ZipCodeLocal}
	if got := pr.Input(); !reflect.DeepEqual(got, pi) {
		t.Errorf("property input %+v, want %+v", got, pi)
	}
	li := ProcessInput{LoanAmountCents: 1, LoanDurationMonths: 2, ProductSchemeID: ptr(3), LoanPurposeID: ptr(4),
		ProductPurposeID: ptr(5), HasCrossSelling: true, BranchID: ptr(6)}
	p := Process{LoanAmountCents: 1, LoanDurationMonths: 2, ProductSchemeID: li.ProductSchemeID, LoanPurposeID: li.LoanPurposeID,
		ProductPurposeID: li.ProductPurposeID, HasCrossSelling: true, BranchID: li.BranchID}
	if got := p.Input(); !reflect.DeepEqual(got, li) {
		t.Errorf("process input %+v, want %+v", got, li)
	}
}
