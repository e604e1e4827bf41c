// Package documents holds the process page's documents section: the
// checklist (requested and usual documents with their state), uploads with
// a progress bar per file (static/js/documents.js), download, replace and
// delete for brokers; the request form and each upload's review for staff.
package documents

import (
	"context"
	"strconv"
	"strings"

	"portal/components"
	"portal/components/i18n"
	"portal/models"
)

// View is the documents section of the process page.
type View struct {
	ProcessUUID string
	Viewer      *models.Principal
	Checklist   *models.DocumentChecklist
	// Open: the process still takes uploads, replacements and deletions
	// (models.AcceptsDocuments); the service decides, the page only offers.
	Open     bool
	MaxBytes int64 // one document's limit, told on the page and checked by the script before sending

	Types     map[int]string // document type id -> its description
	Groups    []TypeGroup    // the document types by category, for the selects
	Borrowers []Borrower

	// A refused change, re-rendered in place (the section opens).
	Error   string            // the refusal above the section (a conflict, a file too large)
	Upload  Form              // the upload form as posted (Target: which line's form)
	Request RequestForm       // the staff request form as posted
	Review  map[string]string // document UUID -> the refused review's reason error
	Reasons map[string]string // document UUID -> the reason as posted
}

// Form is a refused upload or replacement: its field messages and values.
type Form struct {
	Target string            // "" the general form, else the checklist line's key or the replaced document's UUID
	Fields map[string]string // field name -> message
	Values map[string]string
}

// RequestForm is a refused request: the rows as posted and their errors.
type RequestForm struct {
	Note      string
	NoteError string
	Rows      []RequestRow
	Error     string // a message not about one row
}

// RequestRow is one requested document of the request form.
type RequestRow struct {
	TypeID       int
	BorrowerUUID string
	Note         string
	TypeError    string
	NoteError    string
	BorrowerErr  string
}

// TypeGroup is a category of document types (an optgroup).
type TypeGroup struct {
	Label string
	Types []TypeOption
}

type TypeOption struct {
	ID    int
	Label string
}

// Borrower is a borrower of the process, for the selects.
type Borrower struct {
	UUID, Name string
}

// Line is a checklist line with what the page shows about it.
type Line struct {
	models.ChecklistItem
	Key         string // unique on the page: the line's forms' ids
	Requested   bool
	RequestedBy string
	RequestNote string
}

// URLs.
func ProcessURL(uuid string) string  { return "/processes/" + uuid }
func UploadURL(uuid string) string   { return ProcessURL(uuid) + "/documents" }
func RequestURL(uuid string) string  { return ProcessURL(uuid) + "/document-requests" }
func DocumentURL(p, d string) string { return ProcessURL(p) + "/documents/" + d }
func ContentURL(p, d string) string  { return DocumentURL(p, d) + "/content" }
func ReplaceURL(p, d string) string  { return DocumentURL(p, d) + "/replace" }
func DeleteURL(p, d string) string   { return DocumentURL(p, d) + "/delete" }
func ReviewURL(p, d string) string   { return DocumentURL(p, d) + "/review" }
func SectionURL(uuid string) string  { return ProcessURL(uuid) + "#tab-documents" }
func itoa(n int) string              { return strconv.Itoa(n) }
func i64(n int64) string             { return strconv.FormatInt(n, 10) }
func (v View) IsBroker() bool        { return v.Viewer.IsBroker() }
func (v View) IsStaff() bool         { return v.Viewer.IsStaff() }
func (v View) CanUpload() bool       { return v.Open && v.Viewer.IsBroker() }
func (v View) CanRequest() bool      { return v.Open && v.Viewer.IsStaff() }
func (v View) HasError() bool {
	return v.Error != "" || v.Upload.Fields != nil || v.Request.HasErrors() || len(v.Review) > 0
}
func (f RequestForm) HasErrors() bool { return f.Error != "" || f.NoteError != "" || f.rowErrors() }

func (f RequestForm) rowErrors() bool {
	for _, r := range f.Rows {
		if r.TypeError != "" || r.NoteError != "" || r.BorrowerErr != "" {
			return true
		}
	}
	return false
}

// RequestRows are the request form's rows: as posted, else three empty
// ones (the script adds more).
func (v View) RequestRows() []RequestRow {
	if len(v.Request.Rows) > 0 {
		return v.Request.Rows
	}
	return make([]RequestRow, 3)
}

// Lines are the checklist's lines, requested ones first.
func (v View) Lines() []Line {
	if v.Checklist == nil {
		return nil
	}
	reqs := map[string]models.DocumentRequestView{}
	for _, r := range v.Checklist.Requests {
		reqs[r.Request.UUID] = r
	}
	out := make([]Line, 0, len(v.Checklist.Items))
	for i, it := range v.Checklist.Items {
		l := Line{ChecklistItem: it, Key: "line-" + strconv.Itoa(i), Requested: it.RequestItemUUID != ""}
		if r, ok := reqs[it.RequestUUID]; ok {
			l.RequestedBy, l.RequestNote = r.Request.RequestedByName, r.Request.Note
		}
		out = append(out, l)
	}
	return out
}

