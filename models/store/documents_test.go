package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// pdf is a document of n bytes that sniffs as a PDF, its bytes varying
// with seed.
func pdf(n int, seed byte) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for len(b) < n {
		b = append(b, 'a'+(byte(len(b))+seed)%26)
	}
	return b[:n]
}

// png is a tiny valid-looking PNG (its signature and IHDR).
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func upload(name string, typ int, data []byte) models.NewDocument {
	return models.NewDocument{FileName: name, DocumentTypeID: typ, Content: bytes.NewReader(data)}
}

func count(t *testing.T, s *store.Store, table, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := s.DB().Table(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	storetest.Must(t, q.Count(&n).Error, "count %s", table)
	return n
}

func readAll(t *testing.T, rc io.ReadCloser) []byte {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	storetest.Must(t, err, "read content")
	return b
}

// docWorld is a process of Ana's in creation with a key borrower, and the
// demo's actors.
type docWorld struct {
	*processWorld
	p   *models.Process
	key *models.Borrower
}

func newDocWorld(t *testing.T, s *store.Store) *docWorld {
	t.Helper()
	w := newProcessWorld(t, s)
	p, _ := newProcess(t, s, w.ana)
	key, err := s.CreateBorrower(w.ana, p.UUID, keyBorrowerInput())
	storetest.Must(t, err, "key borrower")
	return &docWorld{processWorld: w, p: p, key: key}
}

func TestDocumentsCreateReadUpdateDelete(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newDocWorld(t, s)
		data := pdf(2000, 1)
		in := upload("payslip-march.pdf", models.DocTypePayslips, data)
		in.Title, in.Observations, in.BorrowerUUID = "March", "Net pay", strings.ToUpper(w.key.UUID)
		d, err := s.CreateDocument(w.ana, w.p.UUID, in)
		storetest.Must(t, err, "create")
		if d.State != models.DocumentUploaded || d.ContentType != "application/pdf" || d.Size != 2000 ||
			d.BorrowerUUID != w.key.UUID || d.UploadedByName != "Ana Silva" || d.Title != "March" {
			t.Fatalf("created %+v", d)
		}
		sum := sha256.Sum256(data)
		if d.ContentSHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("sha256 %s", d.ContentSHA256)
		}

		// Anyone who sees the process reads it; the content is the same bytes.
		for _, ctx := range []context.Context{w.ana, w.joao, w.marta} {
			got, err := s.GetDocument(ctx, w.p.UUID, d.UUID)
			storetest.Must(t, err, "get")
			if got.UUID != d.UUID || got.BorrowerUUID != w.key.UUID || got.FileName != "payslip-march.pdf" {
				t.Errorf("get %+v", got)
			}
			_, rc, err := s.OpenDocument(ctx, w.p.UUID, d.UUID)
			storetest.Must(t, err, "open")
			if !bytes.Equal(readAll(t, rc), data) {
				t.Error("content differs")
			}
		}
		list, err := s.ListDocuments(w.marta, w.p.UUID)
		storetest.Must(t, err, "list")
		if len(list) != 1 || list[0].UUID != d.UUID {
			t.Fatalf("list %+v", list)
		}

		// Foreign and unknown are missing.
		_, err = s.GetDocument(w.rui, w.p.UUID, d.UUID)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.ListDocuments(w.rui, w.p.UUID)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.GetDocument(w.ana, w.p.UUID, "00000000-0000-4000-8000-000000000000")
		wantWork(t, err, models.CodeNotFound)
		_, err = s.GetDocument(w.ana, w.p.UUID, "nope")
		wantWork(t, err, models.CodeNotFound)
		other, _ := newProcess(t, s, w.ana)
		_, err = s.GetDocument(w.ana, other.UUID, d.UUID) // a document of another process
		wantWork(t, err, models.CodeNotFound)
		_, err = s.CreateDocument(w.rui, w.p.UUID, upload("a.pdf", 6, pdf(100, 2)))
		wantWork(t, err, models.CodeNotFound)
		err = s.DeleteDocument(w.rui, w.p.UUID, d.UUID)
		wantWork(t, err, models.CodeNotFound)

		// Staff do not upload; anonymous callers nothing.
		_, err = s.CreateDocument(w.marta, w.p.UUID, upload("a.pdf", 6, pdf(100, 2)))
		wantWork(t, err, models.CodeForbidden)
		_, err = s.ListDocuments(w.anon, w.p.UUID)
		wantWork(t, err, models.CodeUnauthorized)

		// Validation names the fields.
		bad := upload("../etc/passwd", 999, pdf(100, 3))
		bad.Title = strings.Repeat("t", 201)
		bad.Observations = strings.Repeat("o", 1001)
		bad.BorrowerUUID = "00000000-0000-4000-8000-000000000000"
		_, err = s.CreateDocument(w.ana, w.p.UUID, bad)
		wantWork(t, err, models.CodeInvalid, "fileName", "title", "documentTypeId", "documentObservations", "borrowerUniqueId")
		_, err = s.CreateDocument(w.ana, w.p.UUID, models.NewDocument{RequestItemUUID: "00000000-0000-4000-8000-000000000000"})
		wantWork(t, err, models.CodeInvalid, "fileName", "content", "requestItemUniqueId")
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("page.pdf", 6, []byte("<!DOCTYPE html><html><body>hi</body></html>")))
		wantWork(t, err, models.CodeInvalid, "content")
		if f, _ := models.AsError(err).Field("content"); f.Key != "document.content_type" {
			t.Errorf("html as pdf: %+v", f)
		}
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("empty.pdf", 6, nil))
		wantWork(t, err, models.CodeInvalid, "content")
		// A reader that fails: the content is unreadable; a reader's own
		// refusal (a transport's decoder) is answered as it is.
		broken := upload("broken.pdf", 6, nil)
		broken.Content = io.MultiReader(bytes.NewReader(pdf(100, 1)), failingReader{errors.New("connection reset")})
		_, err = s.CreateDocument(w.ana, w.p.UUID, broken)
		wantWork(t, err, models.CodeInvalid, "content")
		broken.Content = failingReader{models.TooLarge("document.too_large", models.Args{"Max": "1 KiB"})}
		_, err = s.CreateDocument(w.ana, w.p.UUID, broken)
		wantWork(t, err, models.CodeTooLarge)
		if n := count(t, s, "documents", "process_id = ?", w.p.ID); n != 1 {
			t.Errorf("%d documents after refusals, want 1", n)
		}

		// Update: the texts, then the content (waiting for review again).
		up, err := s.UpdateDocument(w.ana, w.p.UUID, d.UUID, models.DocumentUpdate{FileName: "payslip-03.pdf", Title: "Março"})
		storetest.Must(t, err, "update")
		if up.FileName != "payslip-03.pdf" || up.Title != "Março" || up.Observations != "Net pay" || up.DocumentTypeID != 6 {
			t.Errorf("updated %+v", up)
		}
		_, err = s.UpdateDocument(w.ana, w.p.UUID, d.UUID, models.DocumentUpdate{FileName: "a/b.pdf"})
		wantWork(t, err, models.CodeInvalid, "fileName")
		up, err = s.UpdateDocument(w.ana, w.p.UUID, d.UUID, models.DocumentUpdate{Content: bytes.NewReader(png)})
		storetest.Must(t, err, "replace")
		if up.ContentType != "image/png" || up.Size != int64(len(png)) || up.State != models.DocumentUploaded {
			t.Errorf("replaced %+v", up)
		}
		_, rc, err := s.OpenDocument(w.marta, w.p.UUID, d.UUID)
		storetest.Must(t, err, "open replaced")
		if !bytes.Equal(readAll(t, rc), png) {
			t.Error("replaced content differs")
		}

		// Timeline and audit rows of each change.
		tl, err := s.Timeline(w.ana, w.p.UUID)
		storetest.Must(t, err, "timeline")
		var edits []string
		for _, e := range tl {
			if strings.HasPrefix(e.What, "document") {
				edits = append(edits, e.What+" "+e.Subject)
			}
		}
		if strings.Join(edits, ",") != "document.uploaded payslip-march.pdf,document.replaced payslip-03.pdf" {
			t.Errorf("timeline %q", edits)
		}
		if n := count(t, s, "audit_events", "action LIKE ? AND subject = ?", "document.%", w.p.UUID); n != 3 {
			t.Errorf("%d audit rows, want 3 (uploaded, updated, replaced)", n)
		}

		// Delete.
		storetest.Must(t, s.DeleteDocument(w.ana, w.p.UUID, d.UUID), "delete")
		_, err = s.GetDocument(w.ana, w.p.UUID, d.UUID)
		wantWork(t, err, models.CodeNotFound)
		err = s.DeleteDocument(w.ana, w.p.UUID, d.UUID)
		wantWork(t, err, models.CodeNotFound)
	})
}

