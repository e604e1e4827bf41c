package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
	"portal/models/store"
	"portal/models/store/dbaddr"
)

// The synthetic bank lives in the demo bank (store.DemoBankID), beside the
// demo world: its reference data, partner, OBP consumer and staff (Marta
// Santos, who holds CanGetCustomerMessages, answers threads and reads
// customers' messages). Load rows are recognisable by their names:
// broker_uid BRK-LOAD-*, e-mails load.broker.N@load.example, customer
// numbers L-*, process numbers from loadProcessBase.
const (
	loadProcessBase  = 50_000_000
	loadStaffEmail   = "marta.santos@bank.example" // a demo staff member with every customer role
	perThreadDefault = 10                          // messages per thread: threads = messages / 10
	customerMessages = 10                          // per synthetic customer
)

var (
	firstNames = []string{"Ana", "Bruno", "Catarina", "Diogo", "Eduarda", "Filipe", "Goncalo", "Helena", "Ines", "Joana",
		"Luis", "Mariana", "Miguel", "Nuno", "Patricia", "Pedro", "Rita", "Sofia", "Tiago", "Vasco"}
	lastNames = []string{"Almeida", "Barbosa", "Cardoso", "Carvalho", "Correia", "Costa", "Fernandes", "Gomes", "Lopes",
		"Marques", "Martins", "Mendes", "Oliveira", "Pinto", "Ribeiro", "Rodrigues", "Santos", "Silva", "Sousa", "Teixeira"}
)

type seedSizes struct {
	processes, messages, brokers, firms, customers int
}

