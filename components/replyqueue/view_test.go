package replyqueue

import (
	"context"
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
