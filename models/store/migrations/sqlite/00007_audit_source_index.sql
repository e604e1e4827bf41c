-- +goose Up
-- Sign-in throttling counts an account's failures from one address and
-- looks up the address's last success on that account (is it trusted?).
CREATE INDEX audit_events_subject_ip_idx ON audit_events (subject, client_ip, created_at);

-- +goose Down
DROP INDEX audit_events_subject_ip_idx;
