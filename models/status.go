package models

// Workflow status ids are stable: the partner API and stored rows use them.
// Their descriptions, in every language, are the taxonomy's
// (TaxonomyProcessStates, "workflow-states/proposal"), the one source for
// every screen and answer.
const (
	StatusInCreation       = 1
	StatusSubmitted        = 2
	StatusInAnalysis       = 3
	StatusPendingDocuments = 4
	StatusApproved         = 5
	StatusContracted       = 6
	StatusRejected         = 7
	StatusCancelled        = 8
)

// ProcessStatusIDs are the workflow states in order.
var ProcessStatusIDs = []int{StatusInCreation, StatusSubmitted, StatusInAnalysis, StatusPendingDocuments,
	StatusApproved, StatusContracted, StatusRejected, StatusCancelled}

// ValidStatus reports whether id is a workflow state.
func ValidStatus(id int) bool { return id >= StatusInCreation && id <= StatusCancelled }

// StatusDescription is the workflow state id in lang, from the taxonomy;
// "" for an id it does not know.
func (t *Taxonomy) StatusDescription(id int, lang string) string {
	return t.Description(TaxonomyProcessStates, id, lang)
}
