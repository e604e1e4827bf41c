package processes

// DecideView is the bank's decision panel on the process page (decide.templ):
// staff only (nil for everyone else), the moves the workflow allows from
// the status the page shows.
type DecideView struct {
	ProcessUUID string
	StatusID    int // the status the page shows: the forms' fromStatusId
	Moves       []Move
	// A refused decision, re-rendered: what was posted stays in the form.
	Error   string // the refusal, above the forms (a conflict, a bad field)
	Posted  int    // the posted toStatusId (0: none)
	Comment string // the posted comment, kept in every form
	Reason  int    // the posted reason
	// Field errors of the posted form.
	ReasonError, CommentError string
}

// Move is one decision the panel offers.
type Move struct {
	StatusID int
	Label    string   // the target status's name
	Reasons  []Option // the reasons to choose from (rejections, cancellations); none otherwise
	Open     bool     // shown unfolded (the posted one after a refusal)
}

// StatusURL is where the panel posts a decision.
func StatusURL(uuid string) string { return ProcessURL(uuid) + "/status" }
