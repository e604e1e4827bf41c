-- +goose Up
-- SQLite twin of postgres/00005_outbox.sql (the comments there explain it).
CREATE TABLE outbox_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           text NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    bank_id        bigint NOT NULL REFERENCES banks(id),
    subject_uuid   text NOT NULL,
    payload        text NOT NULL,
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dispatched_at  datetime
);
CREATE INDEX outbox_events_pending_idx ON outbox_events (id) WHERE dispatched_at IS NULL;

-- +goose Down
DROP TABLE outbox_events;
