package store

// NoGroupCommit makes SQLite posts commit one by one (the benchmark shows
// what group commit is worth).
func (s *Store) NoGroupCommit() { s.noGroupCommit = true }

// GroupSavepoints makes every SQLite group run with a savepoint per item,
// as group commit did before it ran them without (the benchmark's
// comparison).
func (s *Store) GroupSavepoints() { s.groupSavepoints = true }
