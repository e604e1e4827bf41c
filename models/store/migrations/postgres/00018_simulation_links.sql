-- +goose Up
-- What a simulation's ESIS showed (so a page can say the figures changed
-- since it was issued) and the process it was converted into.
ALTER TABLE simulations ADD COLUMN esis_figures_hash text NOT NULL DEFAULT '';
ALTER TABLE simulations ADD COLUMN process_id bigint REFERENCES processes(id);

-- +goose Down
ALTER TABLE simulations DROP COLUMN process_id;
ALTER TABLE simulations DROP COLUMN esis_figures_hash;
