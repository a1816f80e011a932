-- Emails are queued here in the same transaction as the change that causes them, and
-- delivered by a worker. id gives the order in which a person's messages were made.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    recipient TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    message_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT NOT NULL,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_by_recipient ON outbox(recipient, status, id);
CREATE INDEX outbox_by_webinar ON outbox(webinar_id, id);

-- Chairs of a session receive its calendar invitation with ROLE=CHAIR.
CREATE TABLE session_chairs (
    id BLOB PRIMARY KEY NOT NULL,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    session_id BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    language TEXT NOT NULL,
    calendar_uid TEXT NOT NULL UNIQUE,
    calendar_sequence INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (session_id, email_key)
);

-- One row per reminder sent for a session time, so that each goes out once.
CREATE TABLE session_reminders (
    session_id BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    minutes INTEGER NOT NULL,
    starts_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, minutes, starts_at)
);
