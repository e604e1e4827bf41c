package store

// Internal limits the external tests (package store_test) pin down.
const (
	MaxFailuresPerAccount = maxFailuresPerAccount
	MaxFailuresPerAddress = maxFailuresPerAddress
	LoginWindow           = loginWindow
)
