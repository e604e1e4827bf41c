package store

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"portal/models"
)

// The outbox payload the posting statement assembles from payloadParts and
// the values only the database knows is byte for byte the JSON of the event.
func TestPayloadPartsSpliceToTheEventsJSON(t *testing.T) {
	for _, ev := range []models.Event{
		{Kind: models.EventMessagePosted, OccurredAt: time.Date(2026, 12, 4, 3, 4, 5, 123456000, time.UTC),
			ProcessUUID: "0f9d7c1e-2b1a-4c3d-8e4f-5a6b7c8d9e0f", MessageUUID: "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", AuthorKind: models.AuthorBroker},
		{Kind: models.EventMessagePosted, OccurredAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			ProcessUUID: "9f9d7c1e-2b1a-4c3d-8e4f-5a6b7c8d9e0f", MessageUUID: "2a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", AuthorKind: models.AuthorBank},
	} {
		parts, err := payloadParts(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range [][3]int64{{1, 2, 1}, {7, 123456, 99999}} {
			got := parts[0] + strconv.FormatInt(v[0], 10) + parts[1] + strconv.FormatInt(v[1], 10) + parts[2] + strconv.FormatInt(v[2], 10) + parts[3]
			ev.BankID, ev.BrokerID, ev.Seq = v[0], v[1], v[2]
			want, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("spliced payload\n%s\nwant\n%s", got, want)
			}
		}
	}
}

func TestPgPlaceholders(t *testing.T) {
	got := pgPlaceholders("SELECT ? WHERE a = ?::uuid AND b IN (?, ?)")
	if want := "SELECT $1 WHERE a = $2::uuid AND b IN ($3, $4)"; got != want {
		t.Errorf("pgPlaceholders = %q, want %q", got, want)
	}
}
