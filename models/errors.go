// Package models is the portal's domain: entities, validation, error codes,
// the service interfaces every transport calls, and the current principal.
// It imports nothing from the web or the views.
package models

import (
	"errors"
	"fmt"
)

// Code is the small, closed set of failure kinds. Each transport maps a Code
// to its own status and body in exactly one function.
type Code string

const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeRateLimited  Code = "rate_limited"
	// CodeTooLarge: the input is over a size limit (a document's content,
	// a process's documents together). Answered 413.
	CodeTooLarge Code = "too_large"
	// CodeUnavailable: the database (or another service the portal needs)
	// cannot be reached for now; the caller may retry after RetryAfter
	// seconds. Not the caller's fault and not a bug: answered 503.
	CodeUnavailable Code = "unavailable"
	CodeInternal    Code = "internal"
)

// UnavailableRetryAfter is the Retry-After (seconds) of CodeUnavailable.
const UnavailableRetryAfter = 5

// FieldError names one invalid input field and says what is wrong with it
// as a message key of the catalogue (fieldtext.go) and the key's
// arguments: each transport words it in its caller's language.
type FieldError struct {
	Field string
	Key   string
	Args  Args
}

// Args are a message key's named arguments ({{.Max}} in its text).
type Args map[string]any

// Message is the field error in English, the partner and OBP APIs'
// language.
func (f FieldError) Message() string { return English(f.Key, f.Args) }

// Error is a domain failure. Message is safe to show to the caller; internal
// details go in Err and are only logged.
type Error struct {
	Code       Code
	Message    string
	Fields     []FieldError
	RetryAfter int // seconds, for CodeRateLimited
	// Entity names what was not found ("bank", "customer", "process"...),
	// for transports whose answers differ by entity (OBP).
	Entity string
	// MissingRole is the entitlement a CodeForbidden refusal lacked, and
	// RoleBank the bank it was needed at.
	MissingRole string
	RoleBank    string
	// Key and Args name Message in the catalogue (models/fieldtext.go) when
	// a page may show it, so the page can word it in its own language.
	Key  string
	Args Args
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the Code of err (AsError's).
func ErrorCode(err error) Code { return AsError(err).Code }

// AsError returns err as *Error: foreign errors are CodeUnavailable when
// they mean the database cannot be reached (IsUnavailable), else
// internal. An internal error that wraps such a failure is unavailable too.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e.Code == CodeInternal && e.Err != nil && IsUnavailable(e.Err) {
			return Unavailable(e.Err).(*Error)
		}
		return e
	}
	if IsUnavailable(err) {
		return Unavailable(err).(*Error)
	}
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// Unavailable is a CodeUnavailable error: err says why (only logged).
func Unavailable(err error) error {
	return &Error{Code: CodeUnavailable, Message: "service temporarily unavailable",
		RetryAfter: UnavailableRetryAfter, Err: err}
}

// unavailableChecks recognise a driver's "cannot reach the database"
// errors; the store registers its own (RegisterUnavailable), so models
// needs no driver.
var unavailableChecks []func(error) bool

// RegisterUnavailable adds a check IsUnavailable applies. Call it from an
// init function only.
func RegisterUnavailable(check func(error) bool) {
	unavailableChecks = append(unavailableChecks, check)
}

// IsUnavailable reports whether err means a service the portal needs (the
// database) cannot be reached, by the registered checks.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	for _, check := range unavailableChecks {
		if check(err) {
			return true
		}
	}
	return false
}

func NotFound(what string) error {
	return &Error{Code: CodeNotFound, Message: what + " not found", Entity: what}
}

// MissingRole refuses a caller who lacks role at bank (public bank id).
func MissingRole(role, bank string) error {
	return &Error{Code: CodeForbidden, Message: "You need the role " + role + " at " + bank + ".",
		MissingRole: role, RoleBank: bank}
}

func Unauthorized(msg string) error { return &Error{Code: CodeUnauthorized, Message: msg} }
func Forbidden(msg string) error    { return &Error{Code: CodeForbidden, Message: msg} }
func Conflict(msg string) error     { return &Error{Code: CodeConflict, Message: msg} }

func RateLimited(msg string, retryAfter int) error {
	return &Error{Code: CodeRateLimited, Message: msg, RetryAfter: retryAfter}
}

// Limited is a CodeRateLimited refusal worded by the catalogue's key.
func Limited(key string, args Args, retryAfter int) error {
	return &Error{Code: CodeRateLimited, Message: English(key, args), Key: key, Args: args, RetryAfter: retryAfter}
}

// TooLarge is a CodeTooLarge refusal worded by the catalogue's key.
func TooLarge(key string, args Args) error {
	return &Error{Code: CodeTooLarge, Message: English(key, args), Key: key, Args: args}
}

func Internal(err error) error {
	return &Error{Code: CodeInternal, Message: "internal error", Err: err}
}

// Validation collects field errors; Err returns nil when there are none.
type Validation struct{ Fields []FieldError }

// Add records that field is invalid, with the message key and its
// arguments.
func (v *Validation) Add(field, key string, args Args) {
	v.Fields = append(v.Fields, FieldError{Field: field, Key: key, Args: args})
}

// Has reports whether field already has an error.
func (v *Validation) Has(field string) bool {
	for _, f := range v.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "invalid input", Fields: v.Fields}
}

// FieldMessage returns the English message for field, "" when it is valid.
func (e *Error) FieldMessage(field string) string {
	if f, ok := e.Field(field); ok {
		return f.Message()
	}
	return ""
}

// Field returns the error of field, if it has one.
func (e *Error) Field(field string) (FieldError, bool) {
	for _, f := range e.Fields {
		if f.Field == field {
			return f, true
		}
	}
	return FieldError{}, false
}

// Invalid is a CodeInvalid error of one field.
func Invalid(field, key string, args Args) error {
	var v Validation
	v.Add(field, key, args)
	return v.Err()
}
