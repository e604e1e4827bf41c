-- +goose Up
-- TOTP second factor (models/store/totp.go). secret_enc is the shared
-- secret sealed with the portal's TOTP key (AES-256-GCM, bound to the user
-- id); a row with confirmed_at NULL is an enrolment not confirmed yet.
-- last_step is the last time step whose code was accepted: a code of that
-- step or an earlier one is refused (replay).
CREATE TABLE user_totp (
    user_id       bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_enc    text NOT NULL,
    confirmed_at  datetime,
    last_step     bigint NOT NULL DEFAULT 0,
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One-time recovery codes: keyed hashes only, used_at set on use.
CREATE TABLE totp_recovery_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash   text NOT NULL,
    used_at     datetime,
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, code_hash)
);

-- A sign-in whose password was right, waiting for its second factor: the
-- browser holds the random token (only its hash is here) for a few minutes.
CREATE TABLE totp_pending (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  text NOT NULL UNIQUE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    next        text NOT NULL DEFAULT '',
    attempts    integer NOT NULL DEFAULT 0,
    client_ip   text NOT NULL DEFAULT '',
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at  datetime NOT NULL
);
CREATE INDEX totp_pending_user_idx ON totp_pending (user_id);
CREATE INDEX totp_pending_expires_idx ON totp_pending (expires_at);

-- +goose Down
DROP TABLE totp_pending;
DROP TABLE totp_recovery_codes;
DROP TABLE user_totp;
