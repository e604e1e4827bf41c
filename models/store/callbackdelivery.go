package store

import "errors"

var errNoSender = errors.New("callbacks: no sender configured")

// wakeCallbacks nudges this instance's callback workers.
func (s *Store) wakeCallbacks() {}
