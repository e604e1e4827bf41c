package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// fieldlessInvalid is invalid input that names no field: the store always
// names one, but a service may not, and the pages must still answer.
var fieldlessInvalid = &models.Error{Code: models.CodeInvalid, Message: "That cannot be done like this."}

type refusingProcesses struct{ models.ProcessService }

func (refusingProcesses) ListProcesses(context.Context, models.ProcessFilter) (*models.ProcessPage, error) {
	return nil, fieldlessInvalid
}

type refusingMessages struct{ models.MessageService }

func (refusingMessages) PostMessage(context.Context, string, models.NewMessage) (*models.Message, error) {
	return nil, fieldlessInvalid
}

func TestInvalidInputWithoutFieldsIsShownNotAPanic(t *testing.T) {
	s := webtest.NewWrapped(t, store.SQLite, func(svc models.Services) models.Services {
		svc.Processes = refusingProcesses{svc.Processes}
		svc.Messages = refusingMessages{svc.Messages}
		return svc
	})
	c := s.Client(t)
	c.Login(ana)

	list := c.Get("/processes?q=x")
	if list.StatusCode != http.StatusBadRequest || !strings.Contains(list.Body, fieldlessInvalid.Message) {
		t.Errorf("list: %d, message shown %v; want 400 with the error's message",
			list.StatusCode, strings.Contains(list.Body, fieldlessInvalid.Message))
	}

	id := processOf(t, s, "BRK-LIS-001")
	for name, headers := range map[string][]string{"form": nil, "htmx": {"HX-Request", "true"}} {
		res := c.PostForm("/processes/"+id+"/messages", url.Values{"text": {"hello"}}, headers...)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, fieldlessInvalid.Message) {
			t.Errorf("post (%s): %d, message shown %v; want 422 with the error's message",
				name, res.StatusCode, strings.Contains(res.Body, fieldlessInvalid.Message))
		}
	}
}