func TestDocumentLimitsAndDedupe(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newDocWorld(t, s)
		max := models.DefaultMaxDocumentBytes
		blobs := count(t, s, "blobs", "")
		_, err := s.CreateDocument(w.ana, w.p.UUID, upload("big.pdf", 6, pdf(max+1, 1)))
		wantWork(t, err, models.CodeTooLarge)
		if count(t, s, "blobs", "") != blobs || count(t, s, "documents", "process_id = ?", w.p.ID) != 0 {
			t.Fatal("a refused document left rows")
		}
		data := pdf(max, 2)
		d, err := s.CreateDocument(w.ana, w.p.UUID, upload("big.pdf", 6, data))
		storetest.Must(t, err, "10 MiB")
		_, rc, err := s.OpenDocument(w.ana, w.p.UUID, d.UUID)
		storetest.Must(t, err, "open")
		if !bytes.Equal(readAll(t, rc), data) {
			t.Fatal("10 MiB document not byte-identical")
		}
		// The same content again: one blob.
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("copy.pdf", 7, data))
		storetest.Must(t, err, "same content")
		if n := count(t, s, "blobs", ""); n != blobs+1 {
			t.Errorf("%d blobs, want %d", n, blobs+1)
		}

		// The per-process total.
		s.SetDocumentLimits(models.DocumentLimits{MaxBytes: 1000, MaxProcessBytes: 2*int64(max) + 1500})
		defer s.SetDocumentLimits(models.DocumentLimits{})
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("small.pdf", 6, pdf(1001, 3)))
		wantWork(t, err, models.CodeTooLarge)
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("small.pdf", 6, pdf(1000, 3)))
		storetest.Must(t, err, "under the total")
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("small2.pdf", 6, pdf(1000, 4)))
		wantWork(t, err, models.CodeTooLarge)
		if e := models.AsError(err); e.Key != "document.process_too_large" {
			t.Errorf("total refusal %+v", e)
		}
	})
}

