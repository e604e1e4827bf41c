package obp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// Bodies of Create Customer Message. Absent keys stay nil: the service
// reports them after the bank and role checks.
type (
	createMessageV4JSON struct {
		Message        *string `json:"message"`
		Transport      *string `json:"transport"`
		FromDepartment *string `json:"from_department"`
		FromPerson     *string `json:"from_person"`
	}
	createMessageV14JSON struct {
		Message        *string `json:"message"`
		FromDepartment *string `json:"from_department"`
		FromPerson     *string `json:"from_person"`
	}
)

type successJSON struct {
	Success string `json:"success"`
}

// Messages as OBP lists them: v4.0.0 with transport, v1.4.0 without.
type (
	messageV4JSON struct {
		ID             string `json:"id"`
		Date           string `json:"date"`
		Transport      string `json:"transport"`
		Message        string `json:"message"`
		FromDepartment string `json:"from_department"`
		FromPerson     string `json:"from_person"`
	}
	messagesV4JSON struct {
		Messages []messageV4JSON `json:"messages"`
	}
	messageV14JSON struct {
		ID             string `json:"id"`
		Date           string `json:"date"`
		Message        string `json:"message"`
		FromDepartment string `json:"from_department"`
		FromPerson     string `json:"from_person"`
	}
	messagesV14JSON struct {
		Messages []messageV14JSON `json:"messages"`
	}
)

// createMessageV4 is Create Customer Message (v4.0.0): 201 {"success":"Success"}.
func (h *Handlers) createMessageV4(c *gin.Context) {
	var in createMessageV4JSON
	derr := decode(c, &in, true)
	_, err := h.svc.Customers.CreateCustomerMessage(c.Request.Context(), c.Param("bank"), c.Param("customer"),
		models.NewCustomerMessage{Message: in.Message, Transport: in.Transport, FromDepartment: in.FromDepartment,
			FromPerson: in.FromPerson, Undecodable: derr})
	if err != nil {
		h.fail(c, err)
		return
	}
	wire.WriteJSON(c, http.StatusCreated, successJSON{Success: "Success"})
}

// createMessageV14 is Create Customer Message (v1.4.0): no transport.
// OBP asks no role here; we require CanCreateCustomerMessage (the service
// checks it, as for v4.0.0).
func (h *Handlers) createMessageV14(c *gin.Context) {
	var in createMessageV14JSON
	derr := decode(c, &in, true)
	none := ""
	_, err := h.svc.Customers.CreateCustomerMessage(c.Request.Context(), c.Param("bank"), c.Param("customer"),
		models.NewCustomerMessage{Message: in.Message, Transport: &none, FromDepartment: in.FromDepartment,
			FromPerson: in.FromPerson, Undecodable: derr})
	if err != nil {
		h.fail(c, err)
		return
	}
	wire.WriteJSON(c, http.StatusCreated, successJSON{Success: "Success"})
}

// customerMessages is Get Customer Messages for a Customer (v4.0.0),
// newest first.
func (h *Handlers) customerMessages(c *gin.Context) {
	page, err := h.svc.Customers.CustomerMessages(c.Request.Context(), c.Param("bank"), c.Param("customer"), paging(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := messagesV4JSON{Messages: make([]messageV4JSON, 0, len(page.Messages))}
	for _, m := range page.Messages {
		out.Messages = append(out.Messages, messageV4JSON{ID: m.UUID, Date: wire.Timestamp(m.CreatedAt), Transport: m.Transport,
			Message: m.Message, FromDepartment: m.FromDepartment, FromPerson: m.FromPerson})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// myMessages is Get Customer Messages for all Customers (v1.4.0, also
// served under v4.0.0 with the same body): the messages of the customer
// linked to the caller at the bank, newest first. Every customer message
// is stored against the customer, so these are the same rows the v4.0.0
// list, the staff view and the web inbox show.
func (h *Handlers) myMessages(c *gin.Context) {
	page, err := h.svc.Customers.MyCustomerMessages(c.Request.Context(), c.Param("bank"), paging(c))
	if err != nil {
		h.fail(c, err)
		return
	}
	out := messagesV14JSON{Messages: make([]messageV14JSON, 0, len(page.Messages))}
	for _, m := range page.Messages {
		out.Messages = append(out.Messages, messageV14JSON{ID: m.UUID, Date: wire.Timestamp(m.CreatedAt),
			Message: m.Message, FromDepartment: m.FromDepartment, FromPerson: m.FromPerson})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}