func cmdSeed(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(out)
	database := fs.String("database", "", "database URL (required)")
	var z seedSizes
	fs.IntVar(&z.processes, "processes", 100_000, "processes")
	fs.IntVar(&z.messages, "messages", 1_000_000, "thread messages (10 per thread)")
	fs.IntVar(&z.brokers, "brokers", 1000, "broker users, each with partner API access")
	fs.IntVar(&z.firms, "firms", 0, "broker firms (0: one per 4 brokers, at least 1)")
	fs.IntVar(&z.customers, "customers", 0, "bank customers with 10 messages each (0: processes/50, at least 10)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *database == "" {
		return fmt.Errorf("seed: --database is required: %w", flag.ErrHelp)
	}
	if z.firms <= 0 {
		z.firms = max(1, z.brokers/4)
	}
	if z.customers <= 0 {
		z.customers = max(10, z.processes/50)
	}
	if z.processes < 1 || z.messages < 0 || z.brokers < 1 || z.firms > z.brokers {
		return errors.New("seed: need --processes >= 1, --brokers >= 1, --messages >= 0 and --firms <= --brokers")
	}
	st, err := openStore(*database, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer st.Close()
	return seed(ctx, st, z, out)
}

func openStore(database string, log *slog.Logger) (*store.Store, error) {
	addr, err := dbaddr.Parse(database)
	if err != nil {
		return nil, err
	}
	return store.OpenWith(addr, store.Options{Logger: log})
}

// seed migrates an empty database, loads the demo world and then the
// synthetic bank with set-based SQL (one INSERT ... SELECT per table, in
// one transaction), and leaves the tables analysed and vacuumed.
func seed(ctx context.Context, st *store.Store, z seedSizes, out io.Writer) error {
	start := time.Now()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	empty, err := st.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("seed: the database already holds users; seed only an empty database (create one and drop it after)")
	}
	if _, err := st.SeedDemo(ctx); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	db := st.DB().WithContext(ctx)
	var ids struct{ Bank, Partner, Staff int64 }
	if err := db.Raw(`SELECT b.id AS bank, p.id AS partner, u.id AS staff FROM banks b
		JOIN partners p ON p.bank_id = b.id AND p.client_id = ?
		JOIN users u ON u.email = ?
		WHERE b.bank_id = ?`, store.DemoPartnerClient, loadStaffEmail, store.DemoBankID).Scan(&ids).Error; err != nil || ids.Bank == 0 {
		return fmt.Errorf("demo bank, partner or staff missing: %v", err)
	}
	// Nobody signs in with a password: the harness makes sessions and
	// tokens itself. One hash of a random secret serves every broker.
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	pwHash, err := models.HashPassword(hex.EncodeToString(secret))
	if err != nil {
		return err
	}

	q := newDialectSQL(st.Dialect(), time.Now().UTC().Truncate(time.Second))
	threads := 0
	if z.messages > 0 {
		threads = min(z.processes, (z.messages+perThreadDefault-1)/perThreadDefault)
	}
	var firstFirm, firstBroker, firstProcess, firstCustomer int64
	err = db.Transaction(func(tx *gorm.DB) error {
		if st.Dialect() == store.Postgres {
			var super string
			if err := tx.Raw("SELECT current_setting('is_superuser')").Scan(&super).Error; err != nil {
				return err
			}
			if super == "on" { // skip foreign key triggers on rows built consistent
				if err := tx.Exec("SET LOCAL session_replication_role = replica").Error; err != nil {
					return err
				}
			}
		}
		step := func(what, sql string, args ...any) error {
			t := time.Now()
			res := tx.Exec(sql, args...)
			if res.Error != nil {
				return fmt.Errorf("insert %s: %w", what, res.Error)
			}
			fmt.Fprintf(out, "  %-22s %9d rows  %s\n", what, res.RowsAffected, time.Since(t).Round(time.Millisecond))
			return nil
		}
		var err error
		if err = step("broker_firms", fmt.Sprintf(`INSERT INTO broker_firms (uuid, bank_id, partner_id, name, broker_uid, tax_id, api_enabled, created_at)
			SELECT %s, %d, %d, 'Load Firm ' || i || ', Lda', 'BRK-LOAD-' || %s, '', true, %s FROM %s ORDER BY i`,
			q.uuid("10ad0001", "i"), ids.Bank, ids.Partner, q.pad("i", 5), q.ts("0"), q.seq(z.firms))); err != nil {
			return err
		}
		if firstFirm, err = contiguous(tx, "broker_firms", "broker_uid LIKE 'BRK-LOAD-%'", z.firms); err != nil {
			return err
		}
		if err = step("users (brokers)", fmt.Sprintf(`INSERT INTO users (uuid, bank_id, email, name, kind, password_hash, firm_id, api_enabled, created_at, updated_at)
			SELECT %s, %d, 'load.broker.' || i || '@load.example', 'Load Broker ' || i, 'broker', ?, %d + i %% %d, true, %s, %s
			FROM %s ORDER BY i`,
			q.uuid("10ad0002", "i"), ids.Bank, firstFirm, z.firms, q.ts("0"), q.ts("0"), q.seq(z.brokers)), pwHash); err != nil {
			return err
		}
		if firstBroker, err = contiguous(tx, "users", "email LIKE 'load.broker.%'", z.brokers); err != nil {
			return err
		}
		// Process i: firm i % firms; its last action is a permutation of
		// the last processes*17 seconds, so firms interleave in the lists.
		last := fmt.Sprintf("((i * 7919) %% %d) * 17 + 7200", z.processes)
		name := fmt.Sprintf("%s || ' ' || %s || ' ' || %s", q.pick(firstNames, "(i / 7) % 20"), q.pick(lastNames, "(i / 3) % 20"),
			q.pick(lastNames, "(i * 7 + 3) % 20"))
		if err = step("processes", fmt.Sprintf(`INSERT INTO processes (uuid, bank_id, broker_id, process_number, branch_id, loan_amount_cents,
				loan_duration_months, product_scheme_id, loan_purpose_id, product_purpose_id, status_id, key_borrower_name,
				key_borrower_tax_id, created_at, last_action_at, updated_at)
			SELECT %s, %d, %d + i %% %d, %d + i, 1 + i %% 5, (80000 + (i * 37) %% 420000) * 100, 360, 1 + i %% 3, 1 + i %% 4, 1 + i %% 3,
				1 + (i / %d) %% 8, %s, CAST(200000000 + i AS TEXT), %s, %s, %s
			FROM %s ORDER BY i`,
			q.uuid("10ad0003", "i"), ids.Bank, firstFirm, z.firms, loadProcessBase, z.firms, name,
			q.ts("-("+last+") - 2592000"), q.ts("-("+last+")"), q.ts("-("+last+")"), q.seq(z.processes))); err != nil {
			return err
		}
		if firstProcess, err = contiguous(tx, "processes", fmt.Sprintf("process_number >= %d", loadProcessBase), z.processes); err != nil {
			return err
		}
		pcond := fmt.Sprintf("id >= %d", firstProcess)
		if err = step("borrowers", fmt.Sprintf(`INSERT INTO borrowers (uuid, process_id, borrower_type_id, name, birth_date, tax_id, mobile, email,
				income_wages_pensions_cents, created_at, updated_at)
			SELECT %s, id, 1, key_borrower_name, '1980-05-17', key_borrower_tax_id, '+351912345678',
				'cliente' || process_number || '@example.com', 250000, created_at, created_at
			FROM processes WHERE %s`, q.uuid("10ad0004", "id"), pcond)); err != nil {
			return err
		}
		if err = step("properties", fmt.Sprintf(`INSERT INTO properties (uuid, process_id, address, door_number, zip_code, zip_code_local, created_at, updated_at)
			SELECT %s, id, 'Rua Augusta', '100', '1100-053', 'Lisboa', created_at, created_at FROM processes WHERE %s`,
			q.uuid("10ad0005", "id"), pcond)); err != nil {
			return err
		}
		if err = step("process_status_changes", fmt.Sprintf(`INSERT INTO process_status_changes (process_id, from_status, to_status, actor_name, comment, created_at)
			SELECT id, NULL, 1, 'Broker', 'Process created.', created_at FROM processes WHERE %s`, pcond)); err != nil {
			return err
		}
		if threads > 0 {
			// Message i is on thread i % threads (process (i % threads) *
			// processes / threads), in time order over the whole bank, so ids
			// follow time. The firm's first broker and the staff member
			// alternate, the broker first on even threads, so about half of
			// the threads wait for the bank.
			proc := fmt.Sprintf("((i %% %d) * %d / %d)", threads, z.processes, threads)
			seqExpr := fmt.Sprintf("(i / %d + 1)", threads)
			broker := fmt.Sprintf("(%s %% %d)", proc, z.firms)
			if err = step("messages", fmt.Sprintf(`INSERT INTO messages (uuid, process_id, seq, author_user_id, author_kind, author_name,
					author_username, subject, text, created_at)
				SELECT %[1]s, %[2]d + %[3]s, %[4]s,
					CASE WHEN (%[4]s + i %% %[11]d) %% 2 = 1 THEN %[5]d + %[6]s ELSE %[7]d END,
					CASE WHEN (%[4]s + i %% %[11]d) %% 2 = 1 THEN 'broker' ELSE 'bank' END,
					CASE WHEN (%[4]s + i %% %[11]d) %% 2 = 1 THEN 'Load Broker ' || %[6]s ELSE 'Marta Santos' END,
					CASE WHEN (%[4]s + i %% %[11]d) %% 2 = 1 THEN 'load.broker.' || %[6]s || '@load.example' ELSE '%[8]s' END,
					'', 'Message ' || i || ': please find the updated payslips and the property valuation attached; '
						|| 'the borrowers confirm the loan amount and ask about the fixed-rate period.', %[9]s
				FROM %[10]s ORDER BY i`,
				q.uuid("10ad0006", "i"), firstProcess, proc, seqExpr, firstBroker, broker, ids.Staff, loadStaffEmail,
				q.ts(fmt.Sprintf("i - %d - 3600", z.messages)), q.seq(z.messages), threads)); err != nil {
				return err
			}
			if err = step("threads", fmt.Sprintf(`INSERT INTO threads (process_id, bank_id, broker_id, message_count, last_message_id, last_message_uuid,
					last_message_at, last_author_kind, last_author_name, last_excerpt)
				SELECT p.id, p.bank_id, p.broker_id, a.n, m.id, m.uuid, m.created_at, m.author_kind, m.author_name, substr(m.text, 1, 140)
				FROM (SELECT process_id, count(*) AS n, max(id) AS mx FROM messages WHERE process_id >= %d GROUP BY process_id) a
				JOIN processes p ON p.id = a.process_id JOIN messages m ON m.id = a.mx`, firstProcess)); err != nil {
				return err
			}
			// The firm's first broker has read each thread but for 0-2 of
			// its last messages; the staff member every other thread.
			if err = step("thread_reads", fmt.Sprintf(`INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
				SELECT %[1]d + (t.broker_id - %[2]d), t.process_id,
					COALESCE((SELECT m.id FROM messages m WHERE m.process_id = t.process_id AND m.seq = t.message_count - t.process_id %% 3), 0),
					t.message_count - t.process_id %% 3, t.last_message_at
				FROM threads t WHERE t.process_id >= %[3]d AND t.message_count > 2
				UNION ALL
				SELECT %[4]d, process_id, last_message_id, message_count, last_message_at FROM threads
				WHERE process_id >= %[3]d AND process_id %% 2 = 0`, firstBroker, firstFirm, firstProcess, ids.Staff)); err != nil {
				return err
			}
		}
		if err = step("customers", fmt.Sprintf(`INSERT INTO customers (uuid, bank_id, customer_number, legal_name, email, mobile_phone, tax_id,
				created_at, message_count, unread_count, search_name)
			SELECT %s, %d, 'L-' || %s, %s, 'customer.' || i || '@load.example', '+351910000000', CAST(600000000 + i AS TEXT), %s, %d, %d,
				lower(%s)
			FROM %s ORDER BY i`,
			q.uuid("10ad0007", "i"), ids.Bank, q.pad("i", 7), name, q.ts("-864000"), customerMessages, customerMessages-customerMessages/2,
			name, q.seq(z.customers))); err != nil {
			return err
		}
		if firstCustomer, err = contiguous(tx, "customers", "customer_number LIKE 'L-%'", z.customers); err != nil {
			return err
		}
		n := z.customers * customerMessages
		return step("customer_messages", fmt.Sprintf(`INSERT INTO customer_messages (uuid, bank_id, customer_id, message, transport, from_department,
				from_person, created_by_user_id, created_at, read_at)
			SELECT %[1]s, %[2]d, %[3]d + i %% %[4]d, 'Your mortgage simulation is ready; the ESIS is attached to this message.',
				'EMAIL', 'Mortgage Credit', 'Marta Santos', %[5]d, %[6]s,
				CASE WHEN i / %[4]d < %[7]d THEN %[6]s ELSE NULL END
			FROM %[8]s ORDER BY i`,
			q.uuid("10ad0008", "i"), ids.Bank, firstCustomer, z.customers, ids.Staff, q.ts(fmt.Sprintf("i - %d - 3600", n)),
			customerMessages/2, q.seq(n)))
	})
	if err != nil {
		return err
	}
	t := time.Now()
	if st.Dialect() == store.Postgres {
		err = db.Exec("VACUUM ANALYZE broker_firms, users, processes, borrowers, properties, process_status_changes, " +
			"messages, threads, thread_reads, customers, customer_messages").Error
	} else {
		err = db.Exec("ANALYZE").Error
		if err == nil {
			err = db.Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
		}
	}
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	fmt.Fprintf(out, "  %-22s %s\n", "analyze", time.Since(t).Round(time.Millisecond))
	fmt.Fprintf(out, "seeded %s: %d processes, %d messages in %d threads, %d brokers in %d firms, %d customers with %d messages, in %s\n",
		st.Dialect(), z.processes, z.messages, threads, z.brokers, z.firms, z.customers, z.customers*customerMessages,
		time.Since(start).Round(time.Millisecond))
	return nil
}

