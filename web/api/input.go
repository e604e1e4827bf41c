package api

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"portal/models"
)

// What the process, borrower and property operations share: amounts in
// euros, taxonomy references in answers, the path's child ids.

// amount is a JSON number of euros as sent: parsed to cents by cents, so a
// value with more than two decimals, a string or a number out of range is
// a field error naming the field rather than a failed decoding.
type amount struct {
	raw []byte // the JSON value; nil when absent, "null" for null
}

func (a *amount) UnmarshalJSON(b []byte) error {
	a.raw = append([]byte(nil), b...)
	return nil
}

func (a amount) null() bool { return a.raw == nil || string(a.raw) == "null" }

// maxEuroDigits bounds the whole euros of an amount (a billion euros is
// more than any field allows; the service checks the real limits).
const maxEuroDigits = 12

// cents converts a to cents, recording a field error into v when it is not
// a JSON number of euros with at most two decimals. An absent or null
// amount is 0 and set false.
func (a amount) cents(v *models.Validation, field string) (cents int64, set bool) {
	if a.null() {
		return 0, false
	}
	bad := func() (int64, bool) {
		v.Add(field, "field.amount", models.Args{"Field": field})
		return 0, true
	}
	s := string(bytes.TrimSpace(a.raw))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if strings.ContainsAny(s, "eE+") { // exponents: say it plainly, in decimals
		return bad()
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > maxEuroDigits || len(frac) > 2 || strings.Contains(s, ".") && frac == "" ||
		len(whole) > 1 && whole[0] == '0' || !digits(whole) || !digits(frac) {
		return bad()
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return bad()
	}
	if neg {
		n = -n // the service refuses negatives with its own message
	}
	return n, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// centsOrZero is cents for the fields where absent means 0.
func (a amount) centsOrZero(v *models.Validation, field string) int64 {
	n, _ := a.cents(v, field)
	return n
}

// centsPtr is cents for the fields where absent means unknown (nil).
func (a amount) centsPtr(v *models.Validation, field string) *int64 {
	n, set := a.cents(v, field)
	if !set {
		return nil
	}
	return &n
}

// eurosPtr is an optional amount in the answer's decimal euros.
func eurosPtr(cents *int64) *float64 {
	if cents == nil {
		return nil
	}
	e := euros(*cents)
	return &e
}

// describer describes taxonomy references in the request's language.
type describer struct {
	tax  *models.Taxonomy
	lang string
}

func (h *Handlers) describer(c *gin.Context) (describer, error) {
	tax, err := h.svc.Taxonomy.Taxonomy(c.Request.Context())
	if err != nil {
		return describer{}, err
	}
	return describer{tax: tax, lang: language(c.GetHeader("Accept-Language"))}, nil
}

// of is the description of id in list, nil when id is.
func (d describer) of(list string, id *int) *string {
	if id == nil {
		return nil
	}
	s := d.tax.Description(list, *id, d.lang)
	return &s
}

// date is a plain date for an answer: null when unknown.
func date(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// borrowerID and propertyID are the path's child ids.
func borrowerID(c *gin.Context) string { return strings.TrimSpace(c.Param("borrowerUniqueId")) }
func propertyID(c *gin.Context) string { return strings.TrimSpace(c.Param("propertyUniqueId")) }

// noBody accepts an empty body or an empty JSON object, for operations that
// take no input (Submit).
func noBody(c *gin.Context) error {
	var in struct{}
	raw, err := readBody(c)
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		return err
	}
	return decodeStrict(raw, &in)
}

// jsonTypeName names a JSON type for a field error.
func jsonTypeName(t string) string {
	switch t {
	case "int", "int64", "*int", "*int64":
		return "integer"
	case "bool":
		return "boolean"
	case "string":
		return "string"
	}
	return t
}
