package api_test

// Contract tests of the partner API's document operations (issue 13):
// Document List / Create / Get / Update / Delete, the Base64 content, its
// limits and the streamed reading of the body. Every exchange is also
// checked against docs/openapi.yaml (TestMain).

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
	"portal/web/webtest"
)

// docPDF is n bytes that sniff as a PDF, varying with seed.
func docPDF(n int, seed byte) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for len(b) < n {
		b = append(b, byte(len(b)*7)+seed)
	}
	return b[:n]
}

// docPNG is a tiny PNG (signature, IHDR, IDAT, IEND).
var docPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

type docFixture struct {
	s        *webtest.Server
	ana, rui apiSession
	r        refs
}

// docProcess is a new Lisboa process "In creation" with a key borrower.
func (f *docFixture) docProcess(t testing.TB) (process, key string) {
	t.Helper()
	id, _ := createProcess(t, f.ana, f.r.loanData())
	return id, createBorrower(t, f.ana, id, f.r.keyBorrower())
}

func docUpload(name string, typ int, data []byte, kv ...any) map[string]any {
	return with(map[string]any{"fileName": name, "documentTypeId": typ, "content": b64(data)}, kv...)
}

// createDocument uploads as p and returns the new document's id.
func createDocument(t testing.TB, p apiSession, process string, body map[string]any, headers ...string) string {
	t.Helper()
	a := p.do(t, http.MethodPost, "/v1/processes/"+process+"/documents", jsonBody(t, body), headers...)
	if a.Status != http.StatusCreated {
		t.Fatalf("create document: %s", a)
	}
	var out struct {
		OperationStatus  OperationStatusJSON `json:"operationStatus"`
		DocumentUniqueID string              `json:"documentUniqueID"`
	}
	webtest.StrictJSON(t, a.Body, &out)
	want := `{"operationStatus":{"operationStatusCode":"040102","operationStatusMessage":"Document created successfully"},"documentUniqueID":"` + out.DocumentUniqueID + `"}`
	if string(a.Body) != want || out.DocumentUniqueID == "" {
		t.Fatalf("create document: %s", a.Body)
	}
	return out.DocumentUniqueID
}

// documentOf is Document Get, its content decoded.
func documentOf(t testing.TB, p apiSession, process, doc string, headers ...string) (map[string]any, []byte) {
	t.Helper()
	a := p.get(t, "/v1/processes/"+process+"/documents/"+doc, headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("get document: %s", a)
	}
	if n, _ := strconv.Atoi(a.Header.Get("Content-Length")); n != len(a.Body) {
		t.Errorf("Content-Length %q for %d bytes", a.Header.Get("Content-Length"), len(a.Body))
	}
	var out map[string]any
	if err := json.Unmarshal(a.Body, &out); err != nil {
		t.Fatalf("get document: %v in %.300s", err, a.Body)
	}
	s, _ := out["content"].(string)
	content, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("content is not Base64: %v", err)
	}
	return out, content
}

func documentsOf(t testing.TB, p apiSession, process string, headers ...string) []map[string]any {
	t.Helper()
	a := p.get(t, "/v1/processes/"+process+"/documents", headers...)
	if a.Status != http.StatusOK {
		t.Fatalf("list documents: %s", a)
	}
	var out struct {
		Documents []map[string]any `json:"documents"`
	}
	webtest.StrictJSON(t, a.Body, &out)
	return out.Documents
}

func countRows(t testing.TB, s *webtest.Server, query string, args ...any) (n int64) {
	t.Helper()
	if err := s.Store.DB().Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDocumentsAPI(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		f := &docFixture{s: s, ana: apiSignIn(t, s, lisboaUID, anaEmail), rui: apiSignIn(t, s, portoUID, ruiEmail), r: testRefs(t, s)}
		t.Run("create list get update delete", func(t *testing.T) { checkDocumentLifecycle(t, f) })
		t.Run("invalid input", func(t *testing.T) { checkDocumentValidation(t, f) })
		t.Run("foreign is missing", func(t *testing.T) { checkDocumentForeign(t, f) })
		t.Run("conflicts", func(t *testing.T) { checkDocumentConflicts(t, f) })
		t.Run("idempotent create", func(t *testing.T) { checkDocumentIdempotency(t, f) })
		t.Run("limits", func(t *testing.T) { checkDocumentLimits(t, f) })
		t.Run("requested and reviewed", func(t *testing.T) { checkDocumentReviewLoop(t, f) })
	})
}

