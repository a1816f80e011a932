-- Failed sign-ins per account (email key) and per client address, for the lockout.
-- Kept in the database so that every instance counts the same failures.
CREATE TABLE sign_in_failures (
    subject TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_by_subject ON sign_in_failures(subject, failed_at);
-- Failures older than a day are deleted as new ones come in.
CREATE INDEX sign_in_failures_by_time ON sign_in_failures(failed_at);

-- API tokens become a list per organizer, each with an id (to revoke it by), a label
-- and when it was last used. Existing tokens keep working: their hashes stay.
ALTER TABLE api_tokens ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE api_tokens ALTER COLUMN id DROP DEFAULT;
ALTER TABLE api_tokens ADD COLUMN label TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN last_used_at TIMESTAMPTZ;
CREATE UNIQUE INDEX api_tokens_by_id ON api_tokens(id);
CREATE INDEX api_tokens_by_organizer ON api_tokens(organizer_id, created_at);
