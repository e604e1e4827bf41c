-- +goose Up
-- The process as brokers fill it in and the bank decides it: the borrower's
-- identification, civil, address and professional data; the reason of a
-- rejection or cancellation and the side of the actor on status changes;
-- and process_events, the timeline's edits (who changed what, when).
ALTER TABLE borrowers ADD COLUMN id_document_type_id integer;
ALTER TABLE borrowers ADD COLUMN id_document_number text NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN id_document_expiry text NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN nationality_id integer;
ALTER TABLE borrowers ADD COLUMN marital_status_id integer;
ALTER TABLE borrowers ADD COLUMN matrimonial_regime_id integer;
ALTER TABLE borrowers ADD COLUMN residence_type_id integer;
ALTER TABLE borrowers ADD COLUMN address text NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN zip_code text NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN zip_code_local text NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN profession_id integer;
ALTER TABLE borrowers ADD COLUMN employment_situation_id integer;
ALTER TABLE borrowers ADD COLUMN employment_contract_type_id integer;
ALTER TABLE borrowers ADD COLUMN employer_name text NOT NULL DEFAULT '';
ALTER TABLE borrowers ADD COLUMN employed_since text NOT NULL DEFAULT '';
ALTER TABLE process_status_changes ADD COLUMN reason_id integer;
ALTER TABLE process_status_changes ADD COLUMN actor_kind text NOT NULL DEFAULT '';

CREATE TABLE process_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    process_id     bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    what           text NOT NULL,
    subject        text NOT NULL DEFAULT '',
    actor_user_id  bigint REFERENCES users(id),
    actor_name     text NOT NULL DEFAULT '',
    actor_kind     text NOT NULL DEFAULT '',
    created_at     datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX process_events_process_idx ON process_events (process_id, id);

-- +goose Down
DROP TABLE process_events;
ALTER TABLE process_status_changes DROP COLUMN actor_kind;
ALTER TABLE process_status_changes DROP COLUMN reason_id;
ALTER TABLE borrowers DROP COLUMN employed_since;
ALTER TABLE borrowers DROP COLUMN employer_name;
ALTER TABLE borrowers DROP COLUMN employment_contract_type_id;
ALTER TABLE borrowers DROP COLUMN employment_situation_id;
ALTER TABLE borrowers DROP COLUMN profession_id;
ALTER TABLE borrowers DROP COLUMN zip_code_local;
ALTER TABLE borrowers DROP COLUMN zip_code;
ALTER TABLE borrowers DROP COLUMN address;
ALTER TABLE borrowers DROP COLUMN residence_type_id;
ALTER TABLE borrowers DROP COLUMN matrimonial_regime_id;
ALTER TABLE borrowers DROP COLUMN marital_status_id;
ALTER TABLE borrowers DROP COLUMN nationality_id;
ALTER TABLE borrowers DROP COLUMN id_document_expiry;
ALTER TABLE borrowers DROP COLUMN id_document_number;
ALTER TABLE borrowers DROP COLUMN id_document_type_id;
