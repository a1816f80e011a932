-- Sign-in for the organizer pages: browser sessions and one-time links to set a password.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    organizer_id UUID NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    organizer_id UUID NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