// TestContentStores runs the same table against both content stores.
func TestContentStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		fs, err := store.NewFileContent(t.TempDir())
		storetest.Must(t, err, "file content")
		for name, cs := range map[string]models.ContentStore{"database": store.NewDBContent(s), "files": fs} {
			t.Run(name, func(t *testing.T) {
				ctx := context.Background()
				data := pdf(5000, 9)
				sum := sha256.Sum256(data)
				key := hex.EncodeToString(sum[:])
				storetest.Must(t, cs.Put(ctx, key, "application/pdf", data), "put")
				storetest.Must(t, cs.Put(ctx, key, "application/pdf", data), "put again")
				rc, err := cs.Open(ctx, key)
				storetest.Must(t, err, "open")
				if !bytes.Equal(readAll(t, rc), data) {
					t.Error("content differs")
				}
				_, err = cs.Open(ctx, strings.Repeat("0", 64))
				wantWork(t, err, models.CodeNotFound)
				_, err = cs.Open(ctx, "../../etc/passwd")
				wantWork(t, err, models.CodeNotFound)
				if err := cs.Put(ctx, "../x", "application/pdf", data); err == nil {
					t.Error("put with a path as its name")
				}
			})
		}
	})
}

// lastMessage is the newest message of process processID's thread.
func lastMessage(t *testing.T, s *store.Store, processID int64) models.Message {
	t.Helper()
	var m models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", processID).Order("seq DESC").Take(&m).Error, "last message")
	return m
}

