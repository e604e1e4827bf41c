-- +goose Up
-- Pricing data and simulations (issue 14).
--
-- Pricing: the bank's rates and price list, kept by bank staff (admins),
-- not code. Every table keeps its history: a change is a new row from a
-- date (valid_from, YYYY-MM-DD; an index value is per month, YYYY-MM), and
-- the pricing in force at a date is, per key, the row with the latest
-- valid_from on or before it. Rates are integers in units of 10^-7 (the
-- simulation package's Rate: 1 % = 100000). demo marks the seeded DEMO
-- values below: illustrative figures, not the bank's real prices.
CREATE TABLE pricing_index_values (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    index_type_id  integer NOT NULL CHECK (index_type_id BETWEEN 1 AND 3),
    month          text NOT NULL CHECK (length(month) = 7),
    value          bigint NOT NULL,
    demo           boolean NOT NULL DEFAULT false,
    created_by     text NOT NULL DEFAULT '',
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (index_type_id, month)
);

CREATE TABLE pricing_spreads (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    product_scheme_id   integer NOT NULL,
    product_purpose_id  integer NOT NULL,
    valid_from          text NOT NULL CHECK (length(valid_from) = 10),
    spread              bigint NOT NULL CHECK (spread >= 0),
    demo                boolean NOT NULL DEFAULT false,
    created_by          text NOT NULL DEFAULT '',
    created_at          datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (product_scheme_id, product_purpose_id, valid_from)
);

-- rate_type_id 2 (fixed) keys period_id by fixed-fixed-period, 3 (mixed)
-- by mixed-fixed-period.
CREATE TABLE pricing_fixed_rates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    rate_type_id  integer NOT NULL CHECK (rate_type_id IN (2, 3)),
    period_id     integer NOT NULL,
    valid_from    text NOT NULL CHECK (length(valid_from) = 10),
    rate          bigint NOT NULL CHECK (rate >= 0),
    demo          boolean NOT NULL DEFAULT false,
    created_by    text NOT NULL DEFAULT '',
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (rate_type_id, period_id, valid_from)
);

CREATE TABLE pricing_product_limits (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    product_scheme_id  integer NOT NULL,
    valid_from         text NOT NULL CHECK (length(valid_from) = 10),
    min_amount_cents   bigint NOT NULL CHECK (min_amount_cents >= 0),
    max_amount_cents   bigint NOT NULL CHECK (max_amount_cents >= min_amount_cents),
    demo               boolean NOT NULL DEFAULT false,
    created_by         text NOT NULL DEFAULT '',
    created_at         datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (product_scheme_id, valid_from)
);

-- The price list (preçário): per bank-charge-types id, an amount in cents
-- or a percentage of the loan amount (percentage, in Rate units, when not
-- null), paid upfront (periodicity 1) or with every instalment (2). A row
-- with active false takes the charge off the list from its date.
CREATE TABLE pricing_charges (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    charge_type_id  integer NOT NULL,
    valid_from      text NOT NULL CHECK (length(valid_from) = 10),
    amount_cents    bigint NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    percentage      bigint CHECK (percentage >= 0),
    periodicity     integer NOT NULL CHECK (periodicity IN (1, 2)),
    active          boolean NOT NULL DEFAULT true,
    demo            boolean NOT NULL DEFAULT false,
    created_by      text NOT NULL DEFAULT '',
    created_at      datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (charge_type_id, valid_from)
);

-- DEMO pricing (demo = true): illustrative values, not the bank's prices.
INSERT INTO pricing_index_values (index_type_id, month, value, demo) VALUES
    (1, '2026-01', 202500, true), (2, '2026-01', 211000, true), (3, '2026-01', 225000, true);
INSERT INTO pricing_spreads (product_scheme_id, product_purpose_id, valid_from, spread, demo) VALUES
    (1, 1, '2026-01-01', 100000, true), (1, 2, '2026-01-01', 150000, true), (1, 3, '2026-01-01', 175000, true),
    (2, 1, '2026-01-01',  85000, true), (3, 1, '2026-01-01',  75000, true);
INSERT INTO pricing_fixed_rates (rate_type_id, period_id, valid_from, rate, demo) VALUES
    (2, 1, '2026-01-01', 320000, true), (2, 2, '2026-01-01', 330000, true), (2, 3, '2026-01-01', 340000, true),
    (2, 4, '2026-01-01', 345000, true), (2, 5, '2026-01-01', 350000, true), (2, 6, '2026-01-01', 360000, true),
    (2, 7, '2026-01-01', 370000, true),
    (3, 1, '2026-01-01', 290000, true), (3, 2, '2026-01-01', 295000, true), (3, 3, '2026-01-01', 300000, true),
    (3, 4, '2026-01-01', 310000, true), (3, 5, '2026-01-01', 320000, true), (3, 6, '2026-01-01', 335000, true),
    (3, 7, '2026-01-01', 345000, true), (3, 8, '2026-01-01', 355000, true), (3, 9, '2026-01-01', 365000, true);
