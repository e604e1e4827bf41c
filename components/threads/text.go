package threads

import "fmt"

// T holds the thread's user-visible strings.
var T = struct {
	Title, Empty, Older, Subject, SubjectHint, Text, Send, Sending, Bank, Broker, New string
	ComposeTitle, Sent                                                                string
	Count                                                                             func(n int64) string
}{
	Title:        "Messages",
	Empty:        "No messages yet. Write the first one below.",
	Older:        "Show older messages",
	Subject:      "Subject (optional)",
	SubjectHint:  "Up to 200 characters.",
	Text:         "Message",
	Send:         "Send message",
	Sending:      "Sending…",
	Bank:         "Bank",
	Broker:       "Broker",
	New:          "New",
	ComposeTitle: "Write a message",
	Sent:         "Message sent.",
	Count: func(n int64) string {
		if n == 1 {
			return "1 message"
		}
		return fmt.Sprintf("%d messages", n)
	},
}
