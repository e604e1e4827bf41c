package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"portal/models"
)

// listItemsGORM is the page query of ListProcesses as it was built with
// GORM (and sent through Scan), kept to prove listItemsSQL equal to it.
func listItemsGORM(ctx context.Context, db *gorm.DB, f models.ProcessFilter, counted bool, after, before *processCursor) (string, []any, error) {
	d := Postgres
	if db.Dialector.Name() == "sqlite" {
		d = SQLite
	}
	scope, scopeArg, err := listScope(ctx, f, d)
	if err != nil {
		return "", nil, err
	}
	base := db.Table("processes").Where(scope, scopeArg)
	if c, a := firmCond(ctx, f); c != "" {
		base = base.Where(c, a)
	}
	if f.StatusID != 0 {
		base = base.Where("processes.status_id = ?", f.StatusID)
	}
	if !f.LastActionFrom.IsZero() {
		base = base.Where("processes.last_action_at >= ?", f.LastActionFrom.UTC())
	}
	if !f.LastActionTo.IsZero() {
		base = base.Where("processes.last_action_at < ?", f.LastActionTo.UTC())
	}
	sc, sa := searchCond(f.Search, bankWide(ctx, f), d)
	base = applySearch(base, sc, sa)
	sel, selArgs := `processes.uuid, processes.process_number, processes.key_borrower_name, processes.loan_amount_cents,
			processes.status_id, processes.created_at, processes.last_action_at, processes.esis_issued_at,
			processes.esis_valid_until, processes.esis_changed, broker_firms.name AS firm_name`, []any(nil)
	if counted {
		countSQL, countArgs, err := processCountSQL(ctx, f)
		if err != nil {
			return "", nil, err
		}
		sel, selArgs = sel+", ("+countSQL+") AS total", countArgs
	}
	q := limit(base.Session(&gorm.Session{}).Select(sel, selArgs...).
		Joins("JOIN broker_firms ON broker_firms.id = processes.broker_id"), d, f.Search != "" && bankWide(ctx, f), f.Limit+1)
	switch {
	case after != nil:
		q = q.Where("(processes.last_action_at, processes.process_number) < (?, ?)", after.At, after.Number)
	case before != nil:
		q = q.Where("(processes.last_action_at, processes.process_number) > (?, ?)", before.At, before.Number)
	}
	if before != nil {
		q = q.Order("processes.last_action_at ASC, processes.process_number ASC")
	} else {
		q = q.Order("processes.last_action_at DESC, processes.process_number DESC")
	}
	var rows []models.ProcessSummary
	// Scan builds the statement, then refuses to run it in dry-run mode.
	st := q.Scan(&rows).Statement
	if err := st.Error; err != nil && !errors.Is(err, gorm.ErrDryRunModeUnsupported) {
		return "", nil, err
	}
	return st.SQL.String(), st.Vars, nil
}

