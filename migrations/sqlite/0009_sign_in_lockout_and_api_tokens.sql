-- Failed sign-ins per account (email key) and per client address, for the lockout.
-- Kept in the database so that every instance counts the same failures.
CREATE TABLE sign_in_failures (
    subject TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_subject ON sign_in_failures(subject, failed_at);
-- Failures older than a day are deleted as new ones come in.
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(failed_at);

-- API tokens become a list per organizer, each with an id (to revoke it by), a label
-- and when it was last used. Existing tokens keep working: their hashes are copied.
CREATE TABLE api_tokens_new (
    id BLOB PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    organizer_id BLOB NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used_at TEXT
);
INSERT INTO api_tokens_new (id, token_hash, organizer_id, label, created_at)
    SELECT randomblob(16), token_hash, organizer_id, '', created_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
CREATE INDEX api_tokens_by_organizer ON api_tokens(organizer_id, created_at);
