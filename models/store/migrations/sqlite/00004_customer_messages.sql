-- +goose Up
-- SQLite twin of postgres/00004_customer_messages.sql: same tables, columns
-- and indexes (the comments there explain them). SQLite cannot add a table
-- constraint to an existing table, so unread_count <= message_count is
-- checked on PostgreSQL only.

ALTER TABLE customers ADD COLUMN message_count bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0);
ALTER TABLE customers ADD COLUMN unread_count bigint NOT NULL DEFAULT 0 CHECK (unread_count >= 0);
ALTER TABLE customers ADD COLUMN search_name text NOT NULL DEFAULT '';
UPDATE customers SET search_name = lower(legal_name);

CREATE UNIQUE INDEX customers_bank_user_idx ON customers (bank_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX customers_bank_email_idx ON customers (bank_id, lower(email));
CREATE INDEX customers_bank_tax_idx ON customers (bank_id, tax_id);
CREATE INDEX customers_bank_search_name_idx ON customers (bank_id, search_name, id);

CREATE TABLE customer_messages (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                text NOT NULL UNIQUE,
    bank_id             bigint NOT NULL REFERENCES banks(id),
    customer_id         bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    message             text NOT NULL CHECK (length(message) BETWEEN 1 AND 1024),
    transport           text NOT NULL DEFAULT '' CHECK (length(transport) <= 64),
    from_department     text NOT NULL DEFAULT '' CHECK (length(from_department) <= 64),
    from_person         text NOT NULL DEFAULT '' CHECK (length(from_person) <= 64),
    created_by_user_id  bigint REFERENCES users(id),
    created_at          datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    read_at             datetime
);
CREATE INDEX customer_messages_customer_idx ON customer_messages (customer_id, id DESC);

CREATE TABLE api_consumers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    consumer_key  text NOT NULL UNIQUE CHECK (length(consumer_key) BETWEEN 1 AND 200),
    name          text NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE obp_tokens (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash    text NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    consumer_id   bigint NOT NULL REFERENCES api_consumers(id) ON DELETE CASCADE,
    client_ip     text NOT NULL DEFAULT '',
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at    datetime NOT NULL,
    revoked_at    datetime
);
CREATE INDEX obp_tokens_user_idx ON obp_tokens (user_id);
CREATE INDEX obp_tokens_consumer_idx ON obp_tokens (consumer_id);
CREATE INDEX obp_tokens_expires_idx ON obp_tokens (expires_at);

-- +goose Down
DROP TABLE obp_tokens;
DROP TABLE api_consumers;
DROP TABLE customer_messages;
DROP INDEX customers_bank_search_name_idx;
DROP INDEX customers_bank_tax_idx;
DROP INDEX customers_bank_email_idx;
DROP INDEX customers_bank_user_idx;
ALTER TABLE customers DROP COLUMN search_name;
ALTER TABLE customers DROP COLUMN unread_count;
ALTER TABLE customers DROP COLUMN message_count;
