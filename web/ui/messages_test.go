package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portal/models/store"
	"portal/web/webtest"
)

// The thread of a process page and its compose form speak the client's
// language, and so does the flash after a plain form post.
func TestThreadInPortugueseAndEnglish(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	id, _ := quietProcess(t, s)
	for _, tc := range []struct {
		lang, html, title, empty, send, count, sent, side string
	}{
		{"", "pt-PT", "Mensagens", "Ainda não há mensagens. Escreva a primeira abaixo.", "Enviar mensagem", "1 mensagem", "Mensagem enviada.", "Intermediário"},
		{"en", "en", "Messages", "No messages yet. Write the first one below.", "Send message", "2 messages", "Message sent.", "Broker"},
	} {
		c := s.ClientIn(t, tc.lang)
		c.Login(ana)
		res := c.Get("/processes/" + id)
		doc := res.Doc(t)
		if got := htmlLang(t, res); got != tc.html {
			t.Errorf("%s: lang %q", tc.html, got)
		}
		if got := strings.TrimSpace(doc.Find("#thread-h").Text()); got != tc.title {
			t.Errorf("%s thread heading %q, want %q", tc.html, got, tc.title)
		}
		if tc.lang == "" {
			if got := strings.TrimSpace(doc.Find(`[data-testid="thread-empty"]`).Text()); got != tc.empty {
				t.Errorf("%s empty thread %q, want %q", tc.html, got, tc.empty)
			}
			if got := strings.TrimSpace(doc.Find(`[data-testid="message-count"]`).Text()); got != "0 mensagens" {
				t.Errorf("empty thread's count %q, want 0 mensagens", got)
			}
		}
		if got := strings.TrimSpace(doc.Find(`#compose button[type="submit"]`).Text()); got != tc.send {
			t.Errorf("%s send button %q, want %q", tc.html, got, tc.send)
		}
		if post := c.PostForm("/processes/"+id+"/messages", url.Values{"text": {"Olá / hello"}}); post.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s post: %d", tc.html, post.StatusCode)
		}
		doc = c.Get("/processes/" + id).Doc(t)
		if got := strings.TrimSpace(doc.Find(`[data-testid="flash"]`).Text()); got != tc.sent {
			t.Errorf("%s flash %q, want %q", tc.html, got, tc.sent)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="message-count"]`).Text()); got != tc.count {
			t.Errorf("%s message count %q, want %q", tc.html, got, tc.count)
		}
		if got := doc.Find(`[data-testid="message"] .badge`).First().Text(); got != tc.side {
			t.Errorf("%s author badge %q, want %q", tc.html, got, tc.side)
		}
	}
}
