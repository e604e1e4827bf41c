package store

// NoGroupCommit makes SQLite posts commit one by one (the benchmark shows
// what group commit is worth).
func (s *Store) NoGroupCommit() { s.noGroupCommit = true }