func checkDocumentLifecycle(t *testing.T, f *docFixture) {
	ana := f.ana
	id, key := f.docProcess(t)
	base := "/v1/processes/" + id + "/documents"
	if a := ana.get(t, base); a.Status != http.StatusOK || string(a.Body) != `{"documents":[]}` {
		t.Fatalf("no documents yet: %s", a)
	}
	data := docPDF(2000, 1)
	doc := createDocument(t, ana, id, docUpload("payslip-march.pdf", models.DocTypePayslips, data,
		"title", "Recibo de março", "documentObservations", "Net pay", "borrowerUniqueId", key))

	list := documentsOf(t, ana, id, "Accept-Language", "en")
	if len(list) != 1 {
		t.Fatalf("list: %v", list)
	}
	types, _ := f.r.tax.List("document-types")
	payslips, _ := types.Item(models.DocTypePayslips)
	sum := sha256.Sum256(data)
	d := list[0]
	for k, want := range map[string]any{"documentUniqueID": doc, "fileName": "payslip-march.pdf", "title": "Recibo de março",
		"documentTypeID": float64(models.DocTypePayslips), "documentTypeDescription": payslips.EN, "documentObservations": "Net pay",
		"borrowerUniqueID": key, "requestItemUniqueID": nil, "size": float64(2000), "contentType": "application/pdf",
		"sha256": hex.EncodeToString(sum[:]), "state": "uploaded", "rejectReason": nil, "reviewedBy": nil, "reviewedAt": nil} {
		if d[k] != want {
			t.Errorf("listed %s = %v, want %v", k, d[k], want)
		}
	}
	if _, ok := d["content"]; ok {
		t.Error("the list carries the content")
	}
	for _, k := range []string{"creationDate", "lastUpdateDate"} {
		if s, _ := d[k].(string); !rfc3339Z.MatchString(s) {
			t.Errorf("%s %v", k, d[k])
		}
	}
	got, content := documentOf(t, ana, id, doc)
	if !bytes.Equal(content, data) || got["documentTypeDescription"] != payslips.PT {
		t.Errorf("get: %d bytes back (want %d), description %v", len(content), len(data), got["documentTypeDescription"])
	}
	delete(got, "content")
	delete(got, "documentTypeDescription")
	delete(d, "documentTypeDescription")
	if webtestJSON(got) != webtestJSON(d) {
		t.Errorf("get %v, list %v", got, d)
	}

	// Update: what is sent changes, the rest stays.
	wantStatus(t, "rename", ana.do(t, http.MethodPut, base+"/"+doc, `{"fileName":"recibo-03.pdf","documentTypeId":7}`),
		http.StatusOK, "040101", "Document updated successfully")
	got, content = documentOf(t, ana, id, doc)
	if got["fileName"] != "recibo-03.pdf" || got["title"] != "Recibo de março" || got["documentTypeID"] != float64(7) ||
		got["documentObservations"] != "Net pay" || !bytes.Equal(content, data) {
		t.Errorf("after rename: %v", got)
	}
	// A new file, with "/" written "\/" and the content first.
	escaped := strings.ReplaceAll(b64(docPNG), "/", `\/`)
	wantStatus(t, "replace", ana.do(t, http.MethodPut, base+"/"+doc, `{"content":"`+escaped+`" , "title":"PNG"}`),
		http.StatusOK, "040101", "Document updated successfully")
	got, content = documentOf(t, ana, id, doc)
	if got["contentType"] != "image/png" || got["size"] != float64(len(docPNG)) || got["state"] != "uploaded" || got["title"] != "PNG" ||
		!bytes.Equal(content, docPNG) {
		t.Errorf("after replace: %v", got)
	}

	// Delete: gone, like one that never was.
	wantStatus(t, "delete", ana.do(t, http.MethodDelete, base+"/"+doc, ""), http.StatusOK, "040103", "Document deleted successfully")
	missing := ana.get(t, base+"/"+missingUUID())
	wantEnvelope(t, "missing document", missing, http.StatusNotFound, "040002")
	if a := ana.get(t, base+"/"+doc); a.Status != http.StatusNotFound || !bytes.Equal(a.Body, missing.Body) {
		t.Errorf("deleted document: %s", a)
	}
	if l := documentsOf(t, ana, id); len(l) != 0 {
		t.Errorf("listed after delete: %v", l)
	}
}

