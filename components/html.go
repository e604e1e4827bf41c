package components

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// Text is an element's text, escaped as templ escapes { expr }. The code
// templ generates for { expr } runs fmt.Sprint on every value (two
// allocations each); @components.Text(s) calls this method directly, so the
// hot rows (the process list, the thread) write their cells without them.
type Text string

func (t Text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}

// StatusBadge is a workflow state's badge, <span class="StatusClass(id)"
// data-testid="testID">text</span>, as templ writes it from class={ … }
// without its CSS class processor (a builder and a map per badge).
func StatusBadge(id int, text, testID string) statusBadge {
	return statusBadge{id, text, testID}
}

type statusBadge struct {
	id           int
	text, testID string
}

func (b statusBadge) Render(_ context.Context, w io.Writer) error {
	for _, s := range [...]string{`<span class="`, templ.EscapeString(StatusClass(b.id)), `" data-testid="`,
		templ.EscapeString(b.testID), `">`, templ.EscapeString(b.text), `</span>`} {
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
	}
	return nil
}
