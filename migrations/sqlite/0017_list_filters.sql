-- The filters of the organizer's list pages get an index each, so that counting a filter
-- (the figure on top of the page) reads a narrow index instead of every row of the
-- webinar: session and status on registrations, language and zone on invitees. The
-- search reads a covering index of the three searched columns (name, email,
-- organization) rather than the rows. Registrations' session index of 0001
-- (session_id alone) made a count fetch every row to check the webinar.
CREATE INDEX registrations_by_webinar_session ON registrations(session_id, webinar_id);
CREATE INDEX registrations_by_status ON registrations(webinar_id, status);
CREATE INDEX registrations_search ON registrations(webinar_id, list_name, email_key, list_org);
CREATE INDEX invitees_by_language ON invitees(webinar_id, language, time_zone);
CREATE INDEX invitees_by_zone ON invitees(webinar_id, time_zone);
CREATE INDEX invitees_search ON invitees(webinar_id, list_name, email_key, list_org);

-- Chairs get the list columns of invitees and registrations (0008, 0015), so that the
-- chairs page is a list page like the others: searched, filtered by session, in pages.
-- Chairs have no organization: list_last is 1 and list_org empty for all.
ALTER TABLE session_chairs ADD COLUMN list_last INTEGER
    GENERATED ALWAYS AS (1) VIRTUAL;
ALTER TABLE session_chairs ADD COLUMN list_org TEXT
    GENERATED ALWAYS AS ('') VIRTUAL;
ALTER TABLE session_chairs ADD COLUMN list_name TEXT
    GENERATED ALWAYS AS (LOWER(name)) VIRTUAL;
CREATE INDEX chairs_by_organization
    ON session_chairs(webinar_id, list_last, list_org, list_name, id) WHERE list_last >= 0;
CREATE INDEX chairs_by_name ON session_chairs(webinar_id, list_name, id) WHERE list_name IS NOT NULL;
CREATE INDEX chairs_by_created ON session_chairs(webinar_id, created_at, id) WHERE created_at IS NOT NULL;
