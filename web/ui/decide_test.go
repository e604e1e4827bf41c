package ui_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portal/models"
	"portal/models/store"
	"portal/web/webtest"
)

// processIn returns a demo process of the firm with broker uid, put in
// status (its counters follow by trigger).
func processIn(t *testing.T, s *webtest.Server, brokerUID string, status, nth int) string {
	t.Helper()
	var ids []string
	err := s.Store.DB().Raw(`SELECT p.uuid FROM processes p JOIN broker_firms f ON f.id = p.broker_id
		WHERE f.broker_uid = ? ORDER BY p.process_number`, brokerUID).Scan(&ids).Error
	if err != nil || len(ids) <= nth {
		t.Fatalf("no process %d for %s: %v", nth, brokerUID, err)
	}
	if err := s.Store.DB().Exec("UPDATE processes SET status_id = ? WHERE uuid = ?", status, ids[nth]).Error; err != nil {
		t.Fatal(err)
	}
	return ids[nth]
}

func statusOf(t *testing.T, s *webtest.Server, id string) int {
	t.Helper()
	var n int
	if err := s.Store.DB().Raw("SELECT status_id FROM processes WHERE uuid = ?", id).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// offered are the moves the page's decision panel offers, by target status.
func offered(doc *goquery.Document) []int {
	var out []int
	doc.Find(`[data-testid="decide-move"]`).Each(func(_ int, m *goquery.Selection) {
		n, _ := strconv.Atoi(m.AttrOr("data-status", ""))
		out = append(out, n)
	})
	return out
}

// firstReason is the first reason a move's form offers.
func firstReason(t *testing.T, doc *goquery.Document, to int) string {
	t.Helper()
	v := doc.Find(`[data-testid="decide-move"][data-status="`+strconv.Itoa(to)+`"] select[name="reasonId"] option[value!=""]`).First().AttrOr("value", "")
	if v == "" {
		t.Fatalf("the move to %d offers no reason", to)
	}
	return v
}

func decide(c *webtest.Client, id string, from, to int, reason, comment string) *webtest.Response {
	f := url.Values{"fromStatusId": {strconv.Itoa(from)}, "toStatusId": {strconv.Itoa(to)}, "comment": {comment}}
	if reason != "" {
		f.Set("reasonId", reason)
	}
	return c.PostForm("/processes/"+id+"/status", f)
}

// Every move the workflow offers staff works from the page's forms, each
// landing on its status with the comment in the process's history; the
// panel offers exactly models.NextStatuses.
func TestStaffDecisionsEachAllowedMove(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		m := s.Client(t)
		m.Login(marta)
		nth := 0
		for _, from := range models.ProcessStatusIDs {
			id := processIn(t, s, "BRK-LIS-001", from, nth)
			doc := m.Get("/processes/" + id).Doc(t)
			want := models.NextStatuses(from, models.KindStaff)
			if got := offered(doc); !slices.Equal(got, want) {
				t.Fatalf("from %d the panel offers %v, want %v", from, got, want)
			}
			if len(want) == 0 && doc.Find(`[data-testid="decide"]`).Length() != 1 {
				t.Fatalf("from %d: no decision panel at all", from)
			}
			for _, to := range want {
				id := processIn(t, s, "BRK-LIS-001", from, nth)
				nth++
				doc := m.Get("/processes/" + id).Doc(t)
				form := doc.Find(`[data-testid="decide-move"][data-status="` + strconv.Itoa(to) + `"] form`)
				if form.AttrOr("method", "") != "post" || form.AttrOr("action", "") != "/processes/"+id+"/status" ||
					form.Find(`input[name="fromStatusId"]`).AttrOr("value", "") != strconv.Itoa(from) {
					t.Fatalf("%d→%d: form %q %q", from, to, form.AttrOr("action", ""), form.Find(`input[name="fromStatusId"]`).AttrOr("value", ""))
				}
				reason := ""
				if to == models.StatusRejected || to == models.StatusCancelled {
					reason = firstReason(t, doc, to)
				}
				comment := "Decision " + strconv.Itoa(from) + " to " + strconv.Itoa(to) + " — ok"
				res := decide(m, id, from, to, reason, comment)
				if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/processes/"+id {
					t.Fatalf("%d→%d: %d %q\n%.400s", from, to, res.StatusCode, res.Header.Get("Location"), res.Body)
				}
				if got := statusOf(t, s, id); got != to {
					t.Fatalf("%d→%d: stored status %d", from, to, got)
				}
				page := m.Get("/processes/" + id).Doc(t)
				if !strings.Contains(page.Text(), comment) {
					t.Fatalf("%d→%d: the comment is not on the page", from, to)
				}
				if got := offered(page); !slices.Equal(got, models.NextStatuses(to, models.KindStaff)) {
					t.Fatalf("after %d→%d the panel offers %v", from, to, got)
				}
			}
		}
	})
}

