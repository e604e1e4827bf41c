package store

import (
	"context"
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

// markReadSQL moves a user's read mark (message id and seq) forward, never
// back. Arguments: user, process, message id, message seq, time.
const markReadSQL = `INSERT INTO thread_reads (user_id, process_id, last_read_message_id, last_read_seq, updated_at)
	VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (user_id, process_id) DO UPDATE SET
		last_read_message_id = CASE WHEN excluded.last_read_seq > thread_reads.last_read_seq
			THEN excluded.last_read_message_id ELSE thread_reads.last_read_message_id END,
		last_read_seq = CASE WHEN excluded.last_read_seq > thread_reads.last_read_seq
			THEN excluded.last_read_seq ELSE thread_reads.last_read_seq END,
		updated_at = excluded.updated_at`

// checkRate fails with CodeRateLimited when the user has posted
// MessageRateLimit messages within the window: the oldest of those leaves
// the window at RetryAfter.
func (s *Store) checkRate(tx *gorm.DB, userID int64, now time.Time) error {
	var at []time.Time
	if err := tx.Model(&models.Message{}).
		Where("author_user_id = ? AND created_at > ?", userID, now.Add(-models.MessageRateWindow)).
		Order("created_at DESC").Offset(models.MessageRateLimit-1).Limit(1).Pluck("created_at", &at).Error; err != nil {
		return err
	}
	if len(at) == 0 {
		return nil
	}
	return models.PostingRate(at[0], now)
}

func (s *Store) PostMessage(ctx context.Context, processUUID string, in models.NewMessage) (*models.Message, error) {
	db := s.conn(ctx)
	tp, err := s.lookupProcess(ctx, db, processUUID, "")
	if err != nil {
		return nil, err
	}
	p := models.PrincipalFrom(ctx)
	kind, ok := models.AuthorKindOf(p)
	if !ok {
		return nil, models.NotFound("process") // unreachable: the scope admits brokers and staff only
	}
	in, err = in.Validate()
	if err != nil {
		return nil, err
	}
	processUUID = strings.ToLower(processUUID)
	var msg models.Message
	err = s.transact(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := s.checkRate(tx, p.UserID, s.now()); err != nil {
			return err
		}
		// Lock the thread row first (creating it on the first message) and
		// take the next seq from its count: a thread's seqs and ids follow
		// commit order, so a poller that has seen message n never misses a
		// later-committed n-1.
		var seq []int64
		if err := tx.Raw(`INSERT INTO threads (process_id, bank_id, broker_id, message_count, last_message_at)
			VALUES (?, ?, ?, 1, ?)
			ON CONFLICT (process_id) DO UPDATE SET message_count = threads.message_count + 1
			RETURNING message_count`,
			tp.ID, tp.BankID, tp.BrokerID, s.now()).Scan(&seq).Error; err != nil {
			return err
		}
		if len(seq) != 1 {
			return fmt.Errorf("thread summary of process %d not returned", tp.ID)
		}
		now := s.now()
		msg = models.Message{UUID: newUUID(), ProcessID: tp.ID, Seq: seq[0], AuthorUserID: p.UserID, AuthorKind: kind,
			AuthorName: p.Name, AuthorUsername: p.Email, Subject: in.Subject, Text: in.Text, CreatedAt: now}
		if err := tx.Create(&msg).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE threads SET last_message_id = ?, last_message_uuid = ?, last_message_at = ?,
			last_author_kind = ?, last_author_name = ?, last_excerpt = ? WHERE process_id = ?`,
			msg.ID, msg.UUID, now, kind, p.Name, models.Excerpt(msg.Text), tp.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(markReadSQL, p.UserID, tp.ID, msg.ID, msg.Seq, now).Error; err != nil {
			return err
		}
		if err := tx.Exec("UPDATE processes SET last_action_at = ? WHERE id = ? AND last_action_at < ?",
			now, tp.ID, now).Error; err != nil {
			return err
		}
		if err := tx.Create(&models.AuditEvent{CreatedAt: now, ActorUserID: &p.UserID, Action: models.AuditMessagePosted,
			Subject: processUUID, Outcome: "ok", Detail: "message " + msg.UUID}).Error; err != nil {
			return err
		}
		return s.emit(ctx, tx, models.Event{Kind: models.EventMessagePosted, OccurredAt: now, BankID: tp.BankID,
			BrokerID: tp.BrokerID, ProcessUUID: processUUID, MessageUUID: msg.UUID, Seq: msg.Seq, AuthorKind: kind}, true)
	})
	if err != nil {
		return nil, translate(err, "message")
	}
	return &msg, nil
}

func utcMessages(ms []models.Message) {
	for i := range ms {
		ms[i].CreatedAt = ms[i].CreatedAt.UTC()
	}
}

func (s *Store) ListMessages(ctx context.Context, processUUID string, pg models.MessagePage) (*models.MessageList, error) {
	db := s.conn(ctx)
	tp, err := s.lookupProcess(ctx, db, processUUID, "")
	if err != nil {
		return nil, err
	}
	if err := pg.Validate(); err != nil {
		return nil, err
	}
	out := &models.MessageList{TotalCount: tp.MessageCount, Messages: []models.Message{}}
	// Seqs run 1..MessageCount without gaps: page n is a seq range.
	hi := tp.MessageCount - int64(pg.PageNumber-1)*int64(pg.PageSize)
	if hi < 1 {
		return out, nil
	}
	lo := max(hi-int64(pg.PageSize)+1, 1)
	if err := db.Where("process_id = ? AND seq BETWEEN ? AND ?", tp.ID, lo, hi).
		Order("seq DESC").Find(&out.Messages).Error; err != nil {
		return nil, translate(err, "messages")
	}
	utcMessages(out.Messages)
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
	out := &models.ThreadMessages{TotalCount: tp.MessageCount, LastReadSeq: tp.LastReadSeq, Messages: []models.Message{}}
	if tp.MessageCount == 0 {
		return out, nil
	}
	q := db.Where("process_id = ?", tp.ID)
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
		if err := s.markShown(ctx, db, tp.ID, tp.LastReadSeq, rows[len(rows)-1]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// markShown moves the caller's read mark of process to m, the last message
// a page showed them, unless they had read that far (readSeq).
func (s *Store) markShown(ctx context.Context, db *gorm.DB, process, readSeq int64, m models.Message) error {
	if m.Seq <= readSeq {
		return nil
	}
	p := models.PrincipalFrom(ctx)
	return translate(db.Exec(markReadSQL, p.UserID, process, m.ID, m.Seq, s.now()).Error, "read state")
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
		Order(order).Limit(models.MaxMessagesSince).Scan(&rows).Error; err != nil {
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
		if err := s.markShown(ctx, db, rows[0].ProcessRow, 0, out[len(out)-1]); err != nil {
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
	upTo, upToSeq := tp.LastMessageID, tp.MessageCount
	if upToMessageUUID != "" {
		if tp.RefID == nil || tp.RefSeq == nil {
			return models.NotFound("message")
		}
		upTo, upToSeq = *tp.RefID, *tp.RefSeq
	}
	if upToSeq <= tp.LastReadSeq {
		return nil // already read that far: no write
	}
	p := models.PrincipalFrom(ctx)
	return translate(db.Exec(markReadSQL, p.UserID, tp.ID, upTo, upToSeq, s.now()).Error, "read state")
}

func (s *Store) UnreadCounts(ctx context.Context, processUUIDs []string) (map[string]int, error) {
	db := s.conn(ctx)
	q, err := processScope(ctx, db.Table("processes"))
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
	out := map[string]int{}
	if len(ids) == 0 {
		return out, nil
	}
	p := models.PrincipalFrom(ctx)
	// The thread's count is the seq of its newest message: unread is the
	// distance from the user's read mark, no counting over messages.
	var rows []struct {
		UUID string
		N    int
	}
	err = q.Select("processes.uuid AS uuid, threads.message_count - COALESCE(thread_reads.last_read_seq, 0) AS n").
		Joins("JOIN threads ON threads.process_id = processes.id").
		Joins("LEFT JOIN thread_reads ON thread_reads.process_id = processes.id AND thread_reads.user_id = ?", p.UserID).
		Where("processes.uuid IN ?", ids).
		Where("threads.message_count > COALESCE(thread_reads.last_read_seq, 0)").
		Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "unread counts")
	}
	for _, r := range rows {
		if r.N > 0 {
			out[strings.ToLower(r.UUID)] = r.N
		}
	}
	return out, nil
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
	if f.After != "" && !validUUID(f.After) {
		v.Add("after", "page.cursor", nil)
	}
	firmID, err := queueFirm(db, p, f.FirmUID, &v)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	q := db.Table("threads").
		Select(`processes.uuid AS process_uuid, processes.process_number, processes.status_id,
			broker_firms.broker_uid AS firm_uid, broker_firms.name AS firm_name,
			threads.last_excerpt, threads.last_author_kind, threads.last_author_name, threads.last_message_at,
			threads.message_count, threads.last_message_uuid,
			CASE WHEN threads.message_count > COALESCE(thread_reads.last_read_seq, 0) THEN 1 ELSE 0 END AS unread_flag`).
		Joins("JOIN processes ON processes.id = threads.process_id").
		Joins("JOIN broker_firms ON broker_firms.id = threads.broker_id").
		Joins("LEFT JOIN thread_reads ON thread_reads.process_id = threads.process_id AND thread_reads.user_id = ?", p.UserID).
		Where("threads.bank_id = ?", p.BankID)
	if firmID != 0 {
		q = q.Where("threads.broker_id = ?", firmID)
	}
	if kind != "" {
		q = q.Where("threads.last_author_kind = ?", kind)
	}
	// Waiting threads: the longest wait first, so the oldest last message
	// (ids follow commit order); the others: the most recent activity
	// first. Either way the queue's indexes give the order.
	after, order := "<", "threads.last_message_id DESC"
	if kind == models.AuthorBroker {
		after, order = ">", "threads.last_message_id"
	}
	if f.After != "" {
		q = q.Where("threads.last_message_id "+after+" (SELECT c.id FROM messages c WHERE c.uuid = ?)", strings.ToLower(f.After))
	}
	var rows []struct {
		models.ReplyQueueItem
		LastMessageUUID string
		UnreadFlag      int
	}
	if err := q.Order(order).Limit(f.Limit + 1).Scan(&rows).Error; err != nil {
		return nil, translate(err, "threads")
	}
	page := &models.ReplyQueuePage{Items: make([]models.ReplyQueueItem, 0, min(len(rows), f.Limit))}
	for i, r := range rows {
		if i == f.Limit {
			page.NextCursor = strings.ToLower(rows[i-1].LastMessageUUID)
			break
		}
		it := r.ReplyQueueItem
		it.ProcessUUID = strings.ToLower(it.ProcessUUID)
		it.LastMessageAt = it.LastMessageAt.UTC()
		it.Unread = r.UnreadFlag != 0
		page.Items = append(page.Items, it)
	}
	return page, nil
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
	// whole history.
	scope, arg := "bank_id = ?", p.BankID
	if firmID != 0 {
		scope, arg = "broker_id = ?", firmID
	}
	limit := strconv.Itoa(models.MaxReplyQueueCount + 1)
	count := func(kind string) string {
		return "(SELECT COUNT(*) FROM (SELECT 1 FROM threads WHERE " + scope + kind +
			" ORDER BY last_message_id DESC LIMIT " + limit + ") capped)"
	}
	out := &models.ReplyQueueCounts{}
	err = db.Raw("SELECT "+count(" AND last_author_kind = ?")+" AS waiting, "+count(" AND last_author_kind = ?")+" AS answered, "+
		count("")+" AS all_threads", arg, models.AuthorBroker, arg, models.AuthorBank, arg).Row().
		Scan(&out.Waiting, &out.Answered, &out.All)
	if err != nil {
		return nil, translate(err, "threads")
	}
	return out, nil
}

func (s *Store) ReplyQueueFirms(ctx context.Context) ([]models.FirmOption, error) {
	p, err := staffOnly(ctx)
	if err != nil {
		return nil, err
	}
	var out []models.FirmOption
	err = s.conn(ctx).Model(&models.BrokerFirm{}).Select("broker_uid AS uid, name").
		Where("bank_id = ?", p.BankID).Order("name, broker_uid").Scan(&out).Error
	return out, translate(err, "firms")
}
