package ui

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"portal/components/i18n"
	"portal/components/threads"
	"portal/models"
	"portal/web/session"
)

// maxMessageBody caps a posted message form (text is at most 4000
// characters; the rest is headroom for encoding).
const maxMessageBody = 64 << 10

// postMessage posts to a process thread. htmx gets the cleared form plus
// every message since the one the page showed last; a plain form post is
// redirected back to the thread.
func (h *Handlers) postMessage(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	in := models.NewMessage{Subject: c.PostForm("subject"), Text: c.PostForm("text")}
	after := c.PostForm("after")
	_, err := h.svc.Messages.PostMessage(ctx, id, in)
	if err != nil {
		_, status, ok := refusal(c, err)
		if !ok {
			h.fail(c, err)
			return
		}
		compose := threads.ComposeView{ProcessUUID: id, Subject: in.Subject, Text: in.Text, Error: models.AsError(err), Autofocus: true}
		if isFragment(c) {
			h.render(c, status, threads.Compose(compose))
			return
		}
		h.processPage(c, status, compose)
		return
	}
	if !isFragment(c) {
		_ = session.SetFlash(c, "/processes/"+id, i18n.T(ctx, "threads.sent"))
		redirect(c, "/processes/"+id+"#thread")
		return
	}
	msgs, err := h.svc.Messages.MessagesSince(ctx, id, models.SinceQuery{After: after})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, threads.Posted(threads.ComposeView{ProcessUUID: id, Autofocus: true},
		h.appended(c, id, msgs)))
}

func (h *Handlers) appended(c *gin.Context, id string, msgs []models.Message) threads.MessagesView {
	v := threads.MessagesView{ProcessUUID: id, Messages: msgs, Viewer: models.PrincipalFrom(c.Request.Context())}
	if len(msgs) > 0 {
		v.After = msgs[len(msgs)-1].UUID
	}
	return v
}

// messagesSince answers the thread's poll: 204 when nothing is new (one
// indexed query), else the new messages, which the open page has now shown.
func (h *Handlers) messagesSince(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	msgs, err := h.svc.Messages.MessagesSince(ctx, id, models.SinceQuery{After: c.Query("after"), MarkRead: true})
	if err != nil {
		h.fail(c, err)
		return
	}
	if len(msgs) == 0 {
		c.Status(http.StatusNoContent)
		return
	}
	v := h.appended(c, id, msgs)
	v.LastSeq = 0
	h.render(c, http.StatusOK, threads.Appended(v))
}

// olderMessages is the page of messages before a cursor (htmx); without
// JavaScript the link goes to the process page with the cursor instead.
func (h *Handlers) olderMessages(c *gin.Context) {
	id := c.Param("id")
	before := c.Query("before")
	if !isFragment(c) {
		redirect(c, "/processes/"+url.PathEscape(id)+"?before="+url.QueryEscape(before)+"#thread")
		return
	}
	page, err := h.svc.Messages.ThreadPage(c.Request.Context(), id, models.ThreadQuery{Before: before})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.render(c, http.StatusOK, threads.Older(threads.OlderView{ProcessUUID: id, Page: page,
		Viewer: models.PrincipalFrom(c.Request.Context())}))
}
