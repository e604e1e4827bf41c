package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
	"portal/web/wire"
)

// The partner callback operations (Callback Update, Delete, List, Echo):
// a partner's subscriptions per notification type. The service answers
// another partner's id exactly like an unknown one.

// defaultCallbackLimit is Callback List's page when limit is absent: every
// notification type fits in it.
const defaultCallbackLimit = 25

type callbackInputJSON struct {
	URL         string `json:"url"`
	Description string `json:"description"`
	// RotateSecret gives a replaced subscription a new secret (a new one
	// always gets one).
	RotateSecret bool `json:"rotateSecret"`
}

type callbackJSON struct {
	CallbackUniqueID   string  `json:"callbackUniqueID"`
	PartnerUniqueID    string  `json:"partnerUniqueID"`
	NotificationTypeID int     `json:"notificationTypeID"`
	URL                string  `json:"url"`
	Description        string  `json:"description"`
	Secret             string  `json:"secret,omitempty"` // only when created or rotated
	Enabled            bool    `json:"enabled"`
	DisabledReason     *string `json:"disabledReason"`
	DisabledDate       *string `json:"disabledDate"`
	LastSuccessDate    *string `json:"lastSuccessDate"`
	LastFailureDate    *string `json:"lastFailureDate"`
	FailingSince       *string `json:"failingSince"`
	Pending            int64   `json:"pending"`
	CreationDate       string  `json:"creationDate"`
	UpdateDate         string  `json:"updateDate"`
}

type callbackSetJSON struct {
	OperationStatus OperationStatus `json:"operationStatus"`
	Callback        callbackJSON    `json:"callback"`
}

type callbackListJSON struct {
	Callbacks  []callbackJSON `json:"callbacks"`
	TotalCount int64          `json:"totalCount"`
	Count      int            `json:"count"`
	Offset     int            `json:"offset"`
	Limit      int            `json:"limit"`
}

type callbackEchoJSON struct {
	NotificationTypeID int             `json:"notificationTypeID"`
	ProcessUniqueID    string          `json:"processUniqueId"`
	SimulationUniqueID string          `json:"simulationUniqueId"`
	RawBody            json.RawMessage `json:"rawBody"`
}

type echoResultJSON struct {
	OperationStatus    OperationStatus `json:"operationStatus"`
	WebhookID          string          `json:"webhookID"`
	AttemptDate        string          `json:"attemptDate"`
	ResponseStatusCode int             `json:"responseStatusCode"` // 0: no answer (see error)
	DurationMs         int64           `json:"durationMs"`
	ResponseBody       string          `json:"responseBody"`
	Error              *string         `json:"error"`
}

func partnerID(c *gin.Context) string { return strings.TrimSpace(c.Param("partnerUniqueId")) }

// notificationType is the path's integer type.
func notificationType(c *gin.Context) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(c.Param("notificationType")))
	if err != nil {
		return 0, models.Invalid("notificationType", "field.integer", models.Args{"Field": "notificationType"})
	}
	return n, nil
}

// putCallback is Callback Update: creates or replaces the subscription of
// the type (201 with its secret when new; 200 when replaced, with a secret
// only when rotateSecret asked for one).
func (h *Handlers) putCallback(c *gin.Context) {
	var in callbackInputJSON
	if _, err := readJSON(c, &in); err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	typeID, err := notificationType(c)
	if err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	sub, err := h.svc.Callbacks.PutCallback(c.Request.Context(), partnerID(c), typeID,
		models.CallbackInput{URL: in.URL, Description: in.Description}, in.RotateSecret)
	if err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	// Without rotation only a new subscription gets a secret; with it, a
	// new one is the one never updated since its creation.
	created := sub.Secret != "" && (!in.RotateSecret || sub.UpdatedAt.Equal(sub.CreatedAt))
	code := CodeCallbackUpdated
	if created {
		code = CodeCallbackCreated
	}
	wire.WriteJSON(c, successes[code].Status, callbackSetJSON{OperationStatus: success(code), Callback: callbackOut(sub)})
}