// contiguous returns the first id of the n rows of table matching where,
// and fails unless their ids are first..first+n-1 (the set-based inserts
// compute foreign keys from them).
func contiguous(tx *gorm.DB, table, where string, n int) (int64, error) {
	var r struct{ Lo, Hi, N int64 }
	if err := tx.Raw(fmt.Sprintf("SELECT min(id) AS lo, max(id) AS hi, count(*) AS n FROM %s WHERE %s", table, where)).Scan(&r).Error; err != nil {
		return 0, err
	}
	if r.N != int64(n) || r.Hi-r.Lo+1 != r.N {
		return 0, fmt.Errorf("%s: %d rows with ids %d..%d, want %d contiguous", table, r.N, r.Lo, r.Hi, n)
	}
	return r.Lo, nil
}

// dialectSQL writes the few expressions that differ between PostgreSQL and
// SQLite.
type dialectSQL struct {
	pg   bool
	base time.Time // ts offsets are seconds from it
}

func newDialectSQL(d store.Dialect, base time.Time) dialectSQL {
	return dialectSQL{pg: d == store.Postgres, base: base}
}

// seq is a FROM item of the integers 0..n-1 as column i (bigint).
func (q dialectSQL) seq(n int) string {
	if q.pg {
		return fmt.Sprintf("generate_series(0::bigint, %d) AS g(i)", n-1)
	}
	return fmt.Sprintf("(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %d) SELECT i FROM s) g", n)
}

