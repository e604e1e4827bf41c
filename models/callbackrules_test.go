package models

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestValidateCallbackInput(t *testing.T) {
	for _, c := range []struct {
		url, desc string
		loopback  bool
		field     string // "" valid
	}{
		{"https://hooks.example.com/portal", "", false, ""},
		{"https://hooks.example.com:8443/a?b=c", "one line", false, ""},
		{"https://93.184.216.34/x", "", false, ""},
		{"http://hooks.example.com/", "", false, "url"},
		{"ftp://hooks.example.com/", "", false, "url"},
		{"https://user:pw@hooks.example.com/", "", false, "url"},
		{"hooks.example.com/x", "", false, "url"},
		{" https://hooks.example.com/", "", false, "url"},
		{"", "", false, "url"},
		{"https://" + strings.Repeat("a", MaxCallbackURL) + ".com/", "", false, "url"},
		{"https://127.0.0.1/x", "", false, "url"},
		{"https://127.0.0.1/x", "", true, ""},
		{"https://localhost/x", "", false, "url"},
		{"https://[::1]/x", "", false, "url"},
		{"https://[::1]/x", "", true, ""},
		{"https://10.0.0.8/x", "", true, "url"},
		{"https://172.16.3.4/x", "", false, "url"},
		{"https://192.168.1.1/x", "", false, "url"},
		{"https://169.254.169.254/latest/meta-data", "", true, "url"},
		{"https://[fe80::1]/x", "", false, "url"},
		{"https://[::ffff:10.0.0.1]/x", "", false, "url"},
		{"https://0.0.0.0/x", "", false, "url"},
		{"https://hooks.example.com/", "two\nlines", false, "description"},
		{"https://hooks.example.com/", strings.Repeat("é", MaxCallbackDesc+1), false, "description"},
		{"https://hooks.example.com/", strings.Repeat("é", MaxCallbackDesc), false, ""},
	} {
		err := ValidateCallbackInput(CallbackInput{URL: c.url, Description: c.desc}, c.loopback)
		if c.field == "" {
			if err != nil {
				t.Errorf("%q %q: %v", c.url, c.desc, err)
			}
			continue
		}
		if e := AsError(err); e.Code != CodeInvalid || !(&Validation{Fields: e.Fields}).Has(c.field) {
			t.Errorf("%q %q: %v, want invalid %s", c.url, c.desc, err, c.field)
		}
	}
}

func TestValidateCallbackData(t *testing.T) {
	id := "0b0f3c1e-8f57-4a3c-9d2b-6b2f3f7c9a10"
	for _, c := range []struct {
		typ   int
		data  string
		field string // "" valid
	}{
		{1, `{"processUniqueId":"` + id + `","processNumber":7,"fromStatusId":1,"toStatusId":2}`, ""},
		{1, `{"processUniqueId":"` + id + `","processNumber":7,"fromStatusId":1}`, "rawBody.toStatusId"},
		{1, `{"processUniqueId":"` + id + `","processNumber":7.5,"fromStatusId":1,"toStatusId":2}`, "rawBody.processNumber"},
		{1, `{"processUniqueId":"nope","processNumber":7,"fromStatusId":1,"toStatusId":2}`, "rawBody.processUniqueId"},
		{1, `{"processUniqueId":"` + id + `","processNumber":"7","fromStatusId":1,"toStatusId":2}`, "rawBody.processNumber"},
		{1, `{"processUniqueId":"` + id + `","processNumber":7,"fromStatusId":1,"toStatusId":2,"text":"hi"}`, "rawBody.text"},
		{2, `{"processUniqueId":"` + id + `","processNumber":7,"messageUniqueId":"` + id + `","authorKind":"bank"}`, ""},
		{2, `{"processUniqueId":"` + id + `","processNumber":7,"messageUniqueId":"` + id + `","authorKind":"bank","seq":3}`, ""},
		{4, `{"simulationUniqueId":"` + id + `","simulationNumber":1,"messageUniqueId":"` + id + `"}`, "rawBody.authorKind"},
		{5, `{"processUniqueId":"` + id + `","processNumber":7,"documentRequestUniqueId":"` + id + `"}`, ""},
		{6, `{"simulationUniqueId":"` + id + `","simulationNumber":1,"esisUniqueId":"` + id + `"}`, ""},
		{6, `{"simulationUniqueId":"` + id + `","simulationNumber":1,"esisUniqueId":"` + id + `","processUniqueId":"` + id + `","processNumber":2}`, ""},
		{3, `[]`, "rawBody"},
		{3, `{"simulationUniqueId":1} {}`, "rawBody"},
		{3, ``, "rawBody"},
		{9, `{}`, "notificationTypeID"},
	} {
		err := ValidateCallbackData(c.typ, json.RawMessage(c.data))
		if c.field == "" {
			if err != nil {
				t.Errorf("%d %s: %v", c.typ, c.data, err)
			}
			continue
		}
		if e := AsError(err); e.Code != CodeInvalid || !(&Validation{Fields: e.Fields}).Has(c.field) {
			t.Errorf("%d %s: %v, want invalid %s", c.typ, c.data, err, c.field)
		}
	}
}

