package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// customerBulk is a bank with many customers and customer messages: one
// customer (big, linked to the owner login) with bigMessages of them, and
// the rest of the table spread evenly over every other customer.
type customerBulk struct {
	s            *store.Store
	big          models.Customer
	other        models.Customer // a customer with the spread share
	staff, owner context.Context
	total        int64
	bigRead      string // a message of big's that is read
}

const bulkBankID = "bulk.bank"

// seedBulkCustomers fills an empty, migrated store with set-based SQL.
// Messages are inserted in time order (big's interleaved with the others')
// so ids follow time as in a live database; 70% of big's (the oldest) and
// two thirds of the others' are read; the counters are derived from the rows.
func seedBulkCustomers(tb testing.TB, s *store.Store, customers, bigMessages, total int) *customerBulk {
	tb.Helper()
	ctx := context.Background()
	db := s.DB().WithContext(ctx)
	must := storetest.Musts(tb, "bulk customers ")
	pg := s.Dialect() == store.Postgres
	must(s.EnsureBank(ctx, bulkBankID, "Bulk Bank"), "bank")
	var bank models.Bank
	must(db.Where("bank_id = ?", bulkBankID).Take(&bank).Error, "bank")
	staff := models.User{UUID: uuid.NewString(), BankID: bank.ID, Email: "bulk.staff@bulk.example", Name: "Bulk Staff",
		Kind: models.KindStaff, PasswordHash: "x"}
	owner := models.User{UUID: uuid.NewString(), BankID: bank.ID, Email: "customer.0@bulk.example", Name: "Bulk Customer",
		Kind: models.KindCustomer, PasswordHash: "x"}
	must(db.Create(&staff).Error, "staff")
	must(db.Create(&owner).Error, "owner")
	for _, r := range []string{models.RoleCanGetCustomerMessages, models.RoleCanCreateCustomerMessage} {
		must(db.Create(&models.Entitlement{UUID: uuid.NewString(), UserID: staff.ID, BankID: bank.ID, Role: r}).Error, "role")
	}
	per := (total - bigMessages) / (customers - 1)
	step := max(per*customers/max(bigMessages, 1), 1) // big's messages over the same time range

	seq := func(name string, n int) string {
		if pg {
			return fmt.Sprintf("generate_series(0, %d) AS %s", n-1, name)
		}
		return fmt.Sprintf("(WITH RECURSIVE r(%[1]s) AS (SELECT 0 UNION ALL SELECT %[1]s + 1 FROM r WHERE %[1]s + 1 < %[2]d) SELECT %[1]s FROM r) %[1]s_t", name, n)
	}
	ts := func(expr string) string {
		if pg {
			return "timestamptz '2025-01-01 00:00:00+00' + (" + expr + ") * interval '1 second'"
		}
		return fmt.Sprintf(`strftime('%%Y-%%m-%%d %%H:%%M:%%S', '2025-01-01 00:00:00', '+' || (%s) || ' seconds') || '+00:00'`, expr)
	}
	uuidOf := func(prefix, expr string) string {
		if pg {
			return fmt.Sprintf("('%s-0000-4000-8000-' || lpad(to_hex(%s), 12, '0'))::uuid", prefix, expr)
		}
		return fmt.Sprintf("printf('%s-0000-4000-8000-%%012x', %s)", prefix, expr)
	}
	pad := func(expr string, n int) string {
		if pg {
			return fmt.Sprintf("lpad((%s)::text, %d, '0')", expr, n)
		}
		return fmt.Sprintf("printf('%%0%dd', %s)", n, expr)
	}
	pick := func(names []string, idx string) string {
		if pg {
			return fmt.Sprintf("(%s)[1 + %s]", sqlArray(names), idx)
		}
		return fmt.Sprintf("json_extract(%s, '$[' || (%s) || ']')", jsonArray(names), idx)
	}
	name := pick(bulkFirstNames, "i % 20") + " || ' ' || " + pick(bulkLastNames, "(i / 20) % 20") + " || ' ' || " +
		pick(bulkLastNames, "(i * 7 + i / 400) % 20")
	readAt := func(t string) string {
		if pg {
			return t + " + interval '1 hour'"
		}
		return "strftime('%Y-%m-%d %H:%M:%S', substr(" + t + ", 1, 19), '+1 hour') || '+00:00'"
	}
	stmts := []string{
		fmt.Sprintf(`INSERT INTO customers (uuid, bank_id, customer_number, legal_name, email, mobile_phone, tax_id, search_name, created_at)
			SELECT %s, %d, 'B-' || %s, n, 'customer.' || i || '@bulk.example', '+3519' || %s, %s, lower(n), %s
			FROM (SELECT i, %s AS n FROM %s) g`,
			uuidOf("00000009", "i"), bank.ID, pad("i", 7), pad("i", 8), castText("100000000 + i", pg), ts("0"), name, seq("i", customers)),
		fmt.Sprintf(`UPDATE customers SET user_id = %d WHERE bank_id = %d AND customer_number = 'B-0000000'`, owner.ID, bank.ID),
		fmt.Sprintf(`INSERT INTO customer_messages (uuid, bank_id, customer_id, message, transport, from_department, from_person,
				created_by_user_id, created_at, read_at)
			SELECT %[1]s, %[2]d, customer_id, 'Bulk message ' || k || ' to customer ' || customer_id,
				CASE k %% 4 WHEN 0 THEN 'SMS' WHEN 1 THEN 'EMAIL' WHEN 2 THEN 'POST' ELSE 'IN_APP' END,
				'Bulk Department', 'Bulk Person', %[3]d, t, CASE WHEN is_read = 1 THEN %[4]s END
			FROM (SELECT *, row_number() OVER (ORDER BY t) AS rn FROM (
				SELECT c.id AS customer_id, j AS k, %[5]s AS t, CASE WHEN (c.id + j) %% 3 <> 0 THEN 1 ELSE 0 END AS is_read
				FROM customers c, %[6]s
				WHERE c.bank_id = %[2]d AND c.customer_number <> 'B-0000000'
				UNION ALL
				SELECT c.id, i, %[7]s, CASE WHEN i < %[8]d THEN 1 ELSE 0 END
				FROM customers c, %[9]s
				WHERE c.bank_id = %[2]d AND c.customer_number = 'B-0000000'
			) x) y ORDER BY rn`,
			uuidOf("0000000a", "rn"), bank.ID, staff.ID, readAt("t"),
			ts(fmt.Sprintf("j * %d + c.id", customers)), seq("j", per),
			ts(fmt.Sprintf("i * %d", step)), bigMessages*7/10, seq("i", bigMessages)),
		fmt.Sprintf(`UPDATE customers SET message_count = x.n, unread_count = x.u
			FROM (SELECT customer_id, count(*) AS n, sum(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) AS u
				FROM customer_messages GROUP BY customer_id) x
			WHERE customers.id = x.customer_id AND customers.bank_id = %d`, bank.ID),
	}
	must(db.Transaction(func(tx *gorm.DB) error {
		if pg {
			if err := storetest.ReplicaRole(tx); err != nil {
				return err
			}
			// Sort the million rows in memory, and build the message
			// indexes once after the load (from their own definitions)
			// instead of row by row.
			if err := tx.Exec("SET LOCAL work_mem = '256MB'").Error; err != nil {
				return err
			}
			var defs []struct{ Indexname, Indexdef string }
			if err := tx.Raw(`SELECT indexname, indexdef FROM pg_indexes
				WHERE tablename = 'customer_messages' AND indexname <> 'customer_messages_pkey'`).Scan(&defs).Error; err != nil {
				return err
			}
			for _, d := range defs {
				if strings.Contains(d.Indexdef, "UNIQUE") {
					continue // constraint-backed: kept
				}
				stmts = append(stmts, d.Indexdef)
				if err := tx.Exec("DROP INDEX " + d.Indexname).Error; err != nil {
					return err
				}
			}
		}
		return storetest.ExecAll(tx, stmts)
	}), "insert")
	storetest.Analyze(tb, s, "customers", "customer_messages", "users", "entitlements", "banks")
	w := &customerBulk{s: s}
	must(db.Model(&models.CustomerMessage{}).Count(&w.total).Error, "count")
	must(db.Where("bank_id = ? AND customer_number = ?", bank.ID, "B-0000000").Take(&w.big).Error, "big")
	must(db.Where("bank_id = ? AND customer_number = ?", bank.ID, fmt.Sprintf("B-%07d", customers/2)).Take(&w.other).Error, "other")
	var read models.CustomerMessage
	must(db.Where("customer_id = ? AND read_at IS NOT NULL", w.big.ID).Order("id DESC").Limit(1).Take(&read).Error, "read message")
	w.bigRead = read.UUID
	w.staff = storetest.As(tb, s, staff.ID)
	w.owner = storetest.As(tb, s, owner.ID)
	var bigCount int64
	must(db.Model(&models.CustomerMessage{}).Where("customer_id = ?", w.big.ID).Count(&bigCount).Error, "big count")
	if bigCount != int64(bigMessages) || w.big.UserID == nil {
		tb.Fatalf("big customer has %d messages, want %d", bigCount, bigMessages)
	}
	return w
}

