package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// threadWorld is the demo world for the thread tests. Each subtest takes
// its own processes without messages (fresh) and, where it posts a lot, its
// own accounts, so subtests never see each other's messages or rate limits.
type threadWorld struct {
	s                                  *store.Store
	lisboa, porto                      models.BrokerFirm
	ana, joao, rui, marta, nuno, admin context.Context
	maria, anon                        context.Context
	used                               map[int64]bool
}

func newThreadWorld(t *testing.T, s *store.Store) *threadWorld {
	t.Helper()
	return &threadWorld{s: s, lisboa: firmByUID(t, s, "BRK-LIS-001"), porto: firmByUID(t, s, "BRK-POR-002"),
		ana: storetest.AsUser(t, s, anaEmail), joao: storetest.AsUser(t, s, joaoEmail), rui: storetest.AsUser(t, s, ruiEmail),
		marta: storetest.AsUser(t, s, martaEmail), nuno: storetest.AsUser(t, s, nunoEmail), admin: storetest.AsUser(t, s, adminEmail),
		maria: storetest.AsUser(t, s, mariaEmail), anon: context.Background(), used: map[int64]bool{}}
}

// fresh returns a process of firm that has no message yet and that no
// other subtest has taken.
func (w *threadWorld) fresh(t *testing.T, firm models.BrokerFirm) models.Process {
	t.Helper()
	var ps []models.Process
	storetest.Must(t, w.s.DB().Where("broker_id = ? AND NOT EXISTS (SELECT 1 FROM threads WHERE threads.process_id = processes.id)", firm.ID).
		Order("process_number").Find(&ps).Error, "fresh processes")
	for _, p := range ps {
		if !w.used[p.ID] {
			w.used[p.ID] = true
			return p
		}
	}
	t.Fatalf("no fresh process left in %s", firm.Name)
	return models.Process{}
}

// addBroker inserts a broker of firm with the demo password.
func addBroker(t *testing.T, s *store.Store, email string, firm models.BrokerFirm, api bool) context.Context {
	t.Helper()
	now := time.Now().UTC()
	u := &models.User{UUID: uuid.NewString(), BankID: firm.BankID, Email: email, Name: "Broker " + email,
		Kind: models.KindBroker, PasswordHash: demoPasswordHash(), FirmID: &firm.ID, APIEnabled: api, CreatedAt: now, UpdatedAt: now}
	storetest.Must(t, s.DB().Create(u).Error, "insert broker %s", email)
	return storetest.AsUser(t, s, email)
}

// addStaff inserts a staff member with the demo password.
func addStaff(t *testing.T, s *store.Store, email string) context.Context {
	t.Helper()
	addUser(t, s, email)
	return storetest.AsUser(t, s, email)
}

func post(t *testing.T, w *threadWorld, ctx context.Context, p models.Process, subject, text string) *models.Message {
	t.Helper()
	m, err := w.s.PostMessage(ctx, p.UUID, models.NewMessage{Subject: subject, Text: text})
	storetest.Must(t, err, "post %q", text)
	return m
}

func threadRow(t *testing.T, s *store.Store, processID int64) models.Thread {
	t.Helper()
	var th models.Thread
	storetest.Must(t, s.DB().Where("process_id = ?", processID).Take(&th).Error, "thread of %d", processID)
	return th
}

func messageCount(t *testing.T, s *store.Store, where string, args ...any) int64 {
	t.Helper()
	var n int64
	storetest.Must(t, s.DB().Model(&models.Message{}).Where(where, args...).Count(&n).Error, "count messages")
	return n
}

func texts(ms []models.Message) []string {
	return storetest.Map(ms, func(m models.Message) string { return m.Text })
}

func msgUUIDs(ms []models.Message) []string {
	return storetest.Map(ms, func(m models.Message) string { return m.UUID })
}

// checkSummary fails unless a thread's summary row agrees with its messages.
func checkSummary(t *testing.T, s *store.Store, processID int64) {
	t.Helper()
	var ms []models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", processID).Order("id").Find(&ms).Error, "messages")
	th := threadRow(t, s, processID)
	last := ms[len(ms)-1]
	for i, m := range ms {
		if m.Seq != int64(i+1) {
			t.Fatalf("process %d: message %d of the thread has seq %d", processID, i+1, m.Seq)
		}
	}
	if th.MessageCount != int64(len(ms)) || th.LastMessageID != last.ID || th.LastMessageUUID != last.UUID ||
		th.LastAuthorKind != last.AuthorKind || th.LastAuthorName != last.AuthorName ||
		!th.LastMessageAt.Equal(last.CreatedAt) || utf8.RuneCountInString(th.LastExcerpt) > models.ReplyQueueExcerptLength {
		t.Fatalf("summary %+v disagrees with %d messages, last %+v", th, len(ms), last)
	}
}

func validationFields(t *testing.T, err error) []string {
	t.Helper()
	e := wantCode(t, err, models.CodeInvalid)
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	if got := validationFields(t, err); !slices.Equal(got, fields) {
		t.Fatalf("invalid fields %v, want %v (%v)", got, fields, err)
	}
}

func TestMessages(t *testing.T) {
	storetest.EachDemo(t, func(t *testing.T, s *store.Store) {
		w := newThreadWorld(t, s)
		t.Run("demo threads", func(t *testing.T) { testDemoThreads(t, w) }) // first: before others add threads
		t.Run("post and list", func(t *testing.T) { testPostAndList(t, w) })
		t.Run("validation", func(t *testing.T) { testMessageValidation(t, w) })
		t.Run("access", func(t *testing.T) { testMessageAccess(t, w) })
		t.Run("thread page", func(t *testing.T) { testThreadPage(t, w) })
		t.Run("since", func(t *testing.T) { testMessagesSince(t, w) })
		t.Run("unread", func(t *testing.T) { testUnread(t, w) })
		t.Run("queue", func(t *testing.T) { testQueue(t, w) })
		t.Run("rate limit", func(t *testing.T) { testRateLimit(t, w) })
		t.Run("concurrent posts", func(t *testing.T) { testConcurrentPosts(t, w) })
		t.Run("idempotency", func(t *testing.T) { testIdempotency(t, w) })
	})
}