func TestDocumentRequestLoop(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newDocWorld(t, s)
		// Brokers do not request; foreign processes are missing; bad input names its fields.
		in := models.DocumentRequestInput{Note: "Para a análise", Items: []models.DocumentRequestItemInput{
			{DocumentTypeID: models.DocTypePayslips, BorrowerUUID: w.key.UUID, Note: "Os três últimos"},
			{DocumentTypeID: models.DocTypeIRSReturn, BorrowerUUID: w.key.UUID},
		}}
		_, err := s.RequestDocuments(w.ana, w.p.UUID, in)
		wantWork(t, err, models.CodeForbidden)
		_, err = s.RequestDocuments(w.marta, "00000000-0000-4000-8000-000000000000", in)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.RequestDocuments(w.marta, w.p.UUID, models.DocumentRequestInput{})
		wantWork(t, err, models.CodeInvalid, "items")
		_, err = s.RequestDocuments(w.marta, w.p.UUID, models.DocumentRequestInput{Note: strings.Repeat("n", 1001),
			Items: []models.DocumentRequestItemInput{{DocumentTypeID: 999}, {DocumentTypeID: 6, BorrowerUUID: "00000000-0000-4000-8000-000000000000"}}})
		wantWork(t, err, models.CodeInvalid, "note", "items[0].documentTypeId", "items[1].borrowerUniqueId")

		req, err := s.RequestDocuments(w.marta, w.p.UUID, in)
		storetest.Must(t, err, "request")
		if req.RequestedByName != "Marta Santos" || req.ResolvedAt != nil {
			t.Fatalf("request %+v", req)
		}
		msg := lastMessage(t, s, w.p.ID)
		if msg.AuthorKind != models.AuthorBank || msg.Subject != "Documentos pendentes" ||
			!strings.Contains(msg.Text, "Recibos de vencimento dos últimos três meses (Carla Mendes Rocha): Os três últimos") ||
			!strings.Contains(msg.Text, "Declaração de IRS") || !strings.Contains(msg.Text, "Nota: Para a análise") {
			t.Errorf("request message %+v", msg)
		}
		if n := count(t, s, "outbox_events", "kind = ? AND subject_uuid = ?", "documents.requested", w.p.UUID); n != 1 {
			t.Errorf("%d documents.requested outbox rows, want 1", n)
		}

		// The checklist: the two requested, then the usual ones not requested.
		cl, err := s.Checklist(w.ana, w.p.UUID)
		storetest.Must(t, err, "checklist")
		if len(cl.Requests) != 1 || len(cl.Requests[0].Items) != 2 || cl.Requests[0].Resolved {
			t.Fatalf("requests %+v", cl.Requests)
		}
		var lines []string
		for _, it := range cl.Items {
			lines = append(lines, itemLine(it))
		}
		want := "6 req Carla Mendes Rocha missing,7 req Carla Mendes Rocha missing,1 Carla Mendes Rocha missing,2 Carla Mendes Rocha missing,16 missing,17 missing"
		if strings.Join(lines, ",") != want {
			t.Errorf("checklist\n%s\nwant\n%s", strings.Join(lines, ","), want)
		}
		payItem, irsItem := cl.Items[0].RequestItemUUID, cl.Items[1].RequestItemUUID

		// Ana answers the payslips by item and the IRS return by its type (linked to the open item).
		pay, err := s.CreateDocument(w.ana, w.p.UUID, models.NewDocument{FileName: "recibos.pdf", RequestItemUUID: payItem,
			Content: bytes.NewReader(pdf(3000, 1))})
		storetest.Must(t, err, "payslips")
		if pay.DocumentTypeID != models.DocTypePayslips || pay.BorrowerUUID != w.key.UUID || pay.RequestItemUUID != payItem {
			t.Errorf("payslips %+v", pay)
		}
		irs, err := s.CreateDocument(w.ana, w.p.UUID, models.NewDocument{FileName: "irs.pdf", DocumentTypeID: models.DocTypeIRSReturn,
			BorrowerUUID: w.key.UUID, Content: bytes.NewReader(pdf(3000, 2))})
		storetest.Must(t, err, "irs")
		if irs.RequestItemUUID != irsItem {
			t.Errorf("irs answers %q, want the open item %q", irs.RequestItemUUID, irsItem)
		}

		// Foreign and unknown are missing here too.
		_, err = s.Checklist(w.rui, w.p.UUID)
		wantWork(t, err, models.CodeNotFound)
		other, _ := newProcess(t, s, w.ana)
		_, err = s.ReviewDocument(w.marta, other.UUID, pay.UUID, models.DocumentReview{Accept: true})
		wantWork(t, err, models.CodeNotFound)
		_, err = s.CreateDocument(w.ana, other.UUID, models.NewDocument{FileName: "x.pdf", RequestItemUUID: payItem,
			Content: bytes.NewReader(pdf(100, 7))})
		wantWork(t, err, models.CodeInvalid, "requestItemUniqueId")

		// Review: brokers may not; a rejection needs a reason.
		_, err = s.ReviewDocument(w.ana, w.p.UUID, pay.UUID, models.DocumentReview{Accept: true})
		wantWork(t, err, models.CodeForbidden)
		_, err = s.ReviewDocument(w.marta, w.p.UUID, pay.UUID, models.DocumentReview{})
		wantWork(t, err, models.CodeInvalid, "reason")
		rej, err := s.ReviewDocument(w.marta, w.p.UUID, pay.UUID, models.DocumentReview{Reason: "Falta o recibo de março"})
		storetest.Must(t, err, "reject")
		if rej.State != models.DocumentRejected || rej.RejectReason != "Falta o recibo de março" || rej.ReviewedByName != "Marta Santos" {
			t.Errorf("rejected %+v", rej)
		}
		_, err = s.ReviewDocument(w.marta, w.p.UUID, pay.UUID, models.DocumentReview{Accept: true})
		wantWork(t, err, models.CodeConflict)
		_, err = s.ReviewDocument(w.marta, w.p.UUID, irs.UUID, models.DocumentReview{Accept: true})
		storetest.Must(t, err, "accept irs")
		// An accepted document is final.
		_, err = s.UpdateDocument(w.ana, w.p.UUID, irs.UUID, models.DocumentUpdate{Content: bytes.NewReader(pdf(100, 5))})
		wantWork(t, err, models.CodeConflict)
		wantWork(t, s.DeleteDocument(w.ana, w.p.UUID, irs.UUID), models.CodeConflict)

		cl, err = s.Checklist(w.ana, w.p.UUID)
		storetest.Must(t, err, "checklist")
		if cl.Items[0].State != models.DocumentRejected || cl.Items[0].Document.RejectReason != "Falta o recibo de março" ||
			cl.Items[1].State != models.DocumentAccepted || cl.Requests[0].Resolved {
			t.Errorf("after review %s, %s", itemLine(cl.Items[0]), itemLine(cl.Items[1]))
		}

		// Ana replaces the rejected one; Marta accepts it: the request is resolved and the thread says so.
		_, err = s.UpdateDocument(w.ana, w.p.UUID, pay.UUID, models.DocumentUpdate{Content: bytes.NewReader(pdf(3500, 3))})
		storetest.Must(t, err, "replace")
		cl, _ = s.Checklist(w.ana, w.p.UUID)
		if cl.Items[0].State != models.DocumentUploaded || cl.Items[0].Document.RejectReason != "" {
			t.Errorf("after replace %s", itemLine(cl.Items[0]))
		}
		_, err = s.ReviewDocument(w.marta, w.p.UUID, pay.UUID, models.DocumentReview{Accept: true})
		storetest.Must(t, err, "accept payslips")
		cl, _ = s.Checklist(w.marta, w.p.UUID)
		if !cl.Requests[0].Resolved || cl.Requests[0].Request.ResolvedAt == nil {
			t.Errorf("request not resolved: %+v", cl.Requests[0])
		}
		msg = lastMessage(t, s, w.p.ID)
		if msg.Subject != "Documentos recebidos" || !strings.Contains(msg.Text, "Todos os documentos pedidos foram aceites") {
			t.Errorf("resolved message %+v", msg)
		}
		tl, err := s.Timeline(w.ana, w.p.UUID)
		storetest.Must(t, err, "timeline")
		var edits []string
		for _, e := range tl {
			if strings.HasPrefix(e.What, "document") {
				edits = append(edits, e.What+" "+e.Subject)
			}
		}
		if got := strings.Join(edits, ","); got != "documents.requested 2,document.uploaded recibos.pdf,document.uploaded irs.pdf,"+
			"document.rejected recibos.pdf,document.accepted irs.pdf,document.replaced recibos.pdf,document.accepted recibos.pdf,documents.resolved 2" {
			t.Errorf("timeline %s", got)
		}

		// Once the bank has decided, the process takes no more documents.
		for _, to := range []int{models.StatusSubmitted} {
			storetest.Must(t, s.DB().Exec("UPDATE processes SET status_id = ? WHERE id = ?", to, w.p.ID).Error, "status")
		}
		storetest.Must(t, s.DB().Exec("UPDATE processes SET status_id = ? WHERE id = ?", models.StatusApproved, w.p.ID).Error, "approve")
		_, err = s.CreateDocument(w.ana, w.p.UUID, upload("late.pdf", 6, pdf(100, 9)))
		wantWork(t, err, models.CodeConflict)
		_, err = s.RequestDocuments(w.marta, w.p.UUID, in)
		wantWork(t, err, models.CodeConflict)
		_, err = s.UpdateDocument(w.ana, w.p.UUID, pay.UUID, models.DocumentUpdate{Title: "x"})
		wantWork(t, err, models.CodeConflict)
	})
}

