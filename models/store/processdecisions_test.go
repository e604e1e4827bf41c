package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// completeProcess creates a process as ctx's broker with everything Submit
// needs: a key borrower, a co-borrower and a located property.
func completeProcess(t *testing.T, s *store.Store, ctx context.Context) *models.Process {
	t.Helper()
	p, prop := newProcess(t, s, ctx)
	_, err := s.CreateBorrower(ctx, p.UUID, keyBorrowerInput())
	storetest.Must(t, err, "key borrower")
	_, err = s.CreateBorrower(ctx, p.UUID, models.BorrowerInput{Name: "Rui Rocha", KeyBorrowerRelationID: ip(1),
		BirthDate: "1983-01-02", TaxID: "200000004"})
	storetest.Must(t, err, "co-borrower")
	_, err = s.UpdateProperty(ctx, p.UUID, prop.UUID, propertyInput())
	storetest.Must(t, err, "property")
	return p
}

func fieldNames(err error) []string {
	var out []string
	for _, f := range models.AsError(err).Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestSubmitProcess(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		p, prop := newProcess(t, s, w.ana)

		// An empty process lacks its key borrower and its property's place.
		check, err := s.CheckSubmit(w.marta, p.UUID)
		storetest.Must(t, err, "check")
		want := []string{"keyBorrower", "property.districtId", "property.countyId", "property.parishId", "property.acquisitionAmount"}
		if got := storetest.Map(check, func(f models.FieldError) string { return f.Field }); !slices.Equal(got, want) {
			t.Fatalf("check %v, want %v", got, want)
		}
		_, err = s.SubmitProcess(w.ana, p.UUID)
		wantWork(t, err, models.CodeInvalid, want...)
		if reloadProcess(t, s, p.UUID).StatusID != models.StatusInCreation {
			t.Fatal("an incomplete process was submitted")
		}

		// A key borrower without the data Submit needs, a co-borrower without a relation.
		key, err := s.CreateBorrower(w.ana, p.UUID, models.BorrowerInput{Name: "Carla", TaxID: "123456789"})
		storetest.Must(t, err, "key")
		_, err = s.CreateBorrower(w.ana, p.UUID, models.BorrowerInput{Name: "Rui", BirthDate: "1980-01-01", TaxID: "200000004"})
		storetest.Must(t, err, "co")
		_, err = s.SubmitProcess(w.ana, p.UUID)
		wantWork(t, err, models.CodeInvalid, "keyBorrower.birthDate", "keyBorrower.identificationDocumentTypeId",
			"keyBorrower.identificationDocumentNumber", "keyBorrower.identificationDocumentExpiryDate", "keyBorrower.nationalityId",
			"keyBorrower.maritalStatusId", "keyBorrower.residenceTypeId", "keyBorrower.mobile", "keyBorrower.professionId",
			"keyBorrower.employmentSituationId", "keyBorrower.incomeWagesPensions", "borrower[2].keyBorrowerRelationId",
			"property.districtId", "property.countyId", "property.parishId", "property.acquisitionAmount")

		_, err = s.UpdateBorrower(w.ana, p.UUID, key.UUID, keyBorrowerInput())
		storetest.Must(t, err, "complete key")
		bs, err := s.ListBorrowers(w.ana, p.UUID)
		storetest.Must(t, err, "borrowers")
		in := models.BorrowerInput{Name: "Rui", BirthDate: "1980-01-01", TaxID: "200000004", KeyBorrowerRelationID: ip(1)}
		_, err = s.UpdateBorrower(w.ana, p.UUID, bs[1].UUID, in)
		storetest.Must(t, err, "complete co")
		_, err = s.UpdateProperty(w.ana, p.UUID, prop.UUID, propertyInput())
		storetest.Must(t, err, "property")
		if check, err := s.CheckSubmit(w.ana, p.UUID); err != nil || len(check) != 0 {
			t.Fatalf("complete process: check %v %v", check, err)
		}

		// Others cannot submit it.
		_, err = s.SubmitProcess(w.rui, p.UUID)
		wantWork(t, err, models.CodeNotFound)
		_, err = s.SubmitProcess(w.marta, p.UUID)
		wantWork(t, err, models.CodeForbidden)
		_, err = s.CheckSubmit(w.rui, p.UUID)
		wantWork(t, err, models.CodeNotFound)

		before := reloadProcess(t, s, p.UUID)
		got, err := s.SubmitProcess(w.joao, p.UUID)
		storetest.Must(t, err, "submit")
		after := reloadProcess(t, s, p.UUID)
		if got.StatusID != models.StatusSubmitted || after.StatusID != models.StatusSubmitted || !after.LastActionAt.After(before.LastActionAt) {
			t.Fatalf("submitted %+v, stored %+v", got, after)
		}
		_, err = s.SubmitProcess(w.ana, p.UUID)
		wantWork(t, err, models.CodeConflict)

		// The status change is recorded with its actor, and told (outbox).
		d, err := s.GetProcess(w.ana, p.UUID)
		storetest.Must(t, err, "get")
		last := d.History[len(d.History)-1]
		if last.FromStatus == nil || *last.FromStatus != 1 || last.ToStatus != 2 || last.ActorName != "João Costa" ||
			last.ActorKind != models.AuthorBroker {
			t.Errorf("history %+v", last)
		}
		var kinds []string
		storetest.Must(t, s.DB().Raw("SELECT kind FROM outbox_events WHERE subject_uuid = ? ORDER BY id", p.UUID).Scan(&kinds).Error, "outbox")
		if !slices.Equal(kinds, []string{"process.status_changed", "process.status_changed"}) {
			t.Errorf("outbox %v: want the creation and the submission", kinds)
		}
	})
}