func checkDocumentValidation(t *testing.T, f *docFixture) {
	ana := f.ana
	id, _ := f.docProcess(t)
	base := "/v1/processes/" + id + "/documents"
	doc := createDocument(t, ana, id, docUpload("a.pdf", models.DocTypePayslips, docPDF(500, 2)))
	html := []byte("<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>")
	long := strings.Repeat("x", 1001)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		fields []string
		codes  map[string]string
	}{
		{"HTML named .pdf", docUpload("payslip.pdf", 6, html), []string{"content"}, map[string]string{"content": "040601"}},
		{"not Base64", with(docUpload("a.pdf", 6, nil), "content", "%%%not base64%%%"), []string{"content"}, map[string]string{"content": "040601"}},
		{"Base64 cut short", with(docUpload("a.pdf", 6, nil), "content", b64(docPDF(100, 1))[:10]), []string{"content"}, map[string]string{"content": "040601"}},
		{"content a number", with(docUpload("a.pdf", 6, nil), "content", 12), []string{"content"}, map[string]string{"content": "040601"}},
		{"no content", with(docUpload("a.pdf", 6, nil), "content", nil), []string{"content"}, map[string]string{"content": "040601"}},
		{"no file name", with(docUpload("a.pdf", 6, docPDF(100, 1)), "fileName", nil), []string{"fileName"}, map[string]string{"fileName": "040201"}},
		{"a path", docUpload("../etc/a.pdf", 6, docPDF(100, 1)), []string{"fileName"}, map[string]string{"fileName": "040201"}},
		{"file name a number", with(docUpload("a.pdf", 6, docPDF(100, 1)), "fileName", 5), []string{"fileName"}, map[string]string{"fileName": "040201"}},
		{"title too long", with(docUpload("a.pdf", 6, docPDF(100, 1)), "title", long[:201]), []string{"title"}, map[string]string{"title": "040301"}},
		{"unknown type", docUpload("a.pdf", 9999, docPDF(100, 1)), []string{"documentTypeId"}, map[string]string{"documentTypeId": "040401"}},
		{"observations too long", with(docUpload("a.pdf", 6, docPDF(100, 1)), "documentObservations", long), []string{"documentObservations"},
			map[string]string{"documentObservations": "040501"}},
		{"unknown borrower", with(docUpload("a.pdf", 6, docPDF(100, 1)), "borrowerUniqueId", missingUUID()), []string{"borrowerUniqueId"},
			map[string]string{"borrowerUniqueId": "040701"}},
		{"unknown request item", with(docUpload("a.pdf", 6, docPDF(100, 1)), "requestItemUniqueId", missingUUID()), []string{"requestItemUniqueId"},
			map[string]string{"requestItemUniqueId": "040801"}},
	} {
		env := wantEnvelope(t, tc.name, ana.do(t, http.MethodPost, base, jsonBody(t, tc.body)), http.StatusBadRequest, "040001", tc.fields...)
		wantCodes(t, tc.name, env, tc.codes)
	}
	for name, body := range map[string]string{
		"unknown field": `{"fileName":"a.pdf","documentTypeId":6,"content":"` + b64(docPDF(100, 1)) + `","color":"red"}`,
		"malformed":     `{"fileName":"a.pdf","content":"` + b64(docPDF(100, 1)),
		"two contents":  `{"content":"` + b64(docPDF(100, 1)) + `","content":"` + b64(docPDF(100, 1)) + `"}`,
		"empty":         ``, "an array": `[]`, "trailing data": `{"fileName":"a.pdf"} {}`,
		"control character in content": "{\"content\":\"JVBE\tRi0x\"}",
	} {
		wantEnvelope(t, name, ana.do(t, http.MethodPost, base, body), http.StatusBadRequest, "040001")
	}
	// Update checks the same, and takes no borrower or request item.
	for _, tc := range []struct {
		name, body, field, code string
	}{
		{"HTML", `{"content":"` + b64(html) + `"}`, "content", "040601"},
		{"a path", `{"fileName":"a\\b.pdf"}`, "fileName", "040201"},
		{"unknown type", `{"documentTypeId":9999}`, "documentTypeId", "040401"},
	} {
		env := wantEnvelope(t, "update "+tc.name, ana.do(t, http.MethodPut, base+"/"+doc, tc.body), http.StatusBadRequest, "040001", tc.field)
		wantCodes(t, tc.name, env, map[string]string{tc.field: tc.code})
	}
	wantEnvelope(t, "update a borrower", ana.do(t, http.MethodPut, base+"/"+doc, `{"borrowerUniqueId":"`+missingUUID()+`"}`),
		http.StatusBadRequest, "040001")
	// Nothing of that was stored.
	if n := countRows(t, f.s, `SELECT count(*) FROM documents d JOIN processes p ON p.id = d.process_id WHERE p.uuid = ?`, id); n != 1 {
		t.Errorf("%d documents after refused uploads", n)
	}
	if got, content := documentOf(t, ana, id, doc); got["fileName"] != "a.pdf" || got["documentTypeID"] != float64(6) || !bytes.Equal(content, docPDF(500, 2)) {
		t.Errorf("the document changed: %v", got)
	}
}

