package store

import (
	"cmp"
	"slices"
	"strings"

	"portal/models"
)

// The reply queue holds process threads and simulation threads. Each kind
// is a keyset stream in its own table's message-id order (ids follow
// commit order within a table, not across two); a page merges the two
// streams by the last message's time and its cursor keeps the position
// reached in each, so every thread is listed exactly once however the
// streams interleave.

// queueCursor is a position in both streams: the last message uuid of the
// last thread of each stream shown so far ("" for none yet). As text it is
// the process stream's uuid, then "." and the simulation stream's when it
// has one: a cursor of process threads only reads as it always has.
type queueCursor struct {
	process, simulation string
}

func parseQueueCursor(s string) (queueCursor, bool) {
	if s == "" {
		return queueCursor{}, true
	}
	p, sim, _ := strings.Cut(s, ".")
	for _, part := range []string{p, sim} {
		if part != "" && !validUUID(part) {
			return queueCursor{}, false
		}
	}
	if p == "" && sim == "" {
		return queueCursor{}, false
	}
	return queueCursor{process: strings.ToLower(p), simulation: strings.ToLower(sim)}, true
}

func (c queueCursor) String() string {
	if c.simulation == "" {
		return c.process
	}
	return c.process + "." + c.simulation
}

// queueRow is a row of the queue's statement: one thread of either stream.
type queueRow struct {
	models.ReplyQueueItem
	LastMessageUUID string
	Pos             int64 // the thread's last message id, in its own table
	UnreadFlag      int
}

// mergeQueue takes the first limit threads of the two streams in rows
// (each in its table's id order, at most limit+1 each), merged by the time
// of the last message: oldest first when waitingFirst, else newest first
// (a tie: the process thread first). It answers the page and the cursor of
// the next one ("" when both streams are exhausted).
func mergeQueue(rows []queueRow, limit int, waitingFirst bool, cur queueCursor) ([]models.ReplyQueueItem, string) {
	var procs, sims []queueRow
	for _, r := range rows {
		if r.SimulationUUID != "" {
			sims = append(sims, r)
		} else {
			procs = append(procs, r)
		}
	}
	byPos := func(rs []queueRow) {
		// The statement's parts keep their order in practice; the page
		// must not depend on it.
		slices.SortFunc(rs, func(a, b queueRow) int {
			if waitingFirst {
				return cmp.Compare(a.Pos, b.Pos)
			}
			return cmp.Compare(b.Pos, a.Pos)
		})
	}
	byPos(procs)
	byPos(sims)
	items := make([]models.ReplyQueueItem, 0, min(len(rows), limit))
	i, j := 0, 0
	for len(items) < limit && (i < len(procs) || j < len(sims)) {
		takeProc := j >= len(sims)
		if i < len(procs) && j < len(sims) {
			a, b := procs[i].LastMessageAt, sims[j].LastMessageAt
			takeProc = a.Equal(b) || a.Before(b) == waitingFirst
		}
		var r queueRow
		if takeProc {
			r = procs[i]
			i++
			cur.process = strings.ToLower(r.LastMessageUUID)
		} else {
			r = sims[j]
			j++
			cur.simulation = strings.ToLower(r.LastMessageUUID)
		}
		it := r.ReplyQueueItem
		it.ProcessUUID, it.SimulationUUID = strings.ToLower(it.ProcessUUID), strings.ToLower(it.SimulationUUID)
		it.LastMessageAt = it.LastMessageAt.UTC()
		it.Unread = r.UnreadFlag != 0
		items = append(items, it)
	}
	if i == len(procs) && j == len(sims) {
		return items, ""
	}
	return items, cur.String()
}
