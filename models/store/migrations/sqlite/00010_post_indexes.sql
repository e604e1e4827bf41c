-- +goose Up
-- Every post rewrites its thread's row, and last_message_id changes each
-- time, so every index on it gets a new entry per post (the update is never
-- HOT). A firm's queue filtered by last author walks the firm's queue index
-- (broker_id, last_message_id) and checks the kind on the row: a firm has
-- few threads next to a bank, and the bank-wide kind index stays. One index
-- entry fewer per post.
DROP INDEX threads_broker_kind_queue_idx;

-- +goose Down
CREATE INDEX threads_broker_kind_queue_idx ON threads (broker_id, last_author_kind, last_message_id DESC);
