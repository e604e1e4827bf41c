package replyqueue

import (
	"context"
	"strings"
	"testing"
	"time"

	"portal/components/i18n"
	"portal/models"
)

func TestWaited(t *testing.T) {
	pt, en := i18n.WithLang(context.Background(), i18n.PT), i18n.WithLang(context.Background(), i18n.EN)
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ago     time.Duration
		waiting bool
		en, pt  string
	}{
		{-5 * time.Minute, true, "just now", "agora mesmo"}, // a clock ahead
		{0, true, "just now", "agora mesmo"},
		{59 * time.Second, false, "just now", "agora mesmo"},
		{time.Minute, true, "waiting 1 min", "à espera há 1 min"},
		{time.Minute, false, "1 min ago", "há 1 min"},
		{59*time.Minute + 59*time.Second, true, "waiting 59 min", "à espera há 59 min"},
		{time.Hour, true, "waiting 1 h", "à espera há 1 h"},
		{time.Hour, false, "1 h ago", "há 1 h"},
		{3*time.Hour + 40*time.Minute, true, "waiting 3 h", "à espera há 3 h"},
		{47*time.Hour + 59*time.Minute, false, "47 h ago", "há 47 h"},
		{48 * time.Hour, true, "waiting 2 days", "à espera há 2 dias"},
		{48 * time.Hour, false, "2 days ago", "há 2 dias"},
		{9*24*time.Hour + 23*time.Hour, true, "waiting 9 days", "à espera há 9 dias"},
		{400 * 24 * time.Hour, false, "400 days ago", "há 400 dias"},
	} {
		since := now.Add(-tc.ago)
		if got := Waited(en, since, now, tc.waiting); got != tc.en {
			t.Errorf("%s (waiting %v) in English: %q, want %q", tc.ago, tc.waiting, got, tc.en)
		}
		if got := Waited(pt, since, now, tc.waiting); got != tc.pt {
			t.Errorf("%s (waiting %v) in Portuguese: %q, want %q", tc.ago, tc.waiting, got, tc.pt)
		}
	}
}

func TestTabCount(t *testing.T) {
	pt, en := i18n.WithLang(context.Background(), i18n.PT), i18n.WithLang(context.Background(), i18n.EN)
	for _, tc := range []struct {
		ctx           context.Context
		n             int64
		shown, spoken string
	}{
		{en, 0, "0", "0 threads"}, {en, 1, "1", "1 thread"}, {en, 12, "12", "12 threads"},
		{pt, 0, "0", "0 conversas"}, {pt, 1, "1", "1 conversa"}, {pt, 999, "999", "999 conversas"},
		{en, models.MaxReplyQueueCount + 1, "999+", "more than 999 threads"},
		{pt, models.MaxReplyQueueCount + 1, "999+", "mais de 999 conversas"},
	} {
		if shown, spoken := count(tc.ctx, tc.n); shown != tc.shown || spoken != tc.spoken {
			t.Errorf("%d: %q / %q, want %q / %q", tc.n, shown, spoken, tc.shown, tc.spoken)
		}
	}
}

// TestListLinksSimulationThreads: a simulation thread's row links to the
// simulation's page and is named by its number, in both languages; a
// process thread's row still links to its process.
func TestListLinksSimulationThreads(t *testing.T) {
	at := time.Date(2026, 3, 10, 11, 0, 0, 0, time.UTC)
	v := ReplyQueueView{Now: at.Add(time.Hour), Result: &models.ReplyQueuePage{Items: []models.ReplyQueueItem{
		{SimulationUUID: "5b0c6a9e-1f7d-4c4e-9a55-3f6f7b2d9c10", SimulationNumber: 100007, FirmName: "Lisboa Crédito, Lda",
			LastAuthorKind: models.AuthorBroker, LastMessageAt: at, MessageCount: 1, Unread: true},
		{ProcessUUID: "0e2f4d1c-8b3a-4f6e-b2d1-7c9a5e3f1b20", ProcessNumber: 100042, FirmName: "Porto Hipotecas, Lda",
			LastAuthorKind: models.AuthorBank, LastMessageAt: at, MessageCount: 3},
	}}}
	for lang, label := range map[i18n.Lang]string{i18n.PT: "Simulação 100007", i18n.EN: "Simulation 100007"} {
		var b strings.Builder
		if err := list(v).Render(i18n.WithLang(context.Background(), lang), &b); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		for _, want := range []string{`href="/simulations/5b0c6a9e-1f7d-4c4e-9a55-3f6f7b2d9c10"`, label,
			`data-simulation="5b0c6a9e-1f7d-4c4e-9a55-3f6f7b2d9c10"`, `href="/processes/0e2f4d1c-8b3a-4f6e-b2d1-7c9a5e3f1b20"`, ">100042<"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s: %q not in\n%s", lang, want, html)
			}
		}
		if strings.Contains(html, `href="/processes/"`) {
			t.Errorf("%s: a link to no process", lang)
		}
	}
}
