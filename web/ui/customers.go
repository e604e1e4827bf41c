package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/customers"
	"portal/components/i18n"
	"portal/models"
	"portal/web/session"
)

// maxCustomerMessageBody caps a posted customer message form (the message
// is at most 1,024 characters, the other fields 64; the rest is headroom
// for encoding).
const maxCustomerMessageBody = 32 << 10

// findCustomers searches the bank's customers by name, e-mail, tax id or
// customer number.
func (h *Handlers) findCustomers(c *gin.Context) {
	v := customers.SearchView{Q: strings.TrimSpace(c.Query("q"))}
	status := http.StatusOK
	list, err := h.svc.Customers.FindCustomers(c.Request.Context(), v.Q, 0)
	if err != nil {
		msg, refused, ok := refusal(c, err)
		if !ok {
			h.fail(c, err)
			return
		}
		// An empty query only shows the form.
		if v.Q != "" {
			v.Error, status = msg, refused
		}
	}
	v.Results = list
	v.Page = h.page(c, i18n.T(c.Request.Context(), "customers.search_title"), "customers")
	h.render(c, status, customers.SearchPage(v))
}

// showCustomer is a customer's details and messages with the compose form.
func (h *Handlers) showCustomer(c *gin.Context) {
	p := models.PrincipalFrom(c.Request.Context())
	h.customerStaffPage(c, http.StatusOK, customers.ComposeView{FromPerson: p.Name})
}

func (h *Handlers) customerStaffPage(c *gin.Context, status int, compose customers.ComposeView) {
	ctx := c.Request.Context()
	p := models.PrincipalFrom(ctx)
	id := c.Param("customer_id")
	cu, err := h.svc.Customers.GetCustomer(ctx, id)
	if err != nil {
		h.fail(c, err)
		return
	}
	compose.CustomerUUID = id
	v := customers.CustomerView{Customer: cu, Compose: compose}
	pg := paging(c, inboxPageSize)
	res, err := h.svc.Customers.CustomerMessages(ctx, p.BankPublicID, id, pg)
	switch e := models.AsError(err); {
	case err == nil:
		v.Messages = res
		v.Pager = pager(customers.CustomerURL(id), "#messages", pg, res)
	case e.Code == models.CodeForbidden && e.MissingRole != "":
		// Staff who may write but not read still get the form.
		v.MessagesRefused = components.RoleNeeded(ctx, e.MissingRole, e.RoleBank)
	default:
		h.fail(c, err)
		return
	}
	// The service decides; the page only avoids offering a form that
	// would be refused.
	if !p.HasRole(models.RoleCanCreateCustomerMessage) {
		v.ComposeRefused = components.RoleNeeded(ctx, models.RoleCanCreateCustomerMessage, p.BankPublicID)
	}
	v.Page = h.page(c, cu.LegalName, "customers")
	h.render(c, status, customers.CustomerPage(v))
}

// postCustomerMessage writes to a customer. htmx gets the cleared form and
// the new message for the top of the list; a plain form post is redirected
// back to the customer's page with a flash.
func (h *Handlers) postCustomerMessage(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("customer_id")
	compose := customers.ComposeView{CustomerUUID: id, FromDepartment: c.PostForm("from_department"),
		FromPerson: c.PostForm("from_person"), Message: c.PostForm("message"), Transport: c.PostForm("transport"),
		Autofocus: true}
	// The browser offers a fixed list of transports (the API takes free text).
	in := models.NewCustomerMessage{Message: &compose.Message, Transport: &compose.Transport,
		FromDepartment: &compose.FromDepartment, FromPerson: &compose.FromPerson, ListedTransportOnly: true}
	m, err := h.svc.Customers.CreateCustomerMessage(ctx, models.PrincipalFrom(ctx).BankPublicID, id, in)
	if err != nil {
		_, status, ok := refusal(c, err)
		if !ok {
			// A refusal (missing role, unknown customer) is a page, not a
			// form error: htmx reloads to show it.
			if isFragment(c) {
				c.Header("HX-Refresh", "true")
			}
			h.fail(c, err)
			return
		}
		compose.Error = browserFieldErrors(models.AsError(err))
		if isFragment(c) {
			h.render(c, status, customers.Compose(compose))
			return
		}
		h.customerStaffPage(c, status, compose)
		return
	}
	if !isFragment(c) {
		_ = session.SetFlash(c, customers.CustomerURL(id), i18n.T(ctx, "customers.sent"))
		redirect(c, customers.CustomerURL(id)+"#messages")
		return
	}
	cleared := customers.ComposeView{CustomerUUID: id, FromDepartment: compose.FromDepartment,
		FromPerson: compose.FromPerson, Autofocus: true}
	h.render(c, http.StatusOK, customers.Posted(customers.PostedView{Compose: cleared, Message: *m}))
}

// browserFieldErrors words the one-line fields' errors for the form (the
// service names them by their API keys).
func browserFieldErrors(e *models.Error) *models.Error {
	out := *e
	out.Fields = make([]models.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field == "from_department" || f.Field == "from_person" {
			f.Key, f.Args = "field.one_line_max", models.Args{"Max": models.MaxCustomerMessageHeader}
		}
		out.Fields[i] = f
	}
	return &out
}
