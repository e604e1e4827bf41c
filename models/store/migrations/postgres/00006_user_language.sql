-- +goose Up
-- The language a user chose with the header switch ("pt-PT", "en"; '' for
-- none yet: the cookie, then Accept-Language decide).
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT '' CHECK (language IN ('', 'pt-PT', 'en'));

-- +goose Down
ALTER TABLE users DROP COLUMN language;
