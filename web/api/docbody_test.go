package api

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"portal/models"
)

// readDocumentBody: the content decoded from its JSON string, whatever the
// escapes and spacing; the other fields passed on as written; malformed
// bodies, non-Base64 content and contents over the limit refused.
func TestReadDocumentBody(t *testing.T) {
	pdf := "%PDF-1.4 /?>" // Base64 with "/" and "+"
	enc := base64.StdEncoding.EncodeToString([]byte(pdf + "\xff\xfe"))
	for _, tc := range []struct {
		name, body, fields, content string
		present                     bool
	}{
		{"plain", `{"fileName":"a.pdf","content":"` + enc + `"}`, `{"fileName":"a.pdf"}`, pdf + "\xff\xfe", true},
		{"content first, spaces", " {\n \"content\" : \"" + enc + "\" ,\t\"title\" : \"x\" } \n", `{"title":"x"}`, pdf + "\xff\xfe", true},
		{"escaped slashes and \\u", `{"content":"` + strings.ReplaceAll(strings.Replace(enc, "J", `\u004a`, 1), "/", `\/`) + `"}`, `{}`, pdf + "\xff\xfe", true},
		{"wrapped lines", `{"content":"` + enc[:8] + `\r\n` + enc[8:] + `"}`, `{}`, pdf + "\xff\xfe", true},
		{"null", `{"content":null,"title":"x"}`, `{"title":"x"}`, "", false},
		{"absent", `{"a":{"b":[1,"}",{"c":null}]},"d":-1.5e3}`, `{"a":{"b":[1,"}",{"c":null}]},"d":-1.5e3}`, "", false},
		{"any case", `{"Content":"QUJD"}`, `{}`, "ABC", true},
		{"empty", `{"content":""}`, `{}`, "", true},
		{"empty object", `{}`, `{}`, "", false},
	} {
		got, err := readDocumentBody(strings.NewReader(tc.body), 100, -1)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		content := ""
		if got.content != nil {
			b, _ := io.ReadAll(got.content.reader())
			content = string(b)
		}
		if string(got.fields) != tc.fields || content != tc.content || got.present != tc.present {
			t.Errorf("%s: fields %s, content %q (%v)", tc.name, got.fields, content, got.present)
		}
	}
	for _, tc := range []struct {
		name, body string
		code       models.Code
		field      string
	}{
		{"empty body", ``, models.CodeInvalid, ""},
		{"not an object", `"x"`, models.CodeInvalid, ""},
		{"trailing comma", `{"a":1,}`, models.CodeInvalid, ""},
		{"cut in the content", `{"content":"QUJD`, models.CodeInvalid, ""},
		{"two objects", `{} {}`, models.CodeInvalid, ""},
		{"content twice", `{"content":"QUJD","content":"QUJD"}`, models.CodeInvalid, ""},
		{"content a number", `{"content":1}`, models.CodeInvalid, "content"},
		{"not Base64", `{"content":"QU*D"}`, models.CodeInvalid, "content"},
		{"a non-ASCII escape", `{"content":"QU\u00e9D"}`, models.CodeInvalid, "content"},
		{"unpadded", `{"content":"QUJDRA"}`, models.CodeInvalid, "content"},
		{"data after the padding", `{"content":"QQ==QUJD"}`, models.CodeInvalid, "content"},
		{"a control character", "{\"content\":\"QU\tJD\"}", models.CodeInvalid, ""},
		{"over the limit", `{"content":"` + base64.StdEncoding.EncodeToString(make([]byte, 101)) + `"}`, models.CodeTooLarge, ""},
	} {
		_, err := readDocumentBody(strings.NewReader(tc.body), 100, int64(len(tc.body)))
		e := models.AsError(err)
		if err == nil || e.Code != tc.code || tc.field != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tc.field) || tc.field == "" && len(e.Fields) > 0 {
			t.Errorf("%s: %v (%+v)", tc.name, err, e)
		}
	}
	// Exactly the limit is accepted, sized from the declared length.
	full := `{"content":"` + base64.StdEncoding.EncodeToString(make([]byte, 100)) + `"}`
	if got, err := readDocumentBody(strings.NewReader(full), 100, int64(len(full))); err != nil || len(got.content.list) != 1 || len(got.content.list[0]) != 100 {
		t.Errorf("the limit: %v", err)
	}
}
