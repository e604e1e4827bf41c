-- +goose Up
-- Documents of a process and the bank's requests for them. blobs holds
-- the contents of the database content store, each once by its SHA-256
-- (hex); documents name their content by that hash (the filesystem
-- content store keeps it in files instead, so there is no foreign key).
CREATE TABLE blobs (
    sha256        text PRIMARY KEY,
    size          bigint NOT NULL,
    content_type  text NOT NULL,
    data          blob NOT NULL,
    created_at    datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE document_requests (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                  text NOT NULL UNIQUE,
    process_id            bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    note                  text NOT NULL DEFAULT '',
    requested_by_user_id  bigint REFERENCES users(id),
    requested_by_name     text NOT NULL DEFAULT '',
    created_at            datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    resolved_at           datetime
);
CREATE INDEX document_requests_process_idx ON document_requests (process_id, id DESC);

CREATE TABLE document_request_items (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid              text NOT NULL UNIQUE,
    request_id        bigint NOT NULL REFERENCES document_requests(id) ON DELETE CASCADE,
    document_type_id  integer NOT NULL,
    borrower_id       bigint REFERENCES borrowers(id) ON DELETE SET NULL,
    note              text NOT NULL DEFAULT ''
);
CREATE INDEX document_request_items_request_idx ON document_request_items (request_id, id);

CREATE TABLE documents (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                 text NOT NULL UNIQUE,
    process_id           bigint NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    document_type_id     integer NOT NULL,
    borrower_id          bigint REFERENCES borrowers(id) ON DELETE SET NULL,
    request_item_id      bigint REFERENCES document_request_items(id) ON DELETE SET NULL,
    file_name            text NOT NULL,
    title                text NOT NULL DEFAULT '',
    observations         text NOT NULL DEFAULT '',
    content_sha256       text NOT NULL,
    content_type         text NOT NULL,
    size                 bigint NOT NULL,
    state                text NOT NULL DEFAULT 'uploaded',
    reject_reason        text NOT NULL DEFAULT '',
    reviewed_by_name     text NOT NULL DEFAULT '',
    reviewed_at          datetime,
    uploaded_by_user_id  bigint REFERENCES users(id),
    uploaded_by_name     text NOT NULL DEFAULT '',
    created_at           datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX documents_process_idx ON documents (process_id, id DESC);
CREATE INDEX documents_request_item_idx ON documents (request_item_id);
CREATE INDEX documents_borrower_idx ON documents (borrower_id);

-- +goose Down
DROP TABLE documents;
DROP TABLE document_request_items;
DROP TABLE document_requests;
DROP TABLE blobs;