// Every event kind partners hear of becomes data its own schema accepts,
// with no text.
func TestCallbackDataFitsItsSchema(t *testing.T) {
	id := "0b0f3c1e-8f57-4a3c-9d2b-6b2f3f7c9a10"
	for _, ev := range []Event{
		{Kind: EventProcessStatusChanged, ProcessUUID: id, FromStatusID: 1, ToStatusID: 2},
		{Kind: EventMessagePosted, ProcessUUID: id, MessageUUID: id, Seq: 4, AuthorKind: AuthorBank},
		{Kind: EventMessagePosted, ProcessUUID: id, MessageUUID: id, AuthorKind: AuthorBroker},
		{Kind: EventSimulationStatusChanged, SimulationUUID: id, FromStatusID: 0, ToStatusID: 1},
		{Kind: EventSimulationMessagePosted, SimulationUUID: id, MessageUUID: id, Seq: 1, AuthorKind: AuthorBroker},
		{Kind: EventDocumentsRequested, ProcessUUID: id, DocumentRequestUUID: id},
		{Kind: EventEsisIssued, SimulationUUID: id, EsisUUID: id},
		{Kind: EventEsisIssued, SimulationUUID: id, EsisUUID: id, ProcessUUID: id},
	} {
		data, typ, err := CallbackData(ev, CallbackNumbers{ProcessNumber: 12, SimulationNumber: 34})
		if err != nil || typ != NotificationTypeOf(ev.Kind) {
			t.Fatalf("%s: %v %d", ev.Kind, err, typ)
		}
		if err := ValidateCallbackData(typ, data); err != nil {
			t.Errorf("%s: %s does not fit: %v", ev.Kind, data, err)
		}
		body, err := CallbackBody(typ, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), data)
		if err != nil || !strings.HasPrefix(string(body), `{"type":"`+CallbackTypeName(typ)+`","notificationTypeID":`) {
			t.Errorf("%s: body %s %v", ev.Kind, body, err)
		}
	}
	if _, _, err := CallbackData(Event{Kind: EventCustomerMessageCreated}, CallbackNumbers{}); err == nil {
		t.Error("customer messages are not a partner's")
	}
}

func TestCallbackRetryDelay(t *testing.T) {
	for n := 1; n <= len(CallbackRetrySchedule); n++ {
		base := CallbackRetrySchedule[n-1]
		lo, _ := CallbackRetryDelay(CallbackRetrySchedule, n, 0)
		hi, _ := CallbackRetryDelay(CallbackRetrySchedule, n, 0.999999)
		mid, ok := CallbackRetryDelay(CallbackRetrySchedule, n, 0.5)
		if !ok || mid != base || lo != base-base/10 || hi < base+base/10-base/1000 || hi > base+base/10 {
			t.Errorf("attempt %d: %v %v %v around %v", n, lo, mid, hi, base)
		}
	}
	if _, ok := CallbackRetryDelay(CallbackRetrySchedule, len(CallbackRetrySchedule)+1, 0.5); ok {
		t.Error("a wait after the last attempt")
	}
	if d, _ := CallbackRetryDelay(CallbackRetrySchedule, 1, 0.5); d != 5*time.Second {
		t.Errorf("first wait %v", d)
	}
}
