package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"portal/models"
	"portal/models/store"
	"portal/models/store/storetest"
)

// baselineListSQL is the statement ListMessages sends for a broker,
// numbered for pgx: the baseline runs it with nothing around it.
const baselineListSQL = `SELECT p.id, COALESCE(t.message_count, 0), m.id, m.uuid, m.seq, m.author_user_id, m.author_kind,
	m.author_name, m.author_username, m.subject, m.text, m.created_at
FROM processes p
LEFT JOIN threads t ON t.process_id = p.id
LEFT JOIN messages m ON m.process_id = p.id AND m.seq <= t.message_count - $1 AND m.seq > t.message_count - $2
WHERE p.uuid = $3 AND p.broker_id = $4
ORDER BY m.seq DESC`

// BenchmarkListMessagesVsPgx measures the message API's page (the
// service's ListMessages, 20 messages of a 40-message thread) against a
// baseline in the same run: a plain pgxpool executing the same SQL and
// scanning the same rows into the same structs, 32 concurrent callers each.
// It reports calls/s of both and logs store/baseline. PostgreSQL only.
//
//	go test ./models/store -run '^$' -bench ListMessagesVsPgx -benchtime 5s
func BenchmarkListMessagesVsPgx(b *testing.B) {
	dbURL := storetest.NewDatabase(b, store.Postgres)
	s, err := store.Open(dbURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	storetest.Must(b, err, "open")
	b.Cleanup(func() { s.Close() })
	storetest.Must(b, s.Migrate(context.Background()), "migrate")
	w := seedPosters(b, s, 4, 50, 1)
	var tick atomic.Int64
	base := time.Now().UTC().Truncate(time.Microsecond)
	s.SetClock(func() time.Time { return base.Add(time.Duration(tick.Add(1)) * 3 * time.Second) })
	who, process := w.users[0], w.processes[0][0]
	for i := range 40 {
		_, err := s.PostMessage(who, process, models.NewMessage{Text: fmt.Sprintf("message %d", i)})
		storetest.Must(b, err, "post")
	}
	firm := models.PrincipalFrom(who).FirmID
	pool, err := pgxpool.New(context.Background(), dbURL)
	storetest.Must(b, err, "pgx pool")
	b.Cleanup(pool.Close)
	page := models.DefaultMessagePage

	baseline := func(ctx context.Context) (*models.MessageList, error) {
		skip := int64(page.PageNumber-1) * int64(page.PageSize)
		rows, err := pool.Query(ctx, baselineListSQL, skip, skip+int64(page.PageSize), process, firm)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := &models.MessageList{Messages: make([]models.Message, 0, page.PageSize)}
		for rows.Next() {
			var (
				m                                      models.Message
				id, seq, author                        *int64
				uuid, kind, name, username, subj, text *string
				at                                     *time.Time
			)
			if err := rows.Scan(&m.ProcessID, &out.TotalCount, &id, &uuid, &seq, &author, &kind, &name, &username, &subj, &text, &at); err != nil {
				return nil, err
			}
			if id == nil {
				continue
			}
			m.ID, m.UUID, m.Seq, m.AuthorUserID, m.AuthorKind = *id, *uuid, *seq, *author, models.AuthorKind(*kind)
			m.AuthorName, m.AuthorUsername, m.Subject, m.Text, m.CreatedAt = *name, *username, *subj, *text, at.UTC()
			out.Messages = append(out.Messages, m)
		}
		out.Count = len(out.Messages)
		return out, rows.Err()
	}
	rates := map[string]float64{}
	for _, c := range []struct {
		name string
		list func(ctx context.Context) (*models.MessageList, error)
	}{
		{"pgx", baseline},
		{"store", func(ctx context.Context) (*models.MessageList, error) { return s.ListMessages(ctx, process, page) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			if l, err := c.list(who); err != nil || l.Count != 20 || l.TotalCount != 40 {
				b.Fatalf("%s: %v, %+v", c.name, err, l)
			}
			b.SetParallelism(16) // 32 callers on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := c.list(who); err != nil {
						b.Error(err)
						return
					}
				}
			})
			rates[c.name] = float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rates[c.name], "calls/s")
		})
	}
	if rates["pgx"] > 0 && rates["store"] > 0 {
		b.Logf("ListMessages %.0f calls/s, pgx baseline %.0f calls/s: store/baseline = %.2f", rates["store"], rates["pgx"], rates["store"]/rates["pgx"])
	}
}
