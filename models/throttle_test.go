package models

import (
	"testing"
	"time"
)

func TestThrottleDelay(t *testing.T) {
	p := SignInThrottle
	cases := []struct {
		failures int64
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {9, 0},
		{10, 5 * time.Second}, {11, 10 * time.Second}, {12, 20 * time.Second}, {13, 40 * time.Second},
		{14, 80 * time.Second}, {15, 160 * time.Second}, {16, 5 * time.Minute}, {17, 5 * time.Minute},
		{1000, 5 * time.Minute}, {1 << 62, 5 * time.Minute},
	}
	for _, c := range cases {
		if got := p.Delay(c.failures); got != c.want {
			t.Errorf("Delay(%d) = %v, want %v", c.failures, got, c.want)
		}
	}
}

func TestThrottleDecide(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	allowed := ThrottleDecision{Allowed: true}
	no := func(wait time.Duration, reason string) ThrottleDecision {
		return ThrottleDecision{RetryAfter: wait, Reason: reason}
	}
	cases := []struct {
		name   string
		policy ThrottlePolicy
		counts ThrottleCounts
		want   ThrottleDecision
	}{
		{"nothing recent", SignInThrottle, ThrottleCounts{}, allowed},
		{"nine failures from the address, just now", SignInThrottle,
			ThrottleCounts{Address: 9, Source: 9, SourceLast: ago(0)}, allowed},
		{"ten failures: wait 5 s from the last", SignInThrottle,
			ThrottleCounts{Address: 10, Source: 10, SourceLast: ago(2 * time.Second)}, no(3*time.Second, ThrottledSource)},
		{"ten failures, the last 5 s ago", SignInThrottle,
			ThrottleCounts{Address: 10, Source: 10, SourceLast: ago(5 * time.Second)}, allowed},
		{"twelve failures: 20 s", SignInThrottle,
			ThrottleCounts{Address: 12, Source: 12, SourceLast: ago(0)}, no(20*time.Second, ThrottledSource)},
		{"many failures: capped at 5 min", SignInThrottle,
			ThrottleCounts{Address: 20, Source: 20, SourceLast: ago(time.Minute)}, no(4*time.Minute, ThrottledSource)},
		{"many failures, the last over 5 min ago: one more try", SignInThrottle,
			ThrottleCounts{Address: 20, Source: 20, SourceLast: ago(5 * time.Minute)}, allowed},
		{"trusted address with its own failures is delayed like any source", SignInThrottle,
			ThrottleCounts{Address: 11, Source: 11, SourceLast: ago(0), Trusted: true}, no(10*time.Second, ThrottledSource)},

		// A stranger's failures elsewhere.
		{"trusted address: a stranger's 50 failures elsewhere do not count", SignInThrottle,
			ThrottleCounts{Elsewhere: 50, ElsewhereLast: ago(0), Trusted: true}, allowed},
		{"untrusted address: the account's failures delay it", SignInThrottle,
			ThrottleCounts{Elsewhere: 50, ElsewhereLast: ago(time.Second)}, no(5*time.Minute-time.Second, ThrottledSubject)},
		{"untrusted address: own and elsewhere add up", SignInThrottle,
			ThrottleCounts{Source: 4, SourceLast: ago(time.Minute), Elsewhere: 7, ElsewhereLast: ago(time.Second)},
			no(9*time.Second, ThrottledSubject)},
		{"untrusted address: few failures elsewhere", SignInThrottle,
			ThrottleCounts{Source: 2, SourceLast: ago(0), Elsewhere: 7, ElsewhereLast: ago(0)}, allowed},
		{"untrusted address: the delay counts from the newest failure anywhere", SignInThrottle,
			ThrottleCounts{Source: 10, SourceLast: ago(time.Second), Elsewhere: 1, ElsewhereLast: ago(time.Hour)},
			no(9*time.Second, ThrottledSubject)},
		{"partner: ten from one client id and address are fine", PartnerAuthThrottle,
			ThrottleCounts{Address: 10, Source: 10, SourceLast: ago(0)}, allowed},
		{"partner: failures elsewhere never count", PartnerAuthThrottle,
			ThrottleCounts{Elsewhere: 500, ElsewhereLast: ago(0)}, allowed},
		{"partner: the same client id and address", PartnerAuthThrottle,
			ThrottleCounts{Address: 21, Source: 21, SourceLast: ago(0)}, no(10*time.Second, ThrottledSource)},

		// The address's hard limit, for any account, trusted or not.
		{"address limit reached", SignInThrottle,
			ThrottleCounts{Address: 30, AddressPivot: ago(10 * time.Minute), Trusted: true}, no(5*time.Minute, ThrottledAddress)},
		{"address limit: retry at least a second away", SignInThrottle,
			ThrottleCounts{Address: 31, AddressPivot: ago(15 * time.Minute)}, no(time.Second, ThrottledAddress)},
		{"address limit for partners too", PartnerAuthThrottle,
			ThrottleCounts{Address: 30, AddressPivot: ago(time.Minute)}, no(14*time.Minute, ThrottledAddress)},
		{"one under the address limit", SignInThrottle,
			ThrottleCounts{Address: 29, AddressPivot: ago(time.Minute)}, allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.policy.Decide(now, c.counts); got != c.want {
				t.Errorf("Decide(%+v) = %+v, want %+v", c.counts, got, c.want)
			}
		})
	}
}

func TestThrottleRetryAfterSeconds(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 1}, {time.Millisecond, 1}, {time.Second, 1}, {1001 * time.Millisecond, 2}, {5 * time.Minute, 300}} {
		if got := (ThrottleDecision{RetryAfter: c.d}).RetryAfterSeconds(); got != c.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}
