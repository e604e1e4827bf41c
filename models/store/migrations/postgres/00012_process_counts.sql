-- +goose Up
-- Process list totals without counting: the number of processes per bank,
-- broker firm and status, kept exact by triggers in the same transaction as
-- every insert, delete and change of bank, firm or status of a process. A
-- row with broker_id 0 is the bank's total over all its firms (staff lists
-- read one row per status, not one per firm). Triggers rather than the
-- store's code, so plain SQL (the load seeder, tests, operators) keeps the
-- counts exact too; ENABLE ALWAYS keeps them firing under
-- session_replication_role = replica, which the seeder sets to skip
-- foreign key checks.
CREATE TABLE process_counts (
    bank_id    bigint NOT NULL,
    broker_id  bigint NOT NULL,
    status_id  integer NOT NULL,
    n          bigint NOT NULL,
    PRIMARY KEY (bank_id, broker_id, status_id) INCLUDE (n)
);
-- n has no CHECK (n >= 0): PostgreSQL checks the row an upsert proposes
-- before finding the conflict, and a decrement proposes a negative one.
-- A broker's list reads its firm's rows (whatever the bank). Both indexes
-- carry n: the counts are index-only scans (the rows change only when
-- processes come, go or change status, so the visibility map stays set).
CREATE INDEX process_counts_broker_idx ON process_counts (broker_id, status_id) INCLUDE (n);

-- Inserts and deletes are counted per statement from the transition table
-- (one upsert per statement, however many rows). The rows are upserted in
-- key order, so concurrent writers lock counter rows in the same order and
-- cannot deadlock on them.
-- +goose StatementBegin
CREATE FUNCTION process_counts_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign bigint := CASE WHEN TG_OP = 'DELETE' THEN -1 ELSE 1 END;
BEGIN
    INSERT INTO process_counts AS c (bank_id, broker_id, status_id, n)
    SELECT bank_id, broker_id, status_id, sign * sum(d) FROM (
        SELECT bank_id, broker_id, status_id, count(*) AS d FROM changed GROUP BY bank_id, broker_id, status_id
        UNION ALL
        SELECT bank_id, 0, status_id, count(*) FROM changed GROUP BY bank_id, status_id
    ) x
    GROUP BY bank_id, broker_id, status_id
    ORDER BY bank_id, broker_id, status_id
    ON CONFLICT (bank_id, broker_id, status_id) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A change of status (or bank, or firm) moves one process between counters.
-- Per row, only for those columns and only when they change: the post's
-- update of last_action_at never calls it.
-- +goose StatementBegin
CREATE FUNCTION process_counts_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO process_counts AS c (bank_id, broker_id, status_id, n)
    SELECT b, f, s, sum(d) FROM (VALUES
        (OLD.bank_id, OLD.broker_id, OLD.status_id, -1::bigint), (OLD.bank_id, 0::bigint, OLD.status_id, -1::bigint),
        (NEW.bank_id, NEW.broker_id, NEW.status_id, 1::bigint), (NEW.bank_id, 0::bigint, NEW.status_id, 1::bigint)
    ) v (b, f, s, d)
    GROUP BY b, f, s
    ORDER BY b, f, s
    ON CONFLICT (bank_id, broker_id, status_id) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION process_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM process_counts;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER process_counts_insert AFTER INSERT ON processes
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION process_counts_statement();
CREATE TRIGGER process_counts_delete AFTER DELETE ON processes
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION process_counts_statement();
CREATE TRIGGER process_counts_update AFTER UPDATE OF bank_id, broker_id, status_id ON processes
    FOR EACH ROW WHEN ((OLD.bank_id, OLD.broker_id, OLD.status_id) IS DISTINCT FROM (NEW.bank_id, NEW.broker_id, NEW.status_id))
    EXECUTE FUNCTION process_counts_row();
CREATE TRIGGER process_counts_truncate AFTER TRUNCATE ON processes
    FOR EACH STATEMENT EXECUTE FUNCTION process_counts_truncate();
ALTER TABLE processes ENABLE ALWAYS TRIGGER process_counts_insert;
ALTER TABLE processes ENABLE ALWAYS TRIGGER process_counts_delete;
ALTER TABLE processes ENABLE ALWAYS TRIGGER process_counts_update;
ALTER TABLE processes ENABLE ALWAYS TRIGGER process_counts_truncate;

-- The backfill, after the triggers: creating them locked processes against
-- writes until this migration commits, so no process is missed or counted
-- twice.
INSERT INTO process_counts (bank_id, broker_id, status_id, n)
SELECT bank_id, broker_id, status_id, count(*) FROM processes GROUP BY bank_id, broker_id, status_id
UNION ALL
SELECT bank_id, 0, status_id, count(*) FROM processes GROUP BY bank_id, status_id;

-- +goose Down
DROP TRIGGER process_counts_truncate ON processes;
DROP TRIGGER process_counts_update ON processes;
DROP TRIGGER process_counts_delete ON processes;
DROP TRIGGER process_counts_insert ON processes;
DROP FUNCTION process_counts_truncate();
DROP FUNCTION process_counts_row();
DROP FUNCTION process_counts_statement();
DROP TABLE process_counts;
