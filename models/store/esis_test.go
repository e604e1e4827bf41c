package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	pdfreader "github.com/ledongthuc/pdf"
	"gorm.io/gorm"

	"portal/models"
	"portal/models/esis"
	portalmail "portal/models/mail"
	"portal/models/mail/mailtest"
	"portal/models/simulation"
	"portal/models/store"
	"portal/models/store/storetest"
)

// pdfText is the text of a PDF, wrapped lines joined with one space.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	r, err := pdfreader.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the PDF does not parse: %v", err)
	}
	var out strings.Builder
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		s, err := p.GetPlainText(nil)
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString(s + "\n")
	}
	return regexp.MustCompile(`[ \t\r\n]+`).ReplaceAllString(out.String(), " ")
}

// failingSimulation fails two rules: the LTV (95 % of the price) and the
// DSTI (a small income).
func failingSimulation() models.SimulationInput {
	in := fixedSimulation()
	bs := []models.SimulationBorrower{{Name: "Rui Lopes", BirthDate: "1988-02-01", MonthlyNetIncomeCents: 900_00}}
	in.LoanAmountCents, in.Borrowers = i64p(180_500_00), &bs
	return in
}

func TestIssueSimulationEsisStoresTheSheet(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		issue, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{})
		storetest.Must(t, err, "issue")
		sum := sha256.Sum256(issue.PDF)
		if len(issue.PDF) == 0 || issue.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("sha256 %s of a %d-byte PDF", issue.SHA256, len(issue.PDF))
		}
		if issue.Lang != "pt-PT" || issue.SimulationUUID != sim.UUID || issue.SimulationNumber != sim.SimulationNumber ||
			issue.IssuedByName != "Ana Silva" || issue.EmailedTo != "" || issue.ProcessUUID != "" ||
			!issue.ValidUntil.Equal(issue.IssuedAt.Add(models.DefaultEsisValidity)) {
			t.Errorf("issue %+v", *issue)
		}
		if issue.FiguresHash != models.FiguresHash(sim.Input, sim.Result) {
			t.Errorf("figures hash %s, the simulation's %s", issue.FiguresHash, models.FiguresHash(sim.Input, sim.Result))
		}
		text := pdfText(t, issue.PDF)
		for _, want := range []string{esis.Money(esis.PT, sim.Result.MonthlyInstalment), esis.Money(esis.PT, sim.Result.MTIC),
			esis.Percent(esis.PT, sim.Result.TAN, 3), esis.Percent(esis.PT, sim.Result.TAEGShown, 1),
			"VÁLIDO ATÉ " + esis.Date(esis.PT, issue.ValidUntil), "Carla Mendes Rocha", sim.FirmName, "15. Autoridade de supervisão"} {
			if !strings.Contains(text, want) {
				t.Errorf("the stored PDF lacks %q", want)
			}
		}

		// The simulation shows it (and passed the rules: validated).
		again, err := s.GetSimulation(w.joao, sim.UUID)
		storetest.Must(t, err, "get")
		if again.EsisIssuedAt == nil || !again.EsisIssuedAt.Equal(issue.IssuedAt) || again.EsisValidUntil == nil ||
			!again.EsisValidUntil.Equal(issue.ValidUntil) || again.EsisFiguresHash != issue.FiguresHash {
			t.Errorf("simulation's ESIS columns: %v %v %q", again.EsisIssuedAt, again.EsisValidUntil, again.EsisFiguresHash)
		}
		if again.StatusID != models.SimulationValidated || again.Esis(issue.IssuedAt.Add(time.Hour)).State != models.EsisValid {
			t.Errorf("status %d, ESIS state %s", again.StatusID, again.Esis(issue.IssuedAt.Add(time.Hour)).State)
		}

		// Kept: the download gives the same bytes, to the firm and to staff.
		for _, ctx := range []context.Context{w.joao, w.marta} {
			got, err := s.GetEsis(ctx, issue.UUID)
			storetest.Must(t, err, "get esis")
			if !bytes.Equal(got.PDF, issue.PDF) || got.SHA256 != issue.SHA256 || got.SimulationNumber != sim.SimulationNumber {
				t.Errorf("stored issue differs: %d bytes, sha %s", len(got.PDF), got.SHA256)
			}
		}
		// English on request, listed newest first without PDFs.
		en, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{Lang: "en"})
		storetest.Must(t, err, "issue en")
		if en.Lang != "en" || !strings.Contains(pdfText(t, en.PDF), "VALID UNTIL "+esis.Date(esis.EN, en.ValidUntil)) {
			t.Errorf("English issue %s", en.Lang)
		}
		list, err := s.ListEsis(w.joao, sim.UUID)
		storetest.Must(t, err, "list")
		if len(list) != 2 || list[0].UUID != en.UUID || list[1].UUID != issue.UUID || list[0].PDF != nil || list[1].SHA256 != issue.SHA256 {
			t.Errorf("list %+v", list)
		}
		// Audited (never the PDF) and told through the outbox.
		if rows := auditRows(t, s, models.AuditEsisIssued, issue.UUID); len(rows) != 1 || strings.Contains(rows[0].Detail, "%PDF") {
			t.Errorf("audit rows %+v", rows)
		}
		if n := count(t, s, "outbox_events", "kind = ? AND subject_uuid = ?", string(models.EventEsisIssued), sim.UUID); n != 2 {
			t.Errorf("%d esis.issued outbox rows, want 2", n)
		}
	})
}

