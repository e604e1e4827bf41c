package processes

import "fmt"

// T holds the process views' user-visible strings.
var T = struct {
	ListTitle, SearchLabel, SearchPlaceholder, StatusLabel, AnyStatus, Search, Clear         string
	ColUnread                                                                                string
	UnreadTitle                                                                              func(n int) string
	ColNumber, ColBorrower, ColAmount, ColStatus, ColLastAction, ColFirm, ResultsLabel       string
	EmptyTitle, EmptyText, EmptyFilteredTitle, EmptyFilteredText, Newer, Older, Pagination   string
	Back, Summary, Borrowers, Property, History, NoProperty, NoBorrowers, NoHistory          string
	ProcessNumber, Firm, Created, LastAction, LoanAmount, Duration, CrossSelling, Simulation string
	KeyBorrower, Borrower, TaxID, BirthDate, Email, Mobile, Income, Installments, Yes, No    string
	Address, ZipCode, Area, YearBuilt, Acquisition, Typology, Status, Loading                string
	LoanPurpose, ProductScheme, ProductPurpose                                               string
	ProcessHeading                                                                           func(n int64) string
	Months                                                                                   func(n int) string
	Count                                                                                    func(n int64, capped bool) string
}{
	ListTitle:         "Processes",
	SearchLabel:       "Search",
	SearchPlaceholder: "Process number, borrower name or tax id",
	StatusLabel:       "Status",
	AnyStatus:         "All statuses",
	Search:            "Search",
	Clear:             "Clear",
	ColUnread:         "Unread",
	UnreadTitle: func(n int) string {
		if n == 1 {
			return "1 unread message"
		}
		return fmt.Sprintf("%d unread messages", n)
	},
	ColNumber:          "Process",
	ColBorrower:        "Key borrower",
	ColAmount:          "Loan amount",
	ColStatus:          "Status",
	ColLastAction:      "Last action",
	ColFirm:            "Firm",
	ResultsLabel:       "Processes",
	EmptyTitle:         "No processes yet",
	EmptyText:          "Processes your firm brings to the bank will be listed here.",
	EmptyFilteredTitle: "No processes match",
	EmptyFilteredText:  "Try another process number, name or tax id, or clear the filters.",
	Newer:              "Newer",
	Older:              "Older",
	Pagination:         "Pages",
	Back:               "All processes",
	Summary:            "Summary",
	Borrowers:          "Borrowers",
	Property:           "Property",
	History:            "Status history",
	NoProperty:         "No property has been added yet.",
	NoBorrowers:        "No borrowers have been added yet.",
	NoHistory:          "No status changes yet.",
	ProcessNumber:      "Process number",
	Firm:               "Firm",
	Created:            "Created",
	LastAction:         "Last action",
	LoanAmount:         "Loan amount",
	Duration:           "Duration",
	CrossSelling:       "Cross-selling",
	Simulation:         "Simulation",
	KeyBorrower:        "Key borrower",
	Borrower:           "Borrower",
	TaxID:              "Tax id (NIF)",
	BirthDate:          "Date of birth",
	Email:              "E-mail",
	Mobile:             "Mobile",
	Income:             "Monthly income",
	Installments:       "Monthly instalments",
	Yes:                "Yes",
	No:                 "No",
	Address:            "Address",
	ZipCode:            "Postal code",
	Area:               "Gross built area",
	YearBuilt:          "Year built",
	Acquisition:        "Acquisition value",
	Typology:           "Typology",
	LoanPurpose:        "Loan purpose",
	ProductScheme:      "Product scheme",
	ProductPurpose:     "Product purpose",
	Status:             "Status",
	Loading:            "Loading…",
	ProcessHeading:     func(n int64) string { return fmt.Sprintf("Process %d", n) },
	Months:             func(n int) string { return fmt.Sprintf("%d months", n) },
	Count: func(n int64, capped bool) string {
		if capped {
			return fmt.Sprintf("More than %d processes", n)
		}
		if n == 1 {
			return "1 process"
		}
		return fmt.Sprintf("%d processes", n)
	},
}
