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
	"strings"

	"portal/models"
	"portal/models/store"
)

// The second factor's configuration: PORTAL_REQUIRE_2FA (who must have
// one) and PORTAL_TOTP_KEY (the key sealing TOTP secrets at rest; when
// unset, the one generated into <PORTAL_DATA_DIR>/secrets.json).

// loadSecondFactorConfig reads both variables into c, reporting problems
// with bad (never echoing the key).
func loadSecondFactorConfig(c *config, get func(name, def string) string, bad func(format string, args ...any)) {
	if v := get("PORTAL_REQUIRE_2FA", ""); v != "" {
		p, err := models.ParseSecondFactorPolicy(v)
		if err != nil {
			bad("PORTAL_REQUIRE_2FA=%q: %v", v, err)
		}
		c.SecondFactor = p
	}
	if v := get("PORTAL_TOTP_KEY", ""); v != "" {
		k, err := decodeBase64(v)
		switch {
		case err != nil:
			bad("PORTAL_TOTP_KEY is not valid base64")
		case len(k) != store.TOTPKeyLen:
			bad("PORTAL_TOTP_KEY decodes to %d bytes, want %d (generate one with: head -c %d /dev/urandom | base64 -w0)",
				len(k), store.TOTPKeyLen, store.TOTPKeyLen)
		default:
			c.TOTPKey = k
		}
	}
}

// configureSecondFactor gives the store its TOTP key and policy.
func configureSecondFactor(cfg config, st *store.Store, log *slog.Logger) error {
	key := cfg.TOTPKey
	if len(key) == 0 {
		k, created, err := loadOrAddTOTPKey(cfg.SecretsPath(), log)
		if err != nil {
			return err
		}
		if created {
			log.Info("generated a TOTP key", "file", cfg.SecretsPath())
		}
		if !cfg.Embedded() {
			log.Warn("PORTAL_TOTP_KEY is not set: using the key generated in the data directory; "+
				"every instance serving this database must share one key, so set PORTAL_TOTP_KEY",
				"file", cfg.SecretsPath())
		}
		key = k
	}
	if err := st.ConfigureTOTP(key, cfg.SecondFactor); err != nil {
		return fmt.Errorf("TOTP key: %w", err)
	}
	if len(cfg.SecondFactor.Kinds) > 0 {
		kinds := make([]string, len(cfg.SecondFactor.Kinds))
		for i, k := range cfg.SecondFactor.Kinds {
			kinds[i] = string(k)
		}
		log.Info("a second factor is required", "kinds", strings.Join(kinds, ","))
	}
	return nil
}

// loadOrAddTOTPKey returns the TOTP key kept in the secrets file at path,
// adding a fresh one when the file has none (a file written before the
// second factor existed; a new file gets both keys at once, see
// loadOrCreateSessionKey). The file is replaced atomically and read back,
// so of two instances starting at once on one data directory both use the
// key that stayed.
func loadOrAddTOTPKey(path string, log *slog.Logger) (key []byte, created bool, err error) {
	sf, err := readSecrets(path, log)
	if errors.Is(err, fs.ErrNotExist) {
		// No file yet (PORTAL_SESSION_KEY is set): make one, with both keys
		// as always, so unsetting that variable later finds its key too.
		if _, _, err := loadOrCreateSessionKey(path, log); err != nil {
			return nil, false, err
		}
		sf, err = readSecrets(path, log)
		created = true
	}
	if err != nil {
		return nil, false, err
	}
	if sf.TOTPKey != "" {
		k, err := sf.totpKey(path)
		return k, created, err
	}
	k := make([]byte, store.TOTPKeyLen)
	if _, err := rand.Read(k); err != nil {
		return nil, false, fmt.Errorf("generate TOTP key: %w", err)
	}
	sf.TOTPKey = base64.StdEncoding.EncodeToString(k)
	if err := replaceSecrets(path, sf); err != nil {
		return nil, false, err
	}
	again, err := readSecrets(path, log)
	if err != nil {
		return nil, false, err
	}
	k2, err := again.totpKey(path)
	return k2, true, err
}

func (sf *secretsFile) totpKey(path string) ([]byte, error) {
	k, err := decodeBase64(sf.TOTPKey)
	if err != nil || len(k) != store.TOTPKeyLen {
		return nil, fmt.Errorf("%s: totp_key is not base64 of %d bytes; fix the file (deleting the key makes every enrolled second factor unusable)",
			path, store.TOTPKeyLen)
	}
	return k, nil
}

// replaceSecrets writes sf over path atomically (a private temporary file
// renamed into place).
func replaceSecrets(path string, sf *secretsFile) error {
	b, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secrets-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("write secrets: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(append(b, '\n'))
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("write secrets: %w", werr)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write secrets: %w", err)
	}
	return nil
}

// newTOTPKeyBase64 is a fresh TOTP key for a new secrets file.
func newTOTPKeyBase64() (string, error) {
	k := make([]byte, store.TOTPKeyLen)
	if _, err := rand.Read(k); err != nil {
		return "", fmt.Errorf("generate TOTP key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(k), nil
}
