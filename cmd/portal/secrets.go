package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// secretsFileName holds the secrets the portal generates for itself when
// the environment does not provide them (design §6: the embedded demo keeps
// its own in the data directory).
const secretsFileName = "secrets.json"

// secretsFile is the on-disk format of <data dir>/secrets.json (mode 0600).
// New secrets get new fields; a missing field is generated and the file
// rewritten.
type secretsFile struct {
	// SessionKey is base64 of 96 bytes: a 64-byte hash key and a 32-byte
	// block key for the session cookie.
	SessionKey string `json:"session_key"`
	// TOTPKey is base64 of 32 bytes sealing TOTP secrets (cmd/portal/totp.go).
	TOTPKey   string    `json:"totp_key,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// sessionKeys returns the session cookie keys: PORTAL_SESSION_KEY when set,
// otherwise the key kept in the data directory (generated on first use).
func sessionKeys(cfg config, log *slog.Logger) ([][]byte, error) {
	if len(cfg.SessionKeys) > 0 {
		return cfg.SessionKeys, nil
	}
	key, created, err := loadOrCreateSessionKey(cfg.SecretsPath(), log)
	if err != nil {
		return nil, err
	}
	if created {
		log.Info("generated a session key", "file", cfg.SecretsPath())
	}
	if !cfg.Embedded() {
		log.Warn("PORTAL_SESSION_KEY is not set: using the key generated in the data directory; "+
			"every instance serving this database must share one key, so set PORTAL_SESSION_KEY",
			"file", cfg.SecretsPath())
	}
	return [][]byte{key}, nil
}

// loadOrCreateSessionKey reads the session key from path, creating the file
// (mode 0600, in a 0700 directory) with a fresh random key when it does not
// exist. Creation is atomic: concurrent starts agree on one key.
func loadOrCreateSessionKey(path string, log *slog.Logger) (key []byte, created bool, err error) {
	sf, err := readSecrets(path, log)
	if err == nil {
		return sf.sessionKey(path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	key = make([]byte, sessionKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("generate session key: %w", err)
	}
	totpKey, err := newTOTPKeyBase64()
	if err != nil {
		return nil, false, err
	}
	sf = &secretsFile{SessionKey: base64.StdEncoding.EncodeToString(key), TOTPKey: totpKey, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	won, err := writeSecretsExclusive(path, sf)
	if err != nil {
		return nil, false, err
	}
	if !won { // another process created it first: use theirs
		sf, err := readSecrets(path, log)
		if err != nil {
			return nil, false, err
		}
		k, _, err := sf.sessionKey(path)
		return k, false, err
	}
	return key, true, nil
}

func (sf *secretsFile) sessionKey(path string) ([]byte, bool, error) {
	k, err := decodeBase64(sf.SessionKey)
	if err != nil || len(k) != sessionKeyLen {
		return nil, false, fmt.Errorf("%s: session_key is not base64 of %d bytes; fix the file, or delete it to generate a new key (this signs everyone out)",
			path, sessionKeyLen)
	}
	return k, false, nil
}

// readSecrets loads path, tightening its mode to 0600 if group or others
// could read it.
func readSecrets(path string, log *slog.Logger) (*secretsFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("%s is readable by others (mode %v) and could not be restricted: %w", path, fi.Mode().Perm(), err)
		}
		log.Warn("secrets file was readable by others; its mode is now 0600", "file", path, "was", fi.Mode().Perm().String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sf secretsFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON (%v); fix it, or delete it to generate new secrets", path, err)
	}
	return &sf, nil
}

// writeSecretsExclusive writes sf to path unless path already exists. It
// writes a private temporary file and hard-links it into place, so readers
// never see a partial file and only one of several racing writers wins.
func writeSecretsExclusive(path string, sf *secretsFile) (won bool, err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, fmt.Errorf("create data directory: %w", err)
	}
	b, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return false, err
	}
	tmp, err := os.CreateTemp(dir, ".secrets-*.tmp") // created with mode 0600
	if err != nil {
		return false, fmt.Errorf("write secrets: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write secrets: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write secrets: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, fmt.Errorf("write secrets: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("write secrets: %w", err)
	}
	err = os.Link(tmp.Name(), path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// Some filesystems have no hard links: create exclusively instead.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write secrets: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return false, fmt.Errorf("write secrets: %w", err)
	}
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("write secrets: %w", err)
	}
	return true, nil
}
