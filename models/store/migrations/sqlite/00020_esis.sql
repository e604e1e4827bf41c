-- +goose Up
-- Issued ESIS sheets (FINE) and the attachments of queued mails.
--
-- esis_issues keeps every issued sheet whole: its PDF, the PDF's SHA-256,
-- who issued it and when, until when its terms hold, and the figures hash
-- of the result it shows. An e-mailed sheet is one of these rows
-- (emailed_to set); its mail carries a copy of the PDF in mail_attachments,
-- written in the same transaction as the mail_outbox row, so the sender
-- (store.MailSender) finds the attachment whenever it finds the mail.
CREATE TABLE esis_issues (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid               text NOT NULL UNIQUE,
    simulation_id      bigint NOT NULL REFERENCES simulations(id),
    process_id         bigint REFERENCES processes(id),
    bank_id            bigint NOT NULL REFERENCES banks(id),
    broker_id          bigint NOT NULL REFERENCES broker_firms(id),
    issued_by_user_id  bigint REFERENCES users(id),
    issued_by_name     text NOT NULL DEFAULT '',
    issued_at          datetime NOT NULL,
    valid_until        datetime NOT NULL,
    lang               text NOT NULL CHECK (lang IN ('pt-PT', 'en')),
    sha256             text NOT NULL CHECK (length(sha256) = 64),
    figures_hash       text NOT NULL,
    emailed_to         text NOT NULL DEFAULT '',
    pdf                blob NOT NULL
);
CREATE INDEX esis_issues_simulation_idx ON esis_issues (simulation_id, id DESC);

CREATE TABLE mail_attachments (
    mail_id       bigint NOT NULL REFERENCES mail_outbox(id) ON DELETE CASCADE,
    ordinal       integer NOT NULL,
    name          text NOT NULL,
    content_type  text NOT NULL,
    data          blob NOT NULL,
    PRIMARY KEY (mail_id, ordinal)
);

-- +goose Down
DROP TABLE mail_attachments;
DROP TABLE esis_issues;
