package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// threadProcess is a process resolved within the caller's scope, with the
// parts of its thread summary and read state an operation needs.
type threadProcess struct {
	ID            int64
	BankID        int64
	BrokerID      int64
	MessageCount  int64 // also the seq of the newest message
	LastMessageID int64
	LastReadSeq   int64  // the caller's read mark
	RefID         *int64 // the message named by a cursor or MarkRead, when asked
	RefSeq        *int64
}

// lookupProcess resolves processUUID within the caller's scope in one query.
// refUUID, when not "", names a message of that thread to resolve as well
// (nil RefID when it is not one). A process outside the scope, missing or
// malformed is the same CodeNotFound.
func (s *Store) lookupProcess(ctx context.Context, db *gorm.DB, processUUID, refUUID string) (*threadProcess, error) {
	q, err := processScope(ctx, db.Table("processes"))
	if err != nil {
		return nil, err
	}
	if !validUUID(processUUID) {
		return nil, models.NotFound("process")
	}
	p := models.PrincipalFrom(ctx)
	sel := `processes.id, processes.bank_id, processes.broker_id,
		COALESCE(threads.message_count, 0) AS message_count, COALESCE(threads.last_message_id, 0) AS last_message_id,
		COALESCE(thread_reads.last_read_seq, 0) AS last_read_seq`
	q = q.Joins("LEFT JOIN threads ON threads.process_id = processes.id").
		Joins("LEFT JOIN thread_reads ON thread_reads.process_id = processes.id AND thread_reads.user_id = ?", p.UserID)
	if refUUID != "" {
		sel += ", ref.id AS ref_id, ref.seq AS ref_seq"
		q = q.Joins("LEFT JOIN messages ref ON ref.uuid = ? AND ref.process_id = processes.id", strings.ToLower(refUUID))
	}
	var tp threadProcess
	if err := q.Select(sel).Where("processes.uuid = ?", strings.ToLower(processUUID)).Take(&tp).Error; err != nil {
		return nil, translate(err, "process")
	}
	return &tp, nil
}

// markReadSQLFor moves a user's read mark (message id and seq) of a thread
// forward, never back, in the read-state table reads whose thread column is
// key. Arguments: user, thread owner, message id, message seq, time.
func markReadSQLFor(reads, key string) string {
	return `INSERT INTO ` + reads + ` (user_id, ` + key + `, last_read_message_id, last_read_seq, updated_at)
	VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (user_id, ` + key + `) DO UPDATE SET
		last_read_message_id = CASE WHEN excluded.last_read_seq > ` + reads + `.last_read_seq
			THEN excluded.last_read_message_id ELSE ` + reads + `.last_read_message_id END,
		last_read_seq = CASE WHEN excluded.last_read_seq > ` + reads + `.last_read_seq
			THEN excluded.last_read_seq ELSE ` + reads + `.last_read_seq END,
		updated_at = excluded.updated_at`
}

// markReadSQL is the process threads' (built once: a hot statement).
var markReadSQL = markReadSQLFor("thread_reads", "process_id")

// threadTables names the tables of one kind of thread: process threads and
// simulation threads (simmessages.go) share the read paths below.
type threadTables struct {
	messages string // the messages, numbered by seq per thread
	key      string // their column naming the thread's owner row
	markRead string // markReadSQLFor of its read-state table
}

var processThreads = &threadTables{messages: "messages", key: "process_id", markRead: markReadSQL}

// postScope is the column and value that put a process in the caller's
// scope, as processScope's filter: the firm's for a broker, the bank's for
// staff.
func postScope(p *models.Principal) (column string, id int64, err error) {
	switch {
	case p.IsBroker() && p.FirmID != 0:
		return "broker_id", p.FirmID, nil
	case p.IsStaff():
		return "bank_id", p.BankID, nil
	case p == nil:
		return "", 0, models.Unauthorized("not signed in")
	}
	return "", 0, models.Forbidden("processes are for brokers and bank staff")
}

// Markers stand for the parts of a message's outbox payload that only the
// database knows (the process's bank and firm, the message's seq): the
// payload is the JSON the event marshals to, cut at them.
const (
	markBank   int64 = 9_000_000_000_000_000_001
	markBroker int64 = 9_000_000_000_000_000_002
	markSeq    int64 = 9_000_000_000_000_000_003
)

// payloadParts marshals ev with the markers for bank, broker and seq and
// cuts the JSON around them: parts[0] bank parts[1] broker parts[2] seq
// parts[3] is the payload of ev with those values.
func payloadParts(ev models.Event) ([4]string, error) {
	ev.BankID, ev.BrokerID, ev.Seq = markBank, markBroker, markSeq
	raw, err := json.Marshal(ev)
	if err != nil {
		return [4]string{}, err
	}
	var parts [4]string
	rest := string(raw)
	for i, m := range []int64{markBank, markBroker, markSeq} {
		before, after, ok := strings.Cut(rest, strconv.FormatInt(m, 10))
		if !ok {
			return parts, fmt.Errorf("outbox payload: marker %d not found in %s", m, raw)
		}
		parts[i], rest = before, after
	}
	parts[3] = rest
	return parts, nil
}

