package ui

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"portal/components"
	"portal/components/i18n"
	"portal/components/inbox"
	"portal/models"
)

// inboxPageSize is how many messages a page of the inbox (and of a
// customer's messages for staff) shows unless ?limit= says otherwise.
const inboxPageSize = 20

// paging reads ?limit= and ?offset=; values that are not whole numbers in
// range fall back to the first page of the default size.
func paging(c *gin.Context, def int) models.Paging {
	p := models.Paging{Limit: def}
	if n, err := strconv.Atoi(c.Query("limit")); err == nil && n >= 1 && n <= models.MaxCustomerPageSize {
		p.Limit = n
	}
	if n, err := strconv.Atoi(c.Query("offset")); err == nil && n >= 0 && n <= models.MaxCustomerPageOffset {
		p.Offset = n
	}
	return p
}

func pager(base, fragment string, p models.Paging, res *models.CustomerMessagePage) inbox.Pager {
	return inbox.Pager{Base: base, Fragment: fragment, Offset: p.Offset, Limit: p.Limit, DefaultLimit: inboxPageSize,
		Shown: len(res.Messages), Total: res.Total}
}

// customerPage is the layout data of a customer's page with the unread
// count for the header.
func (h *Handlers) customerPage(c *gin.Context, title string) (components.Page, error) {
	page := h.page(c, title, "inbox")
	n, err := h.svc.Customers.MyUnreadCount(c.Request.Context())
	page.Unread = n
	return page, err
}

// inbox is the customer's messages, newest first, a page at a time.
func (h *Handlers) inbox(c *gin.Context) {
	ctx := c.Request.Context()
	p := paging(c, inboxPageSize)
	res, err := h.svc.Customers.MyCustomerMessages(ctx, models.PrincipalFrom(ctx).BankPublicID, p)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := inbox.InboxView{Result: res, Pager: pager("/inbox", "", p, res)}
	v.Page = h.page(c, i18n.T(ctx, "inbox.title"), "inbox")
	v.Page.Unread = res.Unread
	h.render(c, http.StatusOK, inbox.InboxPage(v))
}

// inboxMessage opens one of the customer's messages, which marks it read.
// Another customer's message is the same 404 as one that does not exist.
func (h *Handlers) inboxMessage(c *gin.Context) {
	m, err := h.svc.Customers.OpenMyMessage(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	page, err := h.customerPage(c, i18n.T(c.Request.Context(), "inbox.message_title"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, inbox.MessagePage(inbox.MessageView{Page: page, Message: m}))
}
