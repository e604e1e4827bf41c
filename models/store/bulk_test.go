package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// bulkWorld is a large synthetic bank for plans and benchmarks: firms broker
// firms of perFirm processes each, interleaved by last action time.
type bulkWorld struct {
	s      *store.Store
	firms  []int64
	broker context.Context // a broker of firms[0]
	staff  context.Context
}

// The name pools are ASCII so searches behave alike on both dialects.
var (
	bulkFirstNames = []string{"Ana", "Bruno", "Catarina", "Diogo", "Eduarda", "Filipe", "Goncalo", "Helena", "Ines", "Joana",
		"Luis", "Mariana", "Miguel", "Nuno", "Patricia", "Pedro", "Rita", "Sofia", "Tiago", "Vasco"}
	bulkLastNames = []string{"Almeida", "Barbosa", "Cardoso", "Carvalho", "Correia", "Costa", "Fernandes", "Gomes", "Lopes",
		"Marques", "Martins", "Mendes", "Oliveira", "Pinto", "Ribeiro", "Rodrigues", "Santos", "Silva", "Sousa", "Teixeira"}
)

func sqlArray(names []string) string {
	return "ARRAY['" + strings.Join(names, "','") + "']"
}

func jsonArray(names []string) string {
	return `'["` + strings.Join(names, `","`) + `"]'`
}

