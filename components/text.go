package components

import "fmt"

// T holds the layout's user-visible strings; a translation replaces this
// catalogue, not the templates.
var T = struct {
	ProductName, BankName, CustomerLabel, SkipToContent                string
	NavProcesses, NavQueue, NavAdmin, NavInbox, NavLabel, SignOut      string
	Footer, NotFoundTitle, NotFoundText, ForbiddenTitle, ForbiddenText string
	ErrorTitle, ErrorText, BackHome, ErrorReference, TooManyTitle      string
	NavCustomers, RoleNeededTitle, UnknownStatus                       string
	UnreadBadge                                                        func(n int64) string
	RoleNeededText                                                     func(role, bank string) string
}{
	ProductName:    "Partner Portal",
	BankName:       "Demo Bank",
	CustomerLabel:  "Customer",
	SkipToContent:  "Skip to content",
	NavProcesses:   "Processes",
	NavQueue:       "Reply queue",
	NavAdmin:       "Administration",
	NavInbox:       "Inbox",
	NavLabel:       "Main",
	SignOut:        "Sign out",
	Footer:         "Demo Bank, S.A. · Partner Portal",
	NotFoundTitle:  "Page not found",
	NotFoundText:   "The page you asked for does not exist or is not available to you.",
	ForbiddenTitle: "Not available",
	ForbiddenText:  "Your account does not give access to this page.",
	ErrorTitle:     "Something went wrong",
	ErrorText:      "We could not complete your request. Please try again in a moment.",
	BackHome:       "Back to the start page",
	ErrorReference: "Reference",
	TooManyTitle:   "Too many requests",
	NavCustomers:   "Customers",
	UnknownStatus:  "Unknown",
	UnreadBadge: func(n int64) string {
		if n == 1 {
			return "1 unread message"
		}
		return fmt.Sprintf("%d unread messages", n)
	},
	RoleNeededTitle: "Role needed",
	RoleNeededText: func(role, bank string) string {
		if bank == "" {
			return "You need the role " + role + " for this. An administrator can grant it to you."
		}
		return "You need the role " + role + " at " + bank + " for this. An administrator can grant it to you."
	},
}
