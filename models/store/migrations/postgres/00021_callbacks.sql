-- +goose Up
-- Partner callbacks. A subscription is one partner's URL for one
-- notification type; its secret signs every delivery (kept in clear: the
-- store must produce HMACs with it, and it is not a credential into the
-- portal). A delivery is one outbox event for one subscription, delivered
-- in order per subscription (id order): a worker claims the subscription's
-- oldest pending delivery under a lease (lease_until), so two instances
-- never send one delivery at once and a dead instance's claim expires.
-- Every try is an attempt row. The SQLite twin has the same tables.
CREATE TABLE callback_subscriptions (
    id                    bigserial PRIMARY KEY,
    uuid                  uuid NOT NULL UNIQUE,
    partner_id            bigint NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    notification_type_id  integer NOT NULL CHECK (notification_type_id BETWEEN 1 AND 6),
    url                   text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description           text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    secret                text NOT NULL,
    enabled               boolean NOT NULL DEFAULT true,
    disabled_reason       text NOT NULL DEFAULT '',
    disabled_at           timestamptz,
    last_success_at       timestamptz,
    last_failure_at       timestamptz,
    failing_since         timestamptz,
    lease_until           timestamptz,   -- a worker holds the head delivery until then
    lease_owner           text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, notification_type_id)
);

CREATE TABLE callback_deliveries (
    id               bigserial PRIMARY KEY,
    uuid             uuid NOT NULL UNIQUE,
    webhook_id       text NOT NULL,
    subscription_id  bigint NOT NULL REFERENCES callback_subscriptions(id) ON DELETE CASCADE,
    outbox_event_id  bigint REFERENCES outbox_events(id),
    event_kind       text NOT NULL DEFAULT '',
    payload          text NOT NULL,
    status           text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempt_count    integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (subscription_id, outbox_event_id)
);
CREATE INDEX callback_deliveries_pending_idx ON callback_deliveries (subscription_id, id) WHERE status = 'pending';
CREATE INDEX callback_deliveries_log_idx ON callback_deliveries (id DESC);

CREATE TABLE callback_attempts (
    id           bigserial PRIMARY KEY,
    delivery_id  bigint NOT NULL REFERENCES callback_deliveries(id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
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
