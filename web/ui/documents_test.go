package ui_test

import (
	"bufio"
	"bytes"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/web/webtest"
)

// pdfBytes is a document of n bytes that sniffs as a PDF.
func pdfBytes(n int, seed byte) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for len(b) < n {
		b = append(b, 'a'+(byte(len(b))+seed)%26)
	}
	return b[:n]
}

// multipartBody is an upload form: fields in order, then the file (none
// when name is "").
func multipartBody(t *testing.T, fields [][2]string, name string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// postFile posts an upload form as a browser without JavaScript would.
func postFile(t *testing.T, c *webtest.Client, path string, fields [][2]string, name string, content []byte) *webtest.Response {
	t.Helper()
	ct, body := multipartBody(t, fields, name, content)
	req, _ := http.NewRequest(http.MethodPost, c.Base()+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	return c.Do(req)
}

func docCount(t *testing.T, s *webtest.Server, processUUID string) int {
	t.Helper()
	var n int
	err := s.Store.DB().Raw(`SELECT COUNT(*) FROM documents d JOIN processes p ON p.id = d.process_id WHERE p.uuid = ?`, processUUID).Scan(&n).Error
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// docsTab is the process page's documents tab.
func docsTab(t *testing.T, c *webtest.Client, id string) *goquery.Selection {
	t.Helper()
	res := c.Get("/processes/" + id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("process page: %d", res.StatusCode)
	}
	tab := res.Doc(t).Find(`[data-testid="documents"]`)
	if tab.Length() != 1 {
		t.Fatal("the process page has no documents tab")
	}
	return tab
}

// uploadedDoc is the one document named name on the tab, with its UUID.
func uploadedDoc(t *testing.T, tab *goquery.Selection, name string) (*goquery.Selection, string) {
	t.Helper()
	var found *goquery.Selection
	tab.Find(`[data-testid="document"]`).Each(func(_ int, d *goquery.Selection) {
		if strings.TrimSpace(d.Find(`[data-testid="document-download"]`).Text()) == name {
			found = d
		}
	})
	if found == nil {
		t.Fatalf("no document %q on the tab", name)
	}
	return found, found.AttrOr("data-document", "")
}

func wantDocsRedirect(t *testing.T, res *webtest.Response, id string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/processes/"+id+"#tab-documents" {
		t.Fatalf("status %d, Location %q, want 303 to the documents tab\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
}

// A broker uploads a file without JavaScript, downloads it as an
// attachment with its stored type, replaces and deletes it.
func TestDocumentUploadDownloadReplaceDelete(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processIn(t, s, "BRK-LIS-001", models.StatusInAnalysis, 0)
		c := s.Client(t)
		c.Login(ana)
		data := pdfBytes(5000, 1)
		res := postFile(t, c, "/processes/"+id+"/documents", [][2]string{{"documentTypeId", "10"}}, "extrato março.pdf", data)
		wantDocsRedirect(t, res, id)
		page := c.Get("/processes/" + id)
		if !strings.Contains(page.Doc(t).Find(".flash, [role=status]").Text()+page.Body, "extrato março.pdf uploaded") {
			t.Error("no flash after the upload")
		}
		tab := page.Doc(t).Find(`[data-testid="documents"]`)
		d, docID := uploadedDoc(t, tab, "extrato março.pdf")
		if d.AttrOr("data-state", "") != "uploaded" || !strings.Contains(d.Find(`[data-testid="document-state"]`).Text(), "awaiting review") {
			t.Errorf("state %q", d.AttrOr("data-state", ""))
		}
		if d.Find(`[data-testid="replace-form"]`).Length() != 1 || d.Find(`[data-testid="delete-form"]`).Length() != 1 {
			t.Error("an uploaded document offers no replace or delete")
		}

		dl := c.Get("/processes/" + id + "/documents/" + docID + "/content")
		if dl.StatusCode != http.StatusOK || dl.Body != string(data) {
			t.Fatalf("download: %d, %d bytes", dl.StatusCode, len(dl.Body))
		}
		for h, want := range map[string]string{
			"Content-Type":           "application/pdf",
			"Content-Disposition":    `attachment; filename="extrato mar_o.pdf"; filename*=UTF-8''extrato%20mar%C3%A7o.pdf`,
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "no-store",
			"Content-Length":         strconv.Itoa(len(data)),
		} {
			if got := dl.Header.Get(h); got != want {
				t.Errorf("download %s: %q, want %q", h, got, want)
			}
		}

		res = postFile(t, c, "/processes/"+id+"/documents/"+docID+"/replace", nil, "extrato-v2.pdf", pdfBytes(3000, 2))
		wantDocsRedirect(t, res, id)
		d, _ = uploadedDoc(t, docsTab(t, c, id), "extrato-v2.pdf")
		if d.AttrOr("data-document", "") != docID {
			t.Error("the replacement is another document")
		}
		if dl := c.Get("/processes/" + id + "/documents/" + docID + "/content"); dl.Body != string(pdfBytes(3000, 2)) {
			t.Error("the download is not the replacement")
		}

		res = c.PostForm("/processes/"+id+"/documents/"+docID+"/delete", nil)
		wantDocsRedirect(t, res, id)
		if n := docCount(t, s, id); n != 0 {
			t.Errorf("%d documents after the delete", n)
		}
	})
}

// Refused uploads re-render the tab with the reason next to the input: no
// file, no type, HTML named .pdf (sniffed, not trusted by its name);
// nothing is stored.
func TestDocumentUploadFieldErrors(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processIn(t, s, "BRK-LIS-001", models.StatusInAnalysis, 0)
		c := s.ClientIn(t, "pt-PT")
		c.Login(ana)
		path := "/processes/" + id + "/documents"
		cases := []struct {
			name    string
			fields  [][2]string
			file    string
			content []byte
			errID   string
			want    string
		}{
			{"no file", [][2]string{{"documentTypeId", "10"}}, "", nil, "file-error", "Escolha um ficheiro."},
			{"no type", nil, "a.pdf", pdfBytes(100, 1), "documentTypeId-error", "campo obrigatório"},
			{"html named pdf", [][2]string{{"documentTypeId", "10"}}, "fatura.pdf", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "file-error", "PDF, JPEG, PNG, HEIC ou WEBP"},
		}
		for _, tc := range cases {
			res := postFile(t, c, path, tc.fields, tc.file, tc.content)
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", tc.name, res.StatusCode)
				continue
			}
			doc := res.Doc(t)
			tab := doc.Find(`[data-testid="documents"]`)
			if _, open := tab.Attr("data-documents-open"); !open {
				t.Errorf("%s: the tab is not opened on the refusal", tc.name)
			}
			if msg := tab.Find(`[data-testid="` + tc.errID + `"]`).Text(); !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %s = %q, want %q", tc.name, tc.errID, msg, tc.want)
			}
		}
		if n := docCount(t, s, id); n != 0 {
			t.Errorf("%d documents stored by refused uploads", n)
		}
	})
}