func TestEsisValidityIsConfigurable(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		s.SetEsisValidity(7 * 24 * time.Hour)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		issue, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{})
		storetest.Must(t, err, "issue")
		if !issue.ValidUntil.Equal(issue.IssuedAt.Add(7 * 24 * time.Hour)) {
			t.Errorf("valid until %v, issued %v: want 7 days", issue.ValidUntil, issue.IssuedAt)
		}
	})
}

func TestEsisRulesAndStatus(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, failingSimulation())
		storetest.Must(t, err, "create")
		// Failing rules: one field per failing rule, nothing stored; they
		// come before the address.
		_, err = s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{})
		wantWork(t, err, models.CodeInvalid, "rules."+simulation.RuleLTVOwnHome, "rules."+simulation.RuleDSTI)
		_, err = s.EmailSimulationEsis(w.ana, sim.UUID, models.EsisOptions{}, "not an address")
		wantWork(t, err, models.CodeInvalid, "rules."+simulation.RuleLTVOwnHome, "rules."+simulation.RuleDSTI)
		if list, err := s.ListEsis(w.ana, sim.UUID); err != nil || len(list) != 0 {
			t.Fatalf("after refusals: %v, %d issues", err, len(list))
		}
		again, err := s.GetSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "get")
		if again.EsisIssuedAt != nil || count(t, s, "outbox_events", "kind = ?", string(models.EventEsisIssued)) != 0 ||
			count(t, s, "mail_outbox", "") != 0 {
			t.Fatalf("a refused issue left rows")
		}
		// IgnoreRules issues anyway; the status stays.
		issue, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{IgnoreRules: true})
		storetest.Must(t, err, "ignore rules")
		again, _ = s.GetSimulation(w.ana, sim.UUID)
		if again.StatusID != models.SimulationInCreation || again.EsisIssuedAt == nil || len(issue.PDF) == 0 {
			t.Errorf("status %d, issued at %v", again.StatusID, again.EsisIssuedAt)
		}
		// The address is checked after the rules.
		_, err = s.EmailSimulationEsis(w.ana, sim.UUID, models.EsisOptions{IgnoreRules: true}, "carla@")
		wantWork(t, err, models.CodeInvalid, "sendAddress")

		// A cancelled simulation has no ESIS.
		_, err = s.CancelSimulation(w.ana, sim.UUID)
		storetest.Must(t, err, "cancel")
		_, err = s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{IgnoreRules: true})
		wantWork(t, err, models.CodeConflict)
		if models.AsError(err).Key != "esis.not_issuable" {
			t.Errorf("key %q", models.AsError(err).Key)
		}
	})
}

func TestEsisAccess(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		issue, err := s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{})
		storetest.Must(t, err, "issue")
		missing := "0b9f2f4e-8d1a-4c5e-9a57-1d2c3b4a5f60"
		// Another firm's simulation and issue answer like missing ones.
		for _, id := range []string{sim.UUID, missing} {
			_, err = s.IssueSimulationEsis(w.rui, id, models.EsisOptions{})
			wantWork(t, err, models.CodeNotFound)
			_, err = s.EmailSimulationEsis(w.rui, id, models.EsisOptions{}, "x@example.com")
			wantWork(t, err, models.CodeNotFound)
			_, err = s.ListEsis(w.rui, id)
			wantWork(t, err, models.CodeNotFound)
		}
		for _, id := range []string{issue.UUID, missing, "not-a-uuid"} {
			_, err = s.GetEsis(w.rui, id)
			wantWork(t, err, models.CodeNotFound)
		}
		_, err = s.IssueSimulationEsis(w.marta, sim.UUID, models.EsisOptions{})
		wantWork(t, err, models.CodeForbidden)
		_, err = s.IssueSimulationEsis(w.anon, sim.UUID, models.EsisOptions{})
		wantWork(t, err, models.CodeUnauthorized)
		_, err = s.GetEsis(w.anon, issue.UUID)
		wantWork(t, err, models.CodeUnauthorized)
		if list, _ := s.ListEsis(w.ana, sim.UUID); len(list) != 1 {
			t.Errorf("%d issues after refusals, want 1", len(list))
		}
	})
}

