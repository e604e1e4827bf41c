package models

// Workflow status ids are stable: the partner API and stored rows use them.
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

// ProcessStatus is one workflow state with its descriptions per language.
type ProcessStatus struct {
	ID int
	PT string
	EN string
}

var ProcessStatuses = []ProcessStatus{
	{StatusInCreation, "Em criação", "In creation"},
	{StatusSubmitted, "Submetido", "Submitted"},
	{StatusInAnalysis, "Em análise", "In analysis"},
	{StatusPendingDocuments, "Documentos pendentes", "Pending documents"},
	{StatusApproved, "Aprovado", "Approved"},
	{StatusContracted, "Contratado", "Contracted"},
	{StatusRejected, "Recusado", "Rejected"},
	{StatusCancelled, "Cancelado", "Cancelled"},
}

// StatusByID returns the status and whether id is known.
func StatusByID(id int) (ProcessStatus, bool) {
	if id >= 1 && id <= len(ProcessStatuses) {
		return ProcessStatuses[id-1], true
	}
	return ProcessStatus{}, false
}

// Description returns the status text in lang ("en" or anything else for pt).
func (s ProcessStatus) Description(lang string) string {
	if lang == "en" {
		return s.EN
	}
	return s.PT
}
