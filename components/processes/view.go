// Package processes holds the process list and process page views.
package processes

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portal/components"
	"portal/components/callbacks"
	"portal/components/documents"
	"portal/components/i18n"
	"portal/components/threads"
	"portal/models"
)

// ListView is the process list page (and its htmx fragment).
type ListView struct {
	Page        components.Page
	Q           string
	Status      int
	Result      *models.ProcessPage
	Unread      map[string]int         // unread messages per process for the viewer
	Statuses    []Option               // the status filter's choices (workflow-states/proposal)
	StatusNames components.StatusNames // the same states' descriptions, for the rows
	ShowFirm    bool                   // staff see every firm
	Error       string                 // a filter the service refused
	// Callbacks: the broker's partner's disabled callbacks (the notice
	// above the list; empty for everyone else).
	Callbacks callbacks.NoticeView
	// The staff list (/staff/processes, stafflist.templ): its address
	// ("" is /processes) and its further filters.
	Path  string
	Firm  string // a firm's UUID
	Idle  int    // days without action (IdleChoices)
	Firms []models.FirmOption
	Now   time.Time // each row's ESIS validity is as at Now
}

func (v ListView) query(extra ...string) string {
	q := url.Values{}
	if v.Q != "" {
		q.Set("q", v.Q)
	}
	if v.Status != 0 {
		q.Set("status", strconv.Itoa(v.Status))
	}
	if v.Firm != "" {
		q.Set("firm", v.Firm)
	}
	if v.Idle != 0 {
		q.Set("idle", strconv.Itoa(v.Idle))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	path := v.Path
	if path == "" {
		path = "/processes"
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// NextURL is the older page, "" when this is the last.
func (v ListView) NextURL() string {
	if v.Result == nil || v.Result.NextCursor == "" {
		return ""
	}
	return v.query("after", v.Result.NextCursor)
}

// PrevURL is the newer page, "" on the first.
func (v ListView) PrevURL() string {
	if v.Result == nil || v.Result.PrevCursor == "" {
		return ""
	}
	return v.query("before", v.Result.PrevCursor)
}

func (v ListView) Filtered() bool { return v.Q != "" || v.Status != 0 || v.Firm != "" || v.Idle != 0 }

func (v ListView) Columns() int {
	if v.ShowFirm {
		return 7
	}
	return 6
}

// Option is one choice of a select.
type Option struct {
	ID    int
	Label string
}

// DetailView is the process page.
type DetailView struct {
	Page   components.Page
	Detail *models.ProcessDetail
	Thread threads.ThreadView
	// Tax describes the other reference values (borrowers' data, the
	// property's location, the timeline's reasons).
	Tax    *models.Taxonomy
	Viewer *models.Principal
	// Cancel is the broker's cancel form (refused when CancelOpen).
	Cancel     Form
	CancelOpen bool

	// Descriptions of the process's reference values (from the taxonomy).
	LoanPurpose, ProductScheme, ProductPurpose, Typology string
	StatusNames                                          components.StatusNames
	Decide                                               *DecideView // the bank's decisions (staff only)
	// Documents is the documents tab (documents.Section); nil leaves it out.
	Documents *documents.View
}

func ProcessURL(uuid string) string { return "/processes/" + uuid }

// BackURL is the list the viewer came from: the firm's for brokers, every
// firm's for the bank.
func (v DetailView) BackURL() string {
	if v.Viewer.IsStaff() {
		return "/staff/processes"
	}
	return "/processes"
}

// Heading names a process: the process page's heading and title.
func Heading(ctx context.Context, number int64) string {
	return i18n.T(ctx, "processes.heading", map[string]any{"Number": number})
}

// columns are the list's column headings, looked up once per page: every
// row repeats them (data-label, for the stacked layout on small screens).
type columns struct {
	Number, Borrower, Firm, Amount, Status, Esis, LastAction, Unread string
}

func columnLabels(ctx context.Context) columns {
	return columns{
		Number:     i18n.T(ctx, "processes.col_number"),
		Borrower:   i18n.T(ctx, "processes.col_borrower"),
		Firm:       i18n.T(ctx, "processes.col_firm"),
		Amount:     i18n.T(ctx, "processes.col_amount"),
		Status:     i18n.T(ctx, "processes.col_status"),
		Esis:       i18n.T(ctx, "validity.col_esis"),
		LastAction: i18n.T(ctx, "processes.col_last_action"),
		Unread:     i18n.T(ctx, "processes.col_unread"),
	}
}

// count is the list's total: "12 processes", or a lower bound when the
// service stopped counting.
func count(ctx context.Context, r *models.ProcessPage) string {
	if r.TotalCapped {
		return i18n.N(ctx, "processes.count_capped", int(r.Total))
	}
	return i18n.N(ctx, "processes.count", int(r.Total))
}

func BorrowerType(ctx context.Context, b models.Borrower) string {
	if b.IsKey() {
		return i18n.T(ctx, "processes.key_borrower")
	}
	return i18n.T(ctx, "processes.borrower")
}

func yesNo(ctx context.Context, b bool) string {
	if b {
		return i18n.T(ctx, "processes.yes")
	}
	return i18n.T(ctx, "processes.no")
}

func intOrDash(p *int) string {
	if p == nil {
		return "—"
	}
	return strconv.Itoa(*p)
}

func moneyOrDash(ctx context.Context, p *int64) string {
	if p == nil {
		return "—"
	}
	return components.Money(ctx, *p)
}

func areaText(p *int) string {
	if p == nil {
		return "—"
	}
	return strconv.Itoa(*p) + " m²"
}

// Editable tells whether the process is still "In creation": the only
// status in which the broker edits it (the service enforces it).
func (v DetailView) Editable() bool { return v.Detail.Process.StatusID == models.StatusInCreation }

// Cancellable tells whether the viewer may cancel the process now.
func (v DetailView) Cancellable() bool {
	return v.Viewer != nil && models.CanMove(v.Detail.Process.StatusID, models.StatusCancelled, v.Viewer.Kind)
}

// desc is the description of a reference value in the page's language.
func (v DetailView) desc(ctx context.Context, list string, id *int) string {
	return describePtr(ctx, v.Tax, list, id)
}

// timelineText says what a timeline entry is.
func (v DetailView) timelineText(ctx context.Context, e models.TimelineEntry) string {
	switch e.Kind {
	case models.TimelineStatus:
		if e.FromStatus == 0 {
			return i18n.T(ctx, "processform.tl_created_as", map[string]any{"To": v.StatusNames.Text(e.ToStatus)})
		}
		return i18n.T(ctx, "processform.tl_status", map[string]any{"From": v.StatusNames.Text(e.FromStatus), "To": v.StatusNames.Text(e.ToStatus)})
	case models.TimelineMessage:
		if e.Subject == "" {
			return i18n.T(ctx, "processform.tl_message_no_subject")
		}
		return i18n.T(ctx, "processform.tl_message", map[string]any{"Subject": e.Subject})
	}
	what := i18n.T(ctx, "processform.what."+e.What)
	if e.Subject != "" {
		return what + ": " + e.Subject
	}
	return what
}

// reasonText is a status change's reason: a reject reason when the
// process was rejected, else a cancel reason.
func (v DetailView) reasonText(ctx context.Context, e models.TimelineEntry) string {
	list := "proposal-cancel-reasons"
	if e.ToStatus == models.StatusRejected {
		list = "proposal-reject-reasons"
	}
	id := e.ReasonID
	return components.OrDash(describePtr(ctx, v.Tax, list, &id))
}

// sideText names the side of the process an actor is on.
func sideText(ctx context.Context, k models.AuthorKind) string {
	if k == models.AuthorBank {
		return i18n.T(ctx, "processform.side_bank")
	}
	return i18n.T(ctx, "processform.side_broker")
}

// dateOrDash shows a stored YYYY-MM-DD date through the formatter.
func dateOrDash(ctx context.Context, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return components.OrDash(s)
	}
	return components.Date(ctx, t)
}

// joinText joins the parts that are not empty.
func joinText(a, b, sep string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + sep + b
}