// postRow is what the posting statement(s) found and wrote.
type postRow struct {
	processID, bankID, brokerID int64
	rateAt                      sql.NullTime  // the MessageRateLimit-th newest post in the window
	seq, messageID, outboxID    sql.NullInt64 // the message written (none when refused)
}

// postSQLPostgres is a whole post in one statement (so, outside an
// enclosing transaction, one round trip and no BEGIN/COMMIT): the process
// in the caller's scope (p), the posting limit (r), the thread row locked
// and counted (t: its seq and, taken under the lock, the message id, so a
// thread's seqs and ids follow commit order), the message, the author's
// read mark, the process's last action, the audit row and the outbox row.
// Nothing is written when the process is not found or the limit refuses;
// the final row says which. %[1]s is the scope column.
const postSQLPostgres = `WITH p AS (
	SELECT id, bank_id, broker_id FROM processes WHERE uuid = ?::uuid AND %[1]s = ?::bigint
), r AS (
	SELECT created_at FROM messages WHERE author_user_id = ?::bigint AND created_at > ?::timestamptz
	ORDER BY created_at DESC OFFSET %[2]d LIMIT 1
), t AS (
	INSERT INTO threads AS th (process_id, bank_id, broker_id, message_count, last_message_id, last_message_uuid,
		last_message_at, last_author_kind, last_author_name, last_excerpt)
	SELECT id, bank_id, broker_id, 1, nextval('messages_id_seq'), ?::uuid, ?::timestamptz, ?::text, ?::text, ?::text
	FROM p WHERE NOT EXISTS (SELECT 1 FROM r)
	ON CONFLICT (process_id) DO UPDATE SET message_count = th.message_count + 1, last_message_id = nextval('messages_id_seq'),
		last_message_uuid = excluded.last_message_uuid, last_message_at = excluded.last_message_at,
		last_author_kind = excluded.last_author_kind, last_author_name = excluded.last_author_name,
		last_excerpt = excluded.last_excerpt
	RETURNING process_id, bank_id, broker_id, message_count, last_message_id, last_message_uuid, last_message_at
), m AS (
	INSERT INTO messages (id, uuid, process_id, seq, author_user_id, author_kind, author_name, author_username, subject, text, created_at)
	SELECT last_message_id, last_message_uuid, process_id, message_count, ?::bigint, ?::text, ?::text, ?::text, ?::text, ?::text, last_message_at
	FROM t
	RETURNING id, process_id, seq, created_at
), rd AS (
	INSERT INTO thread_reads AS tr (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
	SELECT ?::bigint, process_id, id, seq, created_at FROM m
	ON CONFLICT (user_id, process_id) DO UPDATE SET
		last_read_message_id = CASE WHEN excluded.last_read_seq > tr.last_read_seq
			THEN excluded.last_read_message_id ELSE tr.last_read_message_id END,
		last_read_seq = GREATEST(excluded.last_read_seq, tr.last_read_seq),
		updated_at = excluded.updated_at
), pa AS (
	UPDATE processes SET last_action_at = (SELECT created_at FROM m)
	WHERE id = (SELECT process_id FROM m) AND last_action_at < (SELECT created_at FROM m)
), a AS (
	INSERT INTO audit_events (created_at, actor_user_id, action, subject, outcome, detail)
	SELECT created_at, ?::bigint, ?::text, ?::text, 'ok', ?::text FROM m
), o AS (
	INSERT INTO outbox_events (kind, bank_id, subject_uuid, payload, created_at)
	SELECT ?::text, t.bank_id, ?::text, ?::text || t.bank_id || ?::text || t.broker_id || ?::text || t.message_count || ?::text, t.last_message_at
	FROM t
	RETURNING id
)
SELECT p.id, p.bank_id, p.broker_id, (SELECT created_at FROM r), t.message_count, t.last_message_id, (SELECT id FROM o)
FROM p LEFT JOIN t ON true`

