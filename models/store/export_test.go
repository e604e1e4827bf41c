package store

import "portal/models"

// The throttle limits the external tests (package store_test) pin down.
var (
	// MaxFailuresPerAccount: failures on an account from one address (or,
	// for an untrusted address, from anywhere) before delays start.
	MaxFailuresPerAccount = int(models.SignInThrottle.FreePerSource)
	MaxFailuresPerAddress = int(models.SignInThrottle.MaxPerAddress)
	LoginWindow           = models.SignInThrottle.AddressWindow

	// MaxPartnerFailuresPerSource: failures per client id and address
	// before delays start.
	MaxPartnerFailuresPerSource  = int(models.PartnerAuthThrottle.FreePerSource)
	MaxPartnerFailuresPerAddress = int(models.PartnerAuthThrottle.MaxPerAddress)
	PartnerAuthWindow            = models.PartnerAuthThrottle.AddressWindow
)
