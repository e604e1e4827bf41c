package models

// The process workflow (product: "Mortgage process"): which moves each kind
// of user may make from each status. The service enforces it; pages offer
// only these moves.

// staffMoves are the bank's decisions from each status.
var staffMoves = map[int][]int{
	StatusSubmitted:        {StatusInAnalysis, StatusRejected, StatusCancelled},
	StatusInAnalysis:       {StatusPendingDocuments, StatusApproved, StatusRejected, StatusCancelled},
	StatusPendingDocuments: {StatusInAnalysis, StatusApproved, StatusRejected, StatusCancelled},
	StatusApproved:         {StatusContracted, StatusCancelled},
	StatusInCreation:       {StatusCancelled},
}

// brokerMoves are the broker's: submit while in creation, cancel until the
// bank has decided.
var brokerMoves = map[int][]int{
	StatusInCreation:       {StatusSubmitted, StatusCancelled},
	StatusSubmitted:        {StatusCancelled},
	StatusInAnalysis:       {StatusCancelled},
	StatusPendingDocuments: {StatusCancelled},
}

// NextStatuses are the statuses a user of kind may move a process in
// status from to, in workflow order; none for final statuses (contracted,
// rejected, cancelled) and for customers.
func NextStatuses(from int, kind UserKind) []int {
	switch kind {
	case KindStaff, KindAdmin:
		return staffMoves[from]
	case KindBroker:
		return brokerMoves[from]
	}
	return nil
}

// CanMove reports whether a user of kind may move a process from → to.
func CanMove(from, to int, kind UserKind) bool {
	for _, s := range NextStatuses(from, kind) {
		if s == to {
			return true
		}
	}
	return false
}

// FinalStatus reports whether nothing moves a process out of status.
func FinalStatus(status int) bool {
	return status == StatusContracted || status == StatusRejected || status == StatusCancelled
}

// ValidNIF reports whether s is a Portuguese tax number (NIF): nine digits
// whose last is the mod-11 check digit of the first eight, with a first
// digit the tax authority assigns (1-3 people, 5 companies, 6 public bodies,
// 7-9 other entities; 45 non-residents).
func ValidNIF(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		if i < 8 {
			sum += int(s[i]-'0') * (9 - i)
		}
	}
	if s[0] == '0' || s[0] == '4' && s[1] != '5' {
		return false
	}
	check := 11 - sum%11
	if check >= 10 {
		check = 0
	}
	return int(s[8]-'0') == check
}
