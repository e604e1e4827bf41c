-- +goose Up
-- Customer messages (the bank writes to a customer, the customer reads them
-- in the inbox and both OBP API versions list them), the OBP API consumers
-- and DirectLogin tokens, and what staff need to find a customer. The SQLite
-- twin (sqlite/00004_customer_messages.sql) has the same tables, columns and
-- indexes.

-- Per-customer counters, changed in the same transaction as every message
-- insert (message_count and unread_count + 1) and every first open of a
-- message (unread_count - 1, once: only the UPDATE that sets read_at from
-- NULL counts). Totals and the inbox badge read one row, whatever the size
-- of the customer's inbox or of the table.
ALTER TABLE customers ADD COLUMN message_count bigint NOT NULL DEFAULT 0 CHECK (message_count >= 0);
ALTER TABLE customers ADD COLUMN unread_count bigint NOT NULL DEFAULT 0 CHECK (unread_count >= 0);
ALTER TABLE customers ADD CONSTRAINT customers_unread_within_total CHECK (unread_count <= message_count);
-- legal_name folded by the store (lower case, accents removed, spaces
-- collapsed) so a name search matches alike on both dialects; rows older
-- than this migration get the plain lower case.
ALTER TABLE customers ADD COLUMN search_name text NOT NULL DEFAULT '';
UPDATE customers SET search_name = lower(legal_name);

-- A login is linked to at most one customer per bank (OBP v1.4.0 "my
-- messages" are that customer's).
CREATE UNIQUE INDEX customers_bank_user_idx ON customers (bank_id, user_id) WHERE user_id IS NOT NULL;
-- Staff search within a bank: exact e-mail (any case), tax id, customer
-- number (the UNIQUE (bank_id, customer_number) index), and a name
-- substring, which walks the bank's customers in name order and stops at
-- the page size (a bounded scan of one bank, not an index lookup).
CREATE INDEX customers_bank_email_idx ON customers (bank_id, lower(email));
CREATE INDEX customers_bank_tax_idx ON customers (bank_id, tax_id);
CREATE INDEX customers_bank_search_name_idx ON customers (bank_id, search_name, id);

CREATE TABLE customer_messages (
    id                  bigserial PRIMARY KEY,
    uuid                uuid NOT NULL UNIQUE,
    bank_id             bigint NOT NULL REFERENCES banks(id),
    customer_id         bigint NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    message             text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 1024),
    transport           text NOT NULL DEFAULT '' CHECK (char_length(transport) <= 64),
    from_department     text NOT NULL DEFAULT '' CHECK (char_length(from_department) <= 64),
    from_person         text NOT NULL DEFAULT '' CHECK (char_length(from_person) <= 64),
    created_by_user_id  bigint REFERENCES users(id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    read_at             timestamptz
);
-- Every list is one customer's messages newest first; ids follow insertion
-- order (ties of created_at: the newest insertion first), so a page is a
-- range of this index read in order, never a sort.
CREATE INDEX customer_messages_customer_idx ON customer_messages (customer_id, id DESC);

-- OBP API consumers. The consumer key identifies the calling application in
-- DirectLogin; it is not a secret in OBP (the user's password is), so it is
-- stored as given.
CREATE TABLE api_consumers (
    id            bigserial PRIMARY KEY,
    consumer_key  text NOT NULL UNIQUE CHECK (char_length(consumer_key) BETWEEN 1 AND 200),
    name          text NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- DirectLogin tokens: only the hash is stored. expires_at slides with use
-- (idle timeout) but never past created_at + the absolute timeout.
CREATE TABLE obp_tokens (
    id            bigserial PRIMARY KEY,
    token_hash    text NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    consumer_id   bigint NOT NULL REFERENCES api_consumers(id) ON DELETE CASCADE,
    client_ip     text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz
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
ALTER TABLE customers DROP CONSTRAINT customers_unread_within_total;
ALTER TABLE customers DROP COLUMN unread_count;
ALTER TABLE customers DROP COLUMN message_count;
