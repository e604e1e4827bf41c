-- +goose Up
-- The hash of a simulation's current figures (models.FiguresHash of its
-- input and result), kept by every write of the figures, so a list can tell
-- whether the figures changed since the last ESIS without reading the JSON
-- columns. SQL cannot compute the hash of the rows already here: they keep
-- '' and the list reads '' as "unknown", i.e. not changed.
ALTER TABLE simulations ADD COLUMN figures_hash text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE simulations DROP COLUMN figures_hash;