func TestCancelProcess(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		p, _ := newProcess(t, s, w.ana)
		_, err := s.CancelProcess(w.ana, p.UUID, models.CancelInput{})
		wantWork(t, err, models.CodeInvalid, "cancelReasonId")
		_, err = s.CancelProcess(w.ana, p.UUID, models.CancelInput{ReasonID: 99})
		wantWork(t, err, models.CodeInvalid, "cancelReasonId")
		_, err = s.CancelProcess(w.rui, p.UUID, models.CancelInput{}) // not found wins
		wantWork(t, err, models.CodeNotFound)
		_, err = s.CancelProcess(w.maria, p.UUID, models.CancelInput{ReasonID: 1})
		wantWork(t, err, models.CodeForbidden)
		got, err := s.CancelProcess(w.ana, p.UUID, models.CancelInput{ReasonID: 6, Comment: " Duplicate of another. "})
		storetest.Must(t, err, "cancel")
		if got.StatusID != models.StatusCancelled {
			t.Fatalf("cancelled %+v", got)
		}
		d, err := s.GetProcess(w.marta, p.UUID)
		storetest.Must(t, err, "get")
		last := d.History[len(d.History)-1]
		if last.ReasonID == nil || *last.ReasonID != 6 || last.Comment != "Duplicate of another." {
			t.Errorf("history %+v", last)
		}
		_, err = s.CancelProcess(w.ana, p.UUID, models.CancelInput{ReasonID: 1})
		wantWork(t, err, models.CodeConflict)

		// Brokers cancel until the bank has decided; staff until it is final.
		byStatus := map[int]models.Process{}
		for _, p := range w.scoped(w.lisboa.ID, nil) {
			if _, ok := byStatus[p.StatusID]; !ok {
				byStatus[p.StatusID] = p
			}
		}
		_, err = s.CancelProcess(w.ana, byStatus[models.StatusApproved].UUID, models.CancelInput{ReasonID: 1})
		wantWork(t, err, models.CodeConflict)
		_, err = s.CancelProcess(w.ana, byStatus[models.StatusPendingDocuments].UUID, models.CancelInput{ReasonID: 1})
		storetest.Must(t, err, "broker cancels pending documents")
		_, err = s.CancelProcess(w.marta, byStatus[models.StatusApproved].UUID, models.CancelInput{ReasonID: 4})
		storetest.Must(t, err, "staff cancel approved")
		_, err = s.CancelProcess(w.marta, byStatus[models.StatusContracted].UUID, models.CancelInput{ReasonID: 4})
		wantWork(t, err, models.CodeConflict)
	})
}