func castText(expr string, pg bool) string {
	if pg {
		return "(" + expr + ")::text"
	}
	return "CAST(" + expr + " AS TEXT)"
}

// settle brings a PostgreSQL world to the steady state autovacuum keeps a
// live database in; the plan test checks the freshly loaded case.
func (w *customerBulk) settle(tb testing.TB) {
	tb.Helper()
	storetest.Settle(tb, w.s, "customers", "customer_messages")
}

// Growing tables of the customer inbox: a plan must never read them whole.
var customerTables = map[string]bool{"customer_messages": true, "customers": true, "obp_tokens": true}

// TestCustomerQueryPlansUseIndexes runs EXPLAIN on the exact statements the
// customer-message operations issue, on 10^4 customers and 10^6 customer
// messages (10^4 of them one customer's), freshly loaded, and fails when
// one of them would read customers or customer_messages sequentially, or
// issue more statements than it should.
func TestCustomerQueryPlansUseIndexes(t *testing.T) {
	s := storetest.Open(t, store.Postgres)
	start := time.Now()
	w := seedBulkCustomers(t, s, 10_000, 10_000, 1_000_000)
	t.Logf("%d customer messages loaded in %v", w.total, time.Since(start).Round(time.Millisecond))
	if w.total < 990_000 {
		t.Fatalf("only %d messages", w.total)
	}
	ctx := context.Background()
	rec := storetest.RecordSQL(t, s)
	ok := storetest.Musts(t, "")
	var unread models.CustomerMessage
	ok(s.DB().Where("customer_id = ? AND read_at IS NULL", w.big.ID).Order("id DESC").Take(&unread).Error, "unread")
	// DirectLogin tokens: 10^5 of other sessions, and one real one.
	ok(s.EnsureConsumer(ctx, "bulk-consumer", "Bulk"), "consumer")
	ok(s.DB().Exec(`INSERT INTO obp_tokens (token_hash, user_id, consumer_id, created_at, last_used_at, expires_at)
		SELECT md5(i::text), u.id, c.id, now(), now(), now() + interval '1 hour'
		FROM generate_series(1, 100000) AS i, users u, api_consumers c WHERE u.email = 'customer.0@bulk.example'`).Error, "tokens")
	hash, err := models.HashPassword("bulk-password")
	ok(err, "hash")
	ok(s.DB().Model(&models.User{}).Where("email = ?", "bulk.staff@bulk.example").Update("password_hash", hash).Error, "password")
	token, err := s.DirectLogin(ctx, models.DirectLoginInput{Username: "bulk.staff@bulk.example", Password: "bulk-password",
		ConsumerKey: "bulk-consumer", ClientIP: "203.0.113.50"})
	ok(err, "direct login")
	ok(s.DB().Exec("ANALYZE obp_tokens").Error, "analyze")

	cases := []struct {
		name  string
		calls int // statements recorded (reads; inserts and updates are not recorded)
		run   func()
	}{
		{"v4 list, page 1", 2, func() {
			p, err := s.CustomerMessages(w.staff, bulkBankID, w.big.UUID, models.Paging{})
			ok(err, "list")
			if len(p.Messages) != models.DefaultCustomerPageSize || p.Total != 10_000 || p.Unread != 3_000 {
				t.Fatalf("page 1: %d of %d, %d unread", len(p.Messages), p.Total, p.Unread)
			}
		}},
		{"v4 list, deepest offset", 2, func() {
			p, err := s.CustomerMessages(w.staff, bulkBankID, w.big.UUID, models.Paging{Limit: 500, Offset: 9_500})
			ok(err, "list")
			if len(p.Messages) != 500 {
				t.Fatalf("deep page %d", len(p.Messages))
			}
		}},
		{"v4 list, small customer", 2, func() {
			_, err := s.CustomerMessages(w.staff, bulkBankID, w.other.UUID, models.Paging{})
			ok(err, "list")
		}},
		{"inbox (v1.4), page 1", 2, func() {
			p, err := s.MyCustomerMessages(w.owner, bulkBankID, models.Paging{})
			ok(err, "inbox")
			if p.Total != 10_000 {
				t.Fatalf("inbox total %d", p.Total)
			}
		}},
		{"unread count", 1, func() {
			n, err := s.MyUnreadCount(w.owner)
			ok(err, "unread")
			if n != 3_000 {
				t.Fatalf("unread %d", n)
			}
		}},
		{"open a read message", 1, func() {
			_, err := s.OpenMyMessage(w.owner, w.bigRead)
			ok(err, "open")
		}},
		{"open an unread message", 1, func() {
			_, err := s.OpenMyMessage(w.owner, unread.UUID)
			ok(err, "open")
		}},
		{"create (the gate)", 1, func() {
			_, err := s.CreateCustomerMessage(w.staff, bulkBankID, w.big.UUID, newMsg("hello"))
			ok(err, "create")
		}},
		{"find by e-mail", 2, func() {
			cs, err := s.FindCustomers(w.staff, "CUSTOMER.4242@bulk.example", 0)
			ok(err, "find")
			if len(cs) != 1 {
				t.Fatalf("%d found", len(cs))
			}
		}},
		{"find by tax id", 2, func() {
			cs, err := s.FindCustomers(w.staff, "100004242", 0)
			ok(err, "find")
			if len(cs) != 1 {
				t.Fatalf("%d found", len(cs))
			}
		}},
		{"find by customer number", 2, func() {
			cs, err := s.FindCustomers(w.staff, "b-0004242", 0)
			ok(err, "find")
			if len(cs) != 1 {
				t.Fatalf("%d found", len(cs))
			}
		}},
		{"find by name", 3, func() {
			cs, err := s.FindCustomers(w.staff, "sofia", 0)
			ok(err, "find")
			if len(cs) != 20 {
				t.Fatalf("%d found", len(cs))
			}
		}},
		// The documented bounded scan: no customer matches, so the walk
		// reads every customer of the bank (through the index, in order).
		{"find by name, no match", 3, func() {
			cs, err := s.FindCustomers(w.staff, "zeferino", 0)
			ok(err, "find")
			if len(cs) != 0 {
				t.Fatalf("%d found", len(cs))
			}
		}},
		{"resolve a DirectLogin token", 2, func() { // the token, then the principal with its roles
			p, err := s.ResolveOBPToken(ctx, token)
			ok(err, "resolve")
			if p.Email != "bulk.staff@bulk.example" || len(p.Roles) != 2 {
				t.Fatalf("principal %+v", p)
			}
		}},
		{"find, empty query", 2, func() {
			_, err := s.FindCustomers(w.staff, "", 0)
			ok(err, "find")
		}},
		{"get customer", 2, func() {
			_, err := s.GetCustomer(w.staff, w.other.UUID)
			ok(err, "get")
		}},
		{"my customers", 1, func() {
			_, err := s.MyCustomers(w.owner)
			ok(err, "my customers")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range rec.Plans(t, c.calls, c.run) {
				scans := p.Root.SeqScans(customerTables)
				if strings.Contains(p.SQL, "search_name LIKE") && !slices.Contains(scans, "customer_messages") {
					// The name substring search is the documented bounded
					// scan of one bank's customers: an ordered index walk
					// that stops at the page size when enough match, a
					// sequential read of the bank's customers when few do.
					t.Logf("name search (bounded scan of the bank's customers): %s", p.Root.Outline())
					continue
				}
				if len(scans) > 0 {
					t.Errorf("sequential scan of %s in\n%s\nargs %v\nplan %s", strings.Join(scans, ", "),
						strings.Join(strings.Fields(p.SQL), " "), p.Vars, p.Root.Outline())
				} else if testing.Verbose() {
					t.Logf("%s\n%s", strings.Join(strings.Fields(p.SQL), " "), p.Root.Outline())
				}
			}
		})
	}
}

