package store_test

import (
	"context"
	"strings"
	"testing"

	"portal/models/store"
	"portal/models/store/storetest"
)

// The throttle's queries run inside the serialised sign-in step on every
// attempt: on a large audit log none of them may read audit_events whole.
func TestThrottleQueryPlansUseIndexes(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	// 200,000 audit rows over 5,000 accounts, 62,500 addresses and 1,000
	// minutes: failures, successes and other events.
	storetest.Must(t, s.DB().Exec(`INSERT INTO audit_events (created_at, action, subject, client_ip, outcome)
		SELECT now() - (g % 1000) * interval '1 minute',
			CASE g % 4 WHEN 0 THEN 'login.failed' WHEN 1 THEN 'login.ok' WHEN 2 THEN 'obp.login.failed' ELSE 'message.posted' END,
			'user' || (g % 5000) || '@bank.example', '10.' || (g % 250) || '.' || (g / 250 % 250) || '.1', 'denied'
		FROM generate_series(1, 200000) g`).Error, "seed audit")
	storetest.Must(t, s.DB().Exec("ANALYZE audit_events").Error, "analyze")
	rec := storetest.RecordSQL(t, s)

	tables := map[string]bool{"audit_events": true}
	for _, who := range []struct{ email, ip string }{
		{"user7@bank.example", "10.7.0.1"},      // an account with history, from one of its addresses
		{"user8@bank.example", "192.0.2.1"},     // from a new address
		{"nobody@bank.example", "10.7.0.1"},     // an unknown account
		{"user9@bank.example", "203.0.113.254"}, // nothing from that address at all
	} {
		var checked int
		stmts := rec.Capture(func() { _, _ = s.Login(context.Background(), who.email, "wrong", who.ip) })
		for _, st := range stmts {
			if !strings.Contains(st.SQL, "audit_events") {
				continue
			}
			checked++
			p := storetest.Explain(t, s, st)
			if scans := p.Root.SeqScans(tables); len(scans) > 0 {
				t.Errorf("sequential scan of audit_events in\n%s\nargs %v\n%s", p.SQL, p.Vars, p.Root.Outline())
			} else {
				t.Logf("%s\n  %s", p.SQL, p.Root.Outline())
			}
		}
		if checked < 3 {
			t.Errorf("%s from %s: %d throttle queries recorded: %v", who.email, who.ip, checked, stmts)
		}
	}
}
