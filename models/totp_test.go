package models_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portal/models"
)

// RFC 6238's SHA-1 test secret ("12345678901234567890"), base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestTOTPCodeMatchesRFC6238(t *testing.T) {
	// RFC 6238 appendix B, SHA-1, last six digits of the eight.
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		got, err := models.TOTPCode(rfcSecret, time.Unix(tc.unix, 0))
		if err != nil || got != tc.want {
			t.Errorf("code at %d = %q, %v; want %q", tc.unix, got, err, tc.want)
		}
	}
}

func TestVerifyTOTPCodeWindow(t *testing.T) {
	now := time.Unix(1_800_000_015, 0) // mid-step
	step := models.TOTPStep(now)
	at := func(s int64) string {
		c, err := models.TOTPCode(rfcSecret, time.Unix(s*30, 0))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		code string
		ok   bool
		step int64
	}{
		{"current step", at(step), true, step},
		{"one step early (clock behind)", at(step - 1), true, step - 1},
		{"one step late (clock ahead)", at(step + 1), true, step + 1},
		{"two steps early", at(step - 2), false, 0},
		{"two steps late", at(step + 2), false, 0},
		{"with a space", at(step)[:3] + " " + at(step)[3:], true, step},
		{"five digits", at(step)[:5], false, 0},
		{"letters", "abcdef", false, 0},
		{"empty", "", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := models.VerifyTOTPCode(rfcSecret, tc.code, now, 0)
			if ok != tc.ok || got != tc.step {
				t.Errorf("VerifyTOTPCode(%q) = %d, %v; want %d, %v", tc.code, got, ok, tc.step, tc.ok)
			}
		})
	}
}

func TestVerifyTOTPCodeRefusesReplay(t *testing.T) {
	now := time.Unix(1_800_000_015, 0)
	code, _ := models.TOTPCode(rfcSecret, now)
	step, ok := models.VerifyTOTPCode(rfcSecret, code, now, 0)
	if !ok {
		t.Fatal("fresh code refused")
	}
	// The same code again, in the same step or the next (still in the
	// window), once its step was accepted.
	for _, later := range []time.Duration{0, 10 * time.Second, 30 * time.Second} {
		if _, ok := models.VerifyTOTPCode(rfcSecret, code, now.Add(later), step); ok {
			t.Errorf("replayed code accepted %v later", later)
		}
	}
	// An earlier step's code after a later one was used.
	prev, _ := models.TOTPCode(rfcSecret, now.Add(-30*time.Second))
	if _, ok := models.VerifyTOTPCode(rfcSecret, prev, now, step); ok {
		t.Error("an older step's code accepted after a newer one")
	}
	// The next step's code is still good.
	next, _ := models.TOTPCode(rfcSecret, now.Add(30*time.Second))
	if s, ok := models.VerifyTOTPCode(rfcSecret, next, now.Add(30*time.Second), step); !ok || s != step+1 {
		t.Errorf("next step's code = %d, %v", s, ok)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, err := models.NewRecoveryCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != models.RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 14 || strings.Count(c, "-") != 2 {
			t.Errorf("code %q: want xxxx-xxxx-xxxx", c)
		}
		n := models.NormalizeRecoveryCode(c)
		if !models.IsRecoveryCode(n) {
			t.Errorf("code %q does not look like a recovery code", c)
		}
		if seen[n] {
			t.Errorf("duplicate code %q", c)
		}
		seen[n] = true
		// People may type it upper case, without dashes, with spaces.
		typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
		if models.NormalizeRecoveryCode(typed) != n {
			t.Errorf("%q normalises to %q, want %q", typed, models.NormalizeRecoveryCode(typed), n)
		}
	}
	for _, bad := range []string{"", "123456", "abcd-efgh-ijk1", "abcd-efgh-jkmn-p"} {
		if models.IsRecoveryCode(models.NormalizeRecoveryCode(bad)) {
			t.Errorf("%q taken for a recovery code", bad)
		}
	}
}

func TestParseSecondFactorPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []models.UserKind
		bad  bool
	}{
		{"", nil, false},
		{"false", nil, false},
		{"off", nil, false},
		{"true", []models.UserKind{models.KindStaff, models.KindAdmin}, false},
		{"staff,admin", []models.UserKind{models.KindStaff, models.KindAdmin}, false},
		{" Admin ", []models.UserKind{models.KindAdmin}, false},
		{"admin,admin", []models.UserKind{models.KindAdmin}, false},
		{"broker", nil, true},
		{"staff,everyone", nil, true},
	} {
		p, err := models.ParseSecondFactorPolicy(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		if !slices.Equal(p.Kinds, tc.want) {
			t.Errorf("%q: kinds %v, want %v", tc.in, p.Kinds, tc.want)
		}
	}
	p, _ := models.ParseSecondFactorPolicy("admin")
	if !p.Requires(models.KindAdmin) || p.Requires(models.KindStaff) || p.Requires(models.KindBroker) {
		t.Errorf("admin policy: %+v", p)
	}
}