// A body over the document limit is refused with 413 and a message, before
// it is read whole, and nothing is stored; a file one byte over the limit
// in a form sent without a length is refused alike.
func TestDocumentUploadTooLarge(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processIn(t, s, "BRK-LIS-001", models.StatusInAnalysis, 0)
		c := s.Client(t)
		c.Login(ana)
		path := "/processes/" + id + "/documents"

		// Announced by its length: 40 MiB, answered after the first 64 KiB
		// are sent, the rest never read.
		ct, body := multipartBody(t, [][2]string{{"documentTypeId", "10"}}, "big.pdf", pdfBytes(40<<20, 1))
		u, _ := url.Parse(c.Base() + path)
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var head strings.Builder
		head.WriteString("POST " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: " + ct +
			"\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\nSec-Fetch-Site: same-origin\r\nAccept-Language: en\r\n")
		for _, ck := range c.Client.Jar.Cookies(u) {
			head.WriteString("Cookie: " + ck.Name + "=" + ck.Value + "\r\n")
		}
		head.WriteString("\r\n")
		if _, err := conn.Write(append([]byte(head.String()), body[:64<<10]...)); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer before the body was sent: %v", err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "The file is too large") {
			t.Errorf("announced 40 MiB: %d\n%.300s", res.StatusCode, page)
		}

		// Sent without a length: the limit plus one byte.
		ct, body = multipartBody(t, [][2]string{{"documentTypeId", "10"}}, "big.pdf", pdfBytes(models.DefaultMaxDocumentBytes+1, 2))
		req, _ := http.NewRequest(http.MethodPost, c.Base()+path, io.MultiReader(bytes.NewReader(body)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", ct)
		r := c.Do(req)
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("limit + 1 byte: %d, want 413", r.StatusCode)
		} else if msg := r.Doc(t).Find(`[data-testid="documents-error"]`).Text(); !strings.Contains(msg, "larger than 10 M") {
			t.Errorf("limit + 1 byte: message %q", msg)
		}
		if n := docCount(t, s, id); n != 0 {
			t.Errorf("%d documents stored by refused uploads", n)
		}

		// Exactly at the limit is accepted.
		r = postFile(t, c, path, [][2]string{{"documentTypeId", "10"}}, "limit.pdf", pdfBytes(models.DefaultMaxDocumentBytes, 3))
		wantDocsRedirect(t, r, id)
	})
}

