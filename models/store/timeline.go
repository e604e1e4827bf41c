package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"portal/models"
)

// timelineSQL is a process's timeline in one statement: its status changes,
// edits and messages (who, when and the subject, never the text), oldest
// first; at the same instant a status change comes before an edit, an edit
// before a message. Each part reads its table's (process_id, ...) index.
// Of the messages, the newest models.MaxTimelineMessages (a seq range of
// the (process_id, seq) index: the thread's count is its newest seq). The
// status changes' rows carry what ProcessDetail.History needs (their id
// and actor), so the process page reads both in this one statement.
// Arguments: the process id four times, the message cap.
const timelineSQL = `SELECT 0 AS k, id, created_at, actor_name, actor_kind, '' AS what, '' AS subject,
	COALESCE(from_status, 0) AS from_status, to_status, COALESCE(reason_id, 0) AS reason_id, comment,
	COALESCE(actor_user_id, 0) AS actor_user_id
FROM process_status_changes WHERE process_id = ?
UNION ALL
SELECT 1, id, created_at, actor_name, actor_kind, what, subject, 0, 0, 0, '', 0 FROM process_events WHERE process_id = ?
UNION ALL
SELECT 2, id, created_at, author_name, author_kind, '', subject, 0, 0, 0, '', 0 FROM messages WHERE process_id = ?
	AND seq > COALESCE((SELECT message_count FROM threads WHERE process_id = ?), 0) - ?
ORDER BY 3, 1, 2`

var timelineKinds = [...]string{models.TimelineStatus, models.TimelineEdit, models.TimelineMessage}

// timeline reads process processID's timeline and, from the same rows, its
// status history (ProcessDetail.History: oldest first, by id).
func (s *Store) timeline(db *gorm.DB, processID int64) ([]models.TimelineEntry, []models.ProcessStatusChange, error) {
	rows, err := db.Raw(timelineSQL, processID, processID, processID, processID, models.MaxTimelineMessages).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []models.TimelineEntry{}
	var history []models.ProcessStatusChange
	for rows.Next() {
		var (
			e       models.TimelineEntry
			k       int
			id, uid int64
			kind    string
			stamp   timeValue
		)
		if err := rows.Scan(&k, &id, &stamp, &e.ActorName, &kind, &e.What, &e.Subject, &e.FromStatus, &e.ToStatus,
			&e.ReasonID, &e.Comment, &uid); err != nil {
			return nil, nil, err
		}
		if k >= 0 && k < len(timelineKinds) {
			e.Kind = timelineKinds[k]
		}
		e.At, e.ActorKind = stamp.t.UTC(), models.AuthorKind(kind)
		out = append(out, e)
		if k == 0 {
			h := models.ProcessStatusChange{ID: id, ProcessID: processID, ToStatus: e.ToStatus, ActorName: e.ActorName,
				ActorKind: e.ActorKind, Comment: e.Comment, CreatedAt: e.At}
			// Statuses, reasons and users are positive: 0 stands for NULL.
			if e.FromStatus != 0 {
				h.FromStatus = &e.FromStatus
			}
			if e.ReasonID != 0 {
				h.ReasonID = &e.ReasonID
			}
			if uid != 0 {
				h.ActorUserID = &uid
			}
			history = append(history, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(history, func(a, b models.ProcessStatusChange) int { return cmp.Compare(a.ID, b.ID) })
	return out, history, nil
}

// Timeline implements models.ProcessWorkService.
func (s *Store) Timeline(ctx context.Context, processUUID string) ([]models.TimelineEntry, error) {
	db := s.conn(ctx)
	p, err := s.scopedProcess(ctx, db, processUUID, false)
	if err != nil {
		return nil, err
	}
	out, _, err := s.timeline(db, p.ID)
	if err != nil {
		return nil, translate(err, "timeline")
	}
	return out, nil
}

// timeValue scans a timestamp whatever the driver gives for it: a time, or
// (SQLite, for a column of a compound SELECT, whose declared type the driver
// does not see) the text the driver stored.
type timeValue struct{ t time.Time }

// timeLayouts are the texts SQLite holds timestamps in: the driver's and
// CURRENT_TIMESTAMP's.
var timeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

func (v *timeValue) Scan(src any) error {
	switch x := src.(type) {
	case time.Time:
		v.t = x
		return nil
	case string:
		return v.parse(x)
	case []byte:
		return v.parse(string(x))
	case nil:
		v.t = time.Time{}
		return nil
	}
	return fmt.Errorf("timestamp: cannot scan %T", src)
}

func (v *timeValue) parse(s string) error {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			v.t = t
			return nil
		}
	}
	return fmt.Errorf("timestamp: cannot parse %q", s)
}
