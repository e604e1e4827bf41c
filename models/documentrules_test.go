package models

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDocumentTypeConstants(t *testing.T) {
	tx := taxonomy(t)
	l, err := tx.List(TaxonomyDocumentTypes)
	if err != nil {
		t.Fatal(err)
	}
	for id, code := range map[int]string{DocTypeIDDocument: "ID_DOCUMENT", DocTypeTaxNumber: "TAX_NUMBER", DocTypePayslips: "PAYSLIPS",
		DocTypeIRSReturn: "IRS_RETURN", DocTypePropertyTax: "PROPERTY_TAX_RECORD", DocTypeLandRegistry: "LAND_REGISTRY_CERTIFICATE"} {
		if it, ok := l.Item(id); !ok || it.Code != code {
			t.Errorf("document type %d is %+v, want %s", id, it, code)
		}
	}
	es, _ := tx.List(TaxonomyEmploymentSituations)
	for id, code := range map[int]string{employmentEmployee: "EMPLOYEE", employmentCivilServant: "CIVIL_SERVANT"} {
		if it, ok := es.Item(id); !ok || it.Code != code {
			t.Errorf("employment situation %d is %+v, want %s", id, it, code)
		}
	}
}

func TestSniffDocument(t *testing.T) {
	for _, c := range []struct {
		name, content, want string
	}{
		{"pdf", "%PDF-1.7\n1 0 obj\n", "application/pdf"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", "image/jpeg"},
		{"webp", "RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", "image/webp"},
		{"heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"},
		{"html named .pdf", "<!DOCTYPE html><html><script>alert(1)</script></html>", ""},
		{"html after a BOM", "\xef\xbb\xbf<html><body>x</body></html>", ""},
		{"text", "just some words", ""},
		{"zip", "PK\x03\x04\x14\x00\x00\x00", ""},
		{"empty", "", ""},
	} {
		got, err := SniffDocument([]byte(c.content))
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("%s: %q %v, want %q", c.name, got, err, c.want)
			continue
		}
		if err != nil {
			if _, ok := AsError(err).Field("content"); !ok {
				t.Errorf("%s: error %v names no content field", c.name, err)
			}
		}
	}
}

func TestDocumentInputs(t *testing.T) {
	tx := taxonomy(t)
	for _, c := range []struct {
		name   string
		in     NewDocument
		fields []string
	}{
		{"ok", NewDocument{FileName: " recibo.pdf ", DocumentTypeID: 6, Content: strings.NewReader("x")}, nil},
		{"item gives the type", NewDocument{FileName: "a.pdf", RequestItemUUID: "x", Content: strings.NewReader("x")}, nil},
		{"nothing", NewDocument{}, []string{"fileName", "documentTypeId", "content"}},
		{"path", NewDocument{FileName: "a/b.pdf", DocumentTypeID: 6, Content: strings.NewReader("x")}, []string{"fileName"}},
		{"windows path", NewDocument{FileName: `C:\a.pdf`, DocumentTypeID: 6, Content: strings.NewReader("x")}, []string{"fileName"}},
		{"dots", NewDocument{FileName: "..", DocumentTypeID: 6, Content: strings.NewReader("x")}, []string{"fileName"}},
		{"two lines", NewDocument{FileName: "a\nb.pdf", DocumentTypeID: 6, Content: strings.NewReader("x")}, []string{"fileName"}},
		{"long", NewDocument{FileName: strings.Repeat("a", 201), Title: strings.Repeat("b", 201), Observations: strings.Repeat("c", 1001),
			DocumentTypeID: 999, Content: strings.NewReader("x")}, []string{"fileName", "title", "documentObservations", "documentTypeId"}},
		{"longest", NewDocument{FileName: strings.Repeat("a", 200), Title: strings.Repeat("b", 200), Observations: strings.Repeat("c", 1000),
			DocumentTypeID: 32, Content: strings.NewReader("x")}, nil},
	} {
		out, err := c.in.Validate(tx)
		wantFields(t, c.name, err, c.fields)
		if c.name == "ok" && out.FileName != "recibo.pdf" {
			t.Errorf("cleaned %q", out.FileName)
		}
	}
	_, err := DocumentUpdate{}.Validate(tx)
	wantFields(t, "empty update", err, nil)
	_, err = DocumentUpdate{FileName: "a/b", DocumentTypeID: -1}.Validate(tx)
	wantFields(t, "bad update", err, []string{"fileName", "documentTypeId"})

	_, err = DocumentRequestInput{}.Validate(tx)
	wantFields(t, "empty request", err, []string{"items"})
	many := DocumentRequestInput{Items: make([]DocumentRequestItemInput, MaxDocumentsPerRequest+1)}
	for i := range many.Items {
		many.Items[i].DocumentTypeID = 6
	}
	_, err = many.Validate(tx)
	wantFields(t, "too many", err, []string{"items"})
	_, err = DocumentRequestInput{Note: strings.Repeat("n", 1001), Items: []DocumentRequestItemInput{{DocumentTypeID: 6},
		{Note: strings.Repeat("n", 1001), DocumentTypeID: 1}, {}}}.Validate(tx)
	wantFields(t, "bad request", err, []string{"note", "items[1].note", "items[2].documentTypeId"})

	for _, c := range []struct {
		in     DocumentReview
		fields []string
	}{
		{DocumentReview{Accept: true, Reason: "ignored"}, nil},
		{DocumentReview{Reason: "  Ilegível "}, nil},
		{DocumentReview{}, []string{"reason"}},
		{DocumentReview{Reason: strings.Repeat("r", 1001)}, []string{"reason"}},
	} {
		out, err := c.in.Validate()
		wantFields(t, "review", err, c.fields)
		if c.in.Accept && out.Reason != "" {
			t.Errorf("an acceptance keeps reason %q", out.Reason)
		}
	}
}