func TestProcessEsisGoesThroughItsSimulation(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		plain, err := s.CreateProcess(w.ana, models.ProcessInput{LoanAmountCents: 150_000_00, LoanDurationMonths: 360})
		storetest.Must(t, err, "process")
		_, err = s.IssueProcessEsis(w.ana, plain.UUID, models.EsisOptions{})
		wantWork(t, err, models.CodeConflict)
		if models.AsError(err).Key != "esis.no_simulation" {
			t.Errorf("key %q", models.AsError(err).Key)
		}
		// A process converted from a simulation (the conversion is written
		// here as it leaves the rows).
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "simulation")
		p, err := s.CreateProcess(w.ana, models.ProcessInput{LoanAmountCents: 150_000_00, LoanDurationMonths: 360})
		storetest.Must(t, err, "process")
		storetest.Must(t, s.DB().Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE processes SET simulation_uuid = ?, simulation_number = ? WHERE uuid = ?",
				sim.UUID, sim.SimulationNumber, p.UUID).Error; err != nil {
				return err
			}
			return tx.Exec("UPDATE simulations SET status_id = ?, process_id = ? WHERE uuid = ?",
				models.SimulationConverted, p.ID, sim.UUID).Error
		}), "convert")
		issue, err := s.IssueProcessEsis(w.joao, p.UUID, models.EsisOptions{})
		storetest.Must(t, err, "process esis")
		if issue.ProcessUUID != p.UUID || issue.ProcessNumber != p.ProcessNumber || issue.SimulationUUID != sim.UUID {
			t.Errorf("issue %+v", *issue)
		}
		if text := pdfText(t, issue.PDF); !strings.Contains(text, "Processo n.º "+itoa(p.ProcessNumber)) {
			t.Errorf("the sheet lacks the process number %d", p.ProcessNumber)
		}
		// The simulation itself, converted, is no longer issuable.
		_, err = s.IssueSimulationEsis(w.ana, sim.UUID, models.EsisOptions{})
		wantWork(t, err, models.CodeConflict)
		// Another firm: the process is missing.
		_, err = s.IssueProcessEsis(w.rui, p.UUID, models.EsisOptions{})
		wantWork(t, err, models.CodeNotFound)
		list, err := s.ListEsis(w.ana, sim.UUID)
		storetest.Must(t, err, "list")
		if len(list) != 1 || list[0].ProcessNumber != p.ProcessNumber {
			t.Errorf("list %+v", list)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pdfAttachment is the application/pdf part of a received mail: its file
// name and bytes.
func pdfAttachment(t *testing.T, r mailtest.Received) (string, []byte) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("Content-Type %q", r.Msg.Header.Get("Content-Type"))
	}
	var walk func(io.Reader, string) (string, []byte)
	walk = func(body io.Reader, boundary string) (string, []byte) {
		mr := multipart.NewReader(body, boundary)
		for {
			part, err := mr.NextPart()
			if err != nil {
				return "", nil
			}
			ct, ps, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			if strings.HasPrefix(ct, "multipart/") {
				if n, b := walk(part, ps["boundary"]); b != nil {
					return n, b
				}
				continue
			}
			if ct == "application/pdf" {
				raw, _ := io.ReadAll(part)
				data, err := base64.StdEncoding.DecodeString(strings.Map(func(r rune) rune {
					if r == '\r' || r == '\n' {
						return -1
					}
					return r
				}, string(raw)))
				if err != nil {
					t.Fatalf("attachment encoding (%s): %v", part.Header.Get("Content-Transfer-Encoding"), err)
				}
				name := part.FileName()
				return name, data
			}
		}
	}
	name, data := walk(strings.NewReader(r.Body), params["boundary"])
	if data == nil {
		t.Fatalf("no application/pdf part in\n%s", r.Raw)
	}
	return name, data
}

