package models

import (
	"testing"
	"time"
)

func TestEchoRate(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		oldest time.Time
		wait   int // 0: allowed
	}{
		{"fewer than the limit in the window", time.Time{}, 0},
		{"the oldest echo just made", now, 60},
		{"the oldest 20 s ago", now.Add(-20 * time.Second), 40},
		{"the oldest 59.5 s ago: at least a second", now.Add(-59500 * time.Millisecond), 1},
	} {
		err := EchoRate(c.oldest, now)
		if c.wait == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		e, ok := err.(*Error)
		if !ok || e.Code != CodeRateLimited || e.RetryAfter != c.wait || e.Key != "rate.echo" {
			t.Errorf("%s: %v, want rate limited for %d s", c.name, err, c.wait)
		}
	}
}
