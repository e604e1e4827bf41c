package ui

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/components/callbacks"
	"portal/components/i18n"
	"portal/models"
	"portal/web/session"
)

// The admin callback pages (/admin/callbacks...): partners and their
// subscriptions, the delivery log and one delivery, redeliver and
// re-enable. The broker's notice of disabled callbacks is on the process
// list (processes.go).

// adminCallbacks lists the partners and, with ?partner=, that partner's
// subscriptions.
func (h *Handlers) adminCallbacks(c *gin.Context) {
	ctx := c.Request.Context()
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	partners, err := h.svc.Callbacks.CallbackPartners(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := callbacks.SubscriptionsView{Tax: tax, Partners: partners, Partner: strings.TrimSpace(c.Query("partner"))}
	if v.Partner != "" {
		if v.Subs, err = h.svc.Callbacks.AdminSubscriptions(ctx, v.Partner); err != nil {
			h.fail(c, err)
			return
		}
	}
	v.Page = h.page(c, i18n.T(ctx, "callbacks.title"), "admin")
	h.render(c, http.StatusOK, callbacks.SubscriptionsPage(v))
}

// callbackDeliveries is the delivery log with ?partner=, ?status= and the
// keyset cursor ?after=.
func (h *Handlers) callbackDeliveries(c *gin.Context) {
	ctx := c.Request.Context()
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	partners, err := h.svc.Callbacks.CallbackPartners(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := callbacks.DeliveriesView{Tax: tax, Partners: partners, Partner: strings.TrimSpace(c.Query("partner")),
		Status: strings.TrimSpace(c.Query("status")), After: c.Query("after")}
	status := http.StatusOK
	v.Result, err = h.svc.Callbacks.ListDeliveries(ctx, models.DeliveryFilter{PartnerUUID: v.Partner, Status: v.Status, After: v.After})
	if err != nil {
		var ok bool
		if v.Error, status, ok = refusal(c, err); !ok {
			h.fail(c, err)
			return
		}
	}
	v.Page = h.page(c, i18n.T(ctx, "callbacks.log_title"), "admin")
	h.render(c, status, callbacks.DeliveriesPage(v))
}

// callbackDelivery is one delivery with every attempt.
func (h *Handlers) callbackDelivery(c *gin.Context) {
	ctx := c.Request.Context()
	d, err := h.svc.Callbacks.GetDelivery(ctx, c.Param("delivery_id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	tax, err := h.svc.Taxonomy.Taxonomy(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	partners, err := h.svc.Callbacks.CallbackPartners(ctx)
	if err != nil {
		h.fail(c, err)
		return
	}
	v := callbacks.DeliveryView{Tax: tax, Delivery: d}
	for _, p := range partners {
		if p.UUID == d.PartnerUUID {
			v.Partner = p.Name
		}
	}
	v.Page = h.page(c, i18n.T(ctx, "callbacks.delivery_page_title"), "admin")
	h.render(c, http.StatusOK, callbacks.DeliveryPage(v))
}

// redeliverCallback queues a delivery again and comes back to its page.
func (h *Handlers) redeliverCallback(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("delivery_id")
	if err := h.svc.Callbacks.Redeliver(ctx, id); err != nil {
		h.fail(c, err)
		return
	}
	_ = session.SetFlash(c, callbacks.DeliveryURL(id), i18n.T(ctx, "callbacks.redelivered"))
	redirect(c, callbacks.DeliveryURL(id))
}

// reenableCallback enables a disabled subscription again and comes back to
// the partner's subscriptions (the partner the form was posted from).
func (h *Handlers) reenableCallback(c *gin.Context) {
	ctx := c.Request.Context()
	if err := h.svc.Callbacks.Reenable(ctx, c.Param("subscription_id")); err != nil {
		h.fail(c, err)
		return
	}
	back := callbacks.URL
	if from := cameFrom(c); strings.HasPrefix(from, callbacks.URL+"?") {
		back = from
	}
	_ = session.SetFlash(c, callbacks.URL, i18n.T(ctx, "callbacks.reenabled"))
	redirect(c, back)
}
