package processes

// StaffListURL is the staff process list: every firm's processes.
const StaffListURL = "/staff/processes"

// IdleChoices are the staff list's waiting-time filter: processes with no
// action for more than this many days.
var IdleChoices = []int{1, 3, 7, 30}

// ValidIdle reports whether days is one of IdleChoices.
func ValidIdle(days int) bool {
	for _, d := range IdleChoices {
		if d == days {
			return true
		}
	}
	return false
}
