-- +goose Up
-- The bank-wide process search (staff) drives from the matching rows: the
-- tax ids through these indexes (SQLite has no index for a substring of a
-- name; a name search reads the bank's processes and borrowers once).
CREATE INDEX processes_key_borrower_tax_id_idx ON processes (bank_id, key_borrower_tax_id);
CREATE INDEX borrowers_tax_id_idx ON borrowers (tax_id);

-- +goose Down
DROP INDEX borrowers_tax_id_idx;
DROP INDEX processes_key_borrower_tax_id_idx;
