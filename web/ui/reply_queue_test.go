package ui_test

import (
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// The reply queue speaks the client's language: Portuguese by default.
func TestReplyQueueInPortugueseAndEnglish(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	pt := s.ClientIn(t, "")
	pt.Login(marta)
	res := pt.Get("/staff/threads")
	doc := res.Doc(t)
	if htmlLang(t, res) != "pt-PT" || strings.TrimSpace(doc.Find("h1").Text()) != "Fila de resposta" ||
		strings.TrimSpace(doc.Find(`[data-testid="queue-tab-waiting"]`).Text()) != "À espera do banco" ||
		doc.Find(`th:contains("Última mensagem")`).Length() != 1 || doc.Find(`[data-testid="queue-row"]`).Length() == 0 {
		t.Errorf("Portuguese queue: lang %q, h1 %q, tab %q", htmlLang(t, res), doc.Find("h1").Text(), doc.Find(`[data-testid="queue-tab-waiting"]`).Text())
	}
	if got := doc.Find(`[data-testid="queue-row"] time`).First().Text(); strings.Contains(got, "day") {
		t.Errorf("Portuguese waiting time %q", got)
	}

	en := s.Client(t)
	en.Login(marta)
	res = en.Get("/staff/threads")
	doc = res.Doc(t)
	if htmlLang(t, res) != "en" || strings.TrimSpace(doc.Find("h1").Text()) != "Reply queue" ||
		strings.TrimSpace(doc.Find(`[data-testid="queue-tab-waiting"]`).Text()) != "Waiting for the bank" {
		t.Errorf("English queue: lang %q, h1 %q", htmlLang(t, res), doc.Find("h1").Text())
	}
}
