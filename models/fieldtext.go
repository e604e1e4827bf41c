package models

import (
	"fmt"
	"strings"
)

// The message keys of field errors and their English text. Arguments are
// written {{.Name}}, the placeholder form of go-i18n's catalogues, so a
// transport's catalogue in another language translates the same keys.
// English is the partner and OBP APIs' language and the fallback of every
// other catalogue.
var englishText = map[string]string{
	// Any field.
	"field.required":     "{{.Field}} is required.",
	"field.single_line":  "{{.Field}} must be a single line of text.",
	"field.too_long":     "{{.Field}} is limited to {{.Max}} characters.",
	"field.range":        "{{.Field}} must be between {{.Min}} and {{.Max}}.",
	"field.min":          "{{.Field}} must be {{.Min}} or more.",
	"field.whole_range":  "{{.Field}} must be a whole number from 1 to {{.Max}}",
	"field.integer":      "{{.Field}} must be an integer.",
	"field.email":        "{{.Field}} must be an e-mail address.",
	"field.date":         "Use a date (YYYY-MM-DD) or an RFC 3339 time.",
	"field.path_id":      "the id in the path must be a positive whole number",
	"field.one_line_max": "Use one line of at most {{.Max}} characters.",

	// Process work: references, dates, contacts (processrules.go).
	"field.taxonomy":        "{{.Field}} must be a value of the list {{.List}}.",
	"field.nif":             "{{.Field}} must be a valid Portuguese tax number (NIF).",
	"field.day":             "{{.Field}} must be a date (YYYY-MM-DD).",
	"field.date_min":        "{{.Field}} must be {{.Min}} or later.",
	"field.adult":           "{{.Field}}: the borrower must be at least {{.Age}} years old.",
	"field.future":          "{{.Field}} cannot be in the future.",
	"field.expired":         "{{.Field}}: the document has expired.",
	"field.zip":             "{{.Field}} must be a postal code like 1000-001.",
	"field.phone":           "{{.Field}} must be a phone number.",
	"field.cascade":         "{{.Field}} must belong to the chosen {{.Parent}}.",
	"field.not_allowed":     "{{.Field}} is not allowed here.",
	"field.income_required": "At least one monthly income is required.",
	"borrower.type":         "{{.Field}} must be 1 (key borrower) or 2 (borrower).",
	"borrower.one_key":      "The process already has a key borrower.",
	"borrower.type_change":  "A borrower cannot change between key borrower and borrower.",
	"submit.key_borrower":   "The process needs a key borrower.",
	"submit.contact":        "A mobile number or an e-mail address is required.",

	// Process work: conflicts (Error.Key).
	"process.not_in_creation":  "The process can only be changed while it is in creation.",
	"process.moved":            "The process has moved to another status meanwhile: reload it to see where it is.",
	"process.move_not_allowed": "The process cannot move to that status from the one it is in.",
	"borrower.key_undeletable": "The key borrower cannot be removed.",

	// Paging.
	"page.size":          "Page size must be between 1 and {{.Max}}.",
	"page.cursor":        "Invalid page cursor.",
	"page.cursor_both":   "Use either after or before, not both.",
	"page.messages_deep": "Pages end {{.Max}} messages deep.",

	// Process threads.
	"message.subject_line":     "The subject must be a single line of text.",
	"message.subject_too_long": "The subject is limited to {{.Max}} characters.",
	"message.text_characters":  "The message contains characters that are not allowed.",
	"message.text_required":    "Write a message.",
	"message.text_too_long":    "The message is limited to {{.Max}} characters.",
	"message.unknown":          "Unknown message.",
	"unread.too_many":          "At most {{.Max}} processes at a time.",
	"reply_queue.filter":       "Unknown filter.",
	"reply_queue.firm":         "Unknown firm.",

	// Process lists.
	"processes.search_too_long": "Search is limited to {{.Max}} characters.",
	"processes.status":          "Unknown status.",
	"processes.dates_order":     "The end date must be after the start date.",

	// Customers and their messages.
	"customer_message.transport": "Choose one of the listed transports.",
	"customers.number_used":      "customer_number is already used at this bank.",
	"customers.query":            "Search with one line of at most {{.Max}} characters.",

	// Roles.
	"role.unknown":       "Unknown role. Roles are {{.Roles}}.",
	"role.bank_required": "bank_id is required: every role is held at a bank.",
	"role.grantee":       "Roles are granted to bank staff and admins only.",

	// Accounts and API consumers.
	"user.email":           "A valid e-mail address is required.",
	"user.name":            "A name of 1 to 200 characters is required.",
	"user.kind":            "Kind must be broker, staff, admin or customer.",
	"user.firm_required":   "A broker needs a firm (its broker unique id).",
	"user.firm_not_broker": "Only brokers belong to a firm.",
	"user.role_unknown":    "Unknown role {{.Role}}.",
	"user.language":        "Choose Português or English.",
	"consumer.key":         "A consumer key of 1 to 200 characters is required.",

	// Requests.
	"idempotency.key": "{{.Field}} must be 1 to {{.Max}} printable ASCII characters.",
	// The partner API's JSON bodies (web/api).
	"field.amount":    "{{.Field}} must be an amount in euros: a JSON number with at most two decimals.",
	"field.json_type": "{{.Field}} must be a JSON {{.Type}}.",
	// A document's content in the partner API (web/api, documents).
	"field.base64": "{{.Field}} must be the file in Base64 (the standard alphabet, with padding).",

	// Slow-downs (CodeRateLimited).
	"rate.busy":         "The service is busy. Please try again in a moment.",
	"rate.posting":      "You are posting too fast. Please wait a moment and try again.",
	"rate.sign_in":      "Too many failed sign-in attempts. Please wait a few minutes and try again.",
	"rate.partner_auth": "Too many failed authentication attempts. Please wait a few minutes and try again.",
}

// English renders key with args in English. An unknown key renders as
// itself (a test keeps every key of the rules in the catalogue).
func English(key string, args Args) string {
	text, ok := englishText[key]
	if !ok {
		return key
	}
	return Fill(text, args)
}

// HasEnglish reports whether key is in the English catalogue.
func HasEnglish(key string) bool { _, ok := englishText[key]; return ok }

// EnglishKeys lists the catalogue's keys (for the catalogue tests of the
// transports' languages).
func EnglishKeys() []string {
	out := make([]string, 0, len(englishText))
	for k := range englishText {
		out = append(out, k)
	}
	return out
}

// Fill replaces each {{.Name}} of text with args[Name].
func Fill(text string, args Args) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, "{{.")
		if i < 0 {
			break
		}
		j := strings.Index(text[i:], "}}")
		if j < 0 {
			break
		}
		b.WriteString(text[:i])
		name := text[i+3 : i+j]
		if v, ok := args[name]; ok {
			fmt.Fprint(&b, v)
		} else {
			b.WriteString(text[i : i+j+2])
		}
		text = text[i+j+2:]
	}
	b.WriteString(text)
	return b.String()
}