func itemLine(it models.ChecklistItem) string {
	s := strconv.Itoa(it.DocumentTypeID)
	if it.RequestItemUUID != "" {
		s += " req"
	}
	if it.BorrowerName != "" {
		s += " " + it.BorrowerName
	}
	return s + " " + string(it.State)
}

// failAudit makes the database refuse audit rows of action: the last write
// of the operations that record it.
func failAudit(t *testing.T, s *store.Store, action string) {
	t.Helper()
	var stmts []string
	if s.Dialect() == store.Postgres {
		stmts = []string{
			`CREATE FUNCTION fail_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused audit row'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action = '` + action + `') EXECUTE FUNCTION fail_audit()`,
		}
	} else {
		stmts = []string{`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events WHEN NEW.action = '` + action +
			`' BEGIN SELECT RAISE(ABORT, 'refused audit row'); END`}
	}
	storetest.Must(t, storetest.ExecAll(s.DB(), stmts), "trigger")
}

// TestDocumentWritesAreOneTransaction: when the audit row cannot be
// written, nothing of the operation is left (content, document, request,
// timeline row, outbox row, thread message, last action).
func TestDocumentWritesAreOneTransaction(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newDocWorld(t, s)
		before := reloadProcess(t, s, w.p.UUID)
		rows := func() [6]int64 {
			return [6]int64{count(t, s, "blobs", ""), count(t, s, "documents", ""), count(t, s, "process_events", "process_id = ?", w.p.ID),
				count(t, s, "document_requests", ""), count(t, s, "outbox_events", "subject_uuid = ?", w.p.UUID),
				count(t, s, "messages", "process_id = ?", w.p.ID)}
		}
		start := rows()
		failAudit(t, s, models.AuditDocumentUploaded)
		_, err := s.CreateDocument(w.ana, w.p.UUID, upload("a.pdf", 6, pdf(500, 1)))
		if err == nil {
			t.Fatal("upload succeeded without its audit row")
		}
		failAudit2 := models.AuditDocumentsRequested
		if s.Dialect() == store.Postgres {
			storetest.Must(t, s.DB().Exec(`CREATE TRIGGER fail_audit2 BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action = '`+
				failAudit2+`') EXECUTE FUNCTION fail_audit()`).Error, "trigger 2")
		} else {
			storetest.Must(t, s.DB().Exec(`CREATE TRIGGER fail_audit2 BEFORE INSERT ON audit_events WHEN NEW.action = '`+failAudit2+
				`' BEGIN SELECT RAISE(ABORT, 'refused audit row'); END`).Error, "trigger 2")
		}
		_, err = s.RequestDocuments(w.marta, w.p.UUID, models.DocumentRequestInput{Items: []models.DocumentRequestItemInput{{DocumentTypeID: 6}}})
		if err == nil {
			t.Fatal("request succeeded without its audit row")
		}
		if got := rows(); got != start {
			t.Errorf("rows (blobs, documents, events, requests, outbox, messages) %v, want %v", got, start)
		}
		if after := reloadProcess(t, s, w.p.UUID); !after.LastActionAt.Equal(before.LastActionAt) {
			t.Errorf("last action moved from %s to %s", before.LastActionAt, after.LastActionAt)
		}
	})
}

