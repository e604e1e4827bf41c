package store

import "time"

// SetClock makes s read the time from now (the TOTP tests step through
// time steps without waiting for them).
func SetClock(s *Store, now func() time.Time) { s.now = now }