// Rui (Porto) on Ana's process and documents, and ids nobody has: the
// same 404 byte for byte, for every operation, and nothing changes.
func checkDocumentForeign(t *testing.T, f *docFixture) {
	ana, rui := f.ana, f.rui
	id, _ := f.docProcess(t)
	doc := createDocument(t, ana, id, docUpload("a.pdf", 6, docPDF(300, 3)))
	other, _ := f.docProcess(t)
	otherDoc := createDocument(t, ana, other, docUpload("b.pdf", 6, docPDF(300, 4)))
	before := ana.get(t, "/v1/processes/"+id+"/documents")

	type op struct{ method, path, body string }
	upload := jsonBody(t, docUpload("c.pdf", 6, docPDF(300, 5)))
	ops := func(process, document string) []op {
		return []op{
			{http.MethodGet, "/v1/processes/" + process + "/documents", ""},
			{http.MethodPost, "/v1/processes/" + process + "/documents", upload},
			{http.MethodGet, "/v1/processes/" + process + "/documents/" + document, ""},
			{http.MethodPut, "/v1/processes/" + process + "/documents/" + document, `{"title":"Rui"}`},
			{http.MethodDelete, "/v1/processes/" + process + "/documents/" + document, ""},
		}
	}
	foreign, missing := ops(id, doc), ops(missingUUID(), missingUUID())
	known := ops(missingUUID(), doc)     // Ana's document under a missing process
	elsewhere := ops(other, doc)         // under another process of hers
	unknownDoc := ops(id, missingUUID()) // a missing document of her process
	for i := range foreign {
		m := rui.do(t, missing[i].method, missing[i].path, missing[i].body)
		wantEnvelope(t, missing[i].method+" "+missing[i].path, m, http.StatusNotFound, "040002")
		for _, a := range []apiAnswer{rui.do(t, foreign[i].method, foreign[i].path, foreign[i].body),
			rui.do(t, foreign[i].method, strings.Replace(foreign[i].path, id, strings.ToUpper(id), 1), foreign[i].body),
			ana.do(t, known[i].method, known[i].path, known[i].body)} {
			if a.Status != m.Status || !bytes.Equal(a.Body, m.Body) {
				t.Errorf("%s %s: %s, a missing one %s", foreign[i].method, foreign[i].path, a, m)
			}
		}
		if i < 2 {
			continue // List and Create name no document
		}
		mm := ana.do(t, unknownDoc[i].method, unknownDoc[i].path, unknownDoc[i].body)
		wantEnvelope(t, "missing document", mm, http.StatusNotFound, "040002")
		if a := ana.do(t, elsewhere[i].method, elsewhere[i].path, elsewhere[i].body); a.Status != mm.Status || !bytes.Equal(a.Body, mm.Body) {
			t.Errorf("%s another process's document: %s, a missing one %s", elsewhere[i].method, a, mm)
		}
	}
	if after := ana.get(t, "/v1/processes/"+id+"/documents"); !bytes.Equal(before.Body, after.Body) {
		t.Errorf("the calls changed Ana's documents: %s -> %s", before.Body, after.Body)
	}
	if got, _ := documentOf(t, ana, other, otherDoc); got["title"] != "" {
		t.Errorf("the other process's document changed: %v", got)
	}
}