// uuid is a version-4-shaped UUID unique per prefix and integer expr.
func (q dialectSQL) uuid(prefix, expr string) string {
	if q.pg {
		return fmt.Sprintf("('%s-0000-4000-8000-' || lpad(to_hex(%s), 12, '0'))::uuid", prefix, expr)
	}
	return fmt.Sprintf("printf('%s-0000-4000-8000-%%012x', %s)", prefix, expr)
}

func (q dialectSQL) pad(expr string, width int) string {
	if q.pg {
		return fmt.Sprintf("lpad(CAST(%s AS text), %d, '0')", expr, width)
	}
	return fmt.Sprintf("printf('%%0%dd', %s)", width, expr)
}

// ts is the timestamp base + secs seconds (secs an integer expression).
func (q dialectSQL) ts(secs string) string {
	if q.pg {
		return fmt.Sprintf("(timestamptz '%s' + (%s) * interval '1 second')", q.base.Format("2006-01-02 15:04:05+00"), secs)
	}
	return fmt.Sprintf("(strftime('%%Y-%%m-%%d %%H:%%M:%%S', '%s', (%s) || ' seconds') || '+00:00')",
		q.base.Format("2006-01-02 15:04:05"), secs)
}

// pick is names[idx] (idx an integer expression in 0..len-1).
func (q dialectSQL) pick(names []string, idx string) string {
	if q.pg {
		return fmt.Sprintf("(ARRAY['%s'])[1 + %s]", strings.Join(names, "','"), idx)
	}
	return fmt.Sprintf(`json_extract('["%s"]', '$[' || (%s) || ']')`, strings.Join(names, `","`), idx)
}
