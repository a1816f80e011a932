-- The organizer's answer to "who is this report row?": a row that matched nobody, linked
-- by hand to a registration, matches that registration in every later import of the
-- webinar. name_key is the row's normalised name (reports::normalise_name), email_key its
-- lower-cased e-mail address, '' when the row had none.
CREATE TABLE report_links (
    webinar_id UUID NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    name_key TEXT NOT NULL,
    email_key TEXT NOT NULL,
    registration_id UUID NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (webinar_id, name_key, email_key)
);
