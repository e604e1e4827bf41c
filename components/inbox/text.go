package inbox

import "fmt"

// T holds the customer inbox's user-visible strings.
var T = struct {
	Title, Intro, EmptyTitle, EmptyText, Unread, From, Transport, ListLabel   string
	AllMessages, Older, Newer, Pagination, NoTransport, MessageTitle, AllRead string
	Received                                                                  string
	UnreadSummary                                                             func(unread int64) string
	Range                                                                     func(from, to int, total int64) string
	TransportLabel                                                            map[string]string
}{
	Title:        "Your messages",
	Intro:        "Messages the bank has sent you, newest first.",
	EmptyTitle:   "No messages yet",
	EmptyText:    "Messages from the bank will appear here.",
	Unread:       "Unread",
	From:         "From",
	Transport:    "Sent by",
	ListLabel:    "Messages",
	AllMessages:  "All messages",
	Older:        "Older",
	Newer:        "Newer",
	Pagination:   "Pages",
	NoTransport:  "—",
	MessageTitle: "Message",
	AllRead:      "You have read all your messages.",
	Received:     "Received",
	UnreadSummary: func(n int64) string {
		if n == 1 {
			return "You have 1 unread message."
		}
		return fmt.Sprintf("You have %d unread messages.", n)
	},
	Range: func(from, to int, total int64) string {
		return fmt.Sprintf("%d–%d of %d", from, to, total)
	},
	TransportLabel: map[string]string{
		"SMS":    "SMS",
		"EMAIL":  "E-mail",
		"POST":   "Post",
		"IN_APP": "In the app",
	},
}
