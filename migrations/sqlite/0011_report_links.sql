-- The organizer's answer to "who is this report row?": a row that matched nobody, linked
-- by hand to a registration, matches that registration in every later import of the
-- webinar. name_key is the row's normalised name (reports::normalise_name), email_key its
-- lower-cased e-mail address, '' when the row had none.
CREATE TABLE report_links (
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    name_key TEXT NOT NULL,
    email_key TEXT NOT NULL,
    registration_id BLOB NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (webinar_id, name_key, email_key)
);

-- The rows of each session's last import that matched nobody, listed on the attendance
-- page until a link or a later import of that session matches them.
CREATE TABLE unmatched_rows (
    session_id BLOB NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    line INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (session_id, line)
);
CREATE INDEX unmatched_rows_by_webinar ON unmatched_rows(webinar_id);
