package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Borrower List / Create / Get / Update / Delete
// (/v1/processes/{processUniqueId}/borrowers[/{borrowerUniqueId}]). A
// borrower of another process, or of another firm's, answers exactly like a
// missing one; the key borrower cannot be deleted (409).

// borrowerInputJSON is a borrower's data (Create and Update replace it all).
type borrowerInputJSON struct {
	BorrowerTypeID        int    `json:"borrowerTypeId"`
	KeyBorrowerRelationID *int   `json:"keyBorrowerRelationId"`
	Name                  string `json:"name"`
	BirthDate             string `json:"birthDate"`
	TaxID                 string `json:"taxId"`
	IDDocumentTypeID      *int   `json:"identificationDocumentTypeId"`
	IDDocumentNumber      string `json:"identificationDocumentNumber"`
	IDDocumentExpiry      string `json:"identificationDocumentExpiryDate"`
	NationalityID         *int   `json:"nationalityId"`
	GenderID              *int   `json:"genderId"`
	MaritalStatusID       *int   `json:"maritalStatusId"`
	MatrimonialRegimeID   *int   `json:"matrimonialRegimeId"`
	ResidenceTypeID       *int   `json:"residenceTypeId"`
	Mobile                string `json:"mobile"`
	Email                 string `json:"email"`
	Address               string `json:"address"`
	ZipCode               string `json:"zipCode"`
	ZipCodeLocal          string `json:"zipCodeLocal"`

	ProfessionID             *int   `json:"professionId"`
	EmploymentSituationID    *int   `json:"employmentSituationId"`
	EmploymentContractTypeID *int   `json:"employmentContractTypeId"`
	EmployerName             string `json:"employerName"`
	EmployedSince            string `json:"employedSince"`

	IncomeWagesPensions          amount `json:"incomeWagesPensions"`
	IncomeGreenReceipts          amount `json:"incomeGreenReceipts"`
	IncomeRents                  amount `json:"incomeRents"`
	IncomeOthers                 amount `json:"incomeOthers"`
	InstallmentHousingCredit     amount `json:"installmentHousingCredit"`
	InstallmentPersonalCredit    amount `json:"installmentPersonalCredit"`
	InstallmentAutoLeasingCredit amount `json:"installmentAutoLeasingCredit"`
	InstallmentCreditCard        amount `json:"installmentCreditCard"`
	InstallmentBankOverdraft     amount `json:"installmentBankOverdraft"`
	InstallmentOther             amount `json:"installmentOther"`
	HasSocialSecurityDebt        bool   `json:"hasSocialSecurityDebt"`
}

func (in borrowerInputJSON) input(v *models.Validation) models.BorrowerInput {
	return models.BorrowerInput{
		BorrowerTypeID: in.BorrowerTypeID, KeyBorrowerRelationID: in.KeyBorrowerRelationID,
		Name: in.Name, BirthDate: in.BirthDate, TaxID: in.TaxID,
		IDDocumentTypeID: in.IDDocumentTypeID, IDDocumentNumber: in.IDDocumentNumber, IDDocumentExpiry: in.IDDocumentExpiry,
		NationalityID: in.NationalityID, GenderID: in.GenderID, MaritalStatusID: in.MaritalStatusID,
		MatrimonialRegimeID: in.MatrimonialRegimeID, ResidenceTypeID: in.ResidenceTypeID,
		Mobile: in.Mobile, Email: in.Email, Address: in.Address, ZipCode: in.ZipCode, ZipCodeLocal: in.ZipCodeLocal,
		ProfessionID: in.ProfessionID, EmploymentSituationID: in.EmploymentSituationID,
		EmploymentContractTypeID: in.EmploymentContractTypeID, EmployerName: in.EmployerName, EmployedSince: in.EmployedSince,

		IncomeWagesPensionsCents:      in.IncomeWagesPensions.centsOrZero(v, "incomeWagesPensions"),
		IncomeGreenReceiptsCents:      in.IncomeGreenReceipts.centsOrZero(v, "incomeGreenReceipts"),
		IncomeRentsCents:              in.IncomeRents.centsOrZero(v, "incomeRents"),
		IncomeOthersCents:             in.IncomeOthers.centsOrZero(v, "incomeOthers"),
		InstallmentHousingCents:       in.InstallmentHousingCredit.centsOrZero(v, "installmentHousingCredit"),
		InstallmentPersonalCents:      in.InstallmentPersonalCredit.centsOrZero(v, "installmentPersonalCredit"),
		InstallmentAutoLeasingCents:   in.InstallmentAutoLeasingCredit.centsOrZero(v, "installmentAutoLeasingCredit"),
		InstallmentCreditCardCents:    in.InstallmentCreditCard.centsOrZero(v, "installmentCreditCard"),
		InstallmentBankOverdraftCents: in.InstallmentBankOverdraft.centsOrZero(v, "installmentBankOverdraft"),
		InstallmentOtherCents:         in.InstallmentOther.centsOrZero(v, "installmentOther"),
		HasSocialSecurityDebt:         in.HasSocialSecurityDebt,
	}
}

