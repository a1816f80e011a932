-- Waiting lists (issue 17): a webinar may keep one for each full session.
ALTER TABLE webinars ADD COLUMN waiting_list INTEGER NOT NULL DEFAULT 0;

-- One row per registration and session it waits for. `position` only grows, so within a
-- session the rows in `position` order are the people in the order they came; a person's
-- place is 1 + the rows ahead of theirs. A registration waiting here has status
-- 'waitlisted' (no seat); promotion deletes all of its rows.
CREATE TABLE waitlist (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id BLOB NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    session_id BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    UNIQUE (registration_id, session_id)
);
CREATE INDEX waitlist_by_session ON waitlist(session_id, position);
