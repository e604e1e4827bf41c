-- +goose Up
-- The bank-wide process search (staff) drives from the matching rows: the
-- process numbers and tax ids through these indexes, the names through
-- FTS5 trigram tables over the key borrowers' and the borrowers' names
-- (external content: they index the rows' own text and store none), which
-- triggers keep in step with every insert, delete and change of a name.
-- The search checks each candidate with its own LIKE, so the tables only
-- narrow the rows down.
CREATE INDEX processes_process_number_idx ON processes (process_number);
CREATE INDEX processes_key_borrower_tax_id_idx ON processes (key_borrower_tax_id);
CREATE INDEX borrowers_tax_id_idx ON borrowers (tax_id);

CREATE VIRTUAL TABLE process_names USING fts5(key_borrower_name, content='processes', content_rowid='id', tokenize='trigram');
CREATE VIRTUAL TABLE borrower_names USING fts5(name, content='borrowers', content_rowid='id', tokenize='trigram');
INSERT INTO process_names (process_names) VALUES ('rebuild');
INSERT INTO borrower_names (borrower_names) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER process_names_insert AFTER INSERT ON processes
BEGIN
    INSERT INTO process_names (rowid, key_borrower_name) VALUES (NEW.id, NEW.key_borrower_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER process_names_delete AFTER DELETE ON processes
BEGIN
    INSERT INTO process_names (process_names, rowid, key_borrower_name) VALUES ('delete', OLD.id, OLD.key_borrower_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER process_names_update AFTER UPDATE OF key_borrower_name ON processes
WHEN OLD.key_borrower_name IS NOT NEW.key_borrower_name
BEGIN
    INSERT INTO process_names (process_names, rowid, key_borrower_name) VALUES ('delete', OLD.id, OLD.key_borrower_name);
    INSERT INTO process_names (rowid, key_borrower_name) VALUES (NEW.id, NEW.key_borrower_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER borrower_names_insert AFTER INSERT ON borrowers
BEGIN
    INSERT INTO borrower_names (rowid, name) VALUES (NEW.id, NEW.name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER borrower_names_delete AFTER DELETE ON borrowers
BEGIN
    INSERT INTO borrower_names (borrower_names, rowid, name) VALUES ('delete', OLD.id, OLD.name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER borrower_names_update AFTER UPDATE OF name ON borrowers
WHEN OLD.name IS NOT NEW.name
BEGIN
    INSERT INTO borrower_names (borrower_names, rowid, name) VALUES ('delete', OLD.id, OLD.name);
    INSERT INTO borrower_names (rowid, name) VALUES (NEW.id, NEW.name);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER borrower_names_update;
DROP TRIGGER borrower_names_delete;
DROP TRIGGER borrower_names_insert;
DROP TRIGGER process_names_update;
DROP TRIGGER process_names_delete;
DROP TRIGGER process_names_insert;
DROP TABLE borrower_names;
DROP TABLE process_names;
DROP INDEX borrowers_tax_id_idx;
DROP INDEX processes_key_borrower_tax_id_idx;
DROP INDEX processes_process_number_idx;
