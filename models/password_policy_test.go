package models_test

import (
	"strings"
	"testing"

	"portal/models"
)

func TestCheckNewPassword(t *testing.T) {
	for _, tc := range []struct {
		name, password, email, key string
	}{
		{"eleven characters", "abcdefghijk", "ana@example.com", "password.too_short"},
		{"twelve runes but fewer bytes counted as runes", "çãõéíóúàêôâç", "ana@example.com", ""},
		{"eleven runes of many bytes", "çãõéíóúàêôâ", "ana@example.com", "password.too_short"},
		{"empty", "", "ana@example.com", "password.too_short"},
		{"too long", strings.Repeat("a", 129), "ana@example.com", "password.too_long"},
		{"longest allowed", strings.Repeat("ab", 64), "ana@example.com", ""},
		{"common breached", "1qaz2wsx3edc", "ana@example.com", "password.common"},
		{"common breached in another case", "QWERTY123456", "ana@example.com", "password.common"},
		{"common breached with spaces", " leavemealone ", "ana@example.com", "password.common"},
		{"the e-mail", "Ana.Silva@Example.com", "ana.silva@example.com", "password.is_email"},
		{"the e-mail's local part", "ana.silva.costa", "ana.silva.costa@example.com", "password.is_email"},
		{"a passphrase", "cavalo bateria agrafo correto", "ana@example.com", ""},
		{"twelve characters, not common", "Vk3#pq9!Lm2z", "ana@example.com", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := models.CheckNewPassword("password", tc.password, tc.email)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e := models.AsError(err)
			f, ok := e.Field("password")
			if err == nil || e.Code != models.CodeInvalid || !ok || f.Key != tc.key {
				t.Fatalf("got %v, want field error %s", err, tc.key)
			}
			if !models.HasEnglish(f.Key) || strings.Contains(f.Message(), "{{") {
				t.Fatalf("message of %s not worded: %q", f.Key, f.Message())
			}
		})
	}
}

// The bundled list loads and holds the long entries of a real breach list.
func TestCommonPasswordList(t *testing.T) {
	if n := models.CommonPasswordCount(); n < 200 {
		t.Fatalf("only %d entries of 12+ characters in the bundled list", n)
	}
	for _, p := range []string{"123qweasdzxc", "qwerty123456", "1q2w3e4r5t6y"} {
		if !models.IsCommonPassword(p) {
			t.Errorf("%q not found in the list", p)
		}
	}
	if models.IsCommonPassword("this is not in any list 7f3a") {
		t.Error("a random passphrase is in the list")
	}
}
