-- +goose Up
-- SQLite twin of postgres/00008_mail_and_password_reset.sql (the comments
-- there explain it). One process sends from SQLite, so claiming needs no
-- SKIP LOCKED: the immediate transaction holds the write lock.
CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addr          text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 998),
    body_text        text NOT NULL,
    body_html        text NOT NULL DEFAULT '',
    lang             text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_error       text NOT NULL DEFAULT '',
    created_at       datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    sent_at          datetime
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'pending';

CREATE TABLE password_reset_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at  datetime NOT NULL
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

-- +goose Down
DROP TABLE password_reset_tokens;
DROP TABLE mail_outbox;
