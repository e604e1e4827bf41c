package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// threadBulk is a bulk world with threads: one broker per firm, a second
// broker and a staff member, one big thread on a process of firms[0], and
// perThread messages on every spreadEvery-th process.
type threadBulk struct {
	*bulkWorld
	bankID          int64
	big             models.Process
	broker, broker2 context.Context // brokers of firms[0]
	staff           context.Context
	total           int64 // messages in the database

	posts      int // benchmark posts so far
	poster     context.Context
	newestUUID string
}

// seedBulkThreads adds messages, thread summaries and read marks to a bulk
// world with set-based SQL: bigThread messages on one process of firms[0],
// and perThread messages on every spreadEvery-th process (0: none).
func seedBulkThreads(tb testing.TB, w *bulkWorld, bigThread, spreadEvery, perThread int) *threadBulk {
	tb.Helper()
	s := w.s
	db := s.DB()
	must := storetest.Musts(tb, "bulk threads ")
	pg := s.Dialect() == store.Postgres
	var firm0Row models.BrokerFirm
	must(db.Where("id = ?", w.firms[0]).Take(&firm0Row).Error, "firm 0")
	bankID := firm0Row.BankID
	var perFirm int64
	must(db.Model(&models.Process{}).Where("broker_id = ?", w.firms[0]).Count(&perFirm).Error, "per firm")
	// One broker per firm (bulk.broker.N@...), a second broker and a staff member.
	uuidExpr := func(prefix, id string) string {
		if pg {
			return fmt.Sprintf("('%s-0000-4000-8000-' || lpad(to_hex(%s), 12, '0'))::uuid", prefix, id)
		}
		return fmt.Sprintf("printf('%s-0000-4000-8000-%%012x', %s)", prefix, id)
	}
	must(db.Exec(fmt.Sprintf(`INSERT INTO users (uuid, bank_id, email, name, kind, password_hash, firm_id, api_enabled, created_at, updated_at)
		SELECT %s, bank_id, 'bulk.broker.' || id || '@bulk.example', 'Broker ' || id, 'broker', 'x', id, true, created_at, created_at
		FROM broker_firms WHERE bank_id = ?`, uuidExpr("00000006", "id")), bankID).Error, "brokers")
	ctxOf := func(email string) context.Context {
		var u models.User
		must(db.Where("email = ?", email).Take(&u).Error, "user "+email)
		p := &models.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, Kind: u.Kind, BankID: u.BankID}
		if u.FirmID != nil {
			p.FirmID = *u.FirmID
		}
		return models.WithPrincipal(context.Background(), p)
	}
	firm0 := w.firms[0]
	for _, u := range []models.User{
		{Email: "bulk.second@bulk.example", Name: "Second Broker", Kind: models.KindBroker, FirmID: &firm0},
		{Email: "bulk.staff@bulk.example", Name: "Bulk Staff", Kind: models.KindStaff},
	} {
		u.UUID, u.BankID, u.PasswordHash = uuid.NewString(), bankID, "x"
		must(db.Create(&u).Error, "user")
	}
	t := &threadBulk{bulkWorld: w, bankID: bankID, broker: ctxOf(fmt.Sprintf("bulk.broker.%d@bulk.example", firm0)),
		broker2: ctxOf("bulk.second@bulk.example"), staff: ctxOf("bulk.staff@bulk.example")}
	var staffID int64
	must(db.Model(&models.User{}).Where("email = ?", "bulk.staff@bulk.example").Pluck("id", &staffID).Error, "staff id")

	// The big thread sits on the middle process of firms[0].
	must(db.Where("broker_id = ?", firm0).Order("process_number").Offset(int(perFirm/2)).Take(&t.big).Error, "big process")

	seq := func(n string) string {
		if pg {
			return "generate_series(0, " + n + " - 1) AS i"
		}
		return "(WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < " + n + ") SELECT i FROM seq) s"
	}
	ts := func(expr string) string {
		if pg {
			return "timestamptz '2026-01-01 00:00:00+00' + (" + expr + ") * interval '1 second'"
		}
		return fmt.Sprintf(`strftime('%%Y-%%m-%%d %%H:%%M:%%S', '2026-01-01 00:00:00', '+' || (%s) || ' seconds') || '+00:00'`, expr)
	}
	// Spread threads: message i of process p is written by the firm's broker
	// when (p + i) is even, by the staff member otherwise. The big thread
	// alternates too. All messages are inserted in time order, the big
	// thread's interleaved with the others', so ids follow time as in a
	// live database.
	var parts []string
	if spreadEvery > 0 && perThread > 0 {
		parts = append(parts, fmt.Sprintf(`SELECT %[1]s AS uuid, p.id AS process_id, i + 1 AS seq, CASE WHEN (p.id + i) %% 2 = 0 THEN u.id ELSE %[2]d END AS author_user_id,
				CASE WHEN (p.id + i) %% 2 = 0 THEN 'broker' ELSE 'bank' END AS author_kind,
				CASE WHEN (p.id + i) %% 2 = 0 THEN u.name ELSE 'Bulk Staff' END AS author_name,
				CASE WHEN (p.id + i) %% 2 = 0 THEN u.email ELSE 'bulk.staff@bulk.example' END AS author_username,
				'Spread message ' || i || ' on process ' || p.process_number AS text, %[3]s AS created_at
			FROM processes p JOIN users u ON u.firm_id = p.broker_id AND u.email LIKE 'bulk.broker.%%', %[4]s
			WHERE p.bank_id = %[5]d AND p.id %% %[6]d = 0 AND p.id <> %[7]d`,
			uuidExpr("00000005", fmt.Sprintf("(p.id * %d + i)", perThread)), staffID, ts("i * 200000 + p.id"),
			seq(fmt.Sprint(perThread)), bankID, spreadEvery, t.big.ID))
	}
	if bigThread > 0 {
		brokerID := models.PrincipalFrom(t.broker).UserID
		step := max(perThread*200000/bigThread, 1) // over the spread threads' time range
		parts = append(parts, fmt.Sprintf(`SELECT %[1]s AS uuid, %[2]d AS process_id, i + 1 AS seq,
				CASE WHEN i %% 2 = 0 THEN %[3]d ELSE %[4]d END AS author_user_id,
				CASE WHEN i %% 2 = 0 THEN 'broker' ELSE 'bank' END AS author_kind,
				CASE WHEN i %% 2 = 0 THEN 'Bulk Broker' ELSE 'Bulk Staff' END AS author_name,
				CASE WHEN i %% 2 = 0 THEN 'bulk.broker@bulk.example' ELSE 'bulk.staff@bulk.example' END AS author_username,
				'Big thread message ' || i AS text, %[5]s AS created_at
			FROM %[6]s`,
			uuidExpr("00000008", "i"), t.big.ID, brokerID, staffID, ts(fmt.Sprintf("i * %d", step)), seq(fmt.Sprint(bigThread))))
	}
	var stmts []string
	if len(parts) > 0 {
		stmts = append(stmts, `INSERT INTO messages (uuid, process_id, seq, author_user_id, author_kind, author_name, author_username, subject, text, created_at)
			SELECT uuid, process_id, seq, author_user_id, author_kind, author_name, author_username, '', text, created_at
			FROM (`+strings.Join(parts, " UNION ALL ")+`) x ORDER BY created_at`)
	}
	stmts = append(stmts,
		`INSERT INTO threads (process_id, bank_id, broker_id, message_count, last_message_id, last_message_uuid, last_message_at,
			last_author_kind, last_author_name, last_excerpt)
		SELECT p.id, p.bank_id, p.broker_id, a.n, m.id, m.uuid, m.created_at, m.author_kind, m.author_name, substr(m.text, 1, 140)
		FROM (SELECT process_id, count(*) AS n, max(id) AS mx FROM messages GROUP BY process_id) a
		JOIN processes p ON p.id = a.process_id JOIN messages m ON m.id = a.mx`,
		// Each firm's broker has read half of the firm's threads up to two
		// messages before the end, the staff member a third of all threads
		// to the end; the first broker has read the big thread to its middle.
		fmt.Sprintf(`INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
		SELECT u.id, t.process_id, (SELECT m.id FROM messages m WHERE m.process_id = t.process_id AND m.seq = t.message_count - 2),
			t.message_count - 2, t.last_message_at
		FROM threads t JOIN users u ON u.firm_id = t.broker_id AND u.email LIKE 'bulk.broker.%%'
		WHERE t.process_id %% 2 = 0 AND t.process_id <> %d AND t.message_count > 2`, t.big.ID),
		fmt.Sprintf(`INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
		SELECT %d, process_id, last_message_id, message_count, last_message_at FROM threads WHERE process_id %% 3 = 0 AND process_id <> %d`,
			staffID, t.big.ID),
	)
	if bigThread > 0 {
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
		SELECT %d, %d, m.id, m.seq, m.created_at FROM messages m WHERE m.uuid = %s`,
			models.PrincipalFrom(t.broker).UserID, t.big.ID, uuidExpr("00000008", fmt.Sprint(bigThread/2))))
	}
	must(db.Transaction(func(tx *gorm.DB) error {
		if pg {
			if err := storetest.ReplicaRole(tx); err != nil {
				return err
			}
		}
		return storetest.ExecAll(tx, stmts)
	}), "insert")
	storetest.Analyze(tb, s, "users", "messages", "threads", "thread_reads")
	must(db.Model(&models.Message{}).Count(&t.total).Error, "count")
	return t
}

// Tables of threads that grow with the business.
var threadTables = map[string]bool{"processes": true, "messages": true, "threads": true, "thread_reads": true,
	"users": true, "api_tokens": true, "idempotency_keys": true, "audit_events": true}

// TestMessageQueryPlansUseIndexes runs EXPLAIN on the exact statements the
// thread operations issue, on 10^5 processes, a 10^5-message thread and
// 10^5 more messages over 20,000 threads, and fails when one of them would
// read a growing table sequentially or issue more statements than it should.
func TestMessageQueryPlansUseIndexes(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	w := seedBulkThreads(t, seedBulk(t, s, 50, 2000), 100_000, 5, 5)
	if w.total < 190_000 {
		t.Fatalf("only %d messages", w.total)
	}
	rec := storetest.RecordSQL(t, s)

	var bigMsgs []models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", w.big.ID).Order("id DESC").Limit(3).Find(&bigMsgs).Error, "newest")
	var mid models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", w.big.ID).Order("id").Offset(40_000).Take(&mid).Error, "middle")
	page, err := s.ListProcesses(w.broker, models.ProcessFilter{Limit: 100})
	storetest.Must(t, err, "process page")
	var listed []string
	for _, it := range page.Items {
		listed = append(listed, it.UUID)
	}
	listed[len(listed)-1] = w.big.UUID
	staffPage, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{Limit: 100})
	storetest.Must(t, err, "queue")
	var queued []string
	for _, it := range staffPage.Items {
		queued = append(queued, it.ProcessUUID)
	}
	deepQueue := models.ReplyQueueFilter{Limit: 100}
	for range 20 {
		pg, err := s.ReplyQueue(w.staff, deepQueue)
		storetest.Must(t, err, "walk queue")
		deepQueue.After = pg.NextCursor
	}
	deepWaiting := models.ReplyQueueFilter{Filter: models.ReplyQueueWaiting, Limit: 100}
	for range 5 {
		pg, err := s.ReplyQueue(w.staff, deepWaiting)
		storetest.Must(t, err, "walk the waiting queue")
		deepWaiting.After = pg.NextCursor
	}

	ok := storetest.Musts(t, "")
	cases := []struct {
		name  string
		calls int
		run   func()
	}{
		{"API page 1", 1, func() {
			l, err := s.ListMessages(w.broker, w.big.UUID, models.DefaultMessagePage)
			ok(err, "list")
			if l.Count != 20 || l.TotalCount != 100_000 {
				t.Fatalf("page 1: %d of %d", l.Count, l.TotalCount)
			}
		}},
		{"API page 50", 1, func() {
			l, err := s.ListMessages(w.broker, w.big.UUID, models.MessagePage{PageNumber: 50, PageSize: 20})
			ok(err, "list")
			if l.Count != 20 {
				t.Fatalf("page 50: %d", l.Count)
			}
		}},
		{"API deepest page", 1, func() {
			_, err := s.ListMessages(w.staff, w.big.UUID, models.MessagePage{PageNumber: 100, PageSize: 100})
			ok(err, "list")
		}},
		{"thread newest page", 2, func() {
			_, err := s.ThreadPage(w.broker2, w.big.UUID, models.ThreadQuery{})
			ok(err, "thread")
		}},
		{"thread older page", 2, func() {
			_, err := s.ThreadPage(w.staff, w.big.UUID, models.ThreadQuery{Before: mid.UUID})
			ok(err, "thread")
		}},
		{"poll, nothing new", 1, func() {
			got, err := s.MessagesSince(w.broker, w.big.UUID, models.SinceQuery{After: bigMsgs[0].UUID})
			ok(err, "since")
			if len(got) != 0 {
				t.Fatal("new messages")
			}
		}},
		{"poll, two new", 1, func() {
			got, err := s.MessagesSince(w.staff, w.big.UUID, models.SinceQuery{After: bigMsgs[2].UUID})
			ok(err, "since")
			if len(got) != 2 {
				t.Fatalf("%d new", len(got))
			}
		}},
		{"poll from the start", 1, func() {
			_, err := s.MessagesSince(w.broker, w.big.UUID, models.SinceQuery{})
			ok(err, "since")
		}},
		{"mark read", 1, func() { ok(s.MarkRead(w.broker2, w.big.UUID, mid.UUID), "mark read") }},
		{"unread counts, broker list page", 1, func() {
			m, err := s.UnreadCounts(w.broker2, listed)
			ok(err, "unread")
			if m[w.big.UUID] != int(100_000-mid.Seq) { // read to the middle by "mark read"
				t.Fatalf("big thread unread %d", m[w.big.UUID])
			}
		}},
		{"unread counts, reader", 1, func() {
			_, err := s.UnreadCounts(w.broker, listed)
			ok(err, "unread")
		}},
		{"unread counts, staff", 1, func() {
			_, err := s.UnreadCounts(w.staff, queued)
			ok(err, "unread")
		}},
		{"queue all", 1, func() {
			_, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{})
			ok(err, "queue")
		}},
		{"queue waiting", 1, func() {
			_, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{Filter: models.ReplyQueueWaiting})
			ok(err, "queue")
		}},
		{"queue answered after a cursor", 1, func() {
			_, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{Filter: models.ReplyQueueAnswered, After: deepQueue.After})
			ok(err, "queue")
		}},
		{"queue all after a deep cursor", 1, func() {
			_, err := s.ReplyQueue(w.staff, deepQueue)
			ok(err, "queue")
		}},
		{"queue of one firm, waiting", 2, func() {
			_, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{Filter: models.ReplyQueueWaiting, FirmUID: "BRK-BULK-007"})
			ok(err, "queue")
		}},
		{"queue waiting after a deep cursor", 1, func() {
			_, err := s.ReplyQueue(w.staff, deepWaiting)
			ok(err, "queue")
		}},
		{"queue counts", 1, func() {
			n, err := s.ReplyQueueCounts(w.staff, "")
			ok(err, "counts")
			if n.All != models.MaxReplyQueueCount+1 || n.Waiting != models.MaxReplyQueueCount+1 { // far more threads: the count stops
				t.Fatalf("counts %+v", n)
			}
		}},
		{"queue counts of one firm", 2, func() {
			_, err := s.ReplyQueueCounts(w.staff, "BRK-BULK-007")
			ok(err, "counts")
		}},
		{"post (one statement: every read and write)", 1, func() {
			_, err := s.PostMessage(w.broker2, w.big.UUID, models.NewMessage{Text: "a new message"})
			ok(err, "post")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range rec.Plans(t, c.calls, c.run) {
				if scans := p.Root.SeqScans(threadTables); len(scans) > 0 {
					t.Errorf("sequential scan of %s in\n%s\nargs %v\nplan %s", strings.Join(scans, ", "), p.SQL, p.Vars, p.Root.Outline())
				} else if testing.Verbose() {
					t.Logf("%s\n%s", strings.Join(strings.Fields(p.SQL), " "), p.Root.Outline())
				}
			}
		})
	}
}

// BenchmarkMessages measures the thread operations on a 10^5-message
// thread while the database holds 10^5 and then 10^6 messages (the rest
// spread over other threads). Reading one thread must cost the same at both
// sizes: compare total=1e6 with total=1e5 of the same case.
//
//	go test ./models/store -run '^$' -bench Messages -benchtime 200x
//
// The PostgreSQL half needs PORTAL_TEST_POSTGRES_URL and is skipped without it.
func BenchmarkMessages(b *testing.B) {
	sizes := []struct {
		name              string
		spread, perThread int
	}{{"total=1e5", 0, 0}, {"total=1e6", 1, 9}} // 10^5 processes x 9 + the big thread
	cases := []struct {
		name string
		run  func(tb testing.TB, w *threadBulk)
	}{
		{"API page 1", func(tb testing.TB, w *threadBulk) {
			if _, err := w.s.ListMessages(w.broker, w.big.UUID, models.DefaultMessagePage); err != nil {
				tb.Fatal(err)
			}
		}},
		{"API page 50", func(tb testing.TB, w *threadBulk) {
			if _, err := w.s.ListMessages(w.broker, w.big.UUID, models.MessagePage{PageNumber: 50, PageSize: 20}); err != nil {
				tb.Fatal(err)
			}
		}},
		{"thread newest page", func(tb testing.TB, w *threadBulk) {
			if _, err := w.s.ThreadPage(w.broker, w.big.UUID, models.ThreadQuery{}); err != nil {
				tb.Fatal(err)
			}
		}},
		{"poll, nothing new", func(tb testing.TB, w *threadBulk) {
			if _, err := w.s.MessagesSince(w.broker, w.big.UUID, models.SinceQuery{After: w.newest(tb)}); err != nil { // newest is cached
				tb.Fatal(err)
			}
		}},
		{"queue waiting", func(tb testing.TB, w *threadBulk) {
			if _, err := w.s.ReplyQueue(w.staff, models.ReplyQueueFilter{Filter: models.ReplyQueueWaiting}); err != nil {
				tb.Fatal(err)
			}
		}},
		{"post", func(tb testing.TB, w *threadBulk) {
			// A new poster every few posts: the rate limit is per user.
			if _, err := w.s.PostMessage(w.staffPoster(tb), w.big.UUID, models.NewMessage{Text: "benchmark reply"}); err != nil {
				tb.Fatal(err)
			}
		}},
	}
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		worlds := make([]*threadBulk, len(sizes))
		for i, size := range sizes {
			worlds[i] = seedBulkThreads(b, seedBulk(b, storetest.Open(b, d), 50, 2000), 100_000, size.spread, size.perThread)
			b.Logf("%s: %d messages", size.name, worlds[i].total)
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				for i, size := range sizes {
					b.Run(size.name, func(b *testing.B) {
						w := worlds[i]
						c.run(b, w)
						for b.Loop() {
							c.run(b, w)
						}
					})
				}
			})
		}
	})
}

// newest is the UUID of the big thread's newest message (looked up once).
func (w *threadBulk) newest(tb testing.TB) string {
	if w.newestUUID == "" {
		var u []string
		if err := w.s.DB().Model(&models.Message{}).Where("process_id = ?", w.big.ID).Order("seq DESC").Limit(1).
			Pluck("uuid", &u).Error; err != nil || len(u) != 1 {
			tb.Fatal(err)
		}
		w.newestUUID = u[0]
	}
	return w.newestUUID
}

// staffPoster returns a fresh staff principal every MessageRateLimit-1
// posts, so a benchmark of posting never meets the per-user rate limit.
func (w *threadBulk) staffPoster(tb testing.TB) context.Context {
	w.posts++
	if w.poster == nil || w.posts%(models.MessageRateLimit-1) == 0 {
		u := models.User{UUID: uuid.NewString(), BankID: w.bankID,
			Email: fmt.Sprintf("poster.%d@bulk.example", w.posts), Name: "Poster", Kind: models.KindStaff, PasswordHash: "x"}
		if err := w.s.DB().Create(&u).Error; err != nil {
			tb.Fatal(err)
		}
		w.poster = models.WithPrincipal(context.Background(), &models.Principal{UserID: u.ID, Email: u.Email, Name: u.Name,
			Kind: u.Kind, BankID: u.BankID})
	}
	return w.poster
}

// TestMessageQueryPlansSQLite checks the embedded database's plans for the
// same operations: every read of a growing table is an index SEARCH, and no
// thread read sorts in a temporary b-tree.
func TestMessageQueryPlansSQLite(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	w := seedBulkThreads(t, seedBulk(t, s, 10, 1000), 20_000, 5, 5)
	rec := storetest.RecordSQL(t, s)
	var mid models.Message
	storetest.Must(t, s.DB().Where("process_id = ?", w.big.ID).Order("seq").Offset(5000).Take(&mid).Error, "middle")
	newest := w.newest(t)
	check := func(err error) {
		t.Helper()
		storetest.Must(t, err, "operation")
	}
	cases := map[string]func(){
		"API page 50": func() {
			_, err := s.ListMessages(w.broker, w.big.UUID, models.MessagePage{PageNumber: 50, PageSize: 20})
			check(err)
		},
		"thread newest page": func() { _, err := s.ThreadPage(w.broker, w.big.UUID, models.ThreadQuery{}); check(err) },
		"thread older page":  func() { _, err := s.ThreadPage(w.staff, w.big.UUID, models.ThreadQuery{Before: mid.UUID}); check(err) },
		"poll, nothing new":  func() { _, err := s.MessagesSince(w.broker, w.big.UUID, models.SinceQuery{After: newest}); check(err) },
		"poll from the middle": func() {
			_, err := s.MessagesSince(w.broker, w.big.UUID, models.SinceQuery{After: mid.UUID})
			check(err)
		},
		"poll without cursor": func() { _, err := s.MessagesSince(w.broker, w.big.UUID, models.SinceQuery{}); check(err) },
		"mark read":           func() { check(s.MarkRead(w.broker2, w.big.UUID, mid.UUID)) },
		"unread counts":       func() { _, err := s.UnreadCounts(w.broker, []string{w.big.UUID}); check(err) },
		"queue waiting": func() {
			_, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{Filter: models.ReplyQueueWaiting})
			check(err)
		},
		"queue of one firm": func() {
			_, err := s.ReplyQueue(w.staff, models.ReplyQueueFilter{Filter: models.ReplyQueueAnswered, FirmUID: "BRK-BULK-003"})
			check(err)
		},
		"queue counts": func() { _, err := s.ReplyQueueCounts(w.staff, ""); check(err) },
		"queue counts of one firm": func() {
			_, err := s.ReplyQueueCounts(w.staff, "BRK-BULK-003")
			check(err)
		},
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			for _, st := range rec.Capture(run) {
				steps := storetest.QueryPlan(t, s, st)
				for _, step := range steps {
					f := strings.Fields(step)
					// Aliases hide table names: only the small reference
					// tables may be scanned, and a subquery's rows (a
					// co-routine, bounded by its own LIMIT).
					small := len(f) > 1 && (f[1] == "broker_firms" || f[1] == "banks" || f[1] == "CONSTANT" ||
						slices.Contains(steps, "CO-ROUTINE "+f[1]))
					if (len(f) > 1 && f[0] == "SCAN" && !small) || strings.Contains(step, "TEMP B-TREE") {
						t.Errorf("%s\nin %s\nplan %s", step, strings.Join(strings.Fields(st.SQL), " "), strings.Join(steps, " | "))
					}
				}
			}
		})
	}
}