// borrowerJSON is a borrower in answers.
type borrowerJSON struct {
	BorrowerUniqueID               string  `json:"borrowerUniqueID"`
	BorrowerTypeID                 int     `json:"borrowerTypeID"`
	BorrowerTypeDescription        string  `json:"borrowerTypeDescription"`
	KeyBorrowerRelationID          *int    `json:"keyBorrowerRelationID"`
	KeyBorrowerRelationDescription *string `json:"keyBorrowerRelationDescription"`

	Name                              string  `json:"name"`
	BirthDate                         *string `json:"birthDate"`
	TaxID                             string  `json:"taxId"`
	IdentificationDocumentTypeID      *int    `json:"identificationDocumentTypeID"`
	IdentificationDocumentTypeDesc    *string `json:"identificationDocumentTypeDescription"`
	IdentificationDocumentNumber      string  `json:"identificationDocumentNumber"`
	IdentificationDocumentExpiryDate  *string `json:"identificationDocumentExpiryDate"`
	NationalityID                     *int    `json:"nationalityID"`
	NationalityDescription            *string `json:"nationalityDescription"`
	GenderID                          *int    `json:"genderID"`
	GenderDescription                 *string `json:"genderDescription"`
	MaritalStatusID                   *int    `json:"maritalStatusID"`
	MaritalStatusDescription          *string `json:"maritalStatusDescription"`
	MatrimonialRegimeID               *int    `json:"matrimonialRegimeID"`
	MatrimonialRegimeDescription      *string `json:"matrimonialRegimeDescription"`
	ResidenceTypeID                   *int    `json:"residenceTypeID"`
	ResidenceTypeDescription          *string `json:"residenceTypeDescription"`
	Mobile                            string  `json:"mobile"`
	Email                             string  `json:"email"`
	Address                           string  `json:"address"`
	ZipCode                           string  `json:"zipCode"`
	ZipCodeLocal                      string  `json:"zipCodeLocal"`
	ProfessionID                      *int    `json:"professionID"`
	ProfessionDescription             *string `json:"professionDescription"`
	EmploymentSituationID             *int    `json:"employmentSituationID"`
	EmploymentSituationDescription    *string `json:"employmentSituationDescription"`
	EmploymentContractTypeID          *int    `json:"employmentContractTypeID"`
	EmploymentContractTypeDescription *string `json:"employmentContractTypeDescription"`
	EmployerName                      string  `json:"employerName"`
	EmployedSince                     *string `json:"employedSince"`
	IncomeWagesPensions               float64 `json:"incomeWagesPensions"`
	IncomeGreenReceipts               float64 `json:"incomeGreenReceipts"`
	IncomeRents                       float64 `json:"incomeRents"`
	IncomeOthers                      float64 `json:"incomeOthers"`
	InstallmentHousingCredit          float64 `json:"installmentHousingCredit"`
	InstallmentPersonalCredit         float64 `json:"installmentPersonalCredit"`
	InstallmentAutoLeasingCredit      float64 `json:"installmentAutoLeasingCredit"`
	InstallmentCreditCard             float64 `json:"installmentCreditCard"`
	InstallmentBankOverdraft          float64 `json:"installmentBankOverdraft"`
	InstallmentOther                  float64 `json:"installmentOther"`
	HasSocialSecurityDebt             bool    `json:"hasSocialSecurityDebt"`
}

// borrowerTypes describes the borrower types (not a taxonomy list of the
// bank's): the key borrower and the others.
var borrowerTypes = map[string]map[int]string{
	models.LangPT: {models.BorrowerTypeKey: "1.º titular", models.BorrowerTypeOther: "Titular"},
	models.LangEN: {models.BorrowerTypeKey: "Key borrower", models.BorrowerTypeOther: "Borrower"},
}