// TestCustomerQueryPlansSQLite checks the embedded database's plans for the
// same operations on 10^5 messages: every read of customers or
// customer_messages is an index SEARCH, and no page is sorted.
func TestCustomerQueryPlansSQLite(t *testing.T) {
	s := storetest.Open(t, store.SQLite)
	w := seedBulkCustomers(t, s, 2_000, 10_000, 100_000)
	rec := storetest.RecordSQL(t, s)
	check := func(err error) {
		t.Helper()
		storetest.Must(t, err, "operation")
	}
	cases := map[string]func(){
		"find by name": func() { _, err := s.FindCustomers(w.staff, "sofia", 0); check(err) },
		"v4 list": func() {
			_, err := s.CustomerMessages(w.staff, bulkBankID, w.big.UUID, models.Paging{Limit: 100, Offset: 5_000})
			check(err)
		},
		"inbox":         func() { _, err := s.MyCustomerMessages(w.owner, bulkBankID, models.Paging{}); check(err) },
		"unread count":  func() { _, err := s.MyUnreadCount(w.owner); check(err) },
		"open":          func() { _, err := s.OpenMyMessage(w.owner, w.bigRead); check(err) },
		"find by email": func() { _, err := s.FindCustomers(w.staff, "customer.42@bulk.example", 0); check(err) },
		"find by tax":   func() { _, err := s.FindCustomers(w.staff, "100000042", 0); check(err) },
		"get customer":  func() { _, err := s.GetCustomer(w.staff, w.other.UUID); check(err) },
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			for _, st := range rec.Capture(run) {
				steps := storetest.QueryPlan(t, s, st)
				// Exact search matches are a handful of rows: sorting them is fine.
				exact := strings.Contains(st.SQL, "customer_number IN")
				for _, step := range steps {
					f := strings.Fields(step)
					small := len(f) > 1 && (f[1] == "b" || f[1] == "banks" || f[1] == "CONSTANT")
					if (len(f) > 1 && f[0] == "SCAN" && !small) || (strings.Contains(step, "TEMP B-TREE") && !exact) {
						t.Errorf("%s\nin %s\nplan %s", step, strings.Join(strings.Fields(st.SQL), " "), strings.Join(steps, " | "))
					}
				}
				if testing.Verbose() {
					t.Logf("%s\n  %s", strings.Join(strings.Fields(st.SQL), " "), strings.Join(steps, " | "))
				}
			}
		})
	}
}