func testPostAndList(t *testing.T, w *threadWorld) {
	s, ctx := w.s, w.ana
	p := w.fresh(t, w.lisboa)
	before := time.Now().UTC().Add(-time.Second)

	m1 := post(t, w, ctx, p, "  Missing payslips ", "  First line\r\nsecond line\n")
	if m1.Subject != "Missing payslips" || m1.Text != "First line\nsecond line" {
		t.Fatalf("not trimmed/normalised: %q %q", m1.Subject, m1.Text)
	}
	if m1.AuthorKind != models.AuthorBroker || m1.AuthorUsername != anaEmail || m1.AuthorName != "Ana Silva" ||
		!validUUIDString(m1.UUID) || m1.CreatedAt.Before(before) || m1.CreatedAt.Location() != time.UTC {
		t.Fatalf("message %+v", m1)
	}
	m2 := post(t, w, w.joao, p, "", "João here")
	if m1.Seq != 1 || m2.Seq != 2 {
		t.Fatalf("seqs %d, %d", m1.Seq, m2.Seq)
	}
	m3 := post(t, w, w.marta, p, "Valuation", "The valuation is on Thursday.")
	if m3.AuthorKind != models.AuthorBank || m3.AuthorUsername != martaEmail {
		t.Fatalf("staff message %+v", m3)
	}
	m4 := post(t, w, w.admin, p, "", "Admin writes as the bank too.")
	if m4.AuthorKind != models.AuthorBank {
		t.Fatalf("admin message kind %s", m4.AuthorKind)
	}

	// Newest first, totalCount and count, pages.
	page := func(n, size int) *models.MessageList {
		t.Helper()
		l, err := s.ListMessages(ctx, p.UUID, models.MessagePage{PageNumber: n, PageSize: size})
		storetest.Must(t, err, "list page %d/%d", n, size)
		if l.Count != len(l.Messages) || l.TotalCount != 4 {
			t.Fatalf("page %d/%d: count %d of %d messages, total %d", n, size, l.Count, len(l.Messages), l.TotalCount)
		}
		return l
	}
	if got := msgUUIDs(page(1, 20).Messages); !slices.Equal(got, []string{m4.UUID, m3.UUID, m2.UUID, m1.UUID}) {
		t.Fatalf("page 1: %v", got)
	}
	if got := msgUUIDs(page(1, 3).Messages); !slices.Equal(got, []string{m4.UUID, m3.UUID, m2.UUID}) {
		t.Fatalf("page 1 of 3: %v", got)
	}
	if got := msgUUIDs(page(2, 3).Messages); !slices.Equal(got, []string{m1.UUID}) {
		t.Fatalf("page 2 of 3: %v", got)
	}
	if got := page(3, 3).Messages; len(got) != 0 || got == nil {
		t.Fatalf("page past the end: %v (nil %v)", got, got == nil)
	}
	if got := msgUUIDs(page(2, 2).Messages); !slices.Equal(got, []string{m2.UUID, m1.UUID}) {
		t.Fatalf("page 2 of 2: %v", got)
	}
	// Upper-case ids answer alike.
	l, err := s.ListMessages(ctx, strings.ToUpper(p.UUID), models.DefaultMessagePage)
	storetest.Must(t, err, "upper-case id")
	if l.Count != 4 {
		t.Fatalf("upper-case id: %d messages", l.Count)
	}
	// What the browser writes the API lists and the reverse: the same rows
	// for everyone in scope.
	for _, who := range []context.Context{w.joao, w.marta, w.nuno} {
		l, err := s.ListMessages(who, p.UUID, models.DefaultMessagePage)
		storetest.Must(t, err, "list")
		if !slices.Equal(msgUUIDs(l.Messages), msgUUIDs(page(1, 20).Messages)) {
			t.Fatal("another reader sees other messages")
		}
	}
	got := page(1, 20).Messages[3]
	if got.Subject != m1.Subject || got.Text != m1.Text || !got.CreatedAt.Equal(m1.CreatedAt) || got.AuthorUserID != m1.AuthorUserID {
		t.Fatalf("stored %+v, posted %+v", got, m1)
	}

	// Summary, process last action, audit without the body.
	checkSummary(t, s, p.ID)
	if th := threadRow(t, s, p.ID); th.BankID != p.BankID || th.BrokerID != p.BrokerID || th.LastAuthorKind != models.AuthorBank {
		t.Fatalf("thread %+v", th)
	}
	var after models.Process
	storetest.Must(t, s.DB().Where("id = ?", p.ID).Take(&after).Error, "process")
	if !after.LastActionAt.Equal(m4.CreatedAt) {
		t.Fatalf("last action %v, want %v", after.LastActionAt, m4.CreatedAt)
	}
	audits := auditRows(t, s, models.AuditMessagePosted, p.UUID)
	if len(audits) != 4 || audits[0].ActorUserID == nil || *audits[0].ActorUserID != m1.AuthorUserID {
		t.Fatalf("audit rows %+v", audits)
	}
	for _, a := range audits {
		if strings.Contains(a.Detail, "line") || strings.Contains(a.Detail, "valuation") || a.Outcome != "ok" {
			t.Fatalf("audit row carries the body: %+v", a)
		}
	}
}

func validUUIDString(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && s == strings.ToLower(s)
}

func testMessageValidation(t *testing.T, w *threadWorld) {
	s, ctx := w.s, w.rui
	p := w.fresh(t, w.porto)
	bad := func(in models.NewMessage, fields ...string) {
		t.Helper()
		_, err := s.PostMessage(ctx, p.UUID, in)
		wantFields(t, err, fields...)
	}
	bad(models.NewMessage{}, "text")
	bad(models.NewMessage{Text: " \n\t "}, "text")
	bad(models.NewMessage{Text: strings.Repeat("a", 4001)}, "text")
	bad(models.NewMessage{Text: "ok", Subject: strings.Repeat("s", 201)}, "subject")
	bad(models.NewMessage{Text: "ok", Subject: "two\nlines"}, "subject")
	bad(models.NewMessage{Text: "nul \x00 byte"}, "text")
	bad(models.NewMessage{Text: "bad \xff utf-8"}, "text")
	bad(models.NewMessage{Subject: strings.Repeat("s", 201), Text: ""}, "subject", "text")
	if n := messageCount(t, s, "process_id = ?", p.ID); n != 0 {
		t.Fatalf("invalid posts stored %d messages", n)
	}
	// The limits count characters, not bytes, after trimming.
	m := post(t, w, ctx, p, strings.Repeat("é", 200), "  "+strings.Repeat("ç", 4000)+"  ")
	if utf8.RuneCountInString(m.Text) != 4000 || utf8.RuneCountInString(m.Subject) != 200 {
		t.Fatalf("limits: %d/%d characters", utf8.RuneCountInString(m.Subject), utf8.RuneCountInString(m.Text))
	}
	post(t, w, ctx, p, "", "tabs\tand\nlines are fine")

	list := func(pg models.MessagePage, fields ...string) {
		t.Helper()
		_, err := s.ListMessages(ctx, p.UUID, pg)
		if len(fields) == 0 {
			storetest.Must(t, err, "list %+v", pg)
			return
		}
		wantFields(t, err, fields...)
	}
	list(models.MessagePage{PageNumber: 0, PageSize: 20}, "pageNumber")
	list(models.MessagePage{PageNumber: -1, PageSize: 20}, "pageNumber")
	list(models.MessagePage{PageNumber: 1, PageSize: 0}, "pageSize")
	list(models.MessagePage{PageNumber: 1, PageSize: 101}, "pageSize")
	list(models.MessagePage{}, "pageNumber", "pageSize")
	list(models.MessagePage{PageNumber: 101, PageSize: 100}, "pageNumber") // 10,100 deep
	list(models.MessagePage{PageNumber: 501, PageSize: 20}, "pageNumber")
	list(models.MessagePage{PageNumber: 100, PageSize: 100})
	list(models.MessagePage{PageNumber: 1, PageSize: 100})
	list(models.DefaultMessagePage)
}

