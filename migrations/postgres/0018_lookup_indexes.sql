-- An email looked up in a webinar (is this address registered? invited?) must read the
-- unique (webinar_id, email_key) index: one entry. The search indexes of 0017 lead with
-- the same webinar_id and hold email_key too, and PostgreSQL took them for that look-up
-- (measured: for a prepared statement planned while the table was small, and for
-- invitees even with the values known), reading every entry of the webinar on each
-- registration. Made partial, they serve only queries that name their predicate: the
-- list pages' search does (`db::lists`); the look-ups do not, so they cannot pick them.
DROP INDEX registrations_search;
CREATE INDEX registrations_search ON registrations (webinar_id, list_name, email_key, list_org)
    WHERE list_name IS NOT NULL;
DROP INDEX invitees_search;
CREATE INDEX invitees_search ON invitees (webinar_id, list_name, email_key, list_org)
    WHERE list_name IS NOT NULL;

-- Registrations' index of 0001 on session_id alone is a prefix of 0017's
-- (session_id, webinar_id): every registration paid for both.
DROP INDEX registrations_by_session;