func TestMoveProcess(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		p := completeProcess(t, s, w.ana)
		move := func(ctx context.Context, tr models.ProcessTransition) error {
			_, err := s.MoveProcess(ctx, p.UUID, tr)
			return err
		}
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusInAnalysis}), models.CodeConflict) // not submitted
		_, err := s.SubmitProcess(w.ana, p.UUID)
		storetest.Must(t, err, "submit")

		wantWork(t, move(w.ana, models.ProcessTransition{ToStatusID: models.StatusInAnalysis}), models.CodeForbidden)
		wantWork(t, move(w.anon, models.ProcessTransition{ToStatusID: models.StatusInAnalysis}), models.CodeUnauthorized)
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusApproved}), models.CodeConflict) // analysis first
		err = move(w.marta, models.ProcessTransition{FromStatusID: models.StatusInAnalysis, ToStatusID: models.StatusApproved})
		wantWork(t, err, models.CodeConflict) // the user saw another status
		if models.AsError(err).Key != "process.moved" {
			t.Errorf("key %q", models.AsError(err).Key)
		}
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusInAnalysis, ReasonID: 1}), models.CodeInvalid, "reasonId")
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: 42}), models.CodeInvalid, "toStatusId")

		got, err := s.MoveProcess(w.marta, p.UUID, models.ProcessTransition{FromStatusID: models.StatusSubmitted,
			ToStatusID: models.StatusInAnalysis, Comment: "Analysis started."})
		storetest.Must(t, err, "analysis")
		if got.StatusID != models.StatusInAnalysis {
			t.Fatalf("moved %+v", got)
		}
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusRejected}), models.CodeInvalid, "reasonId")
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusRejected, ReasonID: 12}), models.CodeInvalid, "reasonId")
		storetest.Must(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusPendingDocuments, Comment: "Payslips, please."}), "pending")
		storetest.Must(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusInAnalysis}), "back to analysis")
		storetest.Must(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusRejected, ReasonID: 1, Comment: "DSTI"}), "reject")
		wantWork(t, move(w.marta, models.ProcessTransition{ToStatusID: models.StatusInAnalysis}), models.CodeConflict) // final

		d, err := s.GetProcess(w.ana, p.UUID)
		storetest.Must(t, err, "get")
		var path []int
		for _, h := range d.History {
			path = append(path, h.ToStatus)
		}
		if !slices.Equal(path, []int{1, 2, 3, 4, 3, 7}) {
			t.Errorf("path %v", path)
		}
		last := d.History[len(d.History)-1]
		if last.ReasonID == nil || *last.ReasonID != 1 || last.ActorKind != models.AuthorBank || last.ActorName != "Marta Santos" || last.Comment != "DSTI" {
			t.Errorf("rejection %+v", last)
		}
		// Porto's processes are the bank's too, but a foreign bank's would not be: staff see their bank's.
		_, err = s.MoveProcess(w.marta, "00000000-0000-4000-8000-000000000000", models.ProcessTransition{ToStatusID: 3})
		wantWork(t, err, models.CodeNotFound)
	})
}

// TestConcurrentDecisions: two staff decide on the same process at once:
// one wins, the other gets a conflict, and one status change is recorded.
func TestConcurrentDecisions(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		nuno := storetest.AsUser(t, s, nunoEmail)
		for round := 0; round < 5; round++ {
			p := completeProcess(t, s, w.ana)
			_, err := s.SubmitProcess(w.ana, p.UUID)
			storetest.Must(t, err, "submit")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			tos := []int{models.StatusInAnalysis, models.StatusRejected}
			for i, ctx := range []context.Context{w.marta, nuno} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tr := models.ProcessTransition{FromStatusID: models.StatusSubmitted, ToStatusID: tos[i]}
					if tos[i] == models.StatusRejected {
						tr.ReasonID = 1
					}
					_, errs[i] = s.MoveProcess(ctx, p.UUID, tr)
				}()
			}
			wg.Wait()
			ok, conflicts := 0, 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if models.ErrorCode(err) == models.CodeConflict {
					conflicts++
				} else {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if ok != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d moves, %d conflicts (%v)", round, ok, conflicts, errs)
			}
			var n int64
			storetest.Must(t, s.DB().Model(&models.ProcessStatusChange{}).Where("process_id = ? AND from_status = 2", p.ID).Count(&n).Error, "count")
			if n != 1 {
				t.Fatalf("round %d: %d status changes from submitted", round, n)
			}
		}
	})
}

func TestTimeline(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		p := completeProcess(t, s, w.ana)
		_, err := s.PostMessage(w.ana, p.UUID, models.NewMessage{Subject: "Documents", Text: "secret text"})
		storetest.Must(t, err, "post")
		bs, err := s.ListBorrowers(w.ana, p.UUID)
		storetest.Must(t, err, "borrowers")
		storetest.Must(t, s.DeleteBorrower(w.ana, p.UUID, bs[1].UUID), "delete")
		_, err = s.SubmitProcess(w.ana, p.UUID)
		storetest.Must(t, err, "submit")
		_, err = s.MoveProcess(w.marta, p.UUID, models.ProcessTransition{ToStatusID: models.StatusInAnalysis, Comment: "Starting."})
		storetest.Must(t, err, "move")

		tl, err := s.Timeline(w.ana, p.UUID)
		storetest.Must(t, err, "timeline")
		type line struct {
			Kind, What, Subject, Actor string
			Side                       models.AuthorKind
			From, To                   int
			Comment                    string
		}
		var got []line
		for i, e := range tl {
			got = append(got, line{e.Kind, e.What, e.Subject, e.ActorName, e.ActorKind, e.FromStatus, e.ToStatus, e.Comment})
			if i > 0 && e.At.Before(tl[i-1].At) {
				t.Errorf("entry %d at %v is before entry %d at %v", i, e.At, i-1, tl[i-1].At)
			}
		}
		want := []line{
			{"status", "", "", "Ana Silva", "broker", 0, 1, ""},
			{"edit", "borrower.added", "Carla Mendes Rocha", "Ana Silva", "broker", 0, 0, ""},
			{"edit", "borrower.added", "Rui Rocha", "Ana Silva", "broker", 0, 0, ""},
			{"edit", "property.updated", "", "Ana Silva", "broker", 0, 0, ""},
			{"message", "", "Documents", "Ana Silva", "broker", 0, 0, ""},
			{"edit", "borrower.removed", "Rui Rocha", "Ana Silva", "broker", 0, 0, ""},
			{"status", "", "", "Ana Silva", "broker", 1, 2, ""},
			{"status", "", "", "Marta Santos", "bank", 2, 3, "Starting."},
		}
		if !slices.Equal(got, want) {
			t.Errorf("timeline\n%+v\nwant\n%+v", got, want)
		}
		for _, e := range tl {
			if e.Comment == "secret text" || e.Subject == "secret text" {
				t.Error("the timeline carries a message's text")
			}
		}
		// The process page shows the same.
		d, _, err := s.ProcessPage(w.marta, p.UUID, models.ThreadQuery{})
		storetest.Must(t, err, "page")
		if len(d.Timeline) != len(tl) || len(d.History) != 3 {
			t.Errorf("page timeline %d entries, history %d", len(d.Timeline), len(d.History))
		}
		_, err = s.Timeline(w.rui, p.UUID)
		wantWork(t, err, models.CodeNotFound)
	})
}

