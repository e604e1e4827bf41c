package ui_test

import (
	"net/http"
	"testing"
	"time"

	"portal/models"
	"portal/models/store"
	"portal/web/session"
	"portal/web/webtest"
)

// An open thread polls every few seconds; those polls must not keep an
// unattended session alive, while the user's own requests do.
func TestPollsDoNotExtendTheIdleTimeout(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	c := s.Client(t)
	c.Login(ana)
	id := processOf(t, s, "BRK-LIS-001")
	var tokenHash string
	s.Store.DB().Raw("SELECT token_hash FROM sessions").Scan(&tokenHash)
	age := func(d time.Duration) {
		s.Store.DB().Model(&models.Session{}).Where("token_hash = ?", tokenHash).Update("last_seen_at", time.Now().UTC().Add(-d))
	}
	lastSeen := func() time.Time {
		var row models.Session
		s.Store.DB().Where("token_hash = ?", tokenHash).Take(&row)
		return row.LastSeenAt
	}
	age(20 * time.Minute)
	before := lastSeen()
	res := c.Get("/processes/"+id+"/messages/since?after=", "HX-Request", "true", session.BackgroundHeader, "1")
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusNoContent {
		t.Fatalf("poll: %d", res.StatusCode)
	}
	if !lastSeen().Equal(before) {
		t.Fatal("a background poll extended the session")
	}
	if res := c.Get("/processes/" + id); res.StatusCode != http.StatusOK || !lastSeen().After(before) {
		t.Fatalf("a page view did not extend the session (%d)", res.StatusCode)
	}
	age(31 * time.Minute)
	res = c.Get("/processes/"+id+"/messages/since?after=", "HX-Request", "true", session.BackgroundHeader, "1")
	if res.StatusCode != http.StatusNoContent || res.Header.Get("HX-Redirect") == "" {
		t.Fatalf("poll after the idle timeout: %d %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}
