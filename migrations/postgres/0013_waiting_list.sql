-- Waiting lists (issue 17): a webinar may keep one for each full session.
ALTER TABLE webinars ADD COLUMN waiting_list BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per registration and session it waits for. `position` only grows, so within a
-- session the rows in `position` order are the people in the order they came (rows of a
-- session are added only while its row is locked); a person's place is 1 + the rows
-- ahead of theirs. A registration waiting here has status 'waitlisted' (no seat);
-- promotion deletes all of its rows.
CREATE TABLE waitlist (
    position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_id UUID NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (registration_id, session_id)
);
CREATE INDEX waitlist_by_session ON waitlist(session_id, position);
