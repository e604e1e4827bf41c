-- +goose Up
-- SQLite twin of postgres/00001_init.sql: same tables, columns and indexes.
CREATE TABLE banks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_id     text NOT NULL UNIQUE,
    short_name  text NOT NULL,
    full_name   text NOT NULL,
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE partners (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                text NOT NULL UNIQUE,
    bank_id             bigint NOT NULL REFERENCES banks(id),
    name                text NOT NULL,
    client_id           text NOT NULL UNIQUE,
    client_secret_hash  text NOT NULL,
    created_at          datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE broker_firms (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid         text NOT NULL UNIQUE,
    bank_id      bigint NOT NULL REFERENCES banks(id),
    partner_id   bigint NOT NULL REFERENCES partners(id),
    name         text NOT NULL,
    broker_uid   text NOT NULL UNIQUE,
    tax_id       text NOT NULL DEFAULT '',
    api_enabled  boolean NOT NULL DEFAULT false,
    created_at   datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX broker_firms_partner_idx ON broker_firms (partner_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid           text NOT NULL UNIQUE,
    bank_id        bigint NOT NULL REFERENCES banks(id),
    email          text NOT NULL UNIQUE CHECK (email = lower(email)),
    name           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('broker', 'staff', 'admin', 'customer')),
    password_hash  text NOT NULL,
    firm_id        bigint REFERENCES broker_firms(id),
    api_enabled    boolean NOT NULL DEFAULT false,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK ((kind = 'broker') = (firm_id IS NOT NULL))
);
CREATE INDEX users_firm_idx ON users (firm_id);

CREATE TABLE entitlements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid        text NOT NULL UNIQUE,
    user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    bank_id     bigint NOT NULL REFERENCES banks(id),
    role        text NOT NULL,
    created_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (user_id, bank_id, role)
);

CREATE TABLE customers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid             text NOT NULL UNIQUE,
    bank_id          bigint NOT NULL REFERENCES banks(id),
    customer_number  text NOT NULL,
    legal_name       text NOT NULL,
    email            text NOT NULL DEFAULT '',
    mobile_phone     text NOT NULL DEFAULT '',
    tax_id           text NOT NULL DEFAULT '',
    user_id          bigint REFERENCES users(id),
    created_at       datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (bank_id, customer_number)
);
CREATE INDEX customers_user_idx ON customers (user_id);

CREATE TABLE processes (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  text NOT NULL UNIQUE,
    bank_id               bigint NOT NULL REFERENCES banks(id),
    broker_id             bigint NOT NULL REFERENCES broker_firms(id),
    process_number        bigint NOT NULL,
    simulation_uuid       text,
    simulation_number     bigint,
    branch_id             integer,
    loan_amount_cents     bigint NOT NULL DEFAULT 0 CHECK (loan_amount_cents >= 0),
    loan_duration_months  integer NOT NULL DEFAULT 0,
    product_scheme_id     integer,
    loan_purpose_id       integer,
    product_purpose_id    integer,
    has_cross_selling     boolean NOT NULL DEFAULT false,
    status_id             integer NOT NULL CHECK (status_id BETWEEN 1 AND 8),
    key_borrower_name     text NOT NULL DEFAULT '',
    key_borrower_tax_id   text NOT NULL DEFAULT '',
    created_by_user_id    bigint REFERENCES users(id),
    created_at            datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_action_at        datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at            datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (bank_id, process_number)
);
-- The list: a firm's processes by last action, optionally by status.
CREATE INDEX processes_broker_last_action_idx ON processes (broker_id, last_action_at DESC, process_number DESC);
CREATE INDEX processes_broker_status_last_action_idx ON processes (broker_id, status_id, last_action_at DESC, process_number DESC);
-- Staff see every firm's processes.
CREATE INDEX processes_bank_last_action_idx ON processes (bank_id, last_action_at DESC, process_number DESC);

CREATE TABLE process_status_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    process_id     bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    from_status    integer,
    to_status      integer NOT NULL,
    actor_user_id  bigint REFERENCES users(id),
    actor_name     text NOT NULL DEFAULT '',
    comment        text NOT NULL DEFAULT '',
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX process_status_changes_process_idx ON process_status_changes (process_id, id);

CREATE TABLE borrowers (
    id                                     INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                                   text NOT NULL UNIQUE,
    process_id                             bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    borrower_type_id                       integer NOT NULL CHECK (borrower_type_id IN (1, 2)),
    key_borrower_relation_id               integer,
    name                                   text NOT NULL,
    birth_date                             text NOT NULL DEFAULT '',
    tax_id                                 text NOT NULL DEFAULT '',
    mobile                                 text NOT NULL DEFAULT '',
    email                                  text NOT NULL DEFAULT '',
    gender_id                              integer,
    income_wages_pensions_cents            bigint NOT NULL DEFAULT 0,
    income_green_receipts_cents            bigint NOT NULL DEFAULT 0,
    income_rents_cents                     bigint NOT NULL DEFAULT 0,
    income_others_cents                    bigint NOT NULL DEFAULT 0,
    installment_housing_credit_cents       bigint NOT NULL DEFAULT 0,
    installment_personal_credit_cents      bigint NOT NULL DEFAULT 0,
    installment_auto_leasing_credit_cents  bigint NOT NULL DEFAULT 0,
    installment_credit_card_cents          bigint NOT NULL DEFAULT 0,
    installment_bank_overdraft_cents       bigint NOT NULL DEFAULT 0,
    installment_other_cents                bigint NOT NULL DEFAULT 0,
    has_social_security_debt               boolean NOT NULL DEFAULT false,
    created_at                             datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                             datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX borrowers_process_idx ON borrowers (process_id, borrower_type_id, id);
-- At most one key borrower per process.
CREATE UNIQUE INDEX borrowers_one_key_idx ON borrowers (process_id) WHERE borrower_type_id = 1;

CREATE TABLE properties (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                      text NOT NULL UNIQUE,
    process_id                bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    property_typology_id      integer,
    gross_built_area          integer,
    year_built                integer,
    acquisition_amount_cents  bigint,
    acquisition_date          text NOT NULL DEFAULT '',
    address                   text NOT NULL DEFAULT '',
    door_number               text NOT NULL DEFAULT '',
    floor                     text NOT NULL DEFAULT '',
    district_id               integer,
    county_id                 integer,
    parish_id                 integer,
    zip_code                  text NOT NULL DEFAULT '',
    zip_code_local            text NOT NULL DEFAULT '',
    created_at                datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX properties_process_idx ON properties (process_id, id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash    text NOT NULL UNIQUE,
    user_id       bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data          text NOT NULL DEFAULT '{}',
    client_ip     text NOT NULL DEFAULT '',
    user_agent    text NOT NULL DEFAULT '',
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at  datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at    datetime NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE audit_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    actor_user_id  bigint REFERENCES users(id),
    action         text NOT NULL,
    subject        text NOT NULL DEFAULT '',
    client_ip      text NOT NULL DEFAULT '',
    outcome        text NOT NULL DEFAULT '',
    detail         text NOT NULL DEFAULT ''
);
-- Login throttling counts recent failures per account and per address.
CREATE INDEX audit_events_action_subject_idx ON audit_events (action, subject, created_at);
CREATE INDEX audit_events_action_ip_idx ON audit_events (action, client_ip, created_at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE sessions;
DROP TABLE properties;
DROP TABLE borrowers;
DROP TABLE process_status_changes;
DROP TABLE processes;
DROP TABLE customers;
DROP TABLE entitlements;
DROP TABLE users;
DROP TABLE broker_firms;
DROP TABLE partners;
DROP TABLE banks;