// deleteCallback is Callback Delete (none: 404).
func (h *Handlers) deleteCallback(c *gin.Context) {
	typeID, err := notificationType(c)
	if err == nil {
		err = h.svc.Callbacks.DeleteCallback(c.Request.Context(), partnerID(c), typeID)
	}
	if err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	wire.WriteJSON(c, http.StatusOK, Envelope{OperationStatus: success(CodeCallbackDeleted)})
}

// listCallbacks is Callback List: the partner's subscriptions by type, with
// their delivery health, paged with offset / limit (1 to 100).
func (h *Handlers) listCallbacks(c *gin.Context) {
	var v models.Validation
	offset, limit := 0, defaultCallbackLimit
	if c.Query("offset") != "" {
		if offset = queryInt(c, "offset", &v); !v.Has("offset") && offset < 0 {
			v.Add("offset", "field.min", models.Args{"Field": "offset", "Min": 0})
		}
	}
	if c.Query("limit") != "" {
		if limit = queryInt(c, "limit", &v); !v.Has("limit") && (limit < 1 || limit > models.MaxCallbackPageSize) {
			v.Add("limit", "field.range", models.Args{"Field": "limit", "Min": 1, "Max": models.MaxCallbackPageSize})
		}
	}
	if err := v.Err(); err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	subs, total, err := h.svc.Callbacks.ListCallbacks(c.Request.Context(), partnerID(c), offset, limit)
	if err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	out := callbackListJSON{Callbacks: make([]callbackJSON, 0, len(subs)), TotalCount: total, Count: len(subs),
		Offset: offset, Limit: limit}
	for i := range subs {
		out.Callbacks = append(out.Callbacks, callbackOut(&subs[i]))
	}
	wire.WriteJSON(c, http.StatusOK, out)
}

// echoCallback is Callback Echo: delivers rawBody to the registered URL of
// its type as a test event now and answers what the partner's server
// answered (a 500 of theirs is still our 200: the echo was made).
func (h *Handlers) echoCallback(c *gin.Context) {
	var body callbackEchoJSON
	if _, err := readJSON(c, &body); err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	in := models.CallbackEcho{NotificationTypeID: body.NotificationTypeID, ProcessUUID: strings.TrimSpace(body.ProcessUniqueID),
		SimulationUUID: strings.TrimSpace(body.SimulationUniqueID), RawBody: body.RawBody}
	if err := models.CheckCallbackEcho(in); err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	res, err := h.svc.Callbacks.EchoCallback(c.Request.Context(), partnerID(c), in)
	if err != nil {
		fail(c, h.log, CategoryCallback, err)
		return
	}
	a := res.Attempt
	var problem *string
	if a.Error != "" {
		problem = &a.Error
	}
	wire.WriteJSON(c, http.StatusOK, echoResultJSON{OperationStatus: success(CodeCallbackEchoed), WebhookID: res.WebhookID,
		AttemptDate: wire.Timestamp(a.At), ResponseStatusCode: a.StatusCode, DurationMs: a.Duration.Milliseconds(),
		ResponseBody: a.Response, Error: problem})
}

func callbackOut(s *models.CallbackSubscription) callbackJSON {
	out := callbackJSON{CallbackUniqueID: s.UUID, PartnerUniqueID: s.PartnerUUID, NotificationTypeID: s.NotificationTypeID,
		URL: s.URL, Description: s.Description, Secret: s.Secret, Enabled: s.Enabled,
		DisabledDate: timestampPtr(s.DisabledAt), LastSuccessDate: timestampPtr(s.LastSuccessAt),
		LastFailureDate: timestampPtr(s.LastFailureAt), FailingSince: timestampPtr(s.FailingSince), Pending: s.Pending,
		CreationDate: wire.Timestamp(s.CreatedAt), UpdateDate: wire.Timestamp(s.UpdatedAt)}
	if s.DisabledReason != "" {
		out.DisabledReason = &s.DisabledReason
	}
	return out
}