func testMessageAccess(t *testing.T, w *threadWorld) {
	s := w.s
	lis := w.fresh(t, w.lisboa)
	m := post(t, w, w.ana, lis, "", "Lisboa only")
	missing := uuid.NewString()
	// Every operation on a process answers a foreign process exactly like
	// a missing or malformed one, and creates nothing.
	ops := map[string]func(ctx context.Context, processUUID string) error{
		"post": func(ctx context.Context, id string) error {
			_, err := s.PostMessage(ctx, id, models.NewMessage{Text: "hello"})
			return err
		},
		"post invalid": func(ctx context.Context, id string) error {
			_, err := s.PostMessage(ctx, id, models.NewMessage{Text: ""})
			return err
		},
		"list": func(ctx context.Context, id string) error {
			_, err := s.ListMessages(ctx, id, models.DefaultMessagePage)
			return err
		},
		"list invalid page": func(ctx context.Context, id string) error {
			_, err := s.ListMessages(ctx, id, models.MessagePage{})
			return err
		},
		"thread": func(ctx context.Context, id string) error {
			_, err := s.ThreadPage(ctx, id, models.ThreadQuery{})
			return err
		},
		"thread with cursor": func(ctx context.Context, id string) error {
			_, err := s.ThreadPage(ctx, id, models.ThreadQuery{Before: m.UUID})
			return err
		},
		"thread with bad cursor": func(ctx context.Context, id string) error {
			_, err := s.ThreadPage(ctx, id, models.ThreadQuery{Before: "nope"})
			return err
		},
		"since": func(ctx context.Context, id string) error {
			_, err := s.MessagesSince(ctx, id, models.SinceQuery{After: m.UUID})
			return err
		},
		"since bad cursor": func(ctx context.Context, id string) error {
			_, err := s.MessagesSince(ctx, id, models.SinceQuery{After: "nope"})
			return err
		},
		"mark read": func(ctx context.Context, id string) error { return s.MarkRead(ctx, id, "") },
		"mark read message": func(ctx context.Context, id string) error {
			return s.MarkRead(ctx, id, m.UUID)
		},
	}
	for name, op := range ops {
		foreign := op(w.rui, lis.UUID)
		wantCode(t, foreign, models.CodeNotFound)
		sameAnswer(t, foreign, op(w.rui, missing))
		sameAnswer(t, foreign, op(w.rui, "not-a-uuid"))
		sameAnswer(t, foreign, op(w.ana, missing))
		// Customers are refused threads outright (like processes), whatever
		// the process; anonymous callers are not signed in.
		wantCode(t, op(w.maria, lis.UUID), models.CodeForbidden)
		wantCode(t, op(w.maria, missing), models.CodeForbidden)
		wantCode(t, op(w.anon, lis.UUID), models.CodeUnauthorized)
		if strings.Contains(name, "invalid") || strings.Contains(name, "bad") {
			wantCode(t, op(w.ana, lis.UUID), models.CodeInvalid)
		}
	}
	if n := messageCount(t, s, "process_id = ?", lis.ID); n != 1 {
		t.Fatalf("foreign posts stored: %d messages", n)
	}
	var reads int64
	storetest.Must(t, s.DB().Model(&models.ThreadRead{}).Where("user_id = ?", userID(t, s, ruiEmail)).
		Where("process_id = ?", lis.ID).Count(&reads).Error, "reads")
	if reads != 0 {
		t.Fatal("a foreign mark-read was stored")
	}
	// Staff and admins reach every firm's threads; the other broker of the
	// firm too.
	for _, who := range []context.Context{w.marta, w.nuno, w.admin, w.joao} {
		if _, err := s.ThreadPage(who, lis.UUID, models.ThreadQuery{}); err != nil {
			t.Fatalf("in-scope thread: %v", err)
		}
	}
	// A message of another thread is not a cursor of this one, and not a
	// message to mark read in it.
	other := w.fresh(t, w.lisboa)
	om := post(t, w, w.ana, other, "", "other thread")
	_, err := s.ThreadPage(w.ana, lis.UUID, models.ThreadQuery{Before: om.UUID})
	wantFields(t, err, "before")
	_, err = s.MessagesSince(w.ana, lis.UUID, models.SinceQuery{After: om.UUID})
	wantFields(t, err, "after")
	wantCode(t, s.MarkRead(w.ana, lis.UUID, om.UUID), models.CodeNotFound)
	wantCode(t, s.MarkRead(w.ana, lis.UUID, "nope"), models.CodeNotFound)
}

// bulkMessages inserts n messages by author straight into a thread (faster
// than posting, and not rate limited) and brings its summary up to date.
func bulkMessages(t *testing.T, s *store.Store, p models.Process, authorEmail string, kind models.AuthorKind, n int) {
	t.Helper()
	author := userID(t, s, authorEmail)
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	var have int64
	storetest.Must(t, s.DB().Model(&models.Message{}).Where("process_id = ?", p.ID).Count(&have).Error, "count")
	rows := make([]models.Message, n)
	for i := range rows {
		rows[i] = models.Message{UUID: uuid.NewString(), ProcessID: p.ID, Seq: have + int64(i) + 1, AuthorUserID: author, AuthorKind: kind,
			AuthorName: authorEmail, AuthorUsername: authorEmail, Text: fmt.Sprintf("bulk %d", i), CreatedAt: base.Add(time.Duration(i) * time.Second)}
	}
	storetest.Must(t, s.DB().CreateInBatches(rows, 200).Error, "bulk messages")
	last := rows[n-1]
	var count int64
	storetest.Must(t, s.DB().Model(&models.Message{}).Where("process_id = ?", p.ID).Count(&count).Error, "count")
	th := models.Thread{ProcessID: p.ID, BankID: p.BankID, BrokerID: p.BrokerID, MessageCount: count, LastMessageID: last.ID,
		LastMessageUUID: last.UUID, LastMessageAt: last.CreatedAt, LastAuthorKind: kind, LastAuthorName: authorEmail, LastExcerpt: last.Text}
	storetest.Must(t, s.DB().Save(&th).Error, "summary")
	// As posting would: the author has read up to their own last message.
	storetest.Must(t, s.DB().Exec(`INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, process_id) DO UPDATE SET
		last_read_message_id = excluded.last_read_message_id, last_read_seq = excluded.last_read_seq`,
		author, p.ID, last.ID, last.Seq, last.CreatedAt).Error, "author's read mark")
	checkSummary(t, s, p.ID)
}

