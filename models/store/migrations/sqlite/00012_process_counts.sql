-- +goose Up
-- Process list totals without counting: the number of processes per bank,
-- broker firm and status, kept exact by triggers in the same transaction as
-- every insert, delete and change of bank, firm or status of a process (the
-- PostgreSQL twin has the same table and rows). A row with broker_id 0 is
-- the bank's total over all its firms. Triggers rather than the store's
-- code, so plain SQL (the load seeder, tests) keeps the counts exact too.
CREATE TABLE process_counts (
    bank_id    bigint NOT NULL,
    broker_id  bigint NOT NULL,
    status_id  integer NOT NULL,
    n          bigint NOT NULL,
    PRIMARY KEY (bank_id, broker_id, status_id)
) WITHOUT ROWID;
-- A broker's list reads its firm's rows (whatever the bank), n included so
-- the index alone answers.
CREATE INDEX process_counts_broker_idx ON process_counts (broker_id, status_id, n);

-- +goose StatementBegin
CREATE TRIGGER process_counts_insert AFTER INSERT ON processes
BEGIN
    INSERT INTO process_counts (bank_id, broker_id, status_id, n)
    VALUES (NEW.bank_id, 0, NEW.status_id, 1), (NEW.bank_id, NEW.broker_id, NEW.status_id, 1)
    ON CONFLICT (bank_id, broker_id, status_id) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER process_counts_delete AFTER DELETE ON processes
BEGIN
    UPDATE process_counts SET n = n - 1
    WHERE bank_id = OLD.bank_id AND broker_id IN (0, OLD.broker_id) AND status_id = OLD.status_id;
END;
-- +goose StatementEnd

-- Only for those columns and only when they change: the post's update of
-- last_action_at never runs it.
-- +goose StatementBegin
CREATE TRIGGER process_counts_update AFTER UPDATE OF bank_id, broker_id, status_id ON processes
WHEN OLD.bank_id IS NOT NEW.bank_id OR OLD.broker_id IS NOT NEW.broker_id OR OLD.status_id IS NOT NEW.status_id
BEGIN
    UPDATE process_counts SET n = n - 1
    WHERE bank_id = OLD.bank_id AND broker_id IN (0, OLD.broker_id) AND status_id = OLD.status_id;
    INSERT INTO process_counts (bank_id, broker_id, status_id, n)
    VALUES (NEW.bank_id, 0, NEW.status_id, 1), (NEW.bank_id, NEW.broker_id, NEW.status_id, 1)
    ON CONFLICT (bank_id, broker_id, status_id) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd

INSERT INTO process_counts (bank_id, broker_id, status_id, n)
SELECT bank_id, broker_id, status_id, count(*) FROM processes GROUP BY bank_id, broker_id, status_id
UNION ALL
SELECT bank_id, 0, status_id, count(*) FROM processes GROUP BY bank_id, status_id;

-- +goose Down
DROP TRIGGER process_counts_update;
DROP TRIGGER process_counts_delete;
DROP TRIGGER process_counts_insert;
DROP TABLE process_counts;
