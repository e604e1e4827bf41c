package models

import (
	"errors"
	"math"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The input rules of the services: pure functions, the same for every
// transport, table-tested without a database (rules_test.go). The store
// calls them; a transport only parses its input into the service's input
// struct.

// CleanText trims s and normalises line breaks to \n. ok is false when s
// holds invalid UTF-8 or control characters other than line breaks and
// (when multiline) tabs.
func CleanText(s string, multiline bool) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSpace(s)
	for _, r := range s {
		if r == '\n' || r == '\t' {
			if !multiline {
				return "", false
			}
			continue
		}
		if unicode.IsControl(r) {
			return "", false
		}
	}
	return s, true
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// messageText checks the text of a thread or customer message into v
// (field), returning it cleaned.
func messageText(v *Validation, field, s string, maxLen int) string {
	text, ok := CleanText(s, true)
	switch {
	case !ok:
		v.Add(field, "message.text_characters", nil)
	case text == "":
		v.Add(field, "message.text_required", nil)
	case runes(text) > maxLen:
		v.Add(field, "message.text_too_long", Args{"Max": maxLen})
	default:
		return text
	}
	return ""
}

// Validate checks a new thread message and returns it cleaned: the subject
// one line of at most MaxMessageSubject characters, the text 1 to
// MaxMessageText.
func (in NewMessage) Validate() (NewMessage, error) {
	var v Validation
	subject, ok := CleanText(in.Subject, false)
	switch {
	case !ok:
		v.Add("subject", "message.subject_line", nil)
	case runes(subject) > MaxMessageSubject:
		v.Add("subject", "message.subject_too_long", Args{"Max": MaxMessageSubject})
	}
	text := messageText(&v, "text", in.Text, MaxMessageText)
	return NewMessage{Subject: subject, Text: text}, v.Err()
}

// AuthorKindOf is the side p writes on: brokers as the broker, staff and
// admins as the bank; anyone else may not post (ok false).
func AuthorKindOf(p *Principal) (AuthorKind, bool) {
	switch {
	case p.IsBroker():
		return AuthorBroker, true
	case p.IsStaff():
		return AuthorBank, true
	}
	return "", false
}

// PostingRate is the posting limit's verdict: nil, or CodeRateLimited with
// the seconds until the oldest of the window's posts leaves it. oldest is
// the MessageRateLimit-th newest post within MessageRateWindow (zero when
// there are fewer).
func PostingRate(oldest, now time.Time) error {
	if oldest.IsZero() {
		return nil
	}
	wait := int(math.Ceil(oldest.Add(MessageRateWindow).Sub(now).Seconds()))
	return Limited("rate.posting", nil, max(wait, 1))
}

// Excerpt is the start of text on one line, at most ReplyQueueExcerptLength
// characters, as the reply queue shows it.
func Excerpt(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	if runes(s) <= ReplyQueueExcerptLength {
		return s
	}
	r := []rune(s)[:ReplyQueueExcerptLength-1]
	return strings.TrimRight(string(r), " ") + "…"
}

// Validate checks a partner API page of a thread.
func (pg MessagePage) Validate() error {
	var v Validation
	if pg.PageNumber < 1 {
		v.Add("pageNumber", "field.min", Args{"Field": "pageNumber", "Min": 1})
	}
	if pg.PageSize < 1 || pg.PageSize > MaxMessagePageSize {
		v.Add("pageSize", "field.range", Args{"Field": "pageSize", "Min": 1, "Max": MaxMessagePageSize})
	}
	if len(v.Fields) == 0 && int64(pg.PageNumber)*int64(pg.PageSize) > MaxMessageDepth {
		v.Add("pageNumber", "page.messages_deep", Args{"Max": MaxMessageDepth})
	}
	return v.Err()
}

// PageSize applies a page size's default (for 0) and bounds into v.
func PageSize(v *Validation, field string, n, def, maxN int) int {
	switch {
	case n == 0:
		return def
	case n < 1 || n > maxN:
		v.Add(field, "page.size", Args{"Max": maxN})
	}
	return n
}

// Validate checks the reply queue's filter; kind is the last author the
// filter asks for ("" for every thread). The firm is checked by the
// service (it names a row).
func (f *ReplyQueueFilter) Validate(v *Validation) (kind AuthorKind) {
	switch f.Filter {
	case "", ReplyQueueAll:
	case ReplyQueueWaiting:
		kind = AuthorBroker
	case ReplyQueueAnswered:
		kind = AuthorBank
	default:
		v.Add("filter", "reply_queue.filter", nil)
	}
	f.Limit = PageSize(v, "limit", f.Limit, DefaultReplyQueuePageSize, MaxReplyQueuePageSize)
	return kind
}

// Process list limits.
const (
	DefaultProcessPageSize = 20
	MaxProcessPageSize     = 100
	MaxProcessSearch       = 100 // characters
)

// Validate checks a process list filter (the cursors are the store's to
// parse), trimming the search and filling the default page size.
func (f *ProcessFilter) Validate(v *Validation) {
	f.Search = strings.TrimSpace(f.Search)
	if runes(f.Search) > MaxProcessSearch {
		v.Add("q", "processes.search_too_long", Args{"Max": MaxProcessSearch})
	}
	if f.StatusID != 0 {
		if !ValidStatus(f.StatusID) {
			v.Add("status", "processes.status", nil)
		}
	}
	f.Limit = PageSize(v, "limit", f.Limit, DefaultProcessPageSize, MaxProcessPageSize)
	if !f.LastActionFrom.IsZero() && !f.LastActionTo.IsZero() && !f.LastActionFrom.Before(f.LastActionTo) {
		v.Add("to", "processes.dates_order", nil)
	}
	if f.After != "" && f.Before != "" {
		v.Add("after", "page.cursor_both", nil)
	}
}

// Validate applies the defaults and bounds of limit/offset paging.
func (pg Paging) Validate() (Paging, error) {
	var v Validation
	switch {
	case pg.Limit == 0:
		pg.Limit = DefaultCustomerPageSize
	case pg.Limit < 1 || pg.Limit > MaxCustomerPageSize:
		v.Add("limit", "field.range", Args{"Field": "limit", "Min": 1, "Max": MaxCustomerPageSize})
	}
	if pg.Offset < 0 || pg.Offset > MaxCustomerPageOffset {
		v.Add("offset", "field.range", Args{"Field": "offset", "Min": 0, "Max": MaxCustomerPageOffset})
	}
	return pg, v.Err()
}

// line checks a one-line field into v and returns it cleaned.
func line(v *Validation, field, s string, required bool, maxLen int) string {
	t, ok := CleanText(s, false)
	switch {
	case !ok:
		v.Add(field, "field.single_line", Args{"Field": field})
	case required && t == "":
		v.Add(field, "field.required", Args{"Field": field})
	case runes(t) > maxLen:
		v.Add(field, "field.too_long", Args{"Field": field, "Max": maxLen})
	default:
		return t
	}
	return t
}

// Validate checks the four fields of a new customer message in OBP's key
// order (nil: a field the request lacked) and returns the message to store.
func (in NewCustomerMessage) Validate() (CustomerMessage, error) {
	if in.Undecodable != nil {
		return CustomerMessage{}, in.Undecodable
	}
	var v Validation
	var out CustomerMessage
	if in.Message == nil {
		v.Add("message", "field.required", Args{"Field": "message"})
	} else {
		out.Message = messageText(&v, "message", *in.Message, MaxCustomerMessage)
	}
	header := func(field string, p *string, dst *string) {
		if p == nil {
			v.Add(field, "field.required", Args{"Field": field})
			return
		}
		before := len(v.Fields)
		t := line(&v, field, *p, false, MaxCustomerMessageHeader)
		if len(v.Fields) == before {
			*dst = t
		}
	}
	header("transport", in.Transport, &out.Transport)
	if in.ListedTransportOnly && !v.Has("transport") && !slices.Contains(CustomerMessageTransports, out.Transport) {
		v.Add("transport", "customer_message.transport", nil)
	}
	header("from_department", in.FromDepartment, &out.FromDepartment)
	header("from_person", in.FromPerson, &out.FromPerson)
	return out, v.Err()
}

// CustomerSearch checks a staff customer search, returning the cleaned
// query and the limit (0: 20).
func CustomerSearch(query string, limit int) (string, int, error) {
	var v Validation
	switch {
	case limit == 0:
		limit = 20
	case limit < 1 || limit > MaxCustomerSearch:
		v.Add("limit", "field.range", Args{"Field": "limit", "Min": 1, "Max": MaxCustomerSearch})
	}
	q, ok := CleanText(query, false)
	if !ok || runes(q) > MaxCustomerSearchQuery {
		v.Add("query", "customers.query", Args{"Max": MaxCustomerSearchQuery})
	}
	return q, limit, v.Err()
}

// Validate checks a new customer, returning it cleaned (the tax id without
// spaces).
func (in NewCustomer) Validate() (NewCustomer, error) {
	if in.Undecodable != nil {
		return NewCustomer{}, in.Undecodable
	}
	var v Validation
	in.LegalName = line(&v, "legal_name", in.LegalName, true, 255)
	in.MobilePhone = line(&v, "mobile_phone_number", in.MobilePhone, true, 50)
	in.Email = line(&v, "email", in.Email, true, 254)
	if !v.Has("email") {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			v.Add("email", "field.email", Args{"Field": "email"})
		}
	}
	in.CustomerNumber = line(&v, "customer_number", in.CustomerNumber, false, 64)
	in.TaxID = strings.ReplaceAll(line(&v, "tax_id", in.TaxID, false, 32), " ", "")
	return in, v.Err()
}