// A process the bank has decided takes no more documents: 409 with the
// reason on the page.
func TestDocumentUploadConflictOnDecidedProcess(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processIn(t, s, "BRK-LIS-001", models.StatusApproved, 0)
		c := s.Client(t)
		c.Login(ana)
		tab := docsTab(t, c, id)
		if tab.Find(`[data-testid="upload-form"]`).Length() != 0 {
			t.Error("a decided process offers the upload form")
		}
		res := postFile(t, c, "/processes/"+id+"/documents", [][2]string{{"documentTypeId", "10"}}, "a.pdf", pdfBytes(100, 1))
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("%d, want 409", res.StatusCode)
		}
		if msg := res.Doc(t).Find(`[data-testid="documents-error"]`).Text(); !strings.Contains(msg, "no longer takes documents") {
			t.Errorf("message %q", msg)
		}
	})
}

// Every document route answers another firm's process exactly like a
// missing one; brokers cannot request or review, staff cannot upload,
// replace or delete.
func TestDocumentRoutesScopeAndRoles(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processIn(t, s, "BRK-LIS-001", models.StatusInAnalysis, 0)
		a := s.Client(t)
		a.Login(ana)
		wantDocsRedirect(t, postFile(t, a, "/processes/"+id+"/documents", [][2]string{{"documentTypeId", "10"}}, "a.pdf", pdfBytes(100, 1)), id)
		_, docID := uploadedDoc(t, docsTab(t, a, id), "a.pdf")
		missing := "00000000-0000-4000-8000-000000000000"

		r := s.Client(t)
		r.Login(rui)
		type call func(c *webtest.Client, pid, did string) *webtest.Response
		calls := map[string]call{
			"upload": func(c *webtest.Client, pid, _ string) *webtest.Response {
				return postFile(t, c, "/processes/"+pid+"/documents", [][2]string{{"documentTypeId", "10"}}, "r.pdf", pdfBytes(100, 2))
			},
			"download": func(c *webtest.Client, pid, did string) *webtest.Response {
				return c.Get("/processes/" + pid + "/documents/" + did + "/content")
			},
			"replace": func(c *webtest.Client, pid, did string) *webtest.Response {
				return postFile(t, c, "/processes/"+pid+"/documents/"+did+"/replace", nil, "r.pdf", pdfBytes(100, 3))
			},
			"delete": func(c *webtest.Client, pid, did string) *webtest.Response {
				return c.PostForm("/processes/"+pid+"/documents/"+did+"/delete", nil)
			},
		}
		for name, f := range calls {
			foreign := f(r, id, docID)
			unknownDoc := f(r, id, missing)
			unknownProc := f(r, missing, missing)
			for _, res := range []*webtest.Response{foreign, unknownDoc, unknownProc} {
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("Rui %s: %d, want 404", name, res.StatusCode)
				}
			}
			if foreign.Body != unknownProc.Body || unknownDoc.Body != unknownProc.Body {
				t.Errorf("Rui %s: a foreign process answers unlike a missing one", name)
			}
			// Ana on her own process but an unknown document: the same 404.
			if name != "upload" {
				if res := f(a, id, missing); res.StatusCode != http.StatusNotFound || res.Body != f(a, missing, missing).Body {
					t.Errorf("Ana %s of an unknown document: %d", name, res.StatusCode)
				}
			}
		}
		if n := docCount(t, s, id); n != 1 {
			t.Errorf("%d documents after Rui's attempts, want 1", n)
		}

		// Brokers cannot request or review.
		for _, res := range []*webtest.Response{
			a.PostForm("/processes/"+id+"/document-requests", url.Values{"documentTypeId": {"6"}}),
			a.PostForm("/processes/"+id+"/documents/"+docID+"/review", url.Values{"decision": {"accept"}}),
		} {
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("broker request/review: %d, want 403", res.StatusCode)
			}
		}
		// Staff cannot upload, replace or delete, but download.
		m := s.Client(t)
		m.Login(marta)
		for name, f := range calls {
			res := f(m, id, docID)
			want := http.StatusForbidden
			if name == "download" {
				want = http.StatusOK
			}
			if res.StatusCode != want {
				t.Errorf("staff %s: %d, want %d", name, res.StatusCode, want)
			}
		}
		if tab := docsTab(t, m, id); tab.Find(`[data-testid="upload-form"]`).Length() != 0 || tab.Find(`[data-testid="request-form"]`).Length() != 1 {
			t.Error("staff see the upload form or no request form")
		}
		if tab := docsTab(t, a, id); tab.Find(`[data-testid="request-form"]`).Length() != 0 || tab.Find(`[data-testid="review"]`).Length() != 0 {
			t.Error("the broker sees the request form or the review")
		}
	})
}

