-- +goose Up
-- SQLite twin of postgres/00002_messages.sql: same tables, columns and indexes.
-- Process message threads, per-user read state, partner API tokens and
-- idempotency keys. The SQLite twin (sqlite/00002_messages.sql) has the same
-- tables, columns and indexes.

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             text NOT NULL UNIQUE,
    process_id       bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    seq              bigint NOT NULL CHECK (seq >= 1),
    author_user_id   bigint NOT NULL REFERENCES users(id),
    author_kind      text NOT NULL CHECK (author_kind IN ('broker', 'bank')),
    author_name      text NOT NULL,
    author_username  text NOT NULL,
    subject          text NOT NULL DEFAULT '' CHECK (length(subject) <= 200),
    text             text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    created_at       datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- seq numbers a thread's messages 1, 2, 3... in commit order (assigned
-- from threads.message_count under the thread row's lock). Every thread read
-- goes through this index: newest-first pages are seq ranges (no OFFSET, the
-- same cost at any depth), older pages and polls are seq below/above a
-- cursor. Ordering by seq cannot be served by the primary key, so the
-- planner is never tempted to walk the whole table by id.
CREATE UNIQUE INDEX messages_process_seq_idx ON messages (process_id, seq DESC);
-- The per-user posting rate limit counts a user's recent messages.
CREATE INDEX messages_author_created_idx ON messages (author_user_id, created_at);

-- One row per process with at least one message, updated in the same
-- transaction as every insert, which locks it first: message_count is also
-- the seq of the thread's newest message, and a thread's ids and seqs follow
-- commit order. bank_id and broker_id are copied from the process for the
-- staff queue. last_message_id orders "most recent activity".
CREATE TABLE threads (
    process_id         bigint PRIMARY KEY REFERENCES processes(id) ON DELETE CASCADE,
    bank_id            bigint NOT NULL REFERENCES banks(id),
    broker_id          bigint NOT NULL REFERENCES broker_firms(id),
    message_count      bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0),
    last_message_id    bigint NOT NULL DEFAULT 0,
    last_message_uuid  text,
    last_message_at    datetime NOT NULL,
    last_author_kind   text NOT NULL DEFAULT '' CHECK (last_author_kind IN ('', 'broker', 'bank')),
    last_author_name   text NOT NULL DEFAULT '',
    last_excerpt       text NOT NULL DEFAULT ''
);
-- The staff queue: the bank's threads by last activity, optionally only
-- those whose last author is a broker (waiting) or the bank (answered),
-- optionally one firm's.
CREATE INDEX threads_bank_queue_idx ON threads (bank_id, last_message_id DESC);
CREATE INDEX threads_bank_kind_queue_idx ON threads (bank_id, last_author_kind, last_message_id DESC);
CREATE INDEX threads_broker_queue_idx ON threads (broker_id, last_message_id DESC);
CREATE INDEX threads_broker_kind_queue_idx ON threads (broker_id, last_author_kind, last_message_id DESC);

-- How far each user has read each thread (monotonic): the message and its
-- seq. Unread = threads.message_count - last_read_seq (posting marks the
-- thread read for the author, so a user's own messages are never after it).
CREATE TABLE thread_reads (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id               bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    process_id            bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    last_read_message_id  bigint NOT NULL DEFAULT 0,
    last_read_seq         bigint NOT NULL DEFAULT 0,
    updated_at            datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, process_id)
);
CREATE INDEX thread_reads_process_idx ON thread_reads (process_id);

-- Partner API session tokens: only the hash is stored; sliding expiry.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash    text NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_id    bigint NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    client_ip     text NOT NULL DEFAULT '',
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at    datetime NOT NULL,
    revoked_at    datetime
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
CREATE INDEX api_tokens_expires_idx ON api_tokens (expires_at);

-- Idempotency-Key of creating requests, per user, kept 24 hours.
CREATE TABLE idempotency_keys (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    idem_key       text NOT NULL,
    fingerprint    text NOT NULL,
    status_code    integer NOT NULL DEFAULT 0,
    response_body  blob NOT NULL DEFAULT X'',
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE api_tokens;
DROP TABLE thread_reads;
DROP TABLE threads;
DROP TABLE messages;
