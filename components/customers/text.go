package customers

import "fmt"

// T holds the staff's customer pages' user-visible strings.
var T = struct {
	SearchTitle, SearchIntro, SearchLabel, SearchPlaceholder, Search, Clear, ResultsLabel string
	ColName, ColNumber, ColEmail, ColTaxID, ColMobile, NoQuery, AllCustomers, Details     string
	CustomerNumber, Email, Mobile, TaxID, Since, Login, HasLogin, NoLogin, Messages       string
	MessagesIntro, Empty, Unread, ComposeTitle, FromDepartment, FromPerson, Message       string
	Transport, ChooseTransport, Send, Sending, Sent, MessageHint, TransportBad            string
	HeaderBad                                                                             string
	ReadAt                                                                                func(when string) string
	NoMatch                                                                               func(q string) string
	Count                                                                                 func(n int) string
}{
	SearchTitle:       "Customers",
	SearchIntro:       "Find a customer of the bank to read and write their messages.",
	SearchLabel:       "Name, e-mail, tax id or customer number",
	SearchPlaceholder: "e.g. Ferreira or C-000001",
	Search:            "Search",
	Clear:             "Clear",
	ResultsLabel:      "Customers found",
	ColName:           "Name",
	ColNumber:         "Customer number",
	ColEmail:          "E-mail",
	ColTaxID:          "Tax id (NIF)",
	ColMobile:         "Mobile",
	NoQuery:           "Type at least part of a name, an e-mail, a tax id or a customer number.",
	AllCustomers:      "Find another customer",
	Details:           "Customer details",
	CustomerNumber:    "Customer number",
	Email:             "E-mail",
	Mobile:            "Mobile",
	TaxID:             "Tax id (NIF)",
	Since:             "Customer since",
	Login:             "Portal login",
	HasLogin:          "Yes: reads messages in the portal",
	NoLogin:           "No",
	Messages:          "Messages",
	MessagesIntro:     "Newest first. Read and unread as the customer sees them.",
	Empty:             "The bank has not written to this customer yet.",
	Unread:            "Unread",
	ComposeTitle:      "Write to the customer",
	FromDepartment:    "From department",
	FromPerson:        "From person",
	Message:           "Message",
	Transport:         "Transport",
	ChooseTransport:   "Choose how it is sent…",
	Send:              "Send message",
	Sending:           "Sending…",
	Sent:              "Message sent.",
	MessageHint:       "Up to 1,024 characters. The customer sees it as written; line breaks are kept.",
	TransportBad:      "Choose one of the listed transports.",
	HeaderBad:         "Use one line of at most 64 characters.",
	ReadAt:            func(when string) string { return "Read " + when },
	NoMatch:           func(q string) string { return fmt.Sprintf("No customer matches “%s”.", q) },
	Count: func(n int) string {
		if n == 1 {
			return "1 customer"
		}
		return fmt.Sprintf("%d customers", n)
	},
}