// The loop: Marta requests a payslip and an IRS return, the broker sees
// them on the checklist and in the thread, uploads; Marta rejects one with
// a reason (none: 422) and accepts the other; the broker replaces the
// rejected one; Marta accepts it and the request is resolved.
func TestDocumentRequestReviewLoop(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		id := processIn(t, s, "BRK-LIS-001", models.StatusInAnalysis, 0)
		m := s.Client(t)
		m.Login(marta)
		tab := docsTab(t, m, id)
		key := tab.Find(`#req-borrower-0 option[value!=""]`).First().AttrOr("value", "")
		if key == "" {
			t.Fatal("the request form names no borrower")
		}
		// A row with a note but no type is refused next to the row.
		res := m.PostForm("/processes/"+id+"/document-requests", url.Values{
			"documentTypeId": {"", ""}, "borrowerId": {key, ""}, "itemNote": {"Março", ""}, "note": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find(`[data-testid="request-type-error"]`).Length() != 1 {
			t.Fatalf("a row without a type: %d", res.StatusCode)
		}
		res = m.PostForm("/processes/"+id+"/document-requests", url.Values{
			"documentTypeId": {"6", "7", ""}, "borrowerId": {key, key, ""}, "itemNote": {"Os três últimos", "", ""},
			"note": {"Para a análise de risco."}})
		wantDocsRedirect(t, res, id)

		a := s.Client(t)
		a.Login(ana)
		page := a.Get("/processes/" + id).Doc(t)
		requested := page.Find(`[data-testid="checklist-item"][data-requested]`)
		if requested.Length() != 2 {
			t.Fatalf("%d requested lines, want 2", requested.Length())
		}
		if !strings.Contains(requested.First().Find(`[data-testid="checklist-note"]`).Text(), "Os três últimos") ||
			!strings.Contains(requested.First().Find(`[data-testid="checklist-requested"]`).Text(), "Marta") {
			t.Error("the payslip line lacks its note or who asked")
		}
		if !strings.Contains(page.Find(`#thread`).Text(), "Para a análise de risco.") {
			t.Error("the request is not in the thread")
		}
		if page.Find(`[data-testid="request"]`).Length() != 1 || page.Find(`[data-testid="request"][data-resolved]`).Length() != 0 {
			t.Error("the request is not listed open")
		}
		// Upload on each line's form.
		requested.Each(func(i int, l *goquery.Selection) {
			f := l.Find(`[data-testid="line-upload"]`)
			var fields [][2]string
			f.Find(`input[type=hidden]`).Each(func(_ int, in *goquery.Selection) {
				fields = append(fields, [2]string{in.AttrOr("name", ""), in.AttrOr("value", "")})
			})
			wantDocsRedirect(t, postFile(t, a, f.AttrOr("action", ""), fields, "doc"+strconv.Itoa(i)+".pdf", pdfBytes(1000, byte(i))), id)
		})
		tab = docsTab(t, m, id)
		_, payslip := uploadedDoc(t, tab, "doc0.pdf")
		_, irs := uploadedDoc(t, tab, "doc1.pdf")
		if tab.Find(`[data-testid="review"]`).Length() != 2 {
			t.Fatal("staff see no review forms for the uploads")
		}

		review := func(doc, decision, reason string) *webtest.Response {
			return m.PostForm("/processes/"+id+"/documents/"+doc+"/review", url.Values{"decision": {decision}, "reason": {reason}})
		}
		res = review(irs, "reject", "")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find(`[data-testid="reason-error"]`).Text(), "Say why") {
			t.Fatalf("a rejection without a reason: %d", res.StatusCode)
		}
		wantDocsRedirect(t, review(irs, "reject", "Falta a nota de liquidação."), id)
		wantDocsRedirect(t, review(payslip, "accept", ""), id)
		if res := review(payslip, "accept", ""); res.StatusCode != http.StatusConflict || res.Doc(t).Find(`[data-testid="documents-error"]`).Length() != 1 {
			t.Errorf("reviewing twice: %d, want 409", res.StatusCode)
		}

		tab = docsTab(t, a, id)
		d, _ := uploadedDoc(t, tab, "doc1.pdf")
		if d.AttrOr("data-state", "") != "rejected" || !strings.Contains(d.Find(`[data-testid="document-reason"]`).Text(), "Falta a nota de liquidação.") {
			t.Error("the broker does not see the rejection and its reason")
		}
		p, _ := uploadedDoc(t, tab, "doc0.pdf")
		if p.Find(`[data-testid="delete-form"]`).Length() != 0 || p.Find(`[data-testid="replace-form"]`).Length() != 0 {
			t.Error("an accepted document offers replace or delete")
		}
		if res := a.PostForm("/processes/"+id+"/documents/"+payslip+"/delete", nil); res.StatusCode != http.StatusConflict {
			t.Errorf("deleting an accepted document: %d, want 409", res.StatusCode)
		}
		wantDocsRedirect(t, postFile(t, a, "/processes/"+id+"/documents/"+irs+"/replace", nil, "irs-2025.pdf", pdfBytes(1200, 9)), id)
		wantDocsRedirect(t, review(irs, "accept", ""), id)

		page = a.Get("/processes/" + id).Doc(t)
		if page.Find(`[data-testid="request"][data-resolved]`).Length() != 1 {
			t.Error("the request is not shown resolved")
		}
		page.Find(`[data-testid="checklist-item"][data-requested]`).Each(func(_ int, l *goquery.Selection) {
			if l.AttrOr("data-state", "") != "accepted" {
				t.Errorf("a requested line is %q", l.AttrOr("data-state", ""))
			}
		})
	})
}
