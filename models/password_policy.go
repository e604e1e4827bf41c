package models

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"
)

// The new-password policy (ASVS 2.1): at least MinPasswordLen characters
// (runes, so any script counts the same) and at most MaxPasswordLen, not
// one of the most common breached passwords, and not the account's e-mail
// address. No composition rules (ASVS 2.1.9): length and the list are what
// resist guessing.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

func init() {
	// The policy's field errors, beside the other models' English texts
	// (fieldtext.go); their Portuguese is in the account catalogue.
	englishText["password.too_short"] = "The password must have at least {{.Min}} characters."
	englishText["password.too_long"] = "The password is limited to {{.Max}} characters."
	englishText["password.common"] = "This password is one of the most common ones found in data breaches: choose another."
	englishText["password.is_email"] = "The password must not be your e-mail address."
	englishText["password.mismatch"] = "The two new passwords are not the same."
	englishText["password.current_wrong"] = "The current password is not correct."
	englishText["password.reset_invalid"] = "This link is no longer valid: it was used, has expired or a newer one was sent. Ask for a new one."
}

// CheckNewPassword applies the policy to a password chosen for the account
// of email; the error is CodeInvalid on field, with the first rule broken.
func CheckNewPassword(field, password, email string) error {
	n := runes(password)
	switch {
	case n < MinPasswordLen:
		return Invalid(field, "password.too_short", Args{"Min": MinPasswordLen})
	case n > MaxPasswordLen:
		return Invalid(field, "password.too_long", Args{"Max": MaxPasswordLen})
	case IsCommonPassword(password):
		return Invalid(field, "password.common", nil)
	}
	p := strings.ToLower(strings.TrimSpace(password))
	e := NormalizeEmail(email)
	local, _, _ := strings.Cut(e, "@")
	if e != "" && (p == e || p == local) {
		return Invalid(field, "password.is_email", nil)
	}
	return nil
}

// commonPasswordsGz is the bundled list of the most common breached
// passwords (its header names its source), gzip-compressed.
//
//go:embed password_policy_common.txt.gz
var commonPasswordsGz []byte

var (
	commonOnce      sync.Once
	commonPasswords map[string]struct{}
)

// loadCommonPasswords keeps the entries a new password could equal: only
// those long enough to pass the length rule, lower-cased (the comparison
// ignores case, so "Password1234" is refused like "password1234").
func loadCommonPasswords() {
	commonPasswords = map[string]struct{}{}
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		panic("models: bundled password list: " + err.Error())
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") || runes(line) < MinPasswordLen {
			continue
		}
		commonPasswords[strings.ToLower(line)] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		panic("models: bundled password list: " + err.Error())
	}
}

// CommonPasswordCount is how many entries of the bundled list the policy
// compares against (those of at least MinPasswordLen characters).
func CommonPasswordCount() int {
	commonOnce.Do(loadCommonPasswords)
	return len(commonPasswords)
}

// IsCommonPassword reports whether password (ignoring case and surrounding
// spaces) is in the bundled list of common breached passwords.
func IsCommonPassword(password string) bool {
	commonOnce.Do(loadCommonPasswords)
	_, ok := commonPasswords[strings.ToLower(strings.TrimSpace(password))]
	return ok
}