// wantFields fails unless err names exactly fields (nil: no error).
func wantFields(t *testing.T, name string, err error, fields []string) {
	t.Helper()
	if len(fields) == 0 {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return
	}
	if ErrorCode(err) != CodeInvalid {
		t.Errorf("%s: %v, want invalid", name, err)
		return
	}
	got := map[string]bool{}
	for _, f := range AsError(err).Fields {
		got[f.Field] = true
		if !HasEnglish(f.Key) || strings.Contains(f.Message(), "{{") {
			t.Errorf("%s: field %s key %q has no complete English", name, f.Field, f.Key)
		}
	}
	for _, f := range fields {
		if !got[f] {
			t.Errorf("%s: no error for %s in %v", name, f, AsError(err).Fields)
		}
		delete(got, f)
	}
	for f := range got {
		t.Errorf("%s: unexpected error for %s", name, f)
	}
}

func situation(id int) *int { return &id }

func TestUsualDocuments(t *testing.T) {
	for _, c := range []struct {
		name      string
		borrowers []Borrower
		want      string
	}{
		{"no borrowers", nil, "16 -,17 -"},
		{"employee", []Borrower{{UUID: "k", EmploymentSituationID: situation(1)}}, "1 k,2 k,6 k,7 k,16 -,17 -"},
		{"civil servant and retired", []Borrower{{UUID: "k", EmploymentSituationID: situation(4)}, {UUID: "c", EmploymentSituationID: situation(5)}},
			"1 k,2 k,6 k,7 k,1 c,2 c,16 -,17 -"},
		{"situation unknown", []Borrower{{UUID: "k"}}, "1 k,2 k,16 -,17 -"},
	} {
		var got []string
		for _, it := range UsualDocuments(c.borrowers) {
			b := it.BorrowerUUID
			if b == "" {
				b = "-"
			}
			if it.State != DocumentMissing {
				t.Errorf("%s: state %s", c.name, it.State)
			}
			got = append(got, strings.Join([]string{itoa(it.DocumentTypeID), b}, " "))
		}
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("%s: %s, want %s", c.name, g, c.want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestBuildChecklist(t *testing.T) {
	k := Borrower{ID: 10, UUID: "k", Name: "Ana", EmploymentSituationID: situation(1)}
	c := Borrower{ID: 11, UUID: "c", Name: "Rui"}
	kid, cid := int64(10), int64(11)
	item1, item2, item3 := int64(100), int64(101), int64(102)
	resolved := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	in := ChecklistInput{
		Borrowers: []Borrower{k, c},
		Requests:  []DocumentRequest{{ID: 2, UUID: "r2"}, {ID: 1, UUID: "r1", ResolvedAt: &resolved}},
		Items: []DocumentRequestItem{
			{ID: item3, UUID: "i3", RequestID: 2, DocumentTypeID: DocTypeIDDocument, BorrowerID: &cid},
			{ID: item1, UUID: "i1", RequestID: 1, DocumentTypeID: DocTypePayslips, BorrowerID: &kid, Note: "três"},
			{ID: item2, UUID: "i2", RequestID: 2, DocumentTypeID: 19},
		},
		Documents: []Document{ // newest first
			{ID: 5, DocumentTypeID: DocTypeIDDocument, BorrowerUUID: "k", State: DocumentUploaded, Size: 10},
			{ID: 4, DocumentTypeID: DocTypePayslips, BorrowerUUID: "k", RequestItemID: &item1, State: DocumentAccepted, Size: 20},
			{ID: 3, DocumentTypeID: DocTypePayslips, BorrowerUUID: "k", RequestItemID: &item1, State: DocumentRejected, Size: 30},
			{ID: 2, DocumentTypeID: DocTypeIDDocument, BorrowerUUID: "k", State: DocumentRejected, Size: 40},
		},
	}
	cl := BuildChecklist(in)
	var got []string
	for _, it := range cl.Items {
		doc := "-"
		if it.Document != nil {
			doc = itoa(int(it.Document.ID))
		}
		got = append(got, strings.Join([]string{it.RequestItemUUID, itoa(it.DocumentTypeID), it.BorrowerName, string(it.State), doc}, " "))
	}
	want := []string{
		"i1 6 Ana accepted 4", // the oldest request first; its latest document
		"i2 19  missing -",    // then the newer request's items in order
		"i3 1 Rui missing -",
		" 1 Ana uploaded 5", // the usual ones: the latest of type and borrower
		" 2 Ana missing -",
		" 7 Ana missing -", // payslips were requested for Ana: not repeated
		" 2 Rui missing -", // Rui's ID document was requested
		" 16  missing -",
		" 17  missing -",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checklist\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if cl.TotalBytes != 100 || len(cl.Documents) != 4 {
		t.Errorf("total %d documents %d", cl.TotalBytes, len(cl.Documents))
	}
	if len(cl.Requests) != 2 || cl.Requests[0].Request.UUID != "r2" || cl.Requests[0].Resolved || !cl.Requests[1].Resolved ||
		len(cl.Requests[0].Items) != 2 || cl.Requests[1].Items[0].Note != "três" {
		t.Errorf("requests %+v", cl.Requests)
	}
	empty := BuildChecklist(ChecklistInput{})
	if empty.Items == nil || empty.Documents == nil || empty.Requests == nil || len(empty.Items) != 2 {
		t.Errorf("empty checklist %+v", empty)
	}
}

func TestDocumentMessages(t *testing.T) {
	tx := taxonomy(t)
	lines := []RequestLine{{DocumentTypeID: DocTypePayslips, BorrowerName: "Ana", Note: "três\nmeses"}, {DocumentTypeID: DocTypePropertyTax}}
	m := DocumentRequestMessage(tx, LangEN, "Before Friday", lines)
	want := "The bank asks for the following documents:\n- Payslips for the last three months (Ana): três meses\n" +
		"- Urban property tax record (caderneta predial)\n\nNote: Before Friday"
	if m.Subject != "Pending documents" || m.Text != want {
		t.Errorf("en %+v", m)
	}
	m = DocumentRequestMessage(tx, "", "", lines[1:])
	if m.Subject != "Documentos pendentes" || m.Text != "O banco pede os seguintes documentos:\n- Caderneta predial urbana" {
		t.Errorf("pt %+v", m)
	}
	if _, err := m.Validate(); err != nil {
		t.Errorf("not a valid message: %v", err)
	}
	long := make([]RequestLine, MaxDocumentsPerRequest)
	for i := range long {
		long[i] = RequestLine{DocumentTypeID: 6, Note: strings.Repeat("n", MaxDocumentNote)}
	}
	if m := DocumentRequestMessage(tx, LangPT, strings.Repeat("x", MaxDocumentNote), long); len([]rune(m.Text)) != MaxMessageText {
		t.Errorf("long request message of %d characters", len([]rune(m.Text)))
	} else if _, err := m.Validate(); err != nil {
		t.Errorf("long message invalid: %v", err)
	}
	m = DocumentsResolvedMessage(tx, LangPT, lines[:1])
	if m.Subject != "Documentos recebidos" || !strings.HasPrefix(m.Text, "Todos os documentos pedidos foram aceites:\n- Recibos") {
		t.Errorf("resolved %+v", m)
	}
	if FormatBytes(10<<20) != "10 MiB" || FormatBytes(2048) != "2 KiB" || FormatBytes(1000) != "1000 bytes" {
		t.Error("FormatBytes")
	}
	if e := AsError(DocumentTooLarge(10 << 20)); e.Code != CodeTooLarge || e.Message != "The document is larger than 10 MiB." {
		t.Errorf("too large %+v", e)
	}
}