// The SQLite post: the same writes as statements of one transaction, which
// holds the database's write lock from its BEGIN IMMEDIATE (so the count
// read first is still the thread's when the message is written).
const (
	// The process, its thread's count and whether the author is at the
	// posting limit (limited: the MessageRateLimit-th newest post of theirs
	// is in the window; its time, for Retry-After, is read only then).
	postSQLiteLookup = `SELECT p.id, p.bank_id, p.broker_id, COALESCE(t.message_count, 0),
		EXISTS (SELECT 1 FROM messages WHERE author_user_id = ? AND created_at > ?
			ORDER BY created_at DESC LIMIT 1 OFFSET %[2]d) AS limited
	FROM processes p LEFT JOIN threads t ON t.process_id = p.id WHERE p.uuid = ? AND p.%[1]s = ?`
	postSQLiteRate = `SELECT created_at FROM messages WHERE author_user_id = ? AND created_at > ?
	ORDER BY created_at DESC LIMIT 1 OFFSET %d`
	postSQLiteMessage = `INSERT INTO messages (uuid, process_id, seq, author_user_id, author_kind, author_name, author_username, subject, text, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	postSQLiteThread = `INSERT INTO threads (process_id, bank_id, broker_id, message_count, last_message_id, last_message_uuid,
		last_message_at, last_author_kind, last_author_name, last_excerpt)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (process_id) DO UPDATE SET message_count = excluded.message_count, last_message_id = excluded.last_message_id,
		last_message_uuid = excluded.last_message_uuid, last_message_at = excluded.last_message_at,
		last_author_kind = excluded.last_author_kind, last_author_name = excluded.last_author_name,
		last_excerpt = excluded.last_excerpt`
	postSQLiteProcess = `UPDATE processes SET last_action_at = ? WHERE id = ? AND last_action_at < ?`
	postSQLiteOutbox  = `INSERT INTO outbox_events (kind, bank_id, subject_uuid, payload, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`
)

// auditOKSQL writes an audit row of a successful action by a user, as a
// hot statement (both dialects): the SQLite post and audited reads.
const auditOKSQL = `INSERT INTO audit_events (created_at, actor_user_id, action, subject, client_ip, outcome, detail)
	VALUES (?, ?, ?, ?, '', 'ok', ?)`

// scanOne scans the single row of rows (false when there is none).
func scanOne(rows *sql.Rows, done func(), dest ...any) (bool, error) {
	defer done()
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return false, err
	}
	return true, rows.Close()
}

func (s *Store) PostMessage(ctx context.Context, processUUID string, in models.NewMessage) (*models.Message, error) {
	p := models.PrincipalFrom(ctx)
	col, scopeID, err := postScope(p)
	if err != nil {
		return nil, err
	}
	if !validUUID(processUUID) {
		return nil, models.NotFound("process")
	}
	kind, ok := models.AuthorKindOf(p)
	if !ok {
		return nil, models.NotFound("process") // unreachable: the scope admits brokers and staff only
	}
	if in, err = in.Validate(); err != nil {
		// Not found wins over invalid input, as for every process operation.
		if _, lerr := s.lookupProcess(ctx, s.conn(ctx), processUUID, ""); lerr != nil {
			return nil, lerr
		}
		return nil, err
	}
	processUUID = strings.ToLower(processUUID)
	now := s.now()
	msg := models.Message{UUID: newUUID(), AuthorUserID: p.UserID, AuthorKind: kind, AuthorName: p.Name,
		AuthorUsername: p.Email, Subject: in.Subject, Text: in.Text, CreatedAt: now}
	ev := models.Event{Kind: models.EventMessagePosted, OccurredAt: now, ProcessUUID: processUUID, MessageUUID: msg.UUID, AuthorKind: kind}
	parts, err := payloadParts(ev)
	if err != nil {
		return nil, models.Internal(err)
	}
	var row postRow
	found := false
	// record hands the event to ctx's transaction (published after its
	// COMMIT), or publishes it when the post committed on its own.
	record := func(ctx context.Context) {
		msg.ID, msg.ProcessID, msg.Seq = row.messageID.Int64, row.processID, row.seq.Int64
		ev.OutboxID, ev.BankID, ev.BrokerID, ev.Seq = row.outboxID.Int64, row.bankID, row.brokerID, msg.Seq
		if st := txFrom(ctx); st != nil {
			st.pending = append(st.pending, ev)
		} else {
			s.publish(ctx, []models.Event{ev})
		}
	}
	if s.dialect == Postgres {
		if found, err = s.postPostgres(ctx, col, scopeID, processUUID, &msg, parts, &row); err == nil && found && row.seq.Valid {
			record(ctx)
		}
	} else {
		// Group commit: consecutive posts share a COMMIT (one fsync).
		write := s.groupWrite
		if s.noGroupCommit {
			write = func(ctx context.Context, fn func(context.Context) error) error {
				return s.transact(ctx, func(ctx context.Context, _ *gorm.DB) error { return fn(ctx) })
			}
		}
		err = write(ctx, func(ctx context.Context) error {
			var err error
			if found, err = s.postSQLite(ctx, col, scopeID, processUUID, &msg, parts, &row); err == nil && found && row.seq.Valid {
				record(ctx)
			}
			return err
		})
	}
	switch {
	case err != nil:
		return nil, translate(err, "message")
	case !found:
		return nil, models.NotFound("process")
	case !row.seq.Valid:
		if row.rateAt.Valid {
			if err := models.PostingRate(row.rateAt.Time, now); err != nil {
				return nil, err
			}
		}
		return nil, models.Internal(fmt.Errorf("message to process %d not written", row.processID))
	}
	return &msg, nil
}

// postPostgres writes the post in one statement (postSQLPostgres).
func (s *Store) postPostgres(ctx context.Context, col string, scopeID int64, processUUID string, msg *models.Message,
	parts [4]string, row *postRow) (bool, error) {
	q := fmt.Sprintf(postSQLPostgres, col, models.MessageRateLimit-1)
	now := msg.CreatedAt
	rows, done, err := s.hotQuery(ctx, q,
		processUUID, scopeID,
		msg.AuthorUserID, now.Add(-models.MessageRateWindow),
		msg.UUID, now, string(msg.AuthorKind), msg.AuthorName, models.Excerpt(msg.Text),
		msg.AuthorUserID, string(msg.AuthorKind), msg.AuthorName, msg.AuthorUsername, msg.Subject, msg.Text,
		msg.AuthorUserID,
		msg.AuthorUserID, models.AuditMessagePosted, processUUID, "message "+msg.UUID,
		string(models.EventMessagePosted), processUUID, parts[0], parts[1], parts[2], parts[3])
	if err != nil {
		return false, err
	}
	return scanOne(rows, done, &row.processID, &row.bankID, &row.brokerID, &row.rateAt, &row.seq, &row.messageID, &row.outboxID)
}

// postSQLite writes the post with the statements of the SQLite post, in
// ctx's transaction.
func (s *Store) postSQLite(ctx context.Context, col string, scopeID int64, processUUID string, msg *models.Message,
	parts [4]string, row *postRow) (bool, error) {
	var count int64
	now := msg.CreatedAt
	rows, done, err := s.hotQuery(ctx, fmt.Sprintf(postSQLiteLookup, col, models.MessageRateLimit-1),
		msg.AuthorUserID, now.Add(-models.MessageRateWindow), processUUID, scopeID)
	if err != nil {
		return false, err
	}
	var limited bool
	if ok, err := scanOne(rows, done, &row.processID, &row.bankID, &row.brokerID, &count, &limited); !ok || err != nil {
		return false, err
	}
	if limited {
		rows, done, err = s.hotQuery(ctx, fmt.Sprintf(postSQLiteRate, models.MessageRateLimit-1), msg.AuthorUserID, now.Add(-models.MessageRateWindow))
		if err != nil {
			return false, err
		}
		var at time.Time
		if found, err := scanOne(rows, done, &at); err != nil {
			return false, err
		} else if found {
			row.rateAt = sql.NullTime{Time: at, Valid: true}
			return true, nil // over the limit: nothing written
		}
		// The window moved on between the two reads: under the limit now.
	}
	seq := count + 1
	var id int64
	rows, done, err = s.hotQuery(ctx, postSQLiteMessage, msg.UUID, row.processID, seq, msg.AuthorUserID, string(msg.AuthorKind),
		msg.AuthorName, msg.AuthorUsername, msg.Subject, msg.Text, now)
	if err != nil {
		return false, err
	}
	if _, err := scanOne(rows, done, &id); err != nil {
		return false, err
	}
	if err := s.hotExec(ctx, postSQLiteThread, row.processID, row.bankID, row.brokerID, seq, id, msg.UUID, now,
		string(msg.AuthorKind), msg.AuthorName, models.Excerpt(msg.Text)); err != nil {
		return false, err
	}
	if err := s.hotExec(ctx, markReadSQL, msg.AuthorUserID, row.processID, id, seq, now); err != nil {
		return false, err
	}
	if err := s.hotExec(ctx, postSQLiteProcess, now, row.processID, now); err != nil {
		return false, err
	}
	if err := s.hotExec(ctx, auditOKSQL, now, msg.AuthorUserID, models.AuditMessagePosted, processUUID, "message "+msg.UUID); err != nil {
		return false, err
	}
	payload := parts[0] + strconv.FormatInt(row.bankID, 10) + parts[1] + strconv.FormatInt(row.brokerID, 10) +
		parts[2] + strconv.FormatInt(seq, 10) + parts[3]
	var outbox int64
	rows, done, err = s.hotQuery(ctx, postSQLiteOutbox, string(models.EventMessagePosted), row.bankID, processUUID, payload, now)
	if err != nil {
		return false, err
	}
	if _, err := scanOne(rows, done, &outbox); err != nil {
		return false, err
	}
	row.seq = sql.NullInt64{Int64: seq, Valid: true}
	row.messageID = sql.NullInt64{Int64: id, Valid: true}
	row.outboxID = sql.NullInt64{Int64: outbox, Valid: true}
	return true, nil
}

func utcMessages(ms []models.Message) {
	for i := range ms {
		ms[i].CreatedAt = ms[i].CreatedAt.UTC()
	}
}

// listMessagesSQL is a page of the message API in one statement: the
// process in the caller's scope (%s is the scope column), its thread's count
// and the page's seq range of messages (seqs run 1..count without gaps), read
// through the (process_id, seq) index. Arguments: the seqs to skip from the
// newest, skip + page size, the process, the scope id. A process without
// messages (or a page past the end) is one row with no message; a process
// not in scope, none.
const listMessagesSQL = `SELECT p.id, COALESCE(t.message_count, 0), m.id, m.uuid, m.seq, m.author_user_id, m.author_kind,
	m.author_name, m.author_username, m.subject, m.text, m.created_at
FROM processes p
LEFT JOIN threads t ON t.process_id = p.id
LEFT JOIN messages m ON m.process_id = p.id AND m.seq <= t.message_count - ? AND m.seq > t.message_count - ?
WHERE p.uuid = ? AND p.%s = ?
ORDER BY m.seq DESC`

func (s *Store) ListMessages(ctx context.Context, processUUID string, pg models.MessagePage) (*models.MessageList, error) {
	col, scopeID, err := postScope(models.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	if !validUUID(processUUID) {
		return nil, models.NotFound("process")
	}
	if err := pg.Validate(); err != nil {
		// Not found wins over a bad page.
		if _, lerr := s.lookupProcess(ctx, s.conn(ctx), processUUID, ""); lerr != nil {
			return nil, lerr
		}
		return nil, err
	}
	skip := int64(pg.PageNumber-1) * int64(pg.PageSize)
	rows, done, err := s.hotQuery(ctx, fmt.Sprintf(listMessagesSQL, col), skip, skip+int64(pg.PageSize),
		strings.ToLower(processUUID), scopeID)
	if err != nil {
		return nil, translate(err, "messages")
	}
	defer done()
	defer rows.Close()
	out := &models.MessageList{Messages: make([]models.Message, 0, pg.PageSize)}
	found := false
	for rows.Next() {
		var (
			m                                      models.Message
			id, seq, author                        sql.NullInt64
			uuid, kind, name, username, subj, text sql.NullString
			at                                     sql.NullTime
		)
		if err := rows.Scan(&m.ProcessID, &out.TotalCount, &id, &uuid, &seq, &author, &kind, &name, &username, &subj, &text, &at); err != nil {
			return nil, translate(err, "messages")
		}
		found = true
		if !id.Valid {
			continue
		}
		m.ID, m.UUID, m.Seq, m.AuthorUserID, m.AuthorKind = id.Int64, uuid.String, seq.Int64, author.Int64, models.AuthorKind(kind.String)
		m.AuthorName, m.AuthorUsername, m.Subject, m.Text, m.CreatedAt = name.String, username.String, subj.String, text.String, at.Time.UTC()
		out.Messages = append(out.Messages, m)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "messages")
	}
	if !found {
		return nil, models.NotFound("process")
	}
	out.Count = len(out.Messages)
	return out, nil
}

func (s *Store) ThreadPage(ctx context.Context, processUUID string, tq models.ThreadQuery) (*models.ThreadMessages, error) {
	db := s.conn(ctx)
	var v models.Validation
	before := tq.Before
	limit := models.PageSize(&v, "limit", tq.Limit, models.DefaultThreadPageSize, models.MaxThreadPageSize)
	ref := before
	if before != "" && !validUUID(before) {
		v.Add("before", "page.cursor", nil)
		ref = ""
	}
	// The process first: not found wins over a bad cursor.
	tp, err := s.lookupProcess(ctx, db, processUUID, ref)
	if err != nil {
		return nil, err
	}
	if ref != "" && tp.RefID == nil {
		v.Add("before", "page.cursor", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.threadMessages(ctx, db, processThreads, tp, tq, before, limit)
}

// threadMessages is the page of tp's thread before the cursor (the newest
// without one), marked read when tq asks and it is the newest page; the
// process page (ProcessPage) reads its thread with it too.
func (s *Store) threadMessages(ctx context.Context, db *gorm.DB, tt *threadTables, tp *threadProcess, tq models.ThreadQuery,
	before string, limit int) (*models.ThreadMessages, error) {
	out := &models.ThreadMessages{TotalCount: tp.MessageCount, LastReadSeq: tp.LastReadSeq, Messages: []models.Message{}}
	if tp.MessageCount == 0 {
		return out, nil
	}
	q := db.Table(tt.messages).Where(tt.key+" = ?", tp.ID)
	if tp.RefSeq != nil {
		q = q.Where("seq < ?", *tp.RefSeq)
	}
	var rows []models.Message
	if err := q.Order("seq DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "messages")
	}
	slices.Reverse(rows)
	if len(rows) > 0 && rows[0].Seq > 1 {
		out.OlderCursor = rows[0].UUID
	}
	utcMessages(rows)
	out.Messages = rows
	if tq.MarkRead && before == "" && len(rows) > 0 {
		if err := s.markShown(ctx, db, tt, tp.ID, tp.LastReadSeq, rows[len(rows)-1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// markShown moves the caller's read mark of thread owner to m, the last
// message a page showed them, unless they had read that far (readSeq).
func (s *Store) markShown(ctx context.Context, db *gorm.DB, tt *threadTables, owner, readSeq int64, m models.Message) error {
	if m.Seq <= readSeq {
		return nil
	}
	p := models.PrincipalFrom(ctx)
	return translate(db.Exec(tt.markRead, p.UserID, owner, m.ID, m.Seq, s.now()).Error, "read state")
}

// sinceRow is a row of the polling query: the process (always, when in
// scope), the cursor message, and a new message when there is one.
type sinceRow struct {
	ProcessRow int64
	AfterRow   *int64
	models.Message
}

func (s *Store) MessagesSince(ctx context.Context, processUUID string, sq models.SinceQuery) ([]models.Message, error) {
	db := s.conn(ctx)
	afterMessageUUID := sq.After
	q, err := processScope(ctx, db.Table("processes"))
	if err != nil {
		return nil, err
	}
	if !validUUID(processUUID) {
		return nil, models.NotFound("process")
	}
	badAfter := func() error { return models.Invalid("after", "message.unknown", nil) }
	if afterMessageUUID != "" && !validUUID(afterMessageUUID) {
		// Still answer not found first for a process that is not the caller's.
		if _, err := s.lookupProcess(ctx, db, processUUID, ""); err != nil {
			return nil, err
		}
		return nil, badAfter()
	}
	cols := "m.id, m.uuid, m.process_id, m.seq, m.author_user_id, m.author_kind, m.author_name, m.author_username, m.subject, m.text, m.created_at"
	// One statement: the process in scope, left-joined to its messages after
	// the cursor, in seq order, through the (process_id, seq) index. Nothing
	// new: one row with no message. Not in scope: no row at all. Without a
	// cursor (a thread that was empty when shown): its newest messages.
	cond, order := "", "m.seq DESC"
	if afterMessageUUID != "" {
		q = q.Joins("LEFT JOIN messages a ON a.uuid = ? AND a.process_id = processes.id", strings.ToLower(afterMessageUUID))
		cond, order = " AND m.seq > a.seq", "m.seq"
	}
	if s.dialect == Postgres {
		// LATERAL keeps the index order and the limit inside (no sort of
		// everything newer than the cursor).
		q = q.Joins(fmt.Sprintf(`LEFT JOIN LATERAL (SELECT %s FROM messages m WHERE m.process_id = processes.id%s
			ORDER BY %s LIMIT %d) m ON true`, cols, cond, order, models.MaxMessagesSince))
	} else {
		q = q.Joins("LEFT JOIN messages m ON m.process_id = processes.id" + cond)
	}
	sel := "processes.id AS process_row, " + cols
	if afterMessageUUID != "" {
		sel += ", a.id AS after_row"
	}
	var rows []sinceRow
	if err := q.Select(sel).Where("processes.uuid = ?", strings.ToLower(processUUID)).
		Order(order).Limit(models.MaxMessagesSince).Find(&rows).Error; err != nil {
		return nil, translate(err, "messages")
	}
	if len(rows) == 0 {
		return nil, models.NotFound("process")
	}
	if afterMessageUUID != "" && rows[0].AfterRow == nil {
		return nil, badAfter()
	}
	out := make([]models.Message, 0, len(rows))
	for _, r := range rows {
		if r.Message.ID != 0 {
			out = append(out, r.Message)
		}
	}
	if afterMessageUUID == "" {
		slices.Reverse(out)
	}
	utcMessages(out)
	if sq.MarkRead && len(out) > 0 {
		// The write never moves the mark back: no need to read it first.
		if err := s.markShown(ctx, db, processThreads, rows[0].ProcessRow, 0, out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) MarkRead(ctx context.Context, processUUID, upToMessageUUID string) error {
	db := s.conn(ctx)
	if upToMessageUUID != "" && !validUUID(upToMessageUUID) {
		if _, err := s.lookupProcess(ctx, db, processUUID, ""); err != nil {
			return err
		}
		return models.NotFound("message")
	}
	tp, err := s.lookupProcess(ctx, db, processUUID, upToMessageUUID)
	if err != nil {
		return err
	}
	return s.markReadUpTo(ctx, db, processThreads, tp, upToMessageUUID != "")
}

// markReadUpTo moves the caller's read mark of tp's thread to the message
// its lookup resolved (named), else to its newest message; never back. A
// named message that is not one of the thread's is CodeNotFound.
func (s *Store) markReadUpTo(ctx context.Context, db *gorm.DB, tt *threadTables, tp *threadProcess, named bool) error {
	upTo, upToSeq := tp.LastMessageID, tp.MessageCount
	if named {
		if tp.RefID == nil || tp.RefSeq == nil {
			return models.NotFound("message")
		}
		upTo, upToSeq = *tp.RefID, *tp.RefSeq
	}
	if upToSeq <= tp.LastReadSeq {
		return nil // already read that far: no write
	}
	p := models.PrincipalFrom(ctx)
	return translate(db.Exec(tt.markRead, p.UserID, tp.ID, upTo, upToSeq, s.now()).Error, "read state")
}

func (s *Store) UnreadCounts(ctx context.Context, processUUIDs []string) (map[string]int, error) {
	scope, scopeArg, err := processScopeCond(ctx)
	if err != nil {
		return nil, err
	}
	if len(processUUIDs) > models.MaxUnreadProcesses {
		return nil, models.Invalid("processes", "unread.too_many", models.Args{"Max": models.MaxUnreadProcesses})
	}
	ids := make([]string, 0, len(processUUIDs))
	for _, u := range processUUIDs {
		if validUUID(u) {
			ids = append(ids, strings.ToLower(u))
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make(map[string]int, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	q, args := s.unreadSQL(models.PrincipalFrom(ctx).UserID, scope, scopeArg, ids)
	rows, done, err := s.hotQuery(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "unread counts")
	}
	defer done()
	defer rows.Close()
	for rows.Next() {
		var (
			uuid sql.NullString
			n    sql.NullInt64
		)
		if err := rows.Scan(&uuid, &n); err != nil {
			return nil, translate(err, "unread counts")
		}
		if n.Int64 > 0 {
			out[strings.ToLower(uuid.String)] = int(n.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "unread counts")
	}
	return out, nil
}

// unreadSQL is UnreadCounts' query with its arguments, as GORM built it
// (TestUnreadSQLIsGORMs), sent as a hot prepared statement: with the list's
// page query it was most of the store's CPU on the list page. The thread's
// count is the seq of its newest message: unread is the distance from the
// user's read mark, no counting over messages.
func (s *Store) unreadSQL(userID int64, scope string, scopeArg any, ids []string) (string, []any) {
	table := "`processes`"
	if s.dialect == Postgres {
		table = `"processes"`
	}
	var b strings.Builder
	b.WriteString("SELECT processes.uuid AS uuid, threads.message_count - COALESCE(thread_reads.last_read_seq, 0) AS n FROM " + table +
		" JOIN threads ON threads.process_id = processes.id" +
		" LEFT JOIN thread_reads ON thread_reads.process_id = processes.id AND thread_reads.user_id = ?" +
		" WHERE " + scope + " AND processes.uuid IN (")
	args := make([]any, 0, len(ids)+2)
	args = append(args, userID, scopeArg)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('?')
		args = append(args, id)
	}
	b.WriteString(") AND threads.message_count > COALESCE(thread_reads.last_read_seq, 0)")
	return b.String(), args
}

func staffOnly(ctx context.Context) (*models.Principal, error) {
	p := models.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return nil, models.Unauthorized("not signed in")
	case !p.IsStaff():
		return nil, models.Forbidden("the reply queue is for bank staff")
	}
	return p, nil
}

func (s *Store) ReplyQueue(ctx context.Context, f models.ReplyQueueFilter) (*models.ReplyQueuePage, error) {
	p, err := staffOnly(ctx)
	if err != nil {
		return nil, err
	}
	db := s.conn(ctx)
	var v models.Validation
	kind := f.Validate(&v)
	cur, ok := parseQueueCursor(f.After)
	if !ok {
		v.Add("after", "page.cursor", nil)
	}
	firmID, err := queueFirm(db, p, f.FirmUID, &v)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Waiting threads: the longest wait first, so the oldest last message
	// (ids follow commit order); the others: the most recent activity
	// first. Either way the queue's indexes give the order. Process and
	// simulation threads are two streams, each in its own table's id order
	// (one statement, each part on its own indexes), merged by time.
	after, dir := "<", " DESC"
	if kind == models.AuthorBroker {
		after, dir = ">", ""
	}
	stream := func(threads, owner, key, reads, messages, cols, cursor string) *gorm.DB {
		q := db.Table(threads).
			Select(cols+`, broker_firms.broker_uid AS firm_uid, broker_firms.name AS firm_name,
			`+threads+`.last_excerpt, `+threads+`.last_author_kind, `+threads+`.last_author_name, `+threads+`.last_message_at,
			`+threads+`.message_count, CAST(`+threads+`.last_message_uuid AS text) AS last_message_uuid, `+threads+`.last_message_id AS pos,
			CASE WHEN `+threads+`.message_count > COALESCE(`+reads+`.last_read_seq, 0) THEN 1 ELSE 0 END AS unread_flag`).
			Joins("JOIN "+owner+" ON "+owner+".id = "+threads+"."+key).
			Joins("JOIN broker_firms ON broker_firms.id = "+threads+".broker_id").
			Joins("LEFT JOIN "+reads+" ON "+reads+"."+key+" = "+threads+"."+key+" AND "+reads+".user_id = ?", p.UserID).
			Where(threads+".bank_id = ?", p.BankID)
		if firmID != 0 {
			q = q.Where(threads+".broker_id = ?", firmID)
		}
		if kind != "" {
			q = q.Where(threads+".last_author_kind = ?", kind)
		}
		if cursor != "" {
			q = q.Where(threads+".last_message_id "+after+" (SELECT c.id FROM "+messages+" c WHERE c.uuid = ?)", cursor)
		}
		return q.Order(threads + ".last_message_id" + dir).Limit(f.Limit + 1)
	}
	procs := stream("threads", "processes", "process_id", "thread_reads", "messages",
		`CAST(processes.uuid AS text) AS process_uuid, processes.process_number, '' AS simulation_uuid, 0 AS simulation_number,
			processes.status_id`, cur.process)
	sims := stream("simulation_threads", "simulations", "simulation_id", "simulation_thread_reads", "simulation_messages",
		`'' AS process_uuid, 0 AS process_number, CAST(simulations.uuid AS text) AS simulation_uuid, simulations.simulation_number,
			simulations.status_id`, cur.simulation)
	var rows []queueRow
	if err := db.Raw("SELECT * FROM (?) pq UNION ALL SELECT * FROM (?) sq", procs, sims).Scan(&rows).Error; err != nil {
		return nil, translate(err, "threads")
	}
	items, next := mergeQueue(rows, f.Limit, kind == models.AuthorBroker, cur)
	return &models.ReplyQueuePage{Items: items, NextCursor: next}, nil
}

// queueFirm is the id of the bank's firm with broker uid (0 for ""); an
// unknown uid is a field error in v.
func queueFirm(db *gorm.DB, p *models.Principal, uid string, v *models.Validation) (int64, error) {
	if uid == "" {
		return 0, nil
	}
	var ids []int64
	if err := db.Model(&models.BrokerFirm{}).Where("broker_uid = ? AND bank_id = ?", uid, p.BankID).
		Limit(1).Pluck("id", &ids).Error; err != nil {
		return 0, translate(err, "firm")
	}
	if len(ids) == 0 {
		v.Add("firm", "reply_queue.firm", nil)
		return 0, nil
	}
	return ids[0], nil
}

func (s *Store) ReplyQueueCounts(ctx context.Context, firmUID string) (*models.ReplyQueueCounts, error) {
	p, err := staffOnly(ctx)
	if err != nil {
		return nil, err
	}
	db := s.conn(ctx)
	var v models.Validation
	firmID, err := queueFirm(db, p, firmUID, &v)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// The firm is the bank's (queueFirm): its threads are counted on its
	// own indexes, the bank's on the bank's. Each count walks its index in
	// the queue's order and stops past the cap, so it never reads a bank's
	// whole history. The counts stay capped rather than maintained: a
	// counter per last author kind would add a write (and a lock every
	// post of the firm or bank waits for) to every post that flips the
	// kind, which is most posts of a conversation.
	limit := strconv.Itoa(models.MaxReplyQueueCount + 1)
	countIn := func(table, scope, kind string) string {
		return "(SELECT COUNT(*) FROM (SELECT 1 FROM " + table + " WHERE " + scope + kind +
			" ORDER BY last_message_id DESC LIMIT " + limit + ") capped)"
	}
	// Process threads and simulation threads, each counted on its own
	// table's indexes in the same statement, added and capped alike.
	both := func(scope, kind string) string {
		return countIn("threads", scope, kind) + " + " + countIn("simulation_threads", scope, kind)
	}
	capped := func(c *models.ReplyQueueCounts) {
		c.Waiting = min(c.Waiting, models.MaxReplyQueueCount+1)
		c.Answered = min(c.Answered, models.MaxReplyQueueCount+1)
		c.All = min(c.All, models.MaxReplyQueueCount+1)
	}
	out := &models.ReplyQueueCounts{}
	if firmID != 0 {
		// A firm's kinds are filtered on its queue index's rows (no kind
		// index per firm since 00010): all is its own short walk.
		err = db.Raw("SELECT "+both("broker_id = ?", " AND last_author_kind = ?")+" AS waiting, "+
			both("broker_id = ?", " AND last_author_kind = ?")+" AS answered, "+both("broker_id = ?", "")+" AS all_threads",
			firmID, models.AuthorBroker, firmID, models.AuthorBroker, firmID, models.AuthorBank, firmID, models.AuthorBank,
			firmID, firmID).Row().Scan(&out.Waiting, &out.Answered, &out.All)
		if err != nil {
			return nil, translate(err, "threads")
		}
		capped(out)
		return out, nil
	}
	// The bank's: every thread's last author kind is broker, bank or ''
	// (none yet), each counted on the bank's kind index, so all is their
	// sum, capped alike (any count past the cap puts the sum past it): two
	// walks and a probe of (nearly always) no entries instead of three walks.
	var none int64
	err = db.Raw("SELECT "+both("bank_id = ?", " AND last_author_kind = ?")+" AS waiting, "+
		both("bank_id = ?", " AND last_author_kind = ?")+" AS answered, "+both("bank_id = ?", " AND last_author_kind = ?")+" AS unauthored",
		p.BankID, models.AuthorBroker, p.BankID, models.AuthorBroker, p.BankID, models.AuthorBank, p.BankID, models.AuthorBank,
		p.BankID, "", p.BankID, "").Row().Scan(&out.Waiting, &out.Answered, &none)
	if err != nil {
		return nil, translate(err, "threads")
	}
	out.All = out.Waiting + out.Answered + none
	capped(out)
	return out, nil
}

func (s *Store) ReplyQueueFirms(ctx context.Context) ([]models.FirmOption, error) {
	p, err := staffOnly(ctx)
	if err != nil {
		return nil, err
	}
	var out []models.FirmOption
	err = s.conn(ctx).Model(&models.BrokerFirm{}).Select("broker_uid AS uid, uuid, name").
		Where("bank_id = ?", p.BankID).Order("name, broker_uid").Find(&out).Error
	return out, translate(err, "firms")
}
