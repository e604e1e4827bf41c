// Package home holds the start pages of staff, admins and customers.
package home

// T holds the start pages' user-visible strings.
var T = struct {
	StaffTitle, StaffIntro, AdminTitle, AdminIntro, InboxTitle, InboxIntro, AllProcesses string
}{
	StaffTitle:   "Bank staff",
	StaffIntro:   "Every broker firm's processes are listed under Processes. The reply queue for message threads will appear here.",
	AdminTitle:   "Administration",
	AdminIntro:   "Users are managed with the portal's command line (portal user add) for now; the administration pages will appear here.",
	InboxTitle:   "Your messages",
	InboxIntro:   "Messages from the bank will appear here.",
	AllProcesses: "All processes",
}