INSERT INTO pricing_product_limits (product_scheme_id, valid_from, min_amount_cents, max_amount_cents, demo) VALUES
    (1, '2026-01-01', 2500000, 100000000, true), (2, '2026-01-01', 2500000, 45000000, true),
    (3, '2026-01-01', 2500000, 20000000, true);
INSERT INTO pricing_charges (charge_type_id, valid_from, amount_cents, periodicity, demo) VALUES
    (1, '2026-01-01', 25000, 1, true), (2, '2026-01-01', 30000, 1, true), (3, '2026-01-01', 20000, 1, true),
    (5, '2026-01-01', 250, 2, true);

-- Simulations: a broker firm's priced loan scenarios. The inputs are kept
-- as columns (the list and PATCH read them), the borrowers in
-- simulation_borrowers; pricing holds the pricing values the figures were
-- computed with (JSON), input the simulation package's Input (JSON, so a
-- recomputation gives the same figures), result and validation the stored
-- Result and rule results (JSON). simulation_number is per bank, allocated
-- like process numbers (next = max + 1 under UNIQUE, retried).
CREATE TABLE simulations (
    id                                 INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                               text NOT NULL UNIQUE,
    bank_id                            bigint NOT NULL REFERENCES banks(id),
    broker_id                          bigint NOT NULL REFERENCES broker_firms(id),
    simulation_number                  bigint NOT NULL,
    status_id                          integer NOT NULL CHECK (status_id BETWEEN 1 AND 6),
    loan_amount_cents                  bigint NOT NULL CHECK (loan_amount_cents > 0),
    loan_duration_months               integer NOT NULL,
    loan_purpose_id                    integer NOT NULL,
    product_purpose_id                 integer NOT NULL,
    product_scheme_id                  integer NOT NULL,
    rate_type_id                       integer NOT NULL,
    index_type_id                      integer,
    mixed_fixed_period_id              integer,
    fixed_fixed_period_id              integer,
    property_value_cents               bigint NOT NULL DEFAULT 0,
    property_acquisition_amount_cents  bigint NOT NULL DEFAULT 0,
    property_district_id               integer,
    insurances                         text NOT NULL DEFAULT '[]',
    pricing                            text NOT NULL DEFAULT '{}',
    input                              text NOT NULL DEFAULT '{}',
    result                             text NOT NULL DEFAULT '{}',
    validation                         text NOT NULL DEFAULT '[]',
    monthly_instalment_cents           bigint NOT NULL DEFAULT 0,
    validated_at                       datetime,
    key_borrower_name                  text NOT NULL DEFAULT '',
    key_borrower_tax_id                text NOT NULL DEFAULT '',
    esis_issued_at                     datetime,
    esis_valid_until                   datetime,
    created_by_user_id                 bigint REFERENCES users(id),
    created_at                         datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_action_at                     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at                         datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (bank_id, simulation_number)
);
-- The list: a firm's simulations by last action; staff see the bank's.
CREATE INDEX simulations_broker_last_action_idx ON simulations (broker_id, last_action_at DESC, simulation_number DESC);
CREATE INDEX simulations_bank_last_action_idx ON simulations (bank_id, last_action_at DESC, simulation_number DESC);

CREATE TABLE simulation_borrowers (
    id                                      INTEGER PRIMARY KEY AUTOINCREMENT,
    simulation_id                           bigint NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
    ordinal                                 integer NOT NULL,
    name                                    text NOT NULL DEFAULT '',
    tax_id                                  text NOT NULL DEFAULT '',
    birth_date                              text NOT NULL,
    monthly_net_income_cents                bigint NOT NULL DEFAULT 0,
    monthly_instalments_other_credit_cents  bigint NOT NULL DEFAULT 0,
    UNIQUE (simulation_id, ordinal)
);
CREATE INDEX simulation_borrowers_tax_id_idx ON simulation_borrowers (tax_id);

-- A simulation's timeline: every write (created, updated, validated,
-- cancelled...), its status before and after, who and when.
CREATE TABLE simulation_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    simulation_id  bigint NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
    what           text NOT NULL,
    from_status    integer,
    to_status      integer NOT NULL,
    actor_user_id  bigint REFERENCES users(id),
    actor_name     text NOT NULL DEFAULT '',
    actor_kind     text NOT NULL DEFAULT '',
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX simulation_events_simulation_idx ON simulation_events (simulation_id, id);

-- +goose Down
DROP TABLE simulation_events;
DROP TABLE simulation_borrowers;
DROP TABLE simulations;
DROP TABLE pricing_charges;
DROP TABLE pricing_product_limits;
DROP TABLE pricing_fixed_rates;
DROP TABLE pricing_spreads;
DROP TABLE pricing_index_values;
