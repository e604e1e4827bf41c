package models

import (
	"math"
	"time"
)

// CallbackSecretOverlap is how long a rotated-out signing secret still
// signs deliveries and echoes, next to the new one, so a receiver can
// switch to the new secret without rejecting anything.
const CallbackSecretOverlap = 24 * time.Hour

// EchoRateLimit echoes per partner within EchoRateWindow.
const (
	EchoRateLimit  = 10
	EchoRateWindow = time.Minute
)

func init() {
	englishText["rate.echo"] = "Too many echoes for this partner. Please wait a minute and try again."
}

// EchoRate is the echo limit's verdict: nil, or CodeRateLimited with the
// seconds until the oldest echo of the window leaves it. oldest is the
// EchoRateLimit-th newest echo within EchoRateWindow (zero when fewer).
func EchoRate(oldest, now time.Time) error {
	if oldest.IsZero() {
		return nil
	}
	wait := int(math.Ceil(oldest.Add(EchoRateWindow).Sub(now).Seconds()))
	return Limited("rate.echo", nil, max(wait, 1))
}