// seedBulk fills an empty, migrated store with set-based SQL (one statement
// per table), fast enough for 10^5 processes in a test.
func seedBulk(tb testing.TB, s *store.Store, firms, perFirm int) *bulkWorld {
	tb.Helper()
	ctx := context.Background()
	db := s.DB().WithContext(ctx)
	must := storetest.Musts(tb, "bulk ")
	must(s.EnsureBank(ctx, "bulk.bank", "Bulk Bank"), "bank")
	var bank models.Bank
	must(db.Where("bank_id = ?", "bulk.bank").Take(&bank).Error, "bank")
	partner := models.Partner{UUID: uuid.NewString(), BankID: bank.ID, Name: "Bulk Network", ClientID: "bulk-network", ClientSecretHash: "unused"}
	must(db.Create(&partner).Error, "partner")
	rows := make([]models.BrokerFirm, firms)
	for i := range rows {
		rows[i] = models.BrokerFirm{UUID: uuid.NewString(), BankID: bank.ID, PartnerID: partner.ID,
			Name: fmt.Sprintf("Firma %02d, Lda", i+1), BrokerUID: fmt.Sprintf("BRK-BULK-%03d", i+1), APIEnabled: true}
	}
	must(db.Create(&rows).Error, "firms")
	w := &bulkWorld{s: s}
	for i, f := range rows {
		if f.ID != rows[0].ID+int64(i) {
			tb.Fatalf("firm ids are not contiguous: %d at %d", f.ID, i)
		}
		w.firms = append(w.firms, f.ID)
	}
	n := firms * perFirm

	// Process i belongs to firm i % firms and is that firm's k-th (k = i / firms).
	// Last actions are a permutation of 17-second steps, so firms interleave.
	// Children exist for a fraction of each firm's processes, chosen on {k}.
	k := fmt.Sprintf("((process_number - 1000000) / %d)", firms)
	var stmts []string
	switch s.Dialect() {
	case store.Postgres:
		stmts = []string{
			fmt.Sprintf(`INSERT INTO processes (uuid, bank_id, broker_id, process_number, loan_amount_cents, loan_duration_months,
				status_id, key_borrower_name, key_borrower_tax_id, created_at, last_action_at, updated_at)
			SELECT ('00000001-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid, %[1]d, %[2]d + i %% %[3]d, 1000000 + i, (80000 + (i * 37) %% 420000) * 100, 360,
				1 + (i / %[3]d) %% 8,
				(%[5]s)[1 + (i / %[3]d) %% 20] || ' ' || (%[6]s)[1 + (i / %[3]d / 20) %% 20] || ' ' || (%[6]s)[1 + ((i / %[3]d) * 7 + i %% %[3]d) %% 20],
				(200000000 + i)::text, t - interval '30 days', t, t
			FROM (SELECT i, timestamptz '2026-06-01 00:00:00+00' - ((i::bigint * 7919) %% %[4]d) * interval '17 seconds' AS t
				FROM generate_series(0, %[4]d - 1) AS i) g`,
				bank.ID, w.firms[0], firms, n, sqlArray(bulkFirstNames), sqlArray(bulkLastNames)),
			`INSERT INTO borrowers (uuid, process_id, borrower_type_id, name, tax_id, created_at, updated_at)
			SELECT ('00000002-0000-4000-8000-' || lpad(to_hex(id), 12, '0'))::uuid, id, 1, key_borrower_name, key_borrower_tax_id, created_at, created_at
			FROM processes WHERE {k} % 4 = 0`,
			`INSERT INTO borrowers (uuid, process_id, borrower_type_id, key_borrower_relation_id, name, tax_id, created_at, updated_at)
			SELECT ('00000003-0000-4000-8000-' || lpad(to_hex(id), 12, '0'))::uuid, id, 2, 1, 'Zeferino ' || substr(key_borrower_name, strpos(key_borrower_name, ' ') + 1),
				(300000000 + id)::text, created_at, created_at
			FROM processes WHERE {k} % 8 = 4`,
			`INSERT INTO properties (uuid, process_id, address, zip_code, zip_code_local, created_at, updated_at)
			SELECT ('00000004-0000-4000-8000-' || lpad(to_hex(id), 12, '0'))::uuid, id, 'Rua Augusta', '1100-053', 'Lisboa', created_at, created_at
			FROM processes WHERE {k} % 10 = 0`,
			`INSERT INTO process_status_changes (process_id, from_status, to_status, actor_name, comment, created_at)
			SELECT id, NULL, 1, 'Broker', 'Process created.', created_at FROM processes WHERE {k} % 10 = 0
			UNION ALL
			SELECT id, 1, status_id, 'Bank', 'Moved on.', last_action_at FROM processes WHERE {k} % 10 = 0 AND status_id <> 1`,
		}
	default:
		ts := func(expr string) string {
			return fmt.Sprintf(`strftime('%%Y-%%m-%%d %%H:%%M:%%S', '2026-06-01 00:00:00', %s) || '+00:00'`, expr)
		}
		step := fmt.Sprintf(`'-' || (((i * 7919) %% %d) * 17) || ' seconds'`, n)
		stmts = []string{
			fmt.Sprintf(`INSERT INTO processes (uuid, bank_id, broker_id, process_number, loan_amount_cents, loan_duration_months,
				status_id, key_borrower_name, key_borrower_tax_id, created_at, last_action_at, updated_at)
			WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < %[4]d)
			SELECT printf('00000001-0000-4000-8000-%%012x', i), %[1]d, %[2]d + i %% %[3]d, 1000000 + i, (80000 + (i * 37) %% 420000) * 100, 360,
				1 + (i / %[3]d) %% 8,
				json_extract(%[5]s, '$[' || ((i / %[3]d) %% 20) || ']') || ' ' ||
				json_extract(%[6]s, '$[' || ((i / %[3]d / 20) %% 20) || ']') || ' ' ||
				json_extract(%[6]s, '$[' || (((i / %[3]d) * 7 + i %% %[3]d) %% 20) || ']'),
				CAST(200000000 + i AS TEXT), %[7]s, %[8]s, %[8]s
			FROM seq`,
				bank.ID, w.firms[0], firms, n, jsonArray(bulkFirstNames), jsonArray(bulkLastNames),
				ts(step+`, '-30 days'`), ts(step)),
			`INSERT INTO borrowers (uuid, process_id, borrower_type_id, name, tax_id, created_at, updated_at)
			SELECT printf('00000002-0000-4000-8000-%012x', id), id, 1, key_borrower_name, key_borrower_tax_id, created_at, created_at
			FROM processes WHERE {k} % 4 = 0`,
			`INSERT INTO borrowers (uuid, process_id, borrower_type_id, key_borrower_relation_id, name, tax_id, created_at, updated_at)
			SELECT printf('00000003-0000-4000-8000-%012x', id), id, 2, 1, 'Zeferino ' || substr(key_borrower_name, instr(key_borrower_name, ' ') + 1),
				CAST(300000000 + id AS TEXT), created_at, created_at
			FROM processes WHERE {k} % 8 = 4`,
			`INSERT INTO properties (uuid, process_id, address, zip_code, zip_code_local, created_at, updated_at)
			SELECT printf('00000004-0000-4000-8000-%012x', id), id, 'Rua Augusta', '1100-053', 'Lisboa', created_at, created_at
			FROM processes WHERE {k} % 10 = 0`,
			`INSERT INTO process_status_changes (process_id, from_status, to_status, actor_name, comment, created_at)
			SELECT id, NULL, 1, 'Broker', 'Process created.', created_at FROM processes WHERE {k} % 10 = 0
			UNION ALL
			SELECT id, 1, status_id, 'Bank', 'Moved on.', last_action_at FROM processes WHERE {k} % 10 = 0 AND status_id <> 1`,
		}
	}
	must(db.Transaction(func(tx *gorm.DB) error {
		if s.Dialect() == store.Postgres {
			if err := storetest.ReplicaRole(tx); err != nil {
				return err
			}
		}
		for i, q := range stmts {
			stmts[i] = strings.ReplaceAll(q, "{k}", k)
		}
		return storetest.ExecAll(tx, stmts)
	}), "insert")
	if s.Dialect() == store.Postgres {
		must(db.Exec("ANALYZE broker_firms, processes, borrowers, properties, process_status_changes").Error, "analyze")
	}
	var count int64
	must(db.Model(&models.Process{}).Where("broker_id = ?", w.firms[0]).Count(&count).Error, "count")
	if count != int64(perFirm) {
		tb.Fatalf("firm 0 has %d processes, want %d", count, perFirm)
	}
	w.broker = models.WithPrincipal(ctx, &models.Principal{UserID: 1, Kind: models.KindBroker, BankID: bank.ID,
		FirmID: w.firms[0], FirmName: rows[0].Name})
	w.staff = models.WithPrincipal(ctx, &models.Principal{UserID: 2, Kind: models.KindStaff, BankID: bank.ID})
	return w
}

// firmUUID is the public id of the world's i-th firm.
func (w *bulkWorld) firmUUID(tb testing.TB, i int) string {
	tb.Helper()
	var id string
	storetest.Must(tb, w.s.DB().Raw("SELECT uuid FROM broker_firms WHERE id = ?", w.firms[i]).Scan(&id).Error, "firm uuid")
	return id
}

// settle brings a PostgreSQL world to the steady state autovacuum keeps a
// live database in (visibility map set, so counts can be index-only scans).
// Freshly loaded tables lack it; the plan test checks that harder case.
func (w *bulkWorld) settle(tb testing.TB) {
	tb.Helper()
	storetest.Settle(tb, w.s, "broker_firms", "processes", "borrowers", "properties", "process_status_changes")
}