// review records Marta's verdict on a document (the bank reviews in the
// portal's pages, not through the partner API).
func review(t testing.TB, s *webtest.Server, process, doc string, in models.DocumentReview) {
	t.Helper()
	if _, err := s.Store.ReviewDocument(storetest.AsUser(t, s.Store, martaEmail), process, doc, in); err != nil {
		t.Fatalf("review: %v", err)
	}
}

func checkDocumentConflicts(t *testing.T, f *docFixture) {
	ana := f.ana
	// A process the bank has decided takes no documents.
	for _, status := range []int{models.StatusApproved, models.StatusRejected, models.StatusCancelled} {
		decided := processIn(t, f.s, lisboaUID, status)
		wantEnvelope(t, fmt.Sprint("upload to a process in status ", status), ana.do(t, http.MethodPost, "/v1/processes/"+decided+"/documents",
			jsonBody(t, docUpload("a.pdf", 6, docPDF(300, 1)))), http.StatusConflict, "040003")
	}
	// Submitted and pending documents still do.
	for _, status := range []int{models.StatusSubmitted, models.StatusPendingDocuments} {
		open := processIn(t, f.s, lisboaUID, status)
		createDocument(t, ana, open, docUpload("a.pdf", 6, docPDF(300, byte(status))))
	}
	// An accepted document cannot change or go.
	id, _ := f.docProcess(t)
	doc := createDocument(t, ana, id, docUpload("a.pdf", 6, docPDF(300, 9)))
	review(t, f.s, id, doc, models.DocumentReview{Accept: true})
	path := "/v1/processes/" + id + "/documents/" + doc
	wantEnvelope(t, "update accepted", ana.do(t, http.MethodPut, path, `{"title":"x"}`), http.StatusConflict, "040003")
	wantEnvelope(t, "replace accepted", ana.do(t, http.MethodPut, path, `{"content":"`+b64(docPNG)+`"}`), http.StatusConflict, "040003")
	wantEnvelope(t, "delete accepted", ana.do(t, http.MethodDelete, path, ""), http.StatusConflict, "040003")
	got, content := documentOf(t, ana, id, doc)
	if got["state"] != "accepted" || got["reviewedBy"] == nil || got["title"] != "" || !bytes.Equal(content, docPDF(300, 9)) {
		t.Errorf("the accepted document: %v", got)
	}
	if at, _ := got["reviewedAt"].(string); !rfc3339Z.MatchString(at) {
		t.Errorf("reviewedAt %v", got["reviewedAt"])
	}
}

func checkDocumentIdempotency(t *testing.T, f *docFixture) {
	ana := f.ana
	id, _ := f.docProcess(t)
	base := "/v1/processes/" + id + "/documents"
	count := func() int64 {
		return countRows(t, f.s, `SELECT count(*) FROM documents d JOIN processes p ON p.id = d.process_id WHERE p.uuid = ?`, id)
	}
	body := jsonBody(t, docUpload("a.pdf", 6, docPDF(5000, 1)))
	first := ana.do(t, http.MethodPost, base, body, "Idempotency-Key", "document-1")
	again := ana.do(t, http.MethodPost, base, body, "Idempotency-Key", "document-1")
	if first.Status != http.StatusCreated || !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
		first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("replay: %s then %s (%q)", first, again, again.Header.Get("Idempotent-Replayed"))
	}
	if n := count(); n != 1 {
		t.Fatalf("%d documents after a replayed create", n)
	}
	// The same key with another content, or the same body on another
	// process: a conflict; nothing is created.
	wantEnvelope(t, "key reused", ana.do(t, http.MethodPost, base, jsonBody(t, docUpload("a.pdf", 6, docPDF(5000, 2))),
		"Idempotency-Key", "document-1"), http.StatusConflict, "040003")
	other, _ := f.docProcess(t)
	wantEnvelope(t, "key reused elsewhere", ana.do(t, http.MethodPost, "/v1/processes/"+other+"/documents", body,
		"Idempotency-Key", "document-1"), http.StatusConflict, "040003")
	if a := ana.do(t, http.MethodPost, base, body, "Idempotency-Key", "document-2"); a.Status != http.StatusCreated || bytes.Equal(a.Body, first.Body) {
		t.Fatalf("another key: %s", a)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d documents after two keys", n)
	}
}

