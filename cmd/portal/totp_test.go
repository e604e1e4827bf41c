package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"portal/models"
)

func TestConfigSecondFactor(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil || len(cfg.SecondFactor.Kinds) != 0 || cfg.TOTPKey != nil {
		t.Fatalf("default: %v %+v", err, cfg.SecondFactor)
	}
	key := bytes.Repeat([]byte{7}, 32)
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_REQUIRE_2FA": "true",
		"PORTAL_TOTP_KEY": base64.StdEncoding.EncodeToString(key)}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.SecondFactor.Kinds, []models.UserKind{models.KindStaff, models.KindAdmin}) || !bytes.Equal(cfg.TOTPKey, key) {
		t.Fatalf("config %+v", cfg.SecondFactor)
	}
	cfg, _ = loadConfig(envMap(map[string]string{"PORTAL_REQUIRE_2FA": "admin"}))
	if !cfg.SecondFactor.Requires(models.KindAdmin) || cfg.SecondFactor.Requires(models.KindStaff) {
		t.Fatalf("admin only: %+v", cfg.SecondFactor)
	}

	secret := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 16))
	for env, want := range map[string]string{
		"PORTAL_REQUIRE_2FA=brokers": `PORTAL_REQUIRE_2FA="brokers": "brokers": want true, false, or a comma-separated list of staff and admin`,
		"PORTAL_TOTP_KEY=" + secret:  "PORTAL_TOTP_KEY decodes to 16 bytes, want 32",
		"PORTAL_TOTP_KEY=*nope*":     "PORTAL_TOTP_KEY is not valid base64",
	} {
		name, value, _ := strings.Cut(env, "=")
		_, err := loadConfig(envMap(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", env, err, want)
		}
		if err != nil && name == "PORTAL_TOTP_KEY" && strings.Contains(err.Error(), secret) {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
}

func TestTOTPKeyKeptInSecretsFile(t *testing.T) {
	t.Run("a new secrets file holds both keys", func(t *testing.T) {
		cfg, _ := loadConfig(envMap(map[string]string{"PORTAL_DATA_DIR": filepath.Join(t.TempDir(), "data")}))
		if _, err := sessionKeys(cfg, discardLogger()); err != nil {
			t.Fatal(err)
		}
		var sf secretsFile
		b, _ := os.ReadFile(cfg.SecretsPath())
		if err := json.Unmarshal(b, &sf); err != nil || sf.TOTPKey == "" {
			t.Fatalf("secrets.json: %v %s", err, b)
		}
		k, created, err := loadOrAddTOTPKey(cfg.SecretsPath(), discardLogger())
		if err != nil || created || len(k) != 32 {
			t.Fatalf("key %d bytes, created %v, %v", len(k), created, err)
		}
	})
	t.Run("with PORTAL_SESSION_KEY set and no file, a file with both keys is made", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "data", secretsFileName)
		k, created, err := loadOrAddTOTPKey(path, discardLogger())
		if err != nil || !created || len(k) != 32 {
			t.Fatalf("key %d bytes, created %v, %v", len(k), created, err)
		}
		sf, err := readSecrets(path, discardLogger())
		if err != nil || sf.SessionKey == "" {
			t.Fatalf("secrets file: %v %+v", err, sf)
		}
	})
	t.Run("a secrets file from before gets one, once, keeping the session key", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, secretsFileName)
		session := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 96))
		if err := os.WriteFile(path, []byte(`{"session_key":"`+session+`","created_at":"2026-01-01T00:00:00Z"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		first, created, err := loadOrAddTOTPKey(path, discardLogger())
		if err != nil || !created || len(first) != 32 {
			t.Fatalf("first: %d bytes, created %v, %v", len(first), created, err)
		}
		again, created, err := loadOrAddTOTPKey(path, discardLogger())
		if err != nil || created || !bytes.Equal(first, again) {
			t.Fatalf("restart: created %v, same %v, %v", created, bytes.Equal(first, again), err)
		}
		sf, err := readSecrets(path, discardLogger())
		if err != nil || sf.SessionKey != session {
			t.Fatalf("session key changed: %v", err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", fi.Mode().Perm())
		}
	})
}
