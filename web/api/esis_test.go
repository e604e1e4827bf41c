package api_test

// Simulation ESIS Get / Email and Process ESIS Get / Email through the API
// (category 10): the Base64 PDF is the stored issue, the rules run unless
// ignoreRules=true, a failing rule is a field error of its own, the mail
// is queued with the PDF attached, and foreign ids answer like missing.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"portal/models"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

type esisBody struct {
	Esis string `json:"esis"`
}

// esisPDF gets path's ESIS as p and returns the decoded PDF.
func esisPDF(t testing.TB, p apiSession, path string, headers ...string) []byte {
	t.Helper()
	a := p.get(t, path, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("%s: %s", path, a)
	}
	var b esisBody
	webtest.StrictJSON(t, a.Body, &b)
	pdf, err := base64.StdEncoding.DecodeString(b.Esis)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("%s: not a Base64 PDF (%v): %.40q", path, err, pdf)
	}
	return pdf
}

// latestIssue is the newest stored ESIS of a simulation, with its PDF.
func latestIssue(t testing.TB, s *webtest.Server, simID string) *models.EsisIssue {
	t.Helper()
	ctx := storetest.AsUser(t, s.Store, anaEmail)
	list, err := s.Store.ListEsis(ctx, simID)
	if err != nil || len(list) == 0 {
		t.Fatalf("issues of %s: %v %v", simID, list, err)
	}
	e, err := s.Store.GetEsis(ctx, list[0].UUID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEsisAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		ana, rui := apiSignIn(t, s, lisboaUID, anaEmail), apiSignIn(t, s, portoUID, ruiEmail)

		// A simulation that fails the DSTI: refused without ignoreRules,
		// each failing rule named with its code.
		poor := simInput("borrowers", []any{simBorrower("Carla Mendes Rocha", "1990-03-01", 1000)})
		failing, _ := createSimulation(t, ana, poor)
		for _, q := range []string{"", "?ignoreRules=false"} {
			env := wantEnvelope(t, "rules"+q, ana.get(t, "/v1/simulations/"+failing+"/esis"+q), 400, "100001", "rules.DSTI")
			if env.Errors[0].Code != "101401" {
				t.Errorf("rule code %+v", env.Errors)
			}
		}
		wantEnvelope(t, "bad ignoreRules", ana.get(t, "/v1/simulations/"+failing+"/esis?ignoreRules=maybe"), 400, "100001", "ignoreRules")
		// With ignoreRules=true it is issued all the same; the answer is the
		// stored issue's PDF, in the language asked for.
		pdf := esisPDF(t, ana, "/v1/simulations/"+failing+"/esis?ignoreRules=true", "Accept-Language", "en")
		issue := latestIssue(t, s, failing)
		if !bytes.Equal(pdf, issue.PDF) || issue.Lang != "en" || issue.ProcessUUID != "" {
			t.Errorf("answered PDF (%d bytes) is not the stored issue (%d bytes, %s)", len(pdf), len(issue.PDF), issue.Lang)
		}
		if d := simulationOf(t, ana, failing); d.SimulationStatusID != models.SimulationInCreation || d.EsisIssuedAt == nil || d.EsisState != "valid" {
			t.Errorf("after an ESIS ignoring the rules: %+v", d)
		}

		// A passing simulation: the rules run first and validate it.
		id, _ := createSimulation(t, ana, simInput())
		pdf = esisPDF(t, ana, "/v1/simulations/"+id+"/esis")
		issue = latestIssue(t, s, id)
		if !bytes.Equal(pdf, issue.PDF) || issue.Lang != "pt-PT" {
			t.Errorf("PDF is not the stored issue (%s)", issue.Lang)
		}
		if d := simulationOf(t, ana, id); d.SimulationStatusID != models.SimulationValidated || d.EsisIssuedAt == nil {
			t.Errorf("after the ESIS: %+v", d)
		}

		// Email: the address is required and checked; the answer names the
		// issue, queued with its PDF attached.
		wantEnvelope(t, "no address", ana.get(t, "/v1/simulations/"+id+"/esis/email"), 400, "100001", "sendAddress")
		wantEnvelope(t, "bad address", ana.get(t, "/v1/simulations/"+id+"/esis/email?sendAddress=nope"), 400, "100001", "sendAddress")
		to := "carla.rocha@example.com"
		a := ana.get(t, "/v1/simulations/"+id+"/esis/email?sendAddress="+url.QueryEscape(to))
		var sent struct {
			OperationStatus OperationStatusJSON `json:"operationStatus"`
			EsisUniqueID    string              `json:"esisUniqueID"`
			SendAddress     string              `json:"sendAddress"`
			IssuedAt        string              `json:"issuedAt"`
			ValidUntil      string              `json:"validUntil"`
		}
		if a.Status != http.StatusOK {
			t.Fatalf("email: %s", a)
		}
		webtest.StrictJSON(t, a.Body, &sent)
		issue = latestIssue(t, s, id)
		if sent.OperationStatus.Code != "100101" || sent.OperationStatus.Message != "ESIS sent successfully" || sent.EsisUniqueID != issue.UUID ||
			sent.SendAddress != to || issue.EmailedTo != to {
			t.Errorf("email answer %+v, issue %+v", sent, issue)
		}
		if mustTime(t, sent.ValidUntil).Sub(mustTime(t, sent.IssuedAt)) != models.DefaultEsisValidity {
			t.Errorf("valid from %s until %s", sent.IssuedAt, sent.ValidUntil)
		}
		if n := countRows(t, s, `SELECT count(*) FROM mail_outbox m JOIN mail_attachments a ON a.mail_id = m.id WHERE m.to_addr = ?`, to); n != 1 {
			t.Errorf("%d mails with an attachment to %s", n, to)
		}

		// Foreign is missing, byte for byte, on every ESIS route.
		for _, path := range []string{"/v1/simulations/%s/esis", "/v1/simulations/%s/esis/email?sendAddress=a%%40example.com"} {
			foreign := rui.get(t, fmt.Sprintf(path, id))
			missing := rui.get(t, fmt.Sprintf(path, missingUUID()))
			if foreign.Status != http.StatusNotFound || string(foreign.Body) != string(missing.Body) {
				t.Errorf("%s: foreign %s, missing %s", path, foreign, missing)
			}
			wantEnvelope(t, "missing", missing, 404, "100002")
		}

		// Process ESIS: of the simulation the process was opened from, the
		// process named on the issue; a process without one is a conflict.
		pid, _ := createProcess(t, ana, map[string]any{"simulationUniqueId": id})
		pdf = esisPDF(t, ana, "/v1/processes/"+pid+"/esis")
		issue = latestIssue(t, s, id)
		if !bytes.Equal(pdf, issue.PDF) || issue.ProcessUUID != pid {
			t.Errorf("process ESIS is not the stored issue: %+v", issue.ProcessUUID)
		}
		a = ana.get(t, "/v1/processes/"+pid+"/esis/email?sendAddress="+url.QueryEscape(to))
		if a.Status != http.StatusOK || latestIssue(t, s, id).EmailedTo != to {
			t.Errorf("process ESIS email: %s", a)
		}
		plain, _ := createProcess(t, ana, map[string]any{"loanAmount": 100000, "loanDurationMonths": 240})
		wantEnvelope(t, "no simulation", ana.get(t, "/v1/processes/"+plain+"/esis"), 409, "100003")
		foreign, missing := rui.get(t, "/v1/processes/"+pid+"/esis"), rui.get(t, "/v1/processes/"+missingUUID()+"/esis")
		if foreign.Status != http.StatusNotFound || string(foreign.Body) != string(missing.Body) {
			t.Errorf("process ESIS: foreign %s, missing %s", foreign, missing)
		}

		// A cancelled simulation has no ESIS any more.
		gone, _ := createSimulation(t, ana, simInput())
		ana.do(t, http.MethodDelete, "/v1/simulations/"+gone, "")
		wantEnvelope(t, "cancelled", ana.get(t, "/v1/simulations/"+gone+"/esis?ignoreRules=true"), 409, "100003")
	})
}
