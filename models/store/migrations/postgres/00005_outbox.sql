-- +goose Up
-- The outbox: domain events whose delivery must survive a crash (partner
-- callbacks, notifications), written in the transaction of the change that
-- causes them. A dispatcher claims undispatched rows in id order with
-- FOR UPDATE SKIP LOCKED, so several instances share the work without
-- delivering an event twice, and stamps dispatched_at. The payload holds ids
-- and what changed, never message text or personal data. The SQLite twin
-- (sqlite/00005_outbox.sql) has the same table and indexes.
CREATE TABLE outbox_events (
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    bank_id        bigint NOT NULL REFERENCES banks(id),
    subject_uuid   text NOT NULL,  -- the row the event is about (process, customer)
    payload        text NOT NULL,  -- the event as JSON
    created_at     timestamptz NOT NULL DEFAULT now(),
    dispatched_at  timestamptz
);
CREATE INDEX outbox_events_pending_idx ON outbox_events (id) WHERE dispatched_at IS NULL;

-- +goose Down
DROP TABLE outbox_events;
