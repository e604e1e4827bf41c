package models

import "time"

// Sign-in throttling: the rule that decides, from the recent failures the
// audit log holds, whether a sign-in attempt may go on to its password (or
// client secret) check. The aim is that a stranger can slow guessing down
// but cannot lock anyone else out:
//
//   - Per address, any account: MaxPerAddress failures within AddressWindow
//     refuse every further attempt from that address (a hard limit, since
//     the address is the one guessing), until enough of them age out.
//   - Per account and address (a "source"): the first FreePerSource
//     failures are answered normally; after that each attempt must wait a
//     delay counted from the source's last failure, BaseDelay doubling with
//     every further failure up to MaxDelay. A success from the source
//     clears its failures; failures are remembered for SubjectWindow. There
//     is no hard lock: at worst one attempt every MaxDelay.
//   - Per account from other addresses (SubjectWide policies only): the
//     account's failures from everywhere impose the same growing delays on
//     untrusted addresses only. An address is trusted for an account when
//     it signed in to that account successfully within TrustWindow, so the
//     owner's usual address is never slowed down by a stranger's failures,
//     only by its own.
//
// Partner client secrets use the per-address and per-source rules only
// (SubjectWide false): the client id is not secret, so failures elsewhere
// never slow down the same client id from another address.
type ThrottlePolicy struct {
	AddressWindow time.Duration // how long a failure counts against its address
	MaxPerAddress int64         // failures from one address within AddressWindow before it is refused

	SubjectWindow time.Duration // how long a failure counts for the growing delays
	FreePerSource int64         // failures before delays start
	BaseDelay     time.Duration // the first delay
	MaxDelay      time.Duration // the longest delay

	// SubjectWide: failures on the subject from other addresses delay
	// untrusted addresses too.
	SubjectWide bool
	TrustWindow time.Duration // how long a success keeps its address trusted
}

// SignInThrottle is the policy of password sign-ins (browser login and OBP
// DirectLogin, which count together).
var SignInThrottle = ThrottlePolicy{
	AddressWindow: 15 * time.Minute, MaxPerAddress: 30,
	SubjectWindow: time.Hour, FreePerSource: 10, BaseDelay: 5 * time.Second, MaxDelay: 5 * time.Minute,
	SubjectWide: true, TrustWindow: 30 * 24 * time.Hour,
}

// PartnerAuthThrottle is the policy of partner authentication, per client
// id and address and per address only. A partner's integration is usually
// one source for all its firms, so its delays start later.
var PartnerAuthThrottle = ThrottlePolicy{
	AddressWindow: 15 * time.Minute, MaxPerAddress: 30,
	SubjectWindow: time.Hour, FreePerSource: 20, BaseDelay: 5 * time.Second, MaxDelay: 5 * time.Minute,
}

// ThrottleCounts are the recent failures an attempt is judged on, not
// counting the attempt itself.
type ThrottleCounts struct {
	// Address: failures from the attempt's address, any subject, within
	// AddressWindow. AddressPivot: when Address >= MaxPerAddress, the time
	// of the failure whose ageing out brings the address under the limit
	// again (the (Address-MaxPerAddress+1)-th oldest).
	Address      int64
	AddressPivot time.Time

	// Source: failures on the subject from this address within
	// SubjectWindow since its last success there; SourceLast the newest.
	Source     int64
	SourceLast time.Time

	// Elsewhere: failures on the subject from other addresses within
	// SubjectWindow; ElsewhereLast the newest.
	Elsewhere     int64
	ElsewhereLast time.Time

	// Trusted: the address signed in to the subject within TrustWindow.
	Trusted bool
}

// Throttle reasons, for the audit log.
const (
	ThrottledAddress = "address"
	ThrottledSource  = "account and address"
	ThrottledSubject = "account"
)

// ThrottleDecision is the answer to one attempt.
type ThrottleDecision struct {
	Allowed    bool
	RetryAfter time.Duration // when refused: how long until an attempt would be allowed
	Reason     string        // when refused: which rule (Throttled...)
}

// RetryAfterSeconds is the decision's Retry-After in whole seconds,
// rounded up and at least 1.
func (d ThrottleDecision) RetryAfterSeconds() int {
	s := int((d.RetryAfter + time.Second - 1) / time.Second)
	return max(s, 1)
}

// Delay is how long after the last of failures an attempt must wait: 0
// for the first FreePerSource, then BaseDelay doubling per failure, at
// most MaxDelay.
func (p ThrottlePolicy) Delay(failures int64) time.Duration {
	if failures < p.FreePerSource {
		return 0
	}
	d := p.BaseDelay
	for range min(failures-p.FreePerSource, 62) {
		if d >= p.MaxDelay {
			break
		}
		d *= 2
	}
	return min(d, p.MaxDelay)
}

// Decide judges an attempt at now on the failures before it.
func (p ThrottlePolicy) Decide(now time.Time, c ThrottleCounts) ThrottleDecision {
	if c.Address >= p.MaxPerAddress {
		return refused(c.AddressPivot.Add(p.AddressWindow).Sub(now), ThrottledAddress)
	}
	n, last, reason := c.Source, c.SourceLast, ThrottledSource
	if p.SubjectWide && !c.Trusted && c.Elsewhere > 0 {
		n += c.Elsewhere
		if c.ElsewhereLast.After(last) {
			last = c.ElsewhereLast
		}
		reason = ThrottledSubject
	}
	if d := p.Delay(n); d > 0 && now.Before(last.Add(d)) {
		return refused(last.Add(d).Sub(now), reason)
	}
	return ThrottleDecision{Allowed: true}
}

func refused(wait time.Duration, reason string) ThrottleDecision {
	return ThrottleDecision{RetryAfter: max(wait, time.Second), Reason: reason}
}