func checkDocumentLimits(t *testing.T, f *docFixture) {
	ana := f.ana
	id, _ := f.docProcess(t)
	base := "/v1/processes/" + id + "/documents"
	blobs := func() int64 { return countRows(t, f.s, `SELECT count(*) FROM blobs`) }
	docs := func() int64 {
		return countRows(t, f.s, `SELECT count(*) FROM documents d JOIN processes p ON p.id = d.process_id WHERE p.uuid = ?`, id)
	}

	// 10 MiB round-trips byte for byte.
	max := docPDF(models.DefaultMaxDocumentBytes, 7)
	doc := createDocument(t, ana, id, docUpload("big.pdf", 6, max))
	got, content := documentOf(t, ana, id, doc)
	if !bytes.Equal(content, max) || got["size"] != float64(models.DefaultMaxDocumentBytes) {
		t.Fatalf("10 MiB came back as %d bytes (size %v)", len(content), got["size"])
	}

	// One byte more: 413, and nothing stored.
	blobsBefore, docsBefore := blobs(), docs()
	over := docPDF(models.DefaultMaxDocumentBytes+1, 8)
	wantEnvelope(t, "10 MiB + 1", ana.do(t, http.MethodPost, base, jsonBody(t, docUpload("big.pdf", 6, over))),
		http.StatusRequestEntityTooLarge, "040007")
	wantEnvelope(t, "replace with 10 MiB + 1", ana.do(t, http.MethodPut, base+"/"+doc, `{"content":"`+b64(over)+`"}`),
		http.StatusRequestEntityTooLarge, "040007")
	if b, d := blobs(), docs(); b != blobsBefore || d != docsBefore {
		t.Errorf("refused uploads stored %d blobs and %d documents", b-blobsBefore, d-docsBefore)
	}
	if _, content := documentOf(t, ana, id, doc); !bytes.Equal(content, max) {
		t.Error("a refused replacement changed the content")
	}

	// A body whose Content-Length is over the limit is refused before it
	// is read.
	limit := int64(base64.StdEncoding.EncodedLen(models.DefaultMaxDocumentBytes))
	limit += limit/16 + 64<<10
	var read atomic.Int64
	req, _ := http.NewRequest(http.MethodPost, f.s.URL+base, &countingReader{r: io.LimitReader(zeros{}, limit+1), n: &read})
	req.ContentLength = limit + 1
	req.Header.Set("Authorization", "Bearer "+ana.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := apiHTTP.Do(req)
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(`"040007"`)) {
			t.Errorf("a body over the limit: %d %s", res.StatusCode, b)
		}
	} else { // the portal closed the connection while the client still sent
		t.Logf("a body over the limit: %v", err)
	}
	t.Logf("the client sent %d bytes of %d", read.Load(), limit+1)
	if n := read.Load(); n > limit/2 {
		t.Errorf("the client sent %d bytes of a body refused by its length", n)
	}
	if b, d := blobs(), docs(); b != blobsBefore || d != docsBefore {
		t.Errorf("a body over the limit stored %d blobs and %d documents", b-blobsBefore, d-docsBefore)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// streamedUpload is the body of a Create of content, written as it is
// sent (the test holds no copy of the Base64).
func streamedUpload(content []byte) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, `{"fileName":"big.pdf","documentTypeId":6,"content":"`)
		enc := base64.NewEncoder(base64.StdEncoding, pw)
		_, _ = enc.Write(content)
		_ = enc.Close()
		_, _ = io.WriteString(pw, `"}`)
		_ = pw.Close()
	}()
	return pr
}