func testThreadPage(t *testing.T, w *threadWorld) {
	s := w.s
	p := w.fresh(t, w.porto)
	empty, err := s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{})
	storetest.Must(t, err, "empty thread")
	if len(empty.Messages) != 0 || empty.Messages == nil || empty.TotalCount != 0 || empty.OlderCursor != "" {
		t.Fatalf("empty thread %+v", empty)
	}
	bulkMessages(t, s, p, ruiEmail, models.AuthorBroker, 123)
	var all []models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", p.ID).Order("id").Find(&all).Error, "all")

	// The newest page first, in reading order; older pages on demand.
	var seen []string
	cursor, pages := "", 0
	for {
		pg, err := s.ThreadPage(w.marta, p.UUID, models.ThreadQuery{Before: cursor})
		storetest.Must(t, err, "page %d", pages)
		pages++
		if pg.TotalCount != 123 || len(pg.Messages) > models.DefaultThreadPageSize {
			t.Fatalf("page %d: total %d, %d messages", pages, pg.TotalCount, len(pg.Messages))
		}
		for i := 1; i < len(pg.Messages); i++ {
			if pg.Messages[i-1].ID >= pg.Messages[i].ID {
				t.Fatal("page not oldest to newest")
			}
		}
		seen = append(msgUUIDs(pg.Messages), seen...)
		if pg.OlderCursor == "" {
			break
		}
		if pg.OlderCursor != pg.Messages[0].UUID {
			t.Fatalf("cursor %s is not the page's oldest message", pg.OlderCursor)
		}
		cursor = pg.OlderCursor
	}
	if pages != 3 || !slices.Equal(seen, msgUUIDs(all)) {
		t.Fatalf("%d pages, %d messages, in order %v", pages, len(seen), slices.Equal(seen, msgUUIDs(all)))
	}
	// An exact multiple: the last page knows it is the last.
	pg, err := s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{Before: all[100].UUID, Limit: 100})
	storetest.Must(t, err, "page before 100")
	if len(pg.Messages) != 100 || pg.OlderCursor != "" || pg.Messages[0].UUID != all[0].UUID {
		t.Fatalf("first 100: %d messages, cursor %q", len(pg.Messages), pg.OlderCursor)
	}
	pg, err = s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{Before: all[1].UUID, Limit: 1})
	storetest.Must(t, err, "page of one")
	if len(pg.Messages) != 1 || pg.Messages[0].UUID != all[0].UUID || pg.OlderCursor != "" {
		t.Fatalf("page of one %+v", pg)
	}
	pg, err = s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{Before: all[0].UUID})
	storetest.Must(t, err, "before the first")
	if len(pg.Messages) != 0 || pg.OlderCursor != "" {
		t.Fatalf("before the first: %+v", pg)
	}
	_, err = s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{Limit: 101})
	wantFields(t, err, "limit")
	_, err = s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{Before: uuid.NewString(), Limit: -1})
	wantFields(t, err, "limit", "before")
	_, err = s.ThreadPage(w.rui, p.UUID, models.ThreadQuery{Before: "garbage"})
	wantFields(t, err, "before")

	// ThreadPage reports the read mark and does not move it.
	storetest.Must(t, s.MarkRead(w.nuno, p.UUID, all[9].UUID), "mark read")
	pg, err = s.ThreadPage(w.nuno, p.UUID, models.ThreadQuery{})
	storetest.Must(t, err, "page")
	if pg.LastReadSeq != 10 || all[9].Seq != 10 {
		t.Fatalf("last read %d, want 10", pg.LastReadSeq)
	}
	pg, err = s.ThreadPage(w.nuno, p.UUID, models.ThreadQuery{})
	storetest.Must(t, err, "page")
	if pg.LastReadSeq != 10 {
		t.Fatal("ThreadPage moved the read mark")
	}
}

func testMessagesSince(t *testing.T, w *threadWorld) {
	s := w.s
	p := w.fresh(t, w.lisboa)
	got, err := s.MessagesSince(w.ana, p.UUID, models.SinceQuery{})
	storetest.Must(t, err, "since on an empty thread")
	if len(got) != 0 {
		t.Fatalf("empty thread: %v", got)
	}
	m1 := post(t, w, w.ana, p, "", "one")
	got, err = s.MessagesSince(w.marta, p.UUID, models.SinceQuery{})
	storetest.Must(t, err, "since start")
	if !slices.Equal(msgUUIDs(got), []string{m1.UUID}) {
		t.Fatalf("since start: %v", texts(got))
	}
	// Nothing changed: nothing returned, and no error.
	for range 3 {
		got, err = s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: m1.UUID})
		storetest.Must(t, err, "since, nothing new")
		if len(got) != 0 {
			t.Fatalf("nothing new, got %v", texts(got))
		}
	}
	m2 := post(t, w, w.marta, p, "", "two")
	m3 := post(t, w, w.joao, p, "", "three")
	got, err = s.MessagesSince(w.ana, strings.ToUpper(p.UUID), models.SinceQuery{After: strings.ToUpper(m1.UUID)})
	storetest.Must(t, err, "since")
	if !slices.Equal(msgUUIDs(got), []string{m2.UUID, m3.UUID}) || got[0].AuthorKind != models.AuthorBank ||
		got[0].CreatedAt.Location() != time.UTC || got[1].AuthorUsername != joaoEmail {
		t.Fatalf("since m1: %+v", got)
	}
	got, err = s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: m3.UUID})
	storetest.Must(t, err, "since m3")
	if len(got) != 0 {
		t.Fatalf("since the last: %v", texts(got))
	}
	_, err = s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: uuid.NewString()})
	wantFields(t, err, "after")
	_, err = s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: "garbage"})
	wantFields(t, err, "after")

	// At most MaxMessagesSince at once, oldest first; the rest on the next poll.
	bulkMessages(t, s, p, martaEmail, models.AuthorBank, models.MaxMessagesSince+5)
	first, err := s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: m3.UUID})
	storetest.Must(t, err, "since big")
	if len(first) != models.MaxMessagesSince || first[0].Text != "bulk 0" {
		t.Fatalf("first poll: %d messages from %q", len(first), first[0].Text)
	}
	rest, err := s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: first[len(first)-1].UUID})
	storetest.Must(t, err, "since rest")
	if len(rest) != 5 || rest[4].Text != fmt.Sprintf("bulk %d", models.MaxMessagesSince+4) {
		t.Fatalf("second poll: %v", texts(rest))
	}
}

