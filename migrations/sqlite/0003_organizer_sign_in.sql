-- Sign-in for the organizer pages: browser sessions and one-time links to set a password.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    organizer_id BLOB NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY NOT NULL,
    organizer_id BLOB NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);
