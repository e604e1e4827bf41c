package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
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
		if n := count(t, s, "documents", ""); n != 1 {
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
		if count(t, s, "blobs", "") != blobs || count(t, s, "documents", "") != 0 {
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