// Validate checks the input of a role grant.
func (in NewEntitlement) Validate() error {
	if in.Undecodable != nil {
		return in.Undecodable
	}
	var v Validation
	if !ValidRole(in.Role) {
		v.Add("role_name", "role.unknown", Args{"Roles": strings.Join(Roles, ", ")})
	}
	if in.BankID == "" {
		v.Add("bank_id", "role.bank_required", nil)
	}
	return v.Err()
}

// MayHoldRoles: roles are held by staff and admins only.
func MayHoldRoles(k UserKind) error {
	if k != KindStaff && k != KindAdmin {
		return Invalid("user_id", "role.grantee", nil)
	}
	return nil
}

// NormalizeEmail is how e-mail addresses are stored and compared.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks a new account and returns it cleaned.
func (in NewUser) Validate() (NewUser, error) {
	var v Validation
	in.Email = NormalizeEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		v.Add("email", "user.email", nil)
	}
	if in.Name == "" || len(in.Name) > 200 {
		v.Add("name", "user.name", nil)
	}
	if !in.Kind.Valid() {
		v.Add("kind", "user.kind", nil)
	}
	// The same policy as a password the user chooses (length, breached list).
	var refused *Error
	if errors.As(CheckNewPassword("password", in.Password, in.Email), &refused) {
		v.Fields = append(v.Fields, refused.Fields...)
	}
	if in.Kind == KindBroker && in.FirmUID == "" {
		v.Add("firm", "user.firm_required", nil)
	}
	if in.Kind != KindBroker && in.FirmUID != "" {
		v.Add("firm", "user.firm_not_broker", nil)
	}
	for _, r := range in.Roles {
		if !ValidRole(r) {
			v.Add("roles", "user.role_unknown", Args{"Role": r})
		}
	}
	return in, v.Err()
}

// ValidIdempotencyKey: 1 to MaxIdempotencyKey printable ASCII characters.
func ValidIdempotencyKey(k string) error {
	ok := k != "" && len(k) <= MaxIdempotencyKey
	for i := 0; ok && i < len(k); i++ {
		ok = k[i] >= 0x20 && k[i] <= 0x7e
	}
	if !ok {
		return Invalid(IdempotencyKeyName, "idempotency.key", Args{"Field": IdempotencyKeyName, "Max": MaxIdempotencyKey})
	}
	return nil
}