// TestDocumentStatements pins the statements of each document operation;
// none grows with the process's documents or requests (the checklist's
// and the list's rows aside).
func TestDocumentStatements(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		storetest.Must(t, s.CountQueries(), "count queries")
		w := newDocWorld(t, s)
		_, err := s.Taxonomy(context.Background())
		storetest.Must(t, err, "taxonomy")
		count := func(name string, want int, ctx context.Context, fn func(ctx context.Context) error) {
			t.Helper()
			c := &store.QueryCounter{}
			storetest.Must(t, fn(store.WithQueryCounter(ctx, c)), "%s", name)
			if c.Count() != want {
				t.Errorf("%s: %d statements, want %d:\n%s", name, c.Count(), want, c)
			}
		}
		post := 1 // the thread post: one statement on PostgreSQL
		if s.Dialect() == store.SQLite {
			post = 8 // savepoint, lookup, message, thread, read mark, process, audit, outbox
		}
		var req *models.DocumentRequest
		var d *models.Document
		// lock, borrowers, request, items, event, last action, audit, outbox row, the post
		count("request", 8+post, w.marta, func(ctx context.Context) (err error) {
			req, err = s.RequestDocuments(ctx, w.p.UUID, models.DocumentRequestInput{Items: []models.DocumentRequestItemInput{
				{DocumentTypeID: 6, BorrowerUUID: w.key.UUID}, {DocumentTypeID: 7, BorrowerUUID: w.key.UUID}}})
			return
		})
		_ = req
		// lock, borrower, open item, total, blob, insert, event, last action, audit
		count("upload", 9, w.ana, func(ctx context.Context) (err error) {
			d, err = s.CreateDocument(ctx, w.p.UUID, models.NewDocument{FileName: "a.pdf", DocumentTypeID: 6, BorrowerUUID: w.key.UUID,
				Content: bytes.NewReader(pdf(1000, 1))})
			return
		})
		count("list", 2, w.ana, func(ctx context.Context) error { _, err := s.ListDocuments(ctx, w.p.UUID); return err })
		count("get", 2, w.ana, func(ctx context.Context) error { _, err := s.GetDocument(ctx, w.p.UUID, d.UUID); return err })
		count("open", 3, w.ana, func(ctx context.Context) error {
			_, rc, err := s.OpenDocument(ctx, w.p.UUID, d.UUID)
			if err == nil {
				rc.Close()
			}
			return err
		})
		count("checklist", 4, w.ana, func(ctx context.Context) error { _, err := s.Checklist(ctx, w.p.UUID); return err })
		// lock, document, total, blob, update, event, last action, audit
		count("replace", 8, w.ana, func(ctx context.Context) error {
			_, err := s.UpdateDocument(ctx, w.p.UUID, d.UUID, models.DocumentUpdate{Content: bytes.NewReader(pdf(1000, 2))})
			return err
		})
		// lock, document, update, event, last action, audit, the open request's items
		count("accept", 7, w.marta, func(ctx context.Context) error {
			_, err := s.ReviewDocument(ctx, w.p.UUID, d.UUID, models.DocumentReview{Accept: true})
			return err
		})
		second := upload("b.pdf", 7, pdf(1000, 3))
		second.BorrowerUUID = w.key.UUID
		e, err := s.CreateDocument(w.ana, w.p.UUID, second)
		storetest.Must(t, err, "second")
		// ... and when it completes the request: resolved, event, last action, the post
		count("accept and resolve", 10+post, w.marta, func(ctx context.Context) error {
			_, err := s.ReviewDocument(ctx, w.p.UUID, e.UUID, models.DocumentReview{Accept: true})
			return err
		})
		f, err := s.CreateDocument(w.ana, w.p.UUID, upload("c.pdf", 1, pdf(1000, 4)))
		storetest.Must(t, err, "third")
		// lock, document, delete, event, last action, audit
		count("delete", 6, w.ana, func(ctx context.Context) error { return s.DeleteDocument(ctx, w.p.UUID, f.UUID) })
	})
}