func TestStaffDecisionRefusals(t *testing.T) {
	webtest.EachDialect(t, func(t *testing.T, s *webtest.Server) {
		m := s.Client(t)
		m.Login(marta)
		id := processIn(t, s, "BRK-LIS-001", models.StatusSubmitted, 0)

		// A rejection needs a reason: refused, nothing moved, the comment kept.
		res := decide(m, id, models.StatusSubmitted, models.StatusRejected, "", "Income not proven")
		if res.StatusCode != http.StatusUnprocessableEntity || statusOf(t, s, id) != models.StatusSubmitted {
			t.Fatalf("reject without a reason: %d, status %d", res.StatusCode, statusOf(t, s, id))
		}
		doc := res.Doc(t)
		move := doc.Find(`[data-testid="decide-move"][data-status="` + strconv.Itoa(models.StatusRejected) + `"]`)
		if _, open := move.Attr("open"); !open || !strings.Contains(move.Find(`[data-testid="field-error"]`).Text(), "Choose a reason") ||
			strings.TrimSpace(move.Find("textarea").Text()) != "Income not proven" {
			t.Fatalf("the refused rejection is not shown as posted:\n%s", move.Text())
		}
		// A cancellation too, and a reason of another list is not one.
		if res := decide(m, id, models.StatusSubmitted, models.StatusCancelled, "", "x"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("cancel without a reason: %d", res.StatusCode)
		}
		if res := decide(m, id, models.StatusSubmitted, models.StatusCancelled, "9999", "x"); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("cancel with an unknown reason: %d", res.StatusCode)
		}
		// A move that takes no reason refuses one.
		if res := decide(m, id, models.StatusSubmitted, models.StatusInAnalysis, "1", "x"); res.StatusCode != http.StatusUnprocessableEntity ||
			res.Doc(t).Find(`[data-testid="decide-error"]`).Text() == "" {
			t.Fatalf("in analysis with a reason: %d, no message", res.StatusCode)
		}
		// A comment over the limit is refused next to the comment.
		res = decide(m, id, models.StatusSubmitted, models.StatusInAnalysis, "", strings.Repeat("x", models.MaxTransitionComment+1))
		if res.StatusCode != http.StatusUnprocessableEntity ||
			res.Doc(t).Find(`[data-testid="decide-move"][data-status="3"] [data-testid="field-error"]`).Text() == "" {
			t.Fatalf("a long comment: %d", res.StatusCode)
		}

		// Someone else decides first: the stale form is a conflict that
		// shows the current status and keeps the comment.
		other := s.Client(t)
		other.Login("admin@bank.example")
		if res := decide(other, id, models.StatusSubmitted, models.StatusInAnalysis, "", "Taking it"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first decision: %d", res.StatusCode)
		}
		res = decide(m, id, models.StatusSubmitted, models.StatusInAnalysis, "", "My own analysis note")
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("stale decision: %d", res.StatusCode)
		}
		doc = res.Doc(t)
		if msg := doc.Find(`[data-testid="decide-error"]`).Text(); !strings.Contains(msg, "Someone else decided first") || !strings.Contains(msg, "In analysis") {
			t.Fatalf("conflict message %q", msg)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="process-status"]`).Text()); got != "In analysis" {
			t.Fatalf("the page shows status %q", got)
		}
		kept := 0
		doc.Find(`[data-testid="decide-move"] textarea`).Each(func(_ int, ta *goquery.Selection) {
			if strings.TrimSpace(ta.Text()) == "My own analysis note" {
				kept++
			}
		})
		if kept == 0 || !slices.Equal(offered(doc), models.NextStatuses(models.StatusInAnalysis, models.KindStaff)) {
			t.Fatalf("after the conflict: comment kept in %d forms, moves %v", kept, offered(doc))
		}
		if doc.Find(`input[name="fromStatusId"]`).First().AttrOr("value", "") != strconv.Itoa(models.StatusInAnalysis) {
			t.Fatal("the re-rendered forms do not carry the current status")
		}

		// A move the workflow does not offer is refused, nothing moves.
		res = decide(m, id, models.StatusInAnalysis, models.StatusContracted, "", "Straight to contract")
		if res.StatusCode != http.StatusConflict || statusOf(t, s, id) != models.StatusInAnalysis ||
			!strings.Contains(res.Doc(t).Find(`[data-testid="decide-error"]`).Text(), "not available") {
			t.Fatalf("move not offered: %d, status %d", res.StatusCode, statusOf(t, s, id))
		}
		// A form without the status it was shown for never moves the
		// process (the service answers it as a stale one); a missing process.
		if res := m.PostForm("/processes/"+id+"/status", url.Values{"toStatusId": {"4"}}); res.StatusCode != http.StatusConflict ||
			statusOf(t, s, id) != models.StatusInAnalysis {
			t.Fatalf("without fromStatusId: %d", res.StatusCode)
		}
		if res := decide(m, "00000000-0000-4000-8000-000000000000", 2, 3, "", ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("missing process: %d", res.StatusCode)
		}

		// Finally rejected: the panel says there is nothing more to decide.
		doc = m.Get("/processes/" + id).Doc(t)
		reason := firstReason(t, doc, models.StatusRejected)
		if res := decide(m, id, models.StatusInAnalysis, models.StatusRejected, reason, "Rejected, sorry"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reject: %d", res.StatusCode)
		}
		doc = m.Get("/processes/" + id).Doc(t)
		if len(offered(doc)) != 0 || !strings.Contains(doc.Find(`[data-testid="decide"]`).Text(), "final status") {
			t.Fatalf("a rejected process offers %v", offered(doc))
		}
		if !strings.Contains(doc.Text(), "The process is now Rejected.") {
			t.Error("no flash after the decision")
		}
	})
}

// Brokers see no panel and cannot post a decision, on their own process or
// another firm's; customers neither; nobody signed in is sent to sign in.
func TestStaffDecisionsAreForStaff(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	id := processIn(t, s, "BRK-LIS-001", models.StatusSubmitted, 0)
	for _, who := range []string{ana, rui, maria} {
		c := s.Client(t)
		c.Login(who)
		if who == ana {
			page := c.Get("/processes/" + id)
			if page.StatusCode != http.StatusOK || page.Doc(t).Find(`[data-testid="decide"]`).Length() != 0 {
				t.Fatalf("Ana's page: %d, with a decision panel", page.StatusCode)
			}
		}
		if res := decide(c, id, models.StatusSubmitted, models.StatusInAnalysis, "", "mine"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", who, res.StatusCode)
		}
	}
	if res := decide(s.Client(t), id, models.StatusSubmitted, models.StatusInAnalysis, "", ""); res.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("anonymous: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if statusOf(t, s, id) != models.StatusSubmitted {
		t.Fatal("a refused caller moved the process")
	}
}

// The broker sees the bank's decision and its comment on the process page.
func TestBrokerSeesTheDecision(t *testing.T) {
	s := webtest.New(t, store.SQLite)
	id := processIn(t, s, "BRK-LIS-001", models.StatusSubmitted, 0)
	m := s.Client(t)
	m.Login(marta)
	if res := decide(m, id, models.StatusSubmitted, models.StatusInAnalysis, "", "We are looking at the payslips."); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", res.StatusCode)
	}
	a := s.Client(t)
	a.Login(ana)
	doc := a.Get("/processes/" + id).Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="process-status"]`).Text()); got != "In analysis" {
		t.Fatalf("Ana sees status %q", got)
	}
	if !strings.Contains(doc.Text(), "We are looking at the payslips.") {
		t.Fatal("Ana does not see the bank's comment")
	}
	// Each goes back to the list they work from.
	if got := doc.Find(`[data-testid="back-to-list"]`).AttrOr("href", ""); got != "/processes" {
		t.Errorf("Ana's way back: %q", got)
	}
	if got := m.Get("/processes/"+id).Doc(t).Find(`[data-testid="back-to-list"]`).AttrOr("href", ""); got != "/staff/processes" {
		t.Errorf("Marta's way back: %q", got)
	}
	pt := s.ClientIn(t, "pt-PT")
	pt.Login(marta)
	if got := pt.Get("/processes/" + id).Doc(t).Find(`[data-testid="decide-h"], #decide-h`).Text(); got != "Decisão" {
		t.Errorf("Portuguese panel heading %q", got)
	}
}
