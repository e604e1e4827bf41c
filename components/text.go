package components

// T holds the layout's user-visible strings; a translation replaces this
// catalogue, not the templates.
var T = struct {
	ProductName, BankName, CustomerLabel, SkipToContent                string
	NavProcesses, NavQueue, NavAdmin, NavInbox, NavLabel, SignOut      string
	Footer, NotFoundTitle, NotFoundText, ForbiddenTitle, ForbiddenText string
	ErrorTitle, ErrorText, BackHome, ErrorReference, TooManyTitle      string
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
}
