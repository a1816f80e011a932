-- Attendance and consent.
-- A registrant agrees (or not) to be named in the shareable participant list.
ALTER TABLE registrations ADD COLUMN share_in_participant_list BOOLEAN NOT NULL DEFAULT FALSE;

-- What is known of a registrant's presence in one session, one row per source:
-- 'join_link' (personal join link), 'import' (meeting platform report), 'manual'
-- (the organizer's correction, which wins; attended = false marks someone absent).
-- The session is the one the person actually joined, which may differ from the
-- session of the registration.
CREATE TABLE attendance (
    registration_id UUID NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    session_id UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    webinar_id UUID NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    attended BOOLEAN NOT NULL,
    joined_at TIMESTAMPTZ,
    left_at TIMESTAMPTZ,
    minutes BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (registration_id, session_id, source),
    CHECK (source IN ('join_link', 'import', 'manual')),
    CHECK (minutes IS NULL OR minutes >= 0)
);
CREATE INDEX attendance_by_webinar ON attendance(webinar_id, session_id);