// TypeName is a document type's description ("—" when unknown).
func (v View) TypeName(id int) string {
	if s, ok := v.Types[id]; ok {
		return s
	}
	return "—"
}

// BorrowerName names the borrower a line or document is about, or the
// process as a whole.
func (v View) BorrowerName(ctx context.Context, uuid, name string) string {
	if uuid == "" {
		return i18n.T(ctx, "documents.whole_process")
	}
	if name != "" {
		return name
	}
	for _, b := range v.Borrowers {
		if b.UUID == uuid {
			return b.Name
		}
	}
	return "—"
}

// Value is a posted value of the upload form aimed at target.
func (v View) Value(target, name string) string {
	if v.Upload.Target != target {
		return ""
	}
	return v.Upload.Values[name]
}

// FieldError is the upload form's message for a field, when target's form
// was the one refused.
func (v View) FieldError(target, name string) string {
	if v.Upload.Target != target {
		return ""
	}
	return v.Upload.Fields[name]
}

// StateText is a state in the user's language.
func StateText(ctx context.Context, s models.DocumentState) string {
	switch s {
	case models.DocumentUploaded:
		return i18n.T(ctx, "documents.state_uploaded")
	case models.DocumentAccepted:
		return i18n.T(ctx, "documents.state_accepted")
	case models.DocumentRejected:
		return i18n.T(ctx, "documents.state_rejected")
	}
	return i18n.T(ctx, "documents.state_missing")
}

// StateClass is the badge of a state.
func StateClass(s models.DocumentState) string {
	switch s {
	case models.DocumentUploaded:
		return "badge bg-amber-100 text-amber-900"
	case models.DocumentAccepted:
		return "badge bg-green-100 text-green-800"
	case models.DocumentRejected:
		return "badge bg-red-100 text-red-800"
	}
	return "badge bg-gray-100 text-gray-800"
}

// Changeable tells whether a broker may still replace or delete d.
func (v View) Changeable(d *models.Document) bool {
	return d != nil && v.CanUpload() && d.State != models.DocumentAccepted
}

// Size is a file size for people ("1,2 MB").
func Size(ctx context.Context, n int64) string {
	switch {
	case n >= 1<<20:
		return i18n.T(ctx, "documents.size_mb", map[string]any{"N": decimal(ctx, float64(n)/(1<<20))})
	case n >= 1<<10:
		return i18n.T(ctx, "documents.size_kb", map[string]any{"N": decimal(ctx, float64(n)/(1<<10))})
	}
	return i18n.N(ctx, "documents.size_bytes", int(n))
}

func decimal(ctx context.Context, f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if i18n.From(ctx) != i18n.EN {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Accept is the file input's accept attribute: the allowed types (the
// server decides by the content, this only helps the picker).
func Accept() string {
	return strings.Join(append([]string{".pdf", ".jpg", ".jpeg", ".png", ".heic", ".webp"}, models.AllowedDocumentTypes...), ",")
}

// Uploaded is when and by whom d was uploaded.
func Uploaded(ctx context.Context, d *models.Document) string {
	return i18n.T(ctx, "documents.uploaded_by", map[string]any{"When": components.DateTime(ctx, d.CreatedAt), "Who": components.OrDash(d.UploadedByName)})
}

// Others are the documents no checklist line shows.
func (v View) Others() []models.Document {
	if v.Checklist == nil {
		return nil
	}
	shown := map[string]bool{}
	for _, it := range v.Checklist.Items {
		if it.Document != nil {
			shown[it.Document.UUID] = true
		}
	}
	var out []models.Document
	for _, d := range v.Checklist.Documents {
		if !shown[d.UUID] {
			out = append(out, d)
		}
	}
	return out
}

func optInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// MissingCount is the tab's badge: the lines still waiting for the broker
// (missing or rejected); "" when none.
func MissingCount(v View) string {
	n := 0
	for _, l := range v.Lines() {
		if l.State == models.DocumentMissing || l.State == models.DocumentRejected {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// ScriptClasses are the classes static/js/documents.js puts on the rows it
// makes and the drop zone it highlights: named here so that Tailwind,
// which scans the views and not the scripts, builds them.
const ScriptClasses = "rounded-md border border-gray-200 bg-white p-2 text-left text-sm break-all font-medium text-gray-900 " +
	"mt-1 h-2 w-full text-xs text-gray-700 text-green-800 text-red-800 border-brand-500 bg-brand-50 space-y-2"

// The review forms' decisions (the posted "decision" field).
const (
	DecisionAccept = "accept"
	DecisionReject = "reject"
)
