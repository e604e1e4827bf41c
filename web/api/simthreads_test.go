package api_test

// Simulations Message List / Create (the process-message contract on a
// simulation's thread) and Process Create from a simulation, through the
// API on both dialects.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"portal/models"
	"portal/web/webtest"
)

func simMessages(t testing.TB, p apiSession, id, query string) messageListBody {
	t.Helper()
	a := p.get(t, "/v1/simulations/"+id+"/message"+query)
	if a.Status != http.StatusOK {
		t.Fatalf("simulation messages %s: %s", query, a)
	}
	var l messageListBody
	webtest.StrictJSON(t, a.Body, &l)
	return l
}

const simPostedPrefix = `{"operationStatus":{"operationStatusCode":"060101","operationStatusMessage":"Simulation updated successfully"},"messageUniqueID":"`

func postSimMessage(t testing.TB, p apiSession, id, body string, headers ...string) (apiAnswer, string) {
	t.Helper()
	a := p.post(t, "/v1/simulations/"+id+"/message", body, headers...)
	if a.Status != http.StatusCreated {
		return a, ""
	}
	var out struct {
		OperationStatus OperationStatusJSON `json:"operationStatus"`
		MessageUniqueID string              `json:"messageUniqueID"`
	}
	webtest.StrictJSON(t, a.Body, &out)
	if string(a.Body) != simPostedPrefix+out.MessageUniqueID+`"}` {
		t.Fatalf("posted: %s", a.Body)
	}
	return a, out.MessageUniqueID
}

func TestSimulationMessagesAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		newBroker(t, s, beatrizEmail, lisboaUID, true)
		ana, beatriz := apiSignIn(t, s, lisboaUID, anaEmail), apiSignIn(t, s, lisboaUID, beatrizEmail)
		id, _ := createSimulation(t, ana, simInput())

		if l := simMessages(t, ana, id, ""); len(l.Messages) != 0 || l.TotalCount != 0 || l.Count != 0 {
			t.Fatalf("new thread %+v", l)
		}
		_, first := postSimMessage(t, ana, id, `{"subject":"Taxa","text":"Podem rever o spread?"}`)
		key := []string{"Idempotency-Key", "m-" + uuid.NewString()}
		a, second := postSimMessage(t, beatriz, id, `{"text":"Segunda mensagem"}`, key...)
		replay, again := postSimMessage(t, beatriz, id, `{"text":"Segunda mensagem"}`, key...)
		if again != second || string(replay.Body) != string(a.Body) || replay.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay %s / %s", replay, a)
		}
		// Newest first, attributed to their authors, paged like a process thread.
		l := simMessages(t, ana, id, "")
		if l.TotalCount != 2 || l.Count != 2 || fmt.Sprint(l.ids()) != fmt.Sprint([]string{second, first}) ||
			l.Messages[0].Username != beatrizEmail || l.Messages[1].Username != anaEmail || l.Messages[1].Subject != "Taxa" ||
			l.Messages[1].AuthorType != "broker" || !rfc3339Z.MatchString(l.Messages[0].CreationDate) {
			t.Fatalf("thread %+v", l)
		}
		if p := simMessages(t, ana, id, "?pageNumber=2&pageSize=1"); p.Count != 1 || p.TotalCount != 2 || p.Messages[0].MessageUniqueID != first {
			t.Errorf("page 2 %+v", p)
		}
		// The process contract's limits and codes.
		wantEnvelope(t, "pageSize 101", ana.get(t, "/v1/simulations/"+id+"/message?pageSize=101"), 400, "070001", "pageSize")
		wantEnvelope(t, "pageNumber 0", ana.get(t, "/v1/simulations/"+id+"/message?pageNumber=0"), 400, "070001", "pageNumber")
		wantEnvelope(t, "no text", ana.post(t, "/v1/simulations/"+id+"/message", `{"subject":"x"}`), 400, "070001", "text")
		wantEnvelope(t, "long text", ana.post(t, "/v1/simulations/"+id+"/message", jsonBody(t, map[string]any{"text": strings.Repeat("a", 4001)})),
			400, "070001", "text")
		wantEnvelope(t, "unknown field", ana.post(t, "/v1/simulations/"+id+"/message", `{"text":"a","to":"b"}`), 400, "070001")
		wantEnvelope(t, "missing", ana.get(t, "/v1/simulations/"+missingUUID()+"/message"), 404, "070002")
		if n := simMessages(t, ana, id, ""); n.TotalCount != 2 {
			t.Errorf("refused posts stored: %d", n.TotalCount)
		}
	})
}

func TestProcessCreateFromSimulation(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		ana, rui := apiSignIn(t, s, lisboaUID, anaEmail), apiSignIn(t, s, portoUID, ruiEmail)
		id, number := createSimulation(t, ana, simInput())
		// Not validated yet: a conflict. Another firm's: missing.
		wantEnvelope(t, "not validated", ana.post(t, "/v1/processes", jsonBody(t, map[string]any{"simulationUniqueId": id})), 409, "020003")
		validateSimulation(t, ana, id)
		foreign := rui.post(t, "/v1/processes", jsonBody(t, map[string]any{"simulationUniqueId": id}))
		missing := rui.post(t, "/v1/processes", jsonBody(t, map[string]any{"simulationUniqueId": missingUUID()}))
		if foreign.Status != http.StatusNotFound || string(foreign.Body) != string(missing.Body) {
			t.Errorf("foreign %s, missing %s", foreign, missing)
		}

		pid, pnum := createProcess(t, ana, map[string]any{"simulationUniqueId": id})
		a := ana.get(t, "/v1/processes/"+pid)
		var p struct {
			SimulationUniqueID *string `json:"simulationUniqueID"`
			SimulationNumber   *int64  `json:"simulationNumber"`
			LoanAmount         float64 `json:"loanAmount"`
			LoanDurationMonths int     `json:"loanDurationMonths"`
			KeyBorrowerName    string  `json:"keyBorrowerName"`
		}
		if err := json.Unmarshal(a.Body, &p); err != nil || a.Status != http.StatusOK {
			t.Fatalf("process %s: %v", a, err)
		}
		if p.SimulationUniqueID == nil || *p.SimulationUniqueID != id || p.SimulationNumber == nil || *p.SimulationNumber != number ||
			p.LoanAmount != 150000 || p.LoanDurationMonths != 360 || p.KeyBorrowerName != "Carla Mendes Rocha" {
			t.Errorf("process from the simulation %+v", p)
		}
		d := simulationOf(t, ana, id)
		if d.SimulationStatusID != models.SimulationConverted || d.ProcessID == nil || *d.ProcessID != pid ||
			d.ProcessNumber == nil || *d.ProcessNumber != pnum {
			t.Errorf("simulation after conversion: status %d, process %v %v", d.SimulationStatusID, d.ProcessID, d.ProcessNumber)
		}
		// A converted simulation cannot be cancelled, changed or converted again.
		wantEnvelope(t, "cancel converted", ana.do(t, http.MethodDelete, "/v1/simulations/"+id, ""), 409, "060003")
		wantEnvelope(t, "patch converted", ana.do(t, http.MethodPatch, "/v1/simulations/"+id, `{"loanAmount":1000}`), 409, "060003")
		wantEnvelope(t, "convert twice", ana.post(t, "/v1/processes", jsonBody(t, map[string]any{"simulationUniqueId": id})), 409, "020003")
	})
}