func testUnread(t *testing.T, w *threadWorld) {
	s := w.s
	q := w.fresh(t, w.lisboa)
	r := w.fresh(t, w.lisboa)
	e := w.fresh(t, w.lisboa) // stays empty
	ids := []string{q.UUID, r.UUID, e.UUID}
	counts := func(ctx context.Context) map[string]int {
		t.Helper()
		m, err := s.UnreadCounts(ctx, ids)
		storetest.Must(t, err, "unread counts")
		return m
	}
	want := func(ctx context.Context, who string, wq, wr int) {
		t.Helper()
		m := counts(ctx)
		if m[q.UUID] != wq || m[r.UUID] != wr || m[e.UUID] != 0 {
			t.Fatalf("%s: unread %v, want q=%d r=%d", who, m, wq, wr)
		}
		for k, v := range m {
			if v == 0 {
				t.Fatalf("%s: zero entry for %s", who, k)
			}
		}
	}
	want(w.ana, "ana", 0, 0)

	b1 := post(t, w, w.marta, q, "", "bank 1")
	post(t, w, w.marta, q, "", "bank 2")
	post(t, w, w.nuno, r, "", "bank 3")
	want(w.ana, "ana", 2, 1)
	want(w.joao, "joao", 2, 1)
	want(w.marta, "marta", 0, 1) // her own messages never count
	want(w.nuno, "nuno", 2, 0)

	// Posting marks the thread read for the author.
	a := post(t, w, w.ana, q, "", "broker reply")
	want(w.ana, "ana", 0, 1)
	want(w.joao, "joao", 3, 1) // Ana's message is new to João
	want(w.marta, "marta", 1, 1)

	// MarkRead is per user and never moves backwards.
	storetest.Must(t, s.MarkRead(w.joao, q.UUID, b1.UUID), "joao reads b1")
	want(w.joao, "joao", 2, 1)
	storetest.Must(t, s.MarkRead(w.joao, q.UUID, a.UUID), "joao reads all")
	want(w.joao, "joao", 0, 1)
	storetest.Must(t, s.MarkRead(w.joao, q.UUID, b1.UUID), "joao goes back")
	want(w.joao, "joao", 0, 1)
	want(w.ana, "ana", 0, 1)
	storetest.Must(t, s.MarkRead(w.ana, r.UUID, ""), "ana reads r")
	want(w.ana, "ana", 0, 0)
	want(w.joao, "joao", 0, 1)
	storetest.Must(t, s.MarkRead(w.ana, e.UUID, ""), "mark an empty thread read")

	// Out of scope, unknown and malformed ids are simply absent.
	if m := counts(w.rui); len(m) != 0 {
		t.Fatalf("rui sees Lisboa unread counts %v", m)
	}
	m, err := s.UnreadCounts(w.ana, []string{"garbage", uuid.NewString(), strings.ToUpper(r.UUID), q.UUID, q.UUID})
	storetest.Must(t, err, "odd ids")
	if len(m) != 0 {
		t.Fatalf("odd ids: %v", m)
	}
	m, err = s.UnreadCounts(w.ana, nil)
	storetest.Must(t, err, "no ids")
	if m == nil || len(m) != 0 {
		t.Fatalf("no ids: %v", m)
	}
	_, err = s.UnreadCounts(w.ana, make([]string, models.MaxUnreadProcesses+1))
	wantFields(t, err, "processes")
	_, err = s.UnreadCounts(w.maria, ids)
	wantCode(t, err, models.CodeForbidden)
	_, err = s.UnreadCounts(w.anon, ids)
	wantCode(t, err, models.CodeUnauthorized)

	// Long unread runs are counted exactly, without reading them.
	bulkMessages(t, s, r, nunoEmail, models.AuthorBank, 250)
	want(w.ana, "ana", 0, 250)
	want(w.nuno, "nuno", 3, 0)

	// Two brokers of the firm: each sees their own counts on a whole list page.
	page, err := s.ListProcesses(w.joao, models.ProcessFilter{Limit: 100})
	storetest.Must(t, err, "list")
	all := make([]string, len(page.Items))
	for i, it := range page.Items {
		all[i] = it.UUID
	}
	mj, err := s.UnreadCounts(w.joao, all)
	storetest.Must(t, err, "joao page")
	ma, err := s.UnreadCounts(w.ana, all)
	storetest.Must(t, err, "ana page")
	if mj[r.UUID] != 251 || mj[q.UUID] != 0 || ma[r.UUID] != 250 {
		t.Fatalf("list page counts: joao %v, ana %v", mj, ma)
	}
}

// queueWant is the reply queue as computed straight from the tables: the
// newest activity first, waiting threads (last author a broker) the oldest
// first. Message ids follow commit order, so they order by time (the
// tests' backdated messages aside).
func queueWant(t *testing.T, s *store.Store, firmID int64, kind models.AuthorKind) []string {
	t.Helper()
	q := s.DB().Table("threads").Select("processes.uuid").Joins("JOIN processes ON processes.id = threads.process_id")
	if firmID != 0 {
		q = q.Where("threads.broker_id = ?", firmID)
	}
	if kind != "" {
		q = q.Where("threads.last_author_kind = ?", kind)
	}
	order := "threads.last_message_id DESC"
	if kind == models.AuthorBroker {
		order = "threads.last_message_id"
	}
	var out []string
	storetest.Must(t, q.Order(order).Pluck("processes.uuid", &out).Error, "queue want")
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	return out
}

func walkQueue(t *testing.T, s *store.Store, ctx context.Context, f models.ReplyQueueFilter) []models.ReplyQueueItem {
	t.Helper()
	var out []models.ReplyQueueItem
	for range 1000 {
		page, err := s.ReplyQueue(ctx, f)
		storetest.Must(t, err, "queue %+v", f)
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		if len(page.Items) != f.Limit && f.Limit != 0 {
			t.Fatalf("short page with a next cursor")
		}
		f.After = page.NextCursor
	}
	t.Fatal("queue does not end")
	return nil
}

func queueUUIDs(items []models.ReplyQueueItem) []string {
	return storetest.Map(items, func(it models.ReplyQueueItem) string { return it.ProcessUUID })
}