func TestEmailEsisSendsTheStoredPDF(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		srv := mailtest.Start(t)
		smtp, err := portalmail.NewSMTP(srv.Config("no-reply@portal.example"))
		storetest.Must(t, err, "smtp")
		// A long poll: the issue wakes the sender after its COMMIT.
		sender := s.NewMailSender(smtp, store.MailSenderOptions{Poll: time.Hour})
		sender.Start()
		defer sender.Stop()
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		for _, c := range []struct {
			lang, name string
		}{{"", "FINE-"}, {"en", "ESIS-"}} {
			issue, err := s.EmailSimulationEsis(w.ana, sim.UUID, models.EsisOptions{Lang: c.lang}, " carla.rocha@example.com ")
			storetest.Must(t, err, "email")
			if issue.EmailedTo != "carla.rocha@example.com" {
				t.Errorf("emailed to %q", issue.EmailedTo)
			}
			got := srv.Wait(t, map[string]int{"": 1, "en": 2}[c.lang], 30*time.Second)
			m := got[len(got)-1]
			lang := esis.ParseLang(c.lang)
			subject, _ := new(mime.WordDecoder).DecodeHeader(m.Msg.Header.Get("Subject"))
			if len(m.To) != 1 || m.To[0] != "carla.rocha@example.com" || subject != esis.MailSubject(lang, sim.SimulationNumber) {
				t.Errorf("to %v, subject %q", m.To, subject)
			}
			name, data := pdfAttachment(t, m)
			stored, err := s.GetEsis(w.ana, issue.UUID)
			storetest.Must(t, err, "stored")
			if name != c.name+itoa(sim.SimulationNumber)+".pdf" || !bytes.Equal(data, stored.PDF) {
				t.Errorf("attachment %q, %d bytes; stored %d bytes", name, len(data), len(stored.PDF))
			}
			if rows := auditRows(t, s, models.AuditEsisEmailed, issue.UUID); len(rows) != 1 || strings.Contains(rows[0].Detail, "carla") {
				t.Errorf("emailed audit rows %+v", rows)
			}
		}
	})
}

func TestMailAttachmentsSurviveTheQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		data := []byte{0, 1, 2, 0xff, 0xfe, '%', 'P', 'D', 'F', 0, '\r', '\n'}
		m := queued
		m.Attachments = []models.MailAttachment{{Name: "FINE-1.pdf", ContentType: "application/pdf", Data: data},
			{Name: "b.txt", ContentType: "text/plain", Data: []byte("two")}}
		storetest.Must(t, s.DB().Transaction(func(tx *gorm.DB) error { return store.QueueMail(tx, m) }), "queue")
		rows, err := s.QueuedMails(context.Background())
		storetest.Must(t, err, "queued")
		if len(rows) != 1 || len(rows[0].Mail.Attachments) != 2 {
			t.Fatalf("queue %+v", rows)
		}
		a := rows[0].Mail.Attachments
		if a[0].Name != "FINE-1.pdf" || a[0].ContentType != "application/pdf" || !bytes.Equal(a[0].Data, data) ||
			a[1].Name != "b.txt" || string(a[1].Data) != "two" {
			t.Errorf("attachments %+v", a)
		}
	})
}

// With no mail server at all the e-mail is answered: the mail waits in
// the queue, committed with the issue, its attachment the stored PDF.
func TestEmailEsisIsQueuedWithTheIssue(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		simClock(s)
		w := newSimWorld(t, s)
		sim, err := s.CreateSimulation(w.ana, fixedSimulation())
		storetest.Must(t, err, "create")
		issue, err := s.EmailSimulationEsis(w.ana, sim.UUID, models.EsisOptions{Lang: "en"}, "carla.rocha@example.com")
		storetest.Must(t, err, "email")
		q, err := s.QueuedMails(context.Background())
		storetest.Must(t, err, "queue")
		if len(q) != 1 || q[0].Status != store.MailPending || q[0].Mail.To != "carla.rocha@example.com" || q[0].Mail.Lang != "en" ||
			q[0].Mail.Subject != esis.MailSubject(esis.EN, sim.SimulationNumber) {
			t.Fatalf("queue %+v", q)
		}
		a := q[0].Mail.Attachments
		if len(a) != 1 || a[0].Name != "ESIS-"+itoa(sim.SimulationNumber)+".pdf" || a[0].ContentType != "application/pdf" ||
			!bytes.Equal(a[0].Data, issue.PDF) {
			t.Errorf("attachments: %d", len(a))
		}
		if !strings.Contains(q[0].Mail.Text, itoa(sim.SimulationNumber)) {
			t.Errorf("the mail's text does not name the simulation: %q", q[0].Mail.Text)
		}
	})
}
