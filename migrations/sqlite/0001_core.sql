-- Core schema: organizers, webinars, sessions, invitees, registrations.
-- Instants are UTC; ids are UUIDs; emails are unique per webinar by their lower-case key.

CREATE TABLE organizers (
    id BLOB PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    organizer_id BLOB NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);

CREATE TABLE webinars (
    id BLOB PRIMARY KEY NOT NULL,
    organizer_id BLOB NOT NULL REFERENCES organizers(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    languages TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    registration_opens_at TEXT,
    registration_closes_at TEXT,
    window_start_minutes INTEGER NOT NULL,
    window_end_minutes INTEGER NOT NULL,
    preferred_minutes INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX webinars_by_organizer ON webinars(organizer_id);

CREATE TABLE sessions (
    id BLOB PRIMARY KEY NOT NULL,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    capacity INTEGER,
    taken INTEGER NOT NULL DEFAULT 0,
    join_url TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (capacity IS NULL OR taken <= capacity),
    CHECK (taken >= 0)
);
CREATE INDEX sessions_by_webinar ON sessions(webinar_id, starts_at);

CREATE TABLE invitees (
    id BLOB PRIMARY KEY NOT NULL,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    organization TEXT,
    role TEXT,
    country TEXT,
    time_zone TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (webinar_id, email_key)
);

CREATE TABLE registrations (
    id BLOB PRIMARY KEY NOT NULL,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    session_id BLOB NOT NULL REFERENCES sessions(id),
    invitee_id BLOB REFERENCES invitees(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    organization TEXT,
    time_zone TEXT NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    assignment TEXT NOT NULL,
    outside_working_hours INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    calendar_uid TEXT NOT NULL UNIQUE,
    calendar_sequence INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (webinar_id, email_key)
);
CREATE INDEX registrations_by_session ON registrations(session_id);
