package mail_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"portal/models"
	portalmail "portal/models/mail"
	"portal/models/mail/mailtest"
)

// An attachment travels as its own part: its content type, its file name
// and its bytes; the text stays readable beside it.
func TestMessageAttachesFiles(t *testing.T) {
	data := []byte("%PDF-1.4\n\x00\x01\xff binary\r\n")
	m := sample
	m.HTML = ""
	m.Attachments = []models.MailAttachment{{Name: "FINE-100001.pdf", ContentType: "application/pdf", Data: data}}
	msg, err := portalmail.Message("Portal <no-reply@portal.example>", m)
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		t.Fatal(err)
	}
	if got := mailtest.PlainText(raw.Bytes()); got != m.Text {
		t.Errorf("text %q, want %q", got, m.Text)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(parsed.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q", parsed.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(parsed.Body, params["boundary"])
	found := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if ct != "application/pdf" {
			continue
		}
		found = true
		body, _ := io.ReadAll(part)
		got, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(body)))
		if err != nil || !bytes.Equal(got, data) || part.FileName() != "FINE-100001.pdf" {
			t.Errorf("attachment %q: %q (%v)", part.FileName(), got, err)
		}
	}
	if !found {
		t.Fatalf("no application/pdf part in\n%s", raw.String())
	}
}
