package obp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

type (
	entitlementJSON struct {
		EntitlementID string `json:"entitlement_id"`
		RoleName      string `json:"role_name"`
		BankID        string `json:"bank_id"`
	}
	entitlementsJSON struct {
		List []entitlementJSON `json:"list"`
	}
	currentUserJSON struct {
		UserID       string           `json:"user_id"`
		Email        string           `json:"email"`
		Username     string           `json:"username"`
		Entitlements entitlementsJSON `json:"entitlements"`
	}
)

// currentUser is Get Current User (v4.0.0) with the caller's entitlements.
// The username is what DirectLogin takes: the account's e-mail.
func (h *Handlers) currentUser(c *gin.Context) {
	u, err := h.svc.Entitlements.CurrentUser(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	out := currentUserJSON{UserID: u.UserUUID, Email: u.Email, Username: u.Email,
		Entitlements: entitlementsJSON{List: make([]entitlementJSON, 0, len(u.Entitlements))}}
	for _, e := range u.Entitlements {
		out.Entitlements.List = append(out.Entitlements.List, entitlementJSON{EntitlementID: e.UUID, RoleName: e.Role, BankID: e.BankID})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

type addEntitlementJSON struct {
	BankID   *string `json:"bank_id"`
	RoleName *string `json:"role_name"`
}

// addEntitlement is Add Entitlement for a User (v4.0.0): an admin grants
// role_name at bank_id; 201 with the entitlement.
func (h *Handlers) addEntitlement(c *gin.Context) {
	var in addEntitlementJSON
	derr := decode(c, &in, true)
	if derr != nil {
		in = addEntitlementJSON{} // a body that did not decode names no bank or role
	}
	bank, role := deref(in.BankID), deref(in.RoleName)
	c.Set(bankKey, bank) // answers name an unknown bank or role
	c.Set(roleKey, role)
	e, err := h.svc.Entitlements.AddEntitlement(c.Request.Context(), c.Param("user"),
		models.NewEntitlement{BankID: bank, Role: role, Undecodable: derr})
	if err != nil {
		h.fail(c, err)
		return
	}
	wire.WriteJSON(c, http.StatusCreated, entitlementJSON{EntitlementID: e.UUID, RoleName: e.Role, BankID: e.BankID})
}

// removeEntitlement is Delete Entitlement: 204 when the role was the
// user's and is gone. The entitlement must belong to the user in the path;
// otherwise it is not found, like an unknown one.
func (h *Handlers) removeEntitlement(c *gin.Context) {
	ctx := c.Request.Context()
	staff, err := h.svc.Entitlements.StaffWithEntitlements(ctx) // admins only: refuses others first
	if err != nil {
		h.fail(c, err)
		return
	}
	userID, entID := strings.ToLower(c.Param("user")), strings.ToLower(c.Param("entitlement"))
	var user *models.UserInfo
	for i := range staff {
		if staff[i].UserUUID == userID {
			user = &staff[i]
		}
	}
	if user == nil {
		h.fail(c, models.NotFound("user"))
		return
	}
	held := false
	for _, e := range user.Entitlements {
		held = held || e.UUID == entID
	}
	if !held {
		h.fail(c, models.NotFound("entitlement"))
		return
	}
	if err := h.svc.Entitlements.RemoveEntitlement(ctx, entID); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type customersJSON struct {
	Customers []customerJSON `json:"customers"`
}

// myCustomers is Get Customers for Current User (v4.0.0): the customers
// linked to the caller.
func (h *Handlers) myCustomers(c *gin.Context) {
	list, err := h.svc.Customers.MyCustomers(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	out := customersJSON{Customers: make([]customerJSON, 0, len(list))}
	if len(list) > 0 {
		// Customers carry the bank's row id; answers name banks by public id.
		banks, err := h.svc.Entitlements.Banks(c.Request.Context())
		if err != nil {
			h.fail(c, err)
			return
		}
		public := make(map[int64]string, len(banks))
		for _, b := range banks {
			public[b.ID] = b.BankID
		}
		for _, cu := range list {
			out.Customers = append(out.Customers, toCustomerJSON(public[cu.BankID], cu))
		}
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
