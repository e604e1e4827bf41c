// Package home holds the start pages of staff, admins and customers.
package home

// T holds the start pages' user-visible strings.
var T = struct {
	AdminTitle, AdminIntro, InboxTitle, InboxIntro, AllProcesses string
}{
	AdminTitle:   "Administration",
	AdminIntro:   "Users are managed with the portal's command line (portal user add) for now; the administration pages will appear here.",
	InboxTitle:   "Your messages",
	InboxIntro:   "Messages from the bank will appear here.",
	AllProcesses: "All processes",
}