// TestDemoDocuments: the demo's requests and documents are what README
// says, their contents sniff as stored, and seeding again adds none.
func TestDemoDocuments(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		byNumber := map[int64]models.Process{}
		for _, p := range w.all {
			byNumber[p.ProcessNumber] = p
		}
		states := func(ctx context.Context, number int64) (string, *models.DocumentChecklist) {
			t.Helper()
			cl, err := s.Checklist(ctx, byNumber[number].UUID)
			storetest.Must(t, err, "checklist %d", number)
			var out []string
			for _, it := range cl.Items {
				if it.RequestItemUUID != "" || it.State != models.DocumentMissing {
					out = append(out, itemLine(it))
				}
			}
			return strings.Join(out, ","), cl
		}
		got, cl := states(w.ana, 100007)
		key := cl.Items[0].BorrowerName
		if want := "6 req " + key + " uploaded,7 req " + key + " rejected,1 " + key + " accepted"; got != want {
			t.Errorf("100007: %s, want %s", got, want)
		}
		if len(cl.Requests) != 1 || cl.Requests[0].Resolved || cl.Items[1].Document.RejectReason == "" {
			t.Errorf("100007 request %+v", cl.Requests)
		}
		for _, d := range cl.Documents {
			_, rc, err := s.OpenDocument(w.marta, byNumber[100007].UUID, d.UUID)
			storetest.Must(t, err, "open %s", d.FileName)
			typ, err := models.SniffDocument(readAll(t, rc))
			if err != nil || typ != d.ContentType {
				t.Errorf("%s sniffs as %q (%v), stored %q", d.FileName, typ, err, d.ContentType)
			}
		}
		if got, cl := states(w.ana, 100005); got != "16 req accepted" || !cl.Requests[0].Resolved {
			t.Errorf("100005: %s %+v", got, cl.Requests)
		}
		if got, _ := states(w.rui, 100008); got != "17 req missing" {
			t.Errorf("100008: %s", got)
		}
		n, err := s.SeedDemo(context.Background())
		storetest.Must(t, err, "seed again")
		if n != 0 || count(t, s, "documents", "") != 4 || count(t, s, "document_requests", "") != 3 {
			t.Errorf("seeding again inserted %d; %d documents", n, count(t, s, "documents", ""))
		}
	})
}

// TestDocumentsInFiles: with the filesystem content store the service
// keeps contents as files (none in the database) and reads them back.
func TestDocumentsInFiles(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newDocWorld(t, s)
		dir := t.TempDir()
		fc, err := store.NewFileContent(dir)
		storetest.Must(t, err, "file content")
		s.SetContentStore(fc)
		defer s.SetContentStore(nil)
		blobs := count(t, s, "blobs", "")
		data := pdf(4096, 5)
		d, err := s.CreateDocument(w.ana, w.p.UUID, upload("a.pdf", 6, data))
		storetest.Must(t, err, "upload")
		if count(t, s, "blobs", "") != blobs {
			t.Error("a blob row with the filesystem store")
		}
		onDisk, err := os.ReadFile(filepath.Join(dir, d.ContentSHA256))
		storetest.Must(t, err, "file")
		_, rc, err := s.OpenDocument(w.marta, w.p.UUID, d.UUID)
		storetest.Must(t, err, "open")
		if !bytes.Equal(onDisk, data) || !bytes.Equal(readAll(t, rc), data) {
			t.Error("content differs")
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Errorf("%d files, want 1 (no temporary file left)", len(entries))
		}
	})
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
