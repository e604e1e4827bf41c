package models

import (
	"context"
	"net/mail"
	"strings"
)

// Mail is one e-mail the portal sends. The store queues it in the
// transaction of the change that causes it (store.QueueMail) and a
// background sender hands it to a MailSender after COMMIT, retrying.
type Mail struct {
	To      string // one address
	Subject string // one line
	Text    string // the plain-text body (always)
	HTML    string // an HTML alternative, "" for none
	Lang    string // the language it is written in ("pt-PT", "en"): its Content-Language
	// Attachments go with the mail as they are (an ESIS's PDF).
	Attachments []MailAttachment
}

// MailAttachment is one file attached to a mail.
type MailAttachment struct {
	Name        string // the file name the recipient sees
	ContentType string // "application/pdf"
	Data        []byte
}

// MaxMailAttachments bounds a mail's attachments together.
const MaxMailAttachments = 10 << 20

// Limits of a queued mail.
const (
	MaxMailSubject = 200
	MaxMailBody    = 256 << 10
)

// Validate checks a mail before it is queued: one valid recipient, a
// one-line subject and a body.
func (m Mail) Validate() error {
	var v Validation
	if a, err := mail.ParseAddress(m.To); err != nil || a.Address != strings.TrimSpace(m.To) || len(m.To) > 254 {
		v.Add("to", "field.email", Args{"Field": "to"})
	}
	if s := strings.TrimSpace(m.Subject); s == "" || strings.ContainsAny(m.Subject, "\r\n") || runes(m.Subject) > MaxMailSubject {
		v.Add("subject", "field.one_line_max", Args{"Max": MaxMailSubject})
	}
	if strings.TrimSpace(m.Text) == "" {
		v.Add("text", "field.required", Args{"Field": "text"})
	}
	size := 0
	for _, a := range m.Attachments {
		size += len(a.Data)
		if strings.TrimSpace(a.Name) == "" || strings.ContainsAny(a.Name, "\r\n/\\") || a.ContentType == "" {
			v.Add("attachments", "mail.attachment", nil)
		}
	}
	if size > MaxMailAttachments {
		v.Add("attachments", "mail.attachments_size", Args{"Max": MaxMailAttachments})
	}
	if len(m.Text) > MaxMailBody || len(m.HTML) > MaxMailBody {
		v.Add("text", "field.too_long", Args{"Field": "text", "Max": MaxMailBody})
	}
	return v.Err()
}

func init() {
	englishText["mail.attachment"] = "Each attachment needs a one-line file name and a content type."
	englishText["mail.attachments_size"] = "Attachments are limited to {{.Max}} bytes together."
}

// MailSender delivers one mail (SMTP, or a file in the embedded default).
// An error means "not delivered, try again later"; implementations live in
// models/mail.
type MailSender interface {
	Send(ctx context.Context, m Mail) error
}
