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

// A thread of the API: a process's or a simulation's, the same contract
// (paging, limits, idempotent posts, answers) over their own services.
type thread struct {
	id   func(c *gin.Context) string
	list func(ctx context.Context, id string, page models.MessagePage) (*models.MessageList, error)
	post func(ctx context.Context, id string, in models.NewMessage) (*models.Message, error)
	// posted is the answer's status: the bank documents 020101 for a
	// process's; a simulation's is its own update code.
	posted OperationStatus
}

func (h *Handlers) processThread() thread {
	return thread{id: processID, list: h.svc.Messages.ListMessages, post: h.svc.Messages.PostMessage,
		posted: OperationStatus{Code: CodeProcessUpdated, Message: "Process Updated successfully"}}
}

func (h *Handlers) simulationThread() thread {
	return thread{id: simulationID,
		list: func(ctx context.Context, id string, page models.MessagePage) (*models.MessageList, error) {
			return h.svc.SimulationMessages.ListSimulationMessages(ctx, id, page)
		},
		post: func(ctx context.Context, id string, in models.NewMessage) (*models.Message, error) {
			return h.svc.SimulationMessages.PostSimulationMessage(ctx, id, in)
		},
		posted: success(CodeSimulationUpdated)}
}

// listMessages is the process's thread, newest first, paged with
// pageNumber / pageSize.
func (h *Handlers) listMessages(c *gin.Context) { h.listThread(c, h.processThread()) }

// listSimulationMessages is the simulation's thread, the same contract.
func (h *Handlers) listSimulationMessages(c *gin.Context) { h.listThread(c, h.simulationThread()) }

func (h *Handlers) listThread(c *gin.Context, th thread) {
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
	list, err := th.list(c.Request.Context(), th.id(c), page)
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
func (h *Handlers) postMessage(c *gin.Context) { h.postThread(c, h.processThread()) }

// postSimulationMessage adds a message to the simulation's thread, the
// same contract and answer.
func (h *Handlers) postSimulationMessage(c *gin.Context) { h.postThread(c, h.simulationThread()) }

func (h *Handlers) postThread(c *gin.Context, th thread) {
	var in newMessageJSON
	raw, err := readJSON(c, &in)
	if err != nil {
		fail(c, h.log, CategoryMessage, err)
		return
	}
	id := th.id(c)
	err = wire.Create(c, h.svc.Idempotency, raw, func(ctx context.Context) (models.StoredResponse, error) {
		m, err := th.post(ctx, id, models.NewMessage{Subject: in.Subject, Text: in.Text})
		if err != nil {
			return models.StoredResponse{}, err
		}
		return wire.Response(http.StatusCreated, postedJSON{
			OperationStatus: th.posted,
			MessageUniqueID: m.UUID,
		}), nil
	})
	if err != nil {
		fail(c, h.log, CategoryMessage, err)
	}
}