func testQueue(t *testing.T, w *threadWorld) {
	s := w.s
	// Make sure both kinds exist in both firms beyond the demo threads.
	wl := w.fresh(t, w.lisboa)
	post(t, w, w.ana, wl, "Waiting", "Please check the payslips. "+strings.Repeat("Long text. ", 30))
	ap := w.fresh(t, w.porto)
	post(t, w, w.rui, ap, "", "question")
	post(t, w, w.marta, ap, "", "answer")

	cases := []struct {
		filter models.ReplyQueueFilterKind
		kind   models.AuthorKind
	}{{"", ""}, {models.ReplyQueueAll, ""}, {models.ReplyQueueWaiting, models.AuthorBroker}, {models.ReplyQueueAnswered, models.AuthorBank}}
	for _, c := range cases {
		for _, firm := range []models.BrokerFirm{{}, w.lisboa, w.porto} {
			want := queueWant(t, s, firm.ID, c.kind)
			if len(want) < 2 {
				t.Fatalf("too few threads for %q/%s: %d", c.filter, firm.BrokerUID, len(want))
			}
			for _, limit := range []int{0, 1, 3, 100} {
				got := walkQueue(t, s, w.marta, models.ReplyQueueFilter{Filter: c.filter, FirmUID: firm.BrokerUID, Limit: limit})
				if !slices.Equal(queueUUIDs(got), want) {
					t.Fatalf("queue %q firm %q limit %d:\n got %v\nwant %v", c.filter, firm.BrokerUID, limit, queueUUIDs(got), want)
				}
				for _, it := range got {
					if (c.kind != "" && it.LastAuthorKind != c.kind) || (firm.ID != 0 && it.FirmUID != firm.BrokerUID) {
						t.Fatalf("row %+v does not match the filter", it)
					}
				}
			}
		}
	}

	// Every tab's count, for the bank and for each firm.
	for _, firm := range []models.BrokerFirm{{}, w.lisboa, w.porto} {
		n, err := s.ReplyQueueCounts(w.marta, firm.BrokerUID)
		storetest.Must(t, err, "counts %s", firm.BrokerUID)
		wantN := models.ReplyQueueCounts{Waiting: int64(len(queueWant(t, s, firm.ID, models.AuthorBroker))),
			Answered: int64(len(queueWant(t, s, firm.ID, models.AuthorBank))), All: int64(len(queueWant(t, s, firm.ID, "")))}
		if *n != wantN || n.Waiting+n.Answered != n.All || n.Of("") != n.All || n.Of(models.ReplyQueueWaiting) != n.Waiting {
			t.Fatalf("counts of %q: %+v, want %+v", firm.BrokerUID, *n, wantN)
		}
	}

	// Row contents; the newest waiting thread has waited least: last. One
	// asked after it comes after it, and both after the demo's, which have
	// waited hours.
	waiting := walkQueue(t, s, w.nuno, models.ReplyQueueFilter{FirmUID: "BRK-LIS-001", Filter: models.ReplyQueueWaiting})
	row := &waiting[len(waiting)-1]
	if row.ProcessUUID != wl.UUID || len(waiting) < 3 || !waiting[0].LastMessageAt.Before(waiting[len(waiting)-2].LastMessageAt) {
		t.Fatalf("the newest waiting thread is not last: %v", queueUUIDs(waiting))
	}
	wl2 := w.fresh(t, w.lisboa)
	post(t, w, w.joao, wl2, "", "One more question.")
	first, err := s.ReplyQueue(w.nuno, models.ReplyQueueFilter{FirmUID: "BRK-LIS-001", Filter: models.ReplyQueueWaiting, Limit: 1})
	storetest.Must(t, err, "waiting, first")
	again := walkQueue(t, s, w.nuno, models.ReplyQueueFilter{FirmUID: "BRK-LIS-001", Filter: models.ReplyQueueWaiting})
	if n := len(again); n != len(waiting)+1 || again[n-2].ProcessUUID != wl.UUID || again[n-1].ProcessUUID != wl2.UUID ||
		first.Items[0].ProcessUUID != waiting[0].ProcessUUID {
		t.Fatalf("after a newer question: %v", queueUUIDs(again))
	}
	th := threadRow(t, s, wl.ID)
	if row.ProcessNumber != wl.ProcessNumber || row.FirmName != lisboaName || row.FirmUID != "BRK-LIS-001" ||
		row.LastAuthorKind != models.AuthorBroker || row.LastAuthorName != "Ana Silva" || row.MessageCount != 1 ||
		!row.LastMessageAt.Equal(th.LastMessageAt) || row.LastMessageAt.Location() != time.UTC || !row.Unread ||
		row.StatusID != wl.StatusID || utf8.RuneCountInString(row.LastExcerpt) != models.ReplyQueueExcerptLength ||
		!strings.HasPrefix(row.LastExcerpt, "Please check the payslips. Long text.") || !strings.HasSuffix(row.LastExcerpt, "…") {
		t.Fatalf("queue row %+v", row)
	}
	// Marta answers: the thread moves to answered, stays first, and is read
	// for her but not for Nuno.
	post(t, w, w.marta, wl, "", "Checked, all fine.")
	ans, err := s.ReplyQueue(w.marta, models.ReplyQueueFilter{Filter: models.ReplyQueueAnswered})
	storetest.Must(t, err, "answered")
	if ans.Items[0].ProcessUUID != wl.UUID || ans.Items[0].Unread || ans.Items[0].MessageCount != 2 {
		t.Fatalf("answered first row %+v", ans.Items[0])
	}
	ans, err = s.ReplyQueue(w.nuno, models.ReplyQueueFilter{Filter: models.ReplyQueueAnswered})
	storetest.Must(t, err, "answered")
	if !ans.Items[0].Unread {
		t.Fatal("Nuno has read Marta's answer")
	}
	for _, it := range walkQueue(t, s, w.marta, models.ReplyQueueFilter{Filter: models.ReplyQueueWaiting}) {
		if it.ProcessUUID == wl.UUID {
			t.Fatal("an answered thread is still waiting")
		}
	}

	// Who may see the queue, and bad input.
	for _, who := range []context.Context{w.ana, w.rui, w.maria} {
		_, err := s.ReplyQueue(who, models.ReplyQueueFilter{})
		wantCode(t, err, models.CodeForbidden)
		_, err = s.ReplyQueueFirms(who)
		wantCode(t, err, models.CodeForbidden)
	}
	_, err = s.ReplyQueue(w.anon, models.ReplyQueueFilter{})
	wantCode(t, err, models.CodeUnauthorized)
	_, err = s.ReplyQueue(w.admin, models.ReplyQueueFilter{})
	storetest.Must(t, err, "admin queue")
	_, err = s.ReplyQueue(w.marta, models.ReplyQueueFilter{Filter: "mine", FirmUID: "BRK-NOPE", Limit: 101, After: "x"})
	wantFields(t, err, "filter", "limit", "after", "firm")
	_, err = s.ReplyQueueCounts(w.marta, "BRK-NOPE")
	wantFields(t, err, "firm")
	for _, who := range []context.Context{w.ana, w.maria} {
		_, err = s.ReplyQueueCounts(who, "")
		wantCode(t, err, models.CodeForbidden)
	}
	_, err = s.ReplyQueueCounts(w.anon, "")
	wantCode(t, err, models.CodeUnauthorized)

	firms, err := s.ReplyQueueFirms(w.marta)
	storetest.Must(t, err, "firms")
	lisboa, porto := firmByUID(t, s, "BRK-LIS-001"), firmByUID(t, s, "BRK-POR-002")
	if !slices.Equal(firms, []models.FirmOption{{UID: "BRK-LIS-001", UUID: lisboa.UUID, Name: lisboaName},
		{UID: "BRK-POR-002", UUID: porto.UUID, Name: portoName}}) {
		t.Fatalf("firms %+v", firms)
	}
}

