package obp

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

type (
	bankJSON struct {
		ID        string `json:"id"`
		ShortName string `json:"short_name"`
		FullName  string `json:"full_name"`
	}
	banksJSON struct {
		Banks []bankJSON `json:"banks"`
	}
)

// banks is Get Banks (v4.0.0), public.
func (h *Handlers) banks(c *gin.Context) {
	list, err := h.svc.Entitlements.Banks(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	out := banksJSON{Banks: make([]bankJSON, 0, len(list))}
	for _, b := range list {
		out.Banks = append(out.Banks, bankJSON{ID: b.BankID, ShortName: b.ShortName, FullName: b.FullName})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// createCustomerJSON is OBP's PostCustomerJsonV310. The portal stores
// legal_name, mobile_phone_number, email (and customer_number when given);
// OBP's other customer fields are accepted, not stored, and echoed in the
// answer as OBP does. Unknown fields are ignored here, unlike on the other
// endpoints: OBP clients send more of the customer than the portal keeps.
type createCustomerJSON struct {
	LegalName      *string `json:"legal_name"`
	MobilePhone    *string `json:"mobile_phone_number"`
	Email          *string `json:"email"`
	CustomerNumber *string `json:"customer_number"`
	customerEcho
}

// customerEcho are OBP customer fields the portal does not keep.
type customerEcho struct {
	FaceImage                json.RawMessage `json:"face_image,omitempty"`
	DateOfBirth              json.RawMessage `json:"date_of_birth,omitempty"`
	RelationshipStatus       json.RawMessage `json:"relationship_status,omitempty"`
	Dependants               json.RawMessage `json:"dependants,omitempty"`
	DobOfDependants          json.RawMessage `json:"dob_of_dependants,omitempty"`
	CreditRating             json.RawMessage `json:"credit_rating,omitempty"`
	CreditLimit              json.RawMessage `json:"credit_limit,omitempty"`
	HighestEducationAttained json.RawMessage `json:"highest_education_attained,omitempty"`
	EmploymentStatus         json.RawMessage `json:"employment_status,omitempty"`
	KycStatus                json.RawMessage `json:"kyc_status,omitempty"`
	LastOkDate               json.RawMessage `json:"last_ok_date,omitempty"`
	Title                    json.RawMessage `json:"title,omitempty"`
	BranchID                 json.RawMessage `json:"branch_id,omitempty"`
	NameSuffix               json.RawMessage `json:"name_suffix,omitempty"`
}

// customerJSON is a customer as OBP shows one (CustomerJsonV310's
// identifying and contact fields).
type customerJSON struct {
	BankID         string `json:"bank_id"`
	CustomerID     string `json:"customer_id"`
	CustomerNumber string `json:"customer_number"`
	LegalName      string `json:"legal_name"`
	MobilePhone    string `json:"mobile_phone_number"`
	Email          string `json:"email"`
}

type createdCustomerJSON struct {
	customerJSON
	customerEcho
}

// createCustomer is Create Customer (v4.0.0), needing CanCreateCustomer:
// 201 with the new customer_id, the stored fields and OBP's other fields
// as posted.
func (h *Handlers) createCustomer(c *gin.Context) {
	var in createCustomerJSON
	derr := decode(c, &in, false)
	cu, err := h.svc.Customers.CreateCustomer(c.Request.Context(), c.Param("bank"), models.NewCustomer{
		LegalName: deref(in.LegalName), MobilePhone: deref(in.MobilePhone), Email: deref(in.Email),
		CustomerNumber: deref(in.CustomerNumber), Undecodable: derr,
	})
	if err != nil {
		h.fail(c, err)
		return
	}
	wire.WriteJSON(c, http.StatusCreated, createdCustomerJSON{customerJSON: toCustomerJSON(c.Param("bank"), *cu), customerEcho: in.customerEcho})
}

func toCustomerJSON(bank string, cu models.Customer) customerJSON {
	return customerJSON{BankID: bank, CustomerID: cu.UUID, CustomerNumber: cu.CustomerNumber,
		LegalName: cu.LegalName, MobilePhone: cu.MobilePhone, Email: cu.Email}
}
