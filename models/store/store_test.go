package store_test

import (
	"context"
	"testing"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		v, err := s.SchemaVersion(ctx)
		storetest.Must(t, err, "version")
		if v != store.LatestVersion() || v == 0 {
			t.Fatalf("schema version %d, want %d", v, store.LatestVersion())
		}
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("ready: %v", err)
		}
	})
}

func TestRefusesNewerSchema(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Must(t, s.DB().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", store.LatestVersion()+1, true).Error, "bump version")
		if err := s.Migrate(ctx); err == nil {
			t.Fatal("migrate accepted a schema newer than the build")
		}
		if err := s.Ready(ctx); err == nil {
			t.Fatal("ready with a newer schema")
		}
	})
}

func TestSeedDemoTwiceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		n, err := s.SeedDemo(ctx)
		storetest.Must(t, err, "seed")
		if n == 0 {
			t.Fatal("first seed inserted nothing")
		}
		counts := func() map[string]int64 {
			m := map[string]int64{}
			for _, tbl := range []string{"banks", "partners", "broker_firms", "users", "entitlements", "customers",
				"processes", "borrowers", "properties", "process_status_changes",
				"messages", "threads", "thread_reads", "api_tokens", "idempotency_keys",
				"customer_messages", "api_consumers", "obp_tokens"} {
				var c int64
				storetest.Must(t, s.DB().Table(tbl).Count(&c).Error, "count %s", tbl)
				m[tbl] = c
			}
			return m
		}
		before := counts()
		n, err = s.SeedDemo(ctx)
		storetest.Must(t, err, "second seed")
		if n != 0 {
			t.Fatalf("second seed inserted %d rows", n)
		}
		after := counts()
		for k, v := range before {
			if after[k] != v {
				t.Errorf("%s: %d rows, then %d", k, v, after[k])
			}
		}
		if before["processes"] != 2*store.DemoProcesses || before["users"] != int64(len(store.DemoUsers)) {
			t.Fatalf("demo counts %v", before)
		}
		// Every status is represented in each firm.
		var perFirm []struct {
			BrokerID int64
			N        int64
		}
		storetest.Must(t, s.DB().Table("processes").Select("broker_id, count(DISTINCT status_id) AS n").Group("broker_id").Scan(&perFirm).Error, "statuses")
		for _, f := range perFirm {
			if f.N != int64(len(models.ProcessStatusIDs)) {
				t.Errorf("firm %d has %d distinct statuses", f.BrokerID, f.N)
			}
		}
	})
}
