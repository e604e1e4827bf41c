-- +goose Up
-- Simulation threads: one thread per simulation, shaped like the process
-- threads (00002) but in tables of their own, so the process posting path
-- and its indexes stay as they are. The SQLite twin has the same tables
-- and indexes.
CREATE TABLE simulation_messages (
    id               bigserial PRIMARY KEY,
    uuid             uuid NOT NULL UNIQUE,
    simulation_id    bigint NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
    seq              bigint NOT NULL CHECK (seq >= 1),
    author_user_id   bigint NOT NULL REFERENCES users(id),
    author_kind      text NOT NULL CHECK (author_kind IN ('broker', 'bank')),
    author_name      text NOT NULL,
    author_username  text NOT NULL,
    subject          text NOT NULL DEFAULT '' CHECK (char_length(subject) <= 200),
    text             text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4000),
    created_at       timestamptz NOT NULL DEFAULT now()
);
-- seq numbers a thread's messages 1, 2, 3... (assigned under the
-- simulation row's lock); every read of a thread goes through it.
CREATE UNIQUE INDEX simulation_messages_seq_idx ON simulation_messages (simulation_id, seq DESC);
-- The per-user posting limit counts a user's recent messages.
CREATE INDEX simulation_messages_author_created_idx ON simulation_messages (author_user_id, created_at);

CREATE TABLE simulation_threads (
    simulation_id      bigint PRIMARY KEY REFERENCES simulations(id) ON DELETE CASCADE,
    bank_id            bigint NOT NULL REFERENCES banks(id),
    broker_id          bigint NOT NULL REFERENCES broker_firms(id),
    message_count      bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    last_message_id    bigint NOT NULL DEFAULT 0,
    last_message_uuid  uuid,
    last_message_at    timestamptz NOT NULL,
    last_author_kind   text NOT NULL DEFAULT '' CHECK (last_author_kind IN ('', 'broker', 'bank')),
    last_author_name   text NOT NULL DEFAULT '',
    last_excerpt       text NOT NULL DEFAULT ''
);
-- The staff reply queue lists them beside the process threads, with the
-- same indexes: the bank's by last activity, by last author kind, a firm's.
CREATE INDEX simulation_threads_bank_queue_idx ON simulation_threads (bank_id, last_message_id DESC);
CREATE INDEX simulation_threads_bank_kind_queue_idx ON simulation_threads (bank_id, last_author_kind, last_message_id DESC);
CREATE INDEX simulation_threads_broker_queue_idx ON simulation_threads (broker_id, last_message_id DESC);

CREATE TABLE simulation_thread_reads (
    id                    bigserial PRIMARY KEY,
    user_id               bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    simulation_id         bigint NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
    last_read_message_id  bigint NOT NULL DEFAULT 0,
    last_read_seq         bigint NOT NULL DEFAULT 0,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, simulation_id)
);
CREATE INDEX simulation_thread_reads_simulation_idx ON simulation_thread_reads (simulation_id);

-- Expiry walks the simulations still open (in creation, validated) by
-- last action.
CREATE INDEX simulations_open_last_action_idx ON simulations (last_action_at, id) WHERE status_id IN (1, 2);

-- +goose Down
DROP INDEX simulations_open_last_action_idx;
DROP TABLE simulation_thread_reads;
DROP TABLE simulation_threads;
DROP TABLE simulation_messages;