// TestProcessWorkCounts: creating, submitting and deciding keep the list
// totals (process_counts) exact.
func TestProcessWorkCounts(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		total := func(ctx context.Context, status int) int64 {
			page, err := s.ListProcesses(ctx, models.ProcessFilter{StatusID: status, Limit: 1})
			storetest.Must(t, err, "list")
			return page.Total
		}
		all, creating, submitted := total(w.ana, 0), total(w.ana, 1), total(w.marta, 2)
		p := completeProcess(t, s, w.ana)
		if total(w.ana, 0) != all+1 || total(w.ana, 1) != creating+1 {
			t.Errorf("after create: %d/%d, want %d/%d", total(w.ana, 0), total(w.ana, 1), all+1, creating+1)
		}
		_, err := s.SubmitProcess(w.ana, p.UUID)
		storetest.Must(t, err, "submit")
		if total(w.ana, 1) != creating || total(w.marta, 2) != submitted+1 {
			t.Errorf("after submit: %d/%d", total(w.ana, 1), total(w.marta, 2))
		}
		// The new process leads the list: its last action is the newest.
		page, err := s.ListProcesses(w.ana, models.ProcessFilter{Limit: 1})
		storetest.Must(t, err, "list")
		if page.Items[0].UUID != p.UUID || page.Items[0].KeyBorrowerName != "Carla Mendes Rocha" {
			t.Errorf("first row %+v", page.Items[0])
		}
	})
}

// TestTimelineMessagesCapped: a long thread shows in the timeline with its
// newest MaxTimelineMessages messages only.
func TestTimelineMessagesCapped(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newProcessWorld(t, s)
		var busy struct {
			UUID         string
			MessageCount int64
		}
		storetest.Must(t, s.DB().Raw(`SELECT p.uuid, th.message_count FROM processes p JOIN threads th ON th.process_id = p.id
			WHERE p.broker_id = ? ORDER BY th.message_count DESC LIMIT 1`, w.lisboa.ID).Scan(&busy).Error, "busy thread")
		if busy.MessageCount <= 60 {
			t.Fatalf("longest demo thread %d messages", busy.MessageCount)
		}
		// Past the cap: posts by two users (each under the posting limit).
		for i := int(busy.MessageCount); i <= models.MaxTimelineMessages; i++ {
			ctx := w.ana
			if i%2 == 0 {
				ctx = w.marta
			}
			_, err := s.PostMessage(ctx, busy.UUID, models.NewMessage{Subject: fmt.Sprint("Update ", i), Text: "more"})
			storetest.Must(t, err, "post %d", i)
		}
		tl, err := s.Timeline(w.ana, busy.UUID)
		storetest.Must(t, err, "timeline")
		var subjects []string
		n := 0
		for _, e := range tl {
			if e.Kind == models.TimelineMessage {
				n++
				subjects = append(subjects, e.Subject)
			}
		}
		var newest string
		storetest.Must(t, s.DB().Raw(`SELECT m.subject FROM messages m JOIN processes p ON p.id = m.process_id
			WHERE p.uuid = ? ORDER BY m.seq DESC LIMIT 1`, busy.UUID).Scan(&newest).Error, "newest")
		if n != models.MaxTimelineMessages || subjects[len(subjects)-1] != newest {
			t.Errorf("%d messages in the timeline, last %q (newest %q): want the newest %d", n, subjects[len(subjects)-1],
				newest, models.MaxTimelineMessages)
		}
	})
}
