-- The organizer's list pages read a page along an index in the order asked for (by
-- organization, by name, by arrival), so no page sorts the whole list. Invitees get the
-- registrations' list columns (0008) so both lists sort and search alike. Each index is
-- partial on a condition that is always true and names it (list_last >= 0 as in 0008,
-- list_name IS NOT NULL, created_at IS NOT NULL): only the page query in that order says
-- so and uses it; an email look-up or another order never picks it.
ALTER TABLE invitees ADD COLUMN list_last INTEGER
    GENERATED ALWAYS AS (COALESCE(organization, '') = '') VIRTUAL;
ALTER TABLE invitees ADD COLUMN list_org TEXT
    GENERATED ALWAYS AS (LOWER(COALESCE(organization, ''))) VIRTUAL;
ALTER TABLE invitees ADD COLUMN list_name TEXT
    GENERATED ALWAYS AS (LOWER(name)) VIRTUAL;
CREATE INDEX invitees_by_organization
    ON invitees(webinar_id, list_last, list_org, list_name, id) WHERE list_last >= 0;
CREATE INDEX invitees_by_name ON invitees(webinar_id, list_name, id) WHERE list_name IS NOT NULL;
CREATE INDEX invitees_by_created ON invitees(webinar_id, created_at, id) WHERE created_at IS NOT NULL;
CREATE INDEX registrations_by_name
    ON registrations(webinar_id, list_name, id) WHERE list_name IS NOT NULL;
CREATE INDEX registrations_by_created
    ON registrations(webinar_id, created_at, id) WHERE created_at IS NOT NULL;