func testRateLimit(t *testing.T, w *threadWorld) {
	s := w.s
	ctx := addBroker(t, s, "fast.poster@porto-hipotecas.example", w.porto, false)
	p := w.fresh(t, w.porto)
	for i := range models.MessageRateLimit {
		post(t, w, ctx, p, "", fmt.Sprintf("message %d", i))
	}
	_, err := s.PostMessage(ctx, p.UUID, models.NewMessage{Text: "one too many"})
	e := wantCode(t, err, models.CodeRateLimited)
	if e.RetryAfter < 1 || e.RetryAfter > int(models.MessageRateWindow.Seconds()) {
		t.Fatalf("retry after %d s", e.RetryAfter)
	}
	if n := messageCount(t, s, "process_id = ?", p.ID); n != int64(models.MessageRateLimit) {
		t.Fatalf("%d messages stored", n)
	}
	// Other users are not limited by it, on the same thread.
	post(t, w, w.rui, p, "", "Rui is not limited")
	// Half a window later the user may still not post...
	uid := models.PrincipalFrom(ctx).UserID
	storetest.Must(t, s.AgeMessages(context.Background(), uid, models.MessageRateWindow/2), "age")
	_, err = s.PostMessage(ctx, p.UUID, models.NewMessage{Text: "still too many"})
	if e := wantCode(t, err, models.CodeRateLimited); e.RetryAfter > int(models.MessageRateWindow.Seconds())/2+1 {
		t.Fatalf("retry after %d s after half a window", e.RetryAfter)
	}
	// ...and after the window they may.
	storetest.Must(t, s.AgeMessages(context.Background(), uid, models.MessageRateWindow/2+time.Second), "age")
	post(t, w, ctx, p, "", "allowed again")
	checkSummary(t, s, p.ID)
}

func testConcurrentPosts(t *testing.T, w *threadWorld) {
	s := w.s
	broker := addBroker(t, s, "busy.broker@lisboa-credito.example", w.lisboa, false)
	staff := addStaff(t, s, "busy.staff@bank.example")
	p := w.fresh(t, w.lisboa)
	const each = 12
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	// A poller follows the thread while it grows: it must see every
	// message exactly once.
	stop := make(chan struct{})
	var polled []string
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		after := ""
		for {
			select {
			case <-stop:
				for {
					got, err := s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: after})
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					polled = append(polled, msgUUIDs(got)...)
					after = got[len(got)-1].UUID
				}
			default:
			}
			got, err := s.MessagesSince(w.ana, p.UUID, models.SinceQuery{After: after})
			if err != nil {
				errs <- err
				return
			}
			if len(got) > 0 {
				polled = append(polled, msgUUIDs(got)...)
				after = got[len(got)-1].UUID
			}
		}
	}()
	for _, who := range []context.Context{broker, staff} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, err := s.PostMessage(who, p.UUID, models.NewMessage{Text: fmt.Sprintf("%s %02d", models.PrincipalFrom(who).Email, i)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-pollDone
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent post: %v", err)
	}
	var all []models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", p.ID).Order("id").Find(&all).Error, "messages")
	if len(all) != 2*each {
		t.Fatalf("%d messages landed, want %d", len(all), 2*each)
	}
	checkSummary(t, s, p.ID)
	// Each author's messages landed in the order they were posted.
	for _, who := range []context.Context{broker, staff} {
		var mine []string
		for _, m := range all {
			if m.AuthorUserID == models.PrincipalFrom(who).UserID {
				mine = append(mine, m.Text)
			}
		}
		if !slices.IsSorted(mine) || len(mine) != each {
			t.Fatalf("out of order: %v", mine)
		}
	}
	if !slices.Equal(polled, msgUUIDs(all)) {
		t.Fatalf("the poller saw %d messages (in order: %v), want %d", len(polled), slices.Equal(polled, msgUUIDs(all)), len(all))
	}
	l, err := s.ListMessages(w.ana, p.UUID, models.MessagePage{PageNumber: 1, PageSize: 100})
	storetest.Must(t, err, "list")
	if l.TotalCount != 2*each || l.Count != 2*each {
		t.Fatalf("list total %d count %d", l.TotalCount, l.Count)
	}
}