// The memory a 10 MiB upload takes on the server: the heap's peak above
// where it started and the bytes allocated, sampled while the request
// runs, and the process's peak RSS (VmHWM, meaningful when this test runs
// alone: go test -run TestDocumentUploadMemory -v). The body (14 MB of
// Base64) is never held whole: the decoded content is (once here, once
// more by the service's read).
func TestDocumentUploadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 10 MiB")
	}
	s := webtest.NewWith(t, store.SQLite, webtest.Options{NoOpenAPICheck: true})
	ana := apiSignIn(t, s, lisboaUID, anaEmail)
	f := &docFixture{s: s, ana: ana, r: testRefs(t, s)}
	id, _ := f.docProcess(t)
	content := docPDF(models.DefaultMaxDocumentBytes, 3)

	var peak atomic.Uint64
	mib := func(n uint64) float64 { return float64(n) / (1 << 20) }
	for _, chunked := range []bool{true, false} {
		runtime.GC()
		var start runtime.MemStats
		runtime.ReadMemStats(&start)
		peak.Store(start.HeapInuse)
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			var m runtime.MemStats
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
				select {
				case <-done:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/processes/"+id+"/documents", streamedUpload(content))
		if !chunked {
			req.ContentLength = int64(len(`{"fileName":"big.pdf","documentTypeId":6,"content":""}`) + base64.StdEncoding.EncodedLen(len(content)))
		}
		req.Header.Set("Authorization", "Bearer "+ana.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := apiHTTP.Do(req)
		close(done)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: %d %s", res.StatusCode, b)
		}
		var end runtime.MemStats
		runtime.ReadMemStats(&end)
		t.Logf("10 MiB upload (Base64 body %.1f MiB, chunked %v): heap peak %.1f MiB above the start (%.1f MiB in use at the start), %.1f MiB allocated, peak RSS so far %s",
			mib(uint64(base64.StdEncoding.EncodedLen(len(content)))), chunked, mib(peak.Load()-start.HeapInuse), mib(start.HeapInuse),
			mib(end.TotalAlloc-start.TotalAlloc), peakRSS())
		content = docPDF(models.DefaultMaxDocumentBytes, 4) // another blob
	}
}

// peakRSS is the process's VmHWM (Linux), or "unknown".
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// The bank asks for a payslip; Ana answers the request item, the bank
// rejects it with a reason, Ana replaces it and the bank accepts it: the
// list shows each step's state and the item answered.
func checkDocumentReviewLoop(t *testing.T, f *docFixture) {
	ana := f.ana
	id, key := f.docProcess(t)
	req, err := f.s.Store.RequestDocuments(storetest.AsUser(t, f.s.Store, martaEmail), id, models.DocumentRequestInput{
		Note: "Para a análise", Items: []models.DocumentRequestItemInput{{DocumentTypeID: models.DocTypePayslips, BorrowerUUID: key}}})
	if err != nil {
		t.Fatal(err)
	}
	var item string
	if err := f.s.Store.DB().Raw(`SELECT uuid FROM document_request_items WHERE request_id = ?`, req.ID).Scan(&item).Error; err != nil || item == "" {
		t.Fatalf("request item: %v", err)
	}
	doc := createDocument(t, ana, id, map[string]any{"fileName": "recibo.pdf", "content": b64(docPDF(800, 1)), "requestItemUniqueId": item})
	list := documentsOf(t, ana, id)
	if len(list) != 1 || list[0]["requestItemUniqueID"] != item || list[0]["documentTypeID"] != float64(models.DocTypePayslips) ||
		list[0]["borrowerUniqueID"] != key || list[0]["state"] != "uploaded" {
		t.Fatalf("answering the request item: %v", list)
	}
	review(t, f.s, id, doc, models.DocumentReview{Reason: "Falta a segunda página."})
	if d := documentsOf(t, ana, id)[0]; d["state"] != "rejected" || d["rejectReason"] != "Falta a segunda página." || d["reviewedBy"] == nil {
		t.Fatalf("rejected: %v", d)
	}
	wantStatus(t, "replace the rejected", ana.do(t, http.MethodPut, "/v1/processes/"+id+"/documents/"+doc, `{"content":"`+b64(docPDF(900, 2))+`"}`),
		http.StatusOK, "040101", "Document updated successfully")
	if d := documentsOf(t, ana, id)[0]; d["state"] != "uploaded" || d["requestItemUniqueID"] != item || d["size"] != float64(900) {
		t.Fatalf("replaced: %v", d)
	}
	review(t, f.s, id, doc, models.DocumentReview{Accept: true})
	if d := documentsOf(t, ana, id)[0]; d["state"] != "accepted" || d["rejectReason"] != nil {
		t.Fatalf("accepted: %v", d)
	}
}
