package store

import "time"

// SetClock replaces the store's clock (benchmarks that post faster than the
// per-user posting limit allows in real time).
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// UnqueueWrites turns the SQLite write queue off (the benchmark measures
// what it is worth).
func (s *Store) UnqueueWrites() { s.writeSlot = nil }