// The hand-written list query is GORM's, text and arguments, for every
// combination of scope, status, date bounds, search kind and cursor, on
// both dialects (GORM's builders need no server in dry-run mode).
func TestListItemsSQLIsGORMs(t *testing.T) {
	dialectors := map[Dialect]gorm.Dialector{
		Postgres: postgres.New(postgres.Config{DSN: "host=127.0.0.1 dbname=none"}),
		SQLite:   sqlite.Open("file::memory:"),
	}
	at := time.Date(2026, 5, 6, 7, 8, 9, 123456000, time.UTC)
	cur := &processCursor{At: at, Number: 100042}
	broker := models.WithPrincipal(context.Background(), &models.Principal{Kind: models.KindBroker, FirmID: 7})
	staff := models.WithPrincipal(context.Background(), &models.Principal{Kind: models.KindStaff, BankID: 3})
	for d, dialector := range dialectors {
		db, err := gorm.Open(dialector, &gorm.Config{DryRun: true, DisableAutomaticPing: true, Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		s := &Store{core: &core{db: db, dialect: d}}
		n := 0
		for _, who := range []context.Context{broker, staff} {
			for _, status := range []int{0, models.StatusInAnalysis} {
				for _, firm := range []string{"", "0000000A-0000-4000-8000-00000000000B"} {
					for _, from := range []time.Time{{}, at.In(time.FixedZone("x", 3600))} {
						for _, to := range []time.Time{{}, at.Add(48 * time.Hour)} {
							for _, search := range []string{"", "zeferino silva", "100042", "50% of_\\x", "١٢٣"} {
								for _, c := range []struct{ after, before *processCursor }{{}, {after: cur}, {before: cur}} {
									for _, limit := range []int{1, 20, 100} {
										f := models.ProcessFilter{StatusID: status, LastActionFrom: from, LastActionTo: to, Search: search, Limit: limit, FirmUUID: firm}
										counted := search == "" && from.IsZero() && to.IsZero()
										wantSQL, wantArgs, err := listItemsGORM(who, db, f, counted, c.after, c.before)
										if err != nil {
											t.Fatal(err)
										}
										gotSQL, gotArgs, err := s.listItemsSQL(who, f, counted, c.after, c.before)
										if err != nil {
											t.Fatal(err)
										}
										if d == Postgres {
											gotSQL = pgPlaceholders(gotSQL)
										}
										if gotSQL != wantSQL {
											t.Fatalf("%s %+v %+v:\n got %q\nwant %q", d, f, c, gotSQL, wantSQL)
										}
										if fmt.Sprintf("%#v", gotArgs) != fmt.Sprintf("%#v", wantArgs) || !reflect.DeepEqual(gotArgs, wantArgs) {
											t.Fatalf("%s %+v: args %#v, want %#v", d, f, gotArgs, wantArgs)
										}
										n++
									}
								}
							}
						}
					}
				}
			}
		}
		if n == 0 {
			t.Fatal("nothing compared")
		}
	}
	// Nobody signed in, or a customer: refused alike.
	s := &Store{core: &core{dialect: SQLite}}
	if _, _, err := s.listItemsSQL(context.Background(), models.ProcessFilter{Limit: 20}, false, nil, nil); err == nil {
		t.Error("anonymous list built")
	}
}

// The hand-written unread counts query is the one GORM built: text and
// arguments, for both scopes and one to many processes, on both dialects.
func TestUnreadSQLIsGORMs(t *testing.T) {
	dialectors := map[Dialect]gorm.Dialector{
		Postgres: postgres.New(postgres.Config{DSN: "host=127.0.0.1 dbname=none"}),
		SQLite:   sqlite.Open("file::memory:"),
	}
	broker := models.WithPrincipal(context.Background(), &models.Principal{Kind: models.KindBroker, FirmID: 7, UserID: 11})
	staff := models.WithPrincipal(context.Background(), &models.Principal{Kind: models.KindStaff, BankID: 3, UserID: 12})
	for d, dialector := range dialectors {
		db, err := gorm.Open(dialector, &gorm.Config{DryRun: true, DisableAutomaticPing: true, Logger: logger.Discard})
		if err != nil {
			t.Fatal(err)
		}
		s := &Store{core: &core{db: db, dialect: d}}
		for _, who := range []context.Context{broker, staff} {
			for _, n := range []int{1, 2, 20, 100} {
				ids := make([]string, n)
				for i := range ids {
					ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
				}
				q, err := processScope(who, db.Table("processes"))
				if err != nil {
					t.Fatal(err)
				}
				var rows []struct {
					UUID string
					N    int
				}
				st := q.Select("processes.uuid AS uuid, threads.message_count - COALESCE(thread_reads.last_read_seq, 0) AS n").
					Joins("JOIN threads ON threads.process_id = processes.id").
					Joins("LEFT JOIN thread_reads ON thread_reads.process_id = processes.id AND thread_reads.user_id = ?", models.PrincipalFrom(who).UserID).
					Where("processes.uuid IN ?", ids).
					Where("threads.message_count > COALESCE(thread_reads.last_read_seq, 0)").
					Find(&rows).Statement
				if st.Error != nil {
					t.Fatal(st.Error)
				}
				scope, arg, err := processScopeCond(who)
				if err != nil {
					t.Fatal(err)
				}
				got, args := s.unreadSQL(models.PrincipalFrom(who).UserID, scope, arg, ids)
				if d == Postgres {
					got = pgPlaceholders(got)
				}
				if got != st.SQL.String() {
					t.Fatalf("%s:\n got %q\nwant %q", d, got, st.SQL.String())
				}
				if fmt.Sprintf("%#v", args) != fmt.Sprintf("%#v", st.Vars) {
					t.Fatalf("%s: args %#v, want %#v", d, args, st.Vars)
				}
			}
		}
	}
}
