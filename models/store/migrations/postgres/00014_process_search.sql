-- +goose Up
-- The bank-wide process search (staff) drives from the matching rows: the
-- key borrower's name and every borrower's name by substring through
-- trigram indexes on the lower-cased names (what the search compares), the
-- tax ids through btree indexes. pg_trgm is a trusted extension: the
-- database's owner may create it. Names change at the speed of people
-- typing, so the trigram indexes take each change directly (fastupdate
-- off): a pending list would be read whole by every search until the next
-- vacuum, and makes the planner avoid the index after a bulk load.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX processes_key_borrower_name_trgm_idx ON processes USING gin (lower(key_borrower_name) gin_trgm_ops)
    WITH (fastupdate = off);
CREATE INDEX processes_key_borrower_tax_id_idx ON processes (bank_id, key_borrower_tax_id);
CREATE INDEX borrowers_name_trgm_idx ON borrowers USING gin (lower(name) gin_trgm_ops)
    WITH (fastupdate = off);
CREATE INDEX borrowers_tax_id_idx ON borrowers (tax_id);

-- +goose Down
-- The extension stays: other objects may use it.
DROP INDEX borrowers_tax_id_idx;
DROP INDEX borrowers_name_trgm_idx;
DROP INDEX processes_key_borrower_tax_id_idx;
DROP INDEX processes_key_borrower_name_trgm_idx;
