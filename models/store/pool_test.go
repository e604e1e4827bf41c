package store_test

import (
	"context"
	"database/sql"
	"testing"

	"portal/models/store"
	"portal/models/store/storetest"
)

// The pool keeps as many idle connections as it may open: after a burst
// that used them all, none is closed (a pool that kept fewer idle closed
// the rest as they came back and opened new PostgreSQL backends a moment
// later, under load several a second).
func TestPoolKeepsItsConnectionsIdle(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, d store.Dialect) {
		s := storetest.Open(t, d)
		db, err := s.SQL()
		storetest.Must(t, err, "pool")
		n := db.Stats().MaxOpenConnections
		ctx := context.Background()
		conns := make([]*sql.Conn, n)
		for i := range conns {
			conns[i], err = db.Conn(ctx)
			storetest.Must(t, err, "connection %d", i)
			storetest.Must(t, conns[i].PingContext(ctx), "ping %d", i)
		}
		for _, c := range conns {
			c.Close()
		}
		if st := db.Stats(); st.Idle != n || st.MaxIdleClosed != 0 {
			t.Fatalf("after using all %d connections: %d idle, %d closed for the idle limit; want %d idle, none closed",
				n, st.Idle, st.MaxIdleClosed, n)
		}
	})
}