// BenchmarkCustomerMessages measures the inbox operations of one customer
// with 10^4 messages while the table holds 10^5 and then 10^6 customer
// messages (10^4 customers). Reading one customer's messages must cost the
// same at both sizes: each case logs time(1e6) / time(1e5).
//
//	go test ./models/store -run '^$' -bench CustomerMessages -benchtime 2000x
//
// The PostgreSQL half needs PORTAL_TEST_POSTGRES_URL and is skipped without it.
func BenchmarkCustomerMessages(b *testing.B) {
	sizes := []struct {
		name  string
		total int
	}{{"total=1e5", 100_000}, {"total=1e6", 1_000_000}}
	cases := []struct {
		name string
		run  func(tb testing.TB, w *customerBulk)
	}{
		{"v4 list page 1", func(tb testing.TB, w *customerBulk) {
			if _, err := w.s.CustomerMessages(w.staff, bulkBankID, w.big.UUID, models.Paging{}); err != nil {
				tb.Fatal(err)
			}
		}},
		{"inbox page 1", func(tb testing.TB, w *customerBulk) {
			if _, err := w.s.MyCustomerMessages(w.owner, bulkBankID, models.Paging{}); err != nil {
				tb.Fatal(err)
			}
		}},
		{"unread count", func(tb testing.TB, w *customerBulk) {
			if _, err := w.s.MyUnreadCount(w.owner); err != nil {
				tb.Fatal(err)
			}
		}},
		{"v4 list offset 5000", func(tb testing.TB, w *customerBulk) {
			if _, err := w.s.CustomerMessages(w.staff, bulkBankID, w.big.UUID, models.Paging{Offset: 5_000}); err != nil {
				tb.Fatal(err)
			}
		}},
	}
	storetest.EachDialect(b, func(b *testing.B, d store.Dialect) {
		worlds := make([]*customerBulk, len(sizes))
		for i, size := range sizes {
			start := time.Now()
			worlds[i] = seedBulkCustomers(b, storetest.Open(b, d), 10_000, 10_000, size.total)
			worlds[i].settle(b)
			b.Logf("%s: %d customer messages, loaded in %v", size.name, worlds[i].total, time.Since(start).Round(time.Millisecond))
		}
		for _, c := range cases {
			b.Run(c.name, func(b *testing.B) {
				perOp := make([]float64, len(sizes))
				for i, size := range sizes {
					b.Run(size.name, func(b *testing.B) {
						w := worlds[i]
						c.run(b, w)
						for b.Loop() {
							c.run(b, w)
						}
						perOp[i] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
					})
				}
				if perOp[0] > 0 {
					b.Logf("%s %s: %.0f ns/op at 1e5, %.0f ns/op at 1e6, ratio 1e6/1e5 = %.2f",
						d, c.name, perOp[0], perOp[1], perOp[1]/perOp[0])
				}
			})
		}
	})
}
