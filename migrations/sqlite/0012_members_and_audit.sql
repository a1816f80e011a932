-- Co-organizers: who may do what on a webinar. role is 'owner', 'organizer' or 'viewer';
-- personal_data lets a viewer download the lists with personal data (owners and
-- organizers always may). Every existing webinar's creator becomes its owner.
CREATE TABLE webinar_members (
    id BLOB PRIMARY KEY NOT NULL,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    organizer_id BLOB NOT NULL REFERENCES organizers(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'organizer', 'viewer')),
    personal_data BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (webinar_id, organizer_id)
);
CREATE INDEX webinar_members_by_organizer ON webinar_members(organizer_id);
INSERT INTO webinar_members (id, webinar_id, organizer_id, role, personal_data, created_at)
    SELECT id, id, organizer_id, 'owner', 1, created_at FROM webinars;

-- The audit trail: every change an organizer makes, written in the change's transaction.
-- webinar_id is NULL for account events (sign-ins); organizer_id NULL for a failed sign-in
-- of an unknown account. actor is the account's address as it was at the time.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    webinar_id BLOB,
    organizer_id BLOB,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX audit_events_by_webinar ON audit_events(webinar_id, id);
CREATE INDEX audit_events_by_organizer ON audit_events(organizer_id, id);