func testIdempotency(t *testing.T, w *threadWorld) {
	s := w.s
	ctx := addBroker(t, s, "retrying.broker@porto-hipotecas.example", w.porto, true)
	p := w.fresh(t, w.porto)
	calls := 0
	postFn := func(text string) func(context.Context) (models.StoredResponse, error) {
		return func(ctx context.Context) (models.StoredResponse, error) {
			calls++
			m, err := s.PostMessage(ctx, p.UUID, models.NewMessage{Text: text})
			if err != nil {
				return models.StoredResponse{}, err
			}
			return models.StoredResponse{Status: 201, Body: []byte(`{"messageUniqueID":"` + m.UUID + `"}`)}, nil
		}
	}
	keyRows := func(key string) int64 {
		t.Helper()
		var n int64
		storetest.Must(t, s.DB().Model(&models.IdempotencyKey{}).Where("idem_key = ?", key).Count(&n).Error, "keys")
		return n
	}

	first, replayed, err := s.Idempotent(ctx, "key-1", "fp-a", postFn("hello"))
	storetest.Must(t, err, "first")
	if replayed || first.Status != 201 || !strings.Contains(string(first.Body), "messageUniqueID") {
		t.Fatalf("first %+v replayed %v", first, replayed)
	}
	again, replayed, err := s.Idempotent(ctx, "key-1", "fp-a", postFn("hello"))
	storetest.Must(t, err, "retry")
	if !replayed || again.Status != first.Status || string(again.Body) != string(first.Body) || calls != 1 {
		t.Fatalf("retry %+v replayed %v after %d calls", again, replayed, calls)
	}
	if n := messageCount(t, s, "process_id = ?", p.ID); n != 1 || keyRows("key-1") != 1 {
		t.Fatalf("%d messages, %d keys", n, keyRows("key-1"))
	}
	// Same key, different request: conflict, nothing created.
	_, _, err = s.Idempotent(ctx, "key-1", "fp-b", postFn("something else"))
	wantCode(t, err, models.CodeConflict)
	if n := messageCount(t, s, "process_id = ?", p.ID); n != 1 || calls != 1 {
		t.Fatalf("conflict created: %d messages, %d calls", n, calls)
	}
	// Another user's identical key is theirs alone.
	_, replayed, err = s.Idempotent(w.rui, "key-1", "fp-a", postFn("from Rui"))
	storetest.Must(t, err, "other user")
	if replayed || messageCount(t, s, "process_id = ?", p.ID) != 2 {
		t.Fatal("a key was shared between users")
	}
	// A failing request is not remembered: the retry runs again.
	_, _, err = s.Idempotent(ctx, "key-2", "fp-c", postFn("   "))
	wantFields(t, err, "text")
	if keyRows("key-2") != 0 {
		t.Fatal("a failed request was remembered")
	}
	_, replayed, err = s.Idempotent(ctx, "key-2", "fp-c", postFn("now with text"))
	storetest.Must(t, err, "retry after failure")
	if replayed || messageCount(t, s, "process_id = ?", p.ID) != 3 {
		t.Fatal("retry after a failure did not run")
	}
	// After 24 hours a key is forgotten.
	storetest.Must(t, s.AgeIdempotencyKeys(context.Background(), models.PrincipalFrom(ctx).UserID, models.IdempotencyWindow+time.Minute), "age keys")
	_, replayed, err = s.Idempotent(ctx, "key-1", "fp-b", postFn("a day later"))
	storetest.Must(t, err, "expired key")
	if replayed || keyRows("key-1") != 2 { // Rui's and the new one
		t.Fatalf("expired key replayed %v, %d rows", replayed, keyRows("key-1"))
	}
	n, err := s.DeleteExpiredIdempotencyKeys(context.Background())
	storetest.Must(t, err, "delete expired")
	if n != 1 { // key-2, aged with key-1
		t.Fatalf("deleted %d expired keys", n)
	}
	// Bad keys and callers.
	for _, key := range []string{"", strings.Repeat("k", models.MaxIdempotencyKey+1), "tab\there", "ключ"} {
		_, _, err := s.Idempotent(ctx, key, "fp", postFn("x"))
		wantFields(t, err, models.IdempotencyKeyName)
	}
	_, _, err = s.Idempotent(w.anon, "key-9", "fp", postFn("x"))
	wantCode(t, err, models.CodeUnauthorized)
	// A foreign process through Idempotent is the same not found.
	_, _, err = s.Idempotent(w.ana, "key-9", "fp", postFn("x"))
	wantCode(t, err, models.CodeNotFound)

	// Concurrent retries: exactly one message, every caller the same answer.
	c := w.fresh(t, w.porto)
	const n8 = 8
	var wg sync.WaitGroup
	type result struct {
		resp     models.StoredResponse
		replayed bool
		err      error
	}
	results := make([]result, n8)
	start := make(chan struct{})
	for i := range n8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, replayed, err := s.Idempotent(ctx, "concurrent", "fp", func(ctx context.Context) (models.StoredResponse, error) {
				m, err := s.PostMessage(ctx, c.UUID, models.NewMessage{Text: "once"})
				if err != nil {
					return models.StoredResponse{}, err
				}
				return models.StoredResponse{Status: 201, Body: []byte(m.UUID)}, nil
			})
			results[i] = result{resp, replayed, err}
		}()
	}
	close(start)
	wg.Wait()
	fresh := 0
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("concurrent retry: %v", r.err)
		}
		if !r.replayed {
			fresh++
		}
		if string(r.resp.Body) != string(results[0].resp.Body) || r.resp.Status != 201 {
			t.Fatalf("different answers: %q vs %q", r.resp.Body, results[0].resp.Body)
		}
	}
	if fresh != 1 || messageCount(t, s, "process_id = ?", c.ID) != 1 || keyRows("concurrent") != 1 {
		t.Fatalf("%d fresh runs, %d messages, %d keys", fresh, messageCount(t, s, "process_id = ?", c.ID), keyRows("concurrent"))
	}
	checkSummary(t, s, c.ID)
}

func testDemoThreads(t *testing.T, w *threadWorld) {
	s := w.s
	var ths []models.Thread
	storetest.Must(t, s.DB().Find(&ths).Error, "threads")
	long := map[int64]bool{}
	waiting := map[int64]int{}
	for _, th := range ths {
		checkSummary(t, s, th.ProcessID)
		if th.MessageCount >= 60 {
			long[th.BrokerID] = true
		}
		if th.LastAuthorKind == models.AuthorBroker {
			waiting[th.BrokerID]++
		}
	}
	if !long[w.lisboa.ID] || !long[w.porto.ID] || waiting[w.lisboa.ID] < 2 || waiting[w.porto.ID] < 2 {
		t.Fatalf("demo threads: long %v, waiting %v", long, waiting)
	}
	var empty int64
	storetest.Must(t, s.DB().Model(&models.Process{}).
		Where("NOT EXISTS (SELECT 1 FROM threads WHERE threads.process_id = processes.id)").Count(&empty).Error, "empty")
	if empty < 10 {
		t.Fatalf("only %d processes without messages", empty)
	}
	// Demo ids follow time, like real posts: the queue is newest first.
	var ms []models.Message
	storetest.Must(t, s.DB().Order("id").Find(&ms).Error, "demo messages")
	for i := 1; i < len(ms); i++ {
		if ms[i].CreatedAt.Before(ms[i-1].CreatedAt) {
			t.Fatalf("demo message %d is older than the one before", ms[i].ID)
		}
		if ms[i].CreatedAt.After(time.Now()) {
			t.Fatalf("demo message %d is in the future", ms[i].ID)
		}
	}
	// Authors have read their threads up to their own last message.
	var reads []models.ThreadRead
	storetest.Must(t, s.DB().Find(&reads).Error, "reads")
	if len(reads) < len(ths)*2 {
		t.Fatalf("%d read marks for %d threads", len(reads), len(ths))
	}
	for _, r := range reads {
		var own int64
		storetest.Must(t, s.DB().Model(&models.Message{}).Select("max(id)").Where("process_id = ? AND author_user_id = ?", r.ProcessID, r.UserID).
			Scan(&own).Error, "own")
		var ownSeq int64
		storetest.Must(t, s.DB().Model(&models.Message{}).Select("max(seq)").Where("process_id = ? AND author_user_id = ?", r.ProcessID, r.UserID).
			Scan(&ownSeq).Error, "own seq")
		if own != r.LastReadMessageID || ownSeq != r.LastReadSeq {
			t.Fatalf("read mark %+v, own last message %d", r, own)
		}
	}
	// Demo threads render through the service.
	lp, err := s.ThreadPage(w.ana, demoProcess(t, s, 0, 5).UUID, models.ThreadQuery{})
	storetest.Must(t, err, "long demo thread")
	if lp.TotalCount < 60 || len(lp.Messages) != models.DefaultThreadPageSize || lp.OlderCursor == "" {
		t.Fatalf("long demo thread: %d of %d, cursor %q", len(lp.Messages), lp.TotalCount, lp.OlderCursor)
	}
	unread, err := s.UnreadCounts(w.joao, []string{demoProcess(t, s, 0, 5).UUID})
	storetest.Must(t, err, "unread")
	if unread[demoProcess(t, s, 0, 5).UUID] == 0 {
		t.Fatal("João has nothing unread in the long demo thread")
	}
}

// demoProcess returns the demo process of index i in firm fi.
func demoProcess(t *testing.T, s *store.Store, fi, i int) models.Process {
	t.Helper()
	var p models.Process
	storetest.Must(t, s.DB().Where("process_number = ?", 100001+i*2+fi).Take(&p).Error, "demo process")
	return p
}
