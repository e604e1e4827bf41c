package replyqueue

// T holds the reply queue's user-visible strings.
var T = struct {
	Title, Intro, Waiting, Answered, All, Firm, AllFirms, Apply, Process, LastMessage             string
	Waited, Messages, Bank, Broker, JustNow, EmptyWaiting, EmptyOther, Older, FilterLabel, Unread string
}{
	Title:        "Reply queue",
	Intro:        "Message threads of every broker firm, most recent activity first.",
	Waiting:      "Waiting for the bank",
	Answered:     "Answered",
	All:          "All",
	Firm:         "Firm",
	AllFirms:     "All firms",
	Apply:        "Apply",
	Process:      "Process",
	LastMessage:  "Last message",
	Waited:       "Last activity",
	Messages:     "Messages",
	Bank:         "Bank",
	Broker:       "Broker",
	JustNow:      "just now",
	EmptyWaiting: "No thread is waiting for the bank. Well done.",
	EmptyOther:   "No threads match these filters.",
	Older:        "Older",
	FilterLabel:  "Show",
	Unread:       "Unread",
}
