-- +goose Up
-- A rotated signing secret stays valid until previous_secret_until, so
-- receivers can switch without losing deliveries.
ALTER TABLE callback_subscriptions ADD COLUMN previous_secret text NOT NULL DEFAULT '';
ALTER TABLE callback_subscriptions ADD COLUMN previous_secret_until timestamptz;

-- +goose Down
ALTER TABLE callback_subscriptions DROP COLUMN previous_secret_until;
ALTER TABLE callback_subscriptions DROP COLUMN previous_secret;
