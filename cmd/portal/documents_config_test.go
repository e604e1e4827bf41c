package main

import (
	"strings"
	"testing"

	"portal/models"
)

func TestConfigDocuments(t *testing.T) {
	cfg, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Documents.MaxBytes != models.DefaultMaxDocumentBytes || cfg.Documents.MaxProcessBytes != models.DefaultMaxProcessDocBytes ||
		cfg.DocumentDir != "" {
		t.Fatalf("defaults %+v %q", cfg.Documents, cfg.DocumentDir)
	}
	cfg, err = loadConfig(envMap(map[string]string{"PORTAL_DOCUMENT_MAX_BYTES": "2048",
		"PORTAL_PROCESS_DOCUMENTS_MAX_BYTES": "4096", "PORTAL_DOCUMENT_DIR": "/srv/docs"}))
	if err != nil || cfg.Documents.MaxBytes != 2048 || cfg.Documents.MaxProcessBytes != 4096 || cfg.DocumentDir != "/srv/docs" {
		t.Fatalf("set: %v %+v %q", err, cfg.Documents, cfg.DocumentDir)
	}
	for env, want := range map[string]string{
		"PORTAL_DOCUMENT_MAX_BYTES=ten":             `PORTAL_DOCUMENT_MAX_BYTES="ten": want a number of bytes`,
		"PORTAL_DOCUMENT_MAX_BYTES=100":             `PORTAL_DOCUMENT_MAX_BYTES="100": want a number of bytes`,
		"PORTAL_PROCESS_DOCUMENTS_MAX_BYTES=2048":   "PORTAL_PROCESS_DOCUMENTS_MAX_BYTES=2048 is less than PORTAL_DOCUMENT_MAX_BYTES",
		"PORTAL_PROCESS_DOCUMENTS_MAX_BYTES=-50000": `PORTAL_PROCESS_DOCUMENTS_MAX_BYTES="-50000": want a number of bytes`,
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := loadConfig(envMap(map[string]string{k: v}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", env, err)
		}
	}
}
