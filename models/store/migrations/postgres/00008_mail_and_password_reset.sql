-- +goose Up
-- The mail queue: every mail the portal sends (password resets now; later
-- ESIS e-mails and notifications) is a row written in the transaction of
-- the change that causes it, so a mail goes out only for a change that
-- committed and is never lost by a crash between COMMIT and sending. The
-- sender (store.MailSender) claims due pending rows with FOR UPDATE SKIP
-- LOCKED, so several instances share the queue without sending a mail
-- twice, and marks each sent, or pending again with a later next_attempt_at
-- (backoff), or failed after its last attempt. The SQLite twin
-- (sqlite/00008_mail_and_password_reset.sql) has the same tables.
CREATE TABLE mail_outbox (
    id               bigserial PRIMARY KEY,
    to_addr          text NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
    subject          text NOT NULL CHECK (length(subject) BETWEEN 1 AND 998),
    body_text        text NOT NULL,
    body_html        text NOT NULL DEFAULT '',
    lang             text NOT NULL DEFAULT '',
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'pending';

-- Password reset tokens: only the SHA-256 of the random token is kept. A
-- token is single-use (deleted when used), valid for 30 minutes, and a newer
-- request deletes the user's older tokens.
CREATE TABLE password_reset_tokens (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX password_reset_tokens_user_idx ON password_reset_tokens (user_id);

-- +goose Down
DROP TABLE password_reset_tokens;
DROP TABLE mail_outbox;
