package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

type messageJSON struct {
	MessageUniqueID string `json:"messageUniqueID"`
	Username        string `json:"username"`
	Subject         string `json:"subject"`
	Text            string `json:"text"`
	CreationDate    string `json:"creationDate"`
	AuthorType      string `json:"authorType"`
}

type messageListJSON struct {
	Messages   []messageJSON `json:"messages"`
	TotalCount int64         `json:"totalCount"`
	Count      int           `json:"count"`
}

// listMessages is the process's thread, newest first, paged with
// pageNumber / pageSize.
func (h *Handlers) listMessages(c *gin.Context) {
	var v models.Validation
	page := models.DefaultMessagePage
	if c.Query("pageNumber") != "" {
		page.PageNumber = queryInt(c, "pageNumber", &v)
	}
	if c.Query("pageSize") != "" {
		page.PageSize = queryInt(c, "pageSize", &v)
	}
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryMessage, err)
		return
	}
	list, err := h.svc.Messages.ListMessages(c.Request.Context(), processID(c), page)
	if err != nil {
		fail(c, h.log, CategoryMessage, err)
		return
	}
	out := messageListJSON{Messages: make([]messageJSON, 0, len(list.Messages)), TotalCount: list.TotalCount, Count: list.Count}
	for _, m := range list.Messages {
		out.Messages = append(out.Messages, messageJSON{MessageUniqueID: m.UUID, Username: m.AuthorUsername,
			Subject: m.Subject, Text: m.Text, CreationDate: wire.Timestamp(m.CreatedAt), AuthorType: string(m.AuthorKind)})
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

type newMessageJSON struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

type postedJSON struct {
	OperationStatus OperationStatus `json:"operationStatus"`
	MessageUniqueID string          `json:"messageUniqueID"`
}

// postMessage adds a message to the process's thread as the token's user.
// With an Idempotency-Key, a retry returns the first answer byte for byte
// and creates nothing.
func (h *Handlers) postMessage(c *gin.Context) {
	var in newMessageJSON
	raw, err := readJSON(c, &in)
	if err != nil {
		fail(c, h.log, CategoryMessage, err)
		return
	}
	id := processID(c)
	err = wire.Create(c, h.svc.Idempotency, raw, func(ctx context.Context) (models.StoredResponse, error) {
		m, err := h.svc.Messages.PostMessage(ctx, id, models.NewMessage{Subject: in.Subject, Text: in.Text})
		if err != nil {
			return models.StoredResponse{}, err
		}
		return wire.Response(http.StatusCreated, postedJSON{
			OperationStatus: OperationStatus{Code: CodeProcessUpdated, Message: "Process Updated successfully"},
			MessageUniqueID: m.UUID,
		}), nil
	})
	if err != nil {
		fail(c, h.log, CategoryMessage, err)
	}
}