func (d describer) borrower(b models.Borrower) borrowerJSON {
	return borrowerJSON{
		BorrowerUniqueID: b.UUID, BorrowerTypeID: b.BorrowerTypeID, BorrowerTypeDescription: borrowerTypes[d.lang][b.BorrowerTypeID],
		KeyBorrowerRelationID: b.KeyBorrowerRelationID, KeyBorrowerRelationDescription: d.of("key-borrower-relations", b.KeyBorrowerRelationID),
		Name: b.Name, BirthDate: date(b.BirthDate), TaxID: b.TaxID,
		IdentificationDocumentTypeID: b.IDDocumentTypeID, IdentificationDocumentTypeDesc: d.of("identification-documents", b.IDDocumentTypeID),
		IdentificationDocumentNumber: b.IDDocumentNumber, IdentificationDocumentExpiryDate: date(b.IDDocumentExpiry),
		NationalityID: b.NationalityID, NationalityDescription: d.of(models.TaxonomyCountries, b.NationalityID),
		GenderID: b.GenderID, GenderDescription: d.of("genders", b.GenderID),
		MaritalStatusID: b.MaritalStatusID, MaritalStatusDescription: d.of("marital-statuses", b.MaritalStatusID),
		MatrimonialRegimeID: b.MatrimonialRegimeID, MatrimonialRegimeDescription: d.of("matrimonial-regimes", b.MatrimonialRegimeID),
		ResidenceTypeID: b.ResidenceTypeID, ResidenceTypeDescription: d.of("residence-types", b.ResidenceTypeID),
		Mobile: b.Mobile, Email: b.Email, Address: b.Address, ZipCode: b.ZipCode, ZipCodeLocal: b.ZipCodeLocal,
		ProfessionID: b.ProfessionID, ProfessionDescription: d.of("professions", b.ProfessionID),
		EmploymentSituationID: b.EmploymentSituationID, EmploymentSituationDescription: d.of("employment-situations", b.EmploymentSituationID),
		EmploymentContractTypeID:          b.EmploymentContractTypeID,
		EmploymentContractTypeDescription: d.of("employment-contract-types", b.EmploymentContractTypeID),
		EmployerName:                      b.EmployerName, EmployedSince: date(b.EmployedSince),
		IncomeWagesPensions: euros(b.IncomeWagesPensionsCents), IncomeGreenReceipts: euros(b.IncomeGreenReceiptsCents),
		IncomeRents: euros(b.IncomeRentsCents), IncomeOthers: euros(b.IncomeOthersCents),
		InstallmentHousingCredit: euros(b.InstallmentHousingCents), InstallmentPersonalCredit: euros(b.InstallmentPersonalCents),
		InstallmentAutoLeasingCredit: euros(b.InstallmentAutoLeasingCents), InstallmentCreditCard: euros(b.InstallmentCreditCardCents),
		InstallmentBankOverdraft: euros(b.InstallmentBankOverdraftCents), InstallmentOther: euros(b.InstallmentOtherCents),
		HasSocialSecurityDebt: b.HasSocialSecurityDebt,
	}
}

type borrowerListJSON struct {
	Borrowers []borrowerJSON `json:"borrowers"`
}

// listBorrowers is Borrower List: the process's borrowers, key borrower first.
func (h *Handlers) listBorrowers(c *gin.Context) {
	list, err := h.svc.Work.ListBorrowers(c.Request.Context(), processID(c))
	if err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	out := borrowerListJSON{Borrowers: make([]borrowerJSON, 0, len(list))}
	for _, b := range list {
		out.Borrowers = append(out.Borrowers, d.borrower(b))
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// getBorrower is Borrower Get.
func (h *Handlers) getBorrower(c *gin.Context) {
	b, err := h.svc.Work.GetBorrower(c.Request.Context(), processID(c), borrowerID(c))
	if err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	d, err := h.describer(c)
	if err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, d.borrower(*b))
}

type createdBorrowerJSON struct {
	OperationStatus  OperationStatus `json:"operationStatus"`
	BorrowerUniqueID string          `json:"borrowerUniqueID"`
}

// createBorrower is Borrower Create: the first borrower of a process is its
// key borrower unless borrowerTypeId says otherwise. Idempotency-Key as for
// Process Create.
func (h *Handlers) createBorrower(c *gin.Context) {
	var body borrowerInputJSON
	raw, err := readJSON(c, &body)
	if err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	id := processID(c)
	err = wire.Create(c, h.svc.Idempotency, raw, func(ctx context.Context) (models.StoredResponse, error) {
		b, err := h.svc.Work.CreateBorrower(ctx, id, in)
		if err != nil {
			return models.StoredResponse{}, err
		}
		return wire.Response(http.StatusCreated, createdBorrowerJSON{OperationStatus: success(CodeBorrowerCreated), BorrowerUniqueID: b.UUID}), nil
	})
	if err != nil {
		fail(c, h.log, CategoryBorrower, err)
	}
}

// updateBorrower is Borrower Update (PUT: the data replaced).
func (h *Handlers) updateBorrower(c *gin.Context) {
	var body borrowerInputJSON
	if _, err := readJSON(c, &body); err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	var v models.Validation
	in := body.input(&v)
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	if _, err := h.svc.Work.UpdateBorrower(c.Request.Context(), processID(c), borrowerID(c), in); err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeBorrowerUpdated)})
}

// deleteBorrower is Borrower Delete; the key borrower stays (409).
func (h *Handlers) deleteBorrower(c *gin.Context) {
	if err := h.svc.Work.DeleteBorrower(c.Request.Context(), processID(c), borrowerID(c)); err != nil {
		fail(c, h.log, CategoryBorrower, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeBorrowerDeleted)})
}
