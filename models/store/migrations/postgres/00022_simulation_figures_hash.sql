-- +goose Up
-- The hash of a simulation's current figures (models.FiguresHash of its
-- input and result), kept by every write of the figures, so a list can tell
-- whether the figures changed since the last ESIS without reading the JSON
-- columns. SQL cannot compute the hash of the rows already here: they keep
-- '' and the list reads '' as "unknown", i.e. not changed.
ALTER TABLE simulations ADD COLUMN figures_hash text NOT NULL DEFAULT '';

-- A process's copy of its simulation's last ESIS, for the process list,
-- which reads no other table per row: written at the conversion and by
-- every later issue, in their transactions. esis_changed is fixed at the
-- conversion (a converted simulation's figures no longer change) and
-- cleared by a new issue. Processes converted before these columns take
-- their simulation's dates here; whether those figures had changed needs
-- the hash, which SQL cannot compute, so they start as not changed.
ALTER TABLE processes ADD COLUMN esis_issued_at timestamptz;
ALTER TABLE processes ADD COLUMN esis_valid_until timestamptz;
ALTER TABLE processes ADD COLUMN esis_changed boolean NOT NULL DEFAULT false;
UPDATE processes SET
    esis_issued_at = (SELECT s.esis_issued_at FROM simulations s WHERE s.uuid = processes.simulation_uuid),
    esis_valid_until = (SELECT s.esis_valid_until FROM simulations s WHERE s.uuid = processes.simulation_uuid)
WHERE simulation_uuid IS NOT NULL;

-- +goose Down
ALTER TABLE processes DROP COLUMN esis_changed;
ALTER TABLE processes DROP COLUMN esis_valid_until;
ALTER TABLE processes DROP COLUMN esis_issued_at;
ALTER TABLE simulations DROP COLUMN figures_hash;
