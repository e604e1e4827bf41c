-- +goose Up
-- A rotated signing secret stays valid until previous_secret_until, so
-- receivers can switch without losing deliveries.
ALTER TABLE callback_subscriptions ADD COLUMN previous_secret text NOT NULL DEFAULT '';
ALTER TABLE callback_subscriptions ADD COLUMN previous_secret_until timestamptz;

-- One row per echo, so the echo limit holds across instances.
CREATE TABLE callback_echoes (
    id          bigserial PRIMARY KEY,
    partner_id  bigint NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL
);
CREATE INDEX callback_echoes_partner_idx ON callback_echoes (partner_id, created_at);

-- +goose Down
DROP TABLE callback_echoes;
ALTER TABLE callback_subscriptions DROP COLUMN previous_secret_until;
ALTER TABLE callback_subscriptions DROP COLUMN previous_secret;
