// Package home holds the start pages of staff, admins and customers.
package home

// T holds the start pages' user-visible strings.
var T = struct {
	AdminTitle, AdminIntro, AllProcesses string
}{
	AdminTitle:   "Administration",
	AdminIntro:   "Users are managed with the portal's command line (portal user add) for now; their roles are granted and revoked on the entitlements page.",
	AllProcesses: "All processes",
}
