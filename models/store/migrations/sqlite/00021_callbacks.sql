-- +goose Up
-- SQLite twin of postgres/00021_callbacks.sql (the comments there explain it).
CREATE TABLE callback_subscriptions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  text NOT NULL UNIQUE,
    partner_id            bigint NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    notification_type_id  integer NOT NULL CHECK (notification_type_id BETWEEN 1 AND 6),
    url                   text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description           text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    secret                text NOT NULL,
    enabled               boolean NOT NULL DEFAULT true,
    disabled_reason       text NOT NULL DEFAULT '',
    disabled_at           datetime,
    last_success_at       datetime,
    last_failure_at       datetime,
    failing_since         datetime,
    lease_until           datetime,
    lease_owner           text NOT NULL DEFAULT '',
    created_at            datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at            datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (partner_id, notification_type_id)
);

CREATE TABLE callback_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             text NOT NULL UNIQUE,
    webhook_id       text NOT NULL,
    subscription_id  bigint NOT NULL REFERENCES callback_subscriptions(id) ON DELETE CASCADE,
    outbox_event_id  bigint REFERENCES outbox_events(id),
    event_kind       text NOT NULL DEFAULT '',
    payload          text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempt_count    integer NOT NULL DEFAULT 0,
    next_attempt_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_at       datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    finished_at      datetime,
    UNIQUE (subscription_id, outbox_event_id)
);
CREATE INDEX callback_deliveries_pending_idx ON callback_deliveries (subscription_id, id) WHERE status = 'pending';
CREATE INDEX callback_deliveries_log_idx ON callback_deliveries (id DESC);

CREATE TABLE callback_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  bigint NOT NULL REFERENCES callback_deliveries(id) ON DELETE CASCADE,
    at           datetime NOT NULL,
    status_code  integer NOT NULL DEFAULT 0,
    duration_ms  bigint NOT NULL DEFAULT 0,
    response     text NOT NULL DEFAULT '',
    error        text NOT NULL DEFAULT ''
);
CREATE INDEX callback_attempts_delivery_idx ON callback_attempts (delivery_id, id);

-- +goose Down
DROP TABLE callback_attempts;
DROP TABLE callback_deliveries;
DROP TABLE callback_subscriptions;
