-- The organizer's list pages read a page along an index in the order asked for (by
-- organization, by name, by arrival), so no page sorts the whole list. Invitees get the
-- registrations' list columns (0008) so both lists sort and search alike. The indexes
-- are partial on list_last >= 0 (always true), as in 0008: only a query that says so
-- uses them, never an email look-up.
ALTER TABLE invitees ADD COLUMN list_last INTEGER
    GENERATED ALWAYS AS (CASE WHEN COALESCE(organization, '') = '' THEN 1 ELSE 0 END) STORED;
ALTER TABLE invitees ADD COLUMN list_org TEXT
    GENERATED ALWAYS AS (LOWER(COALESCE(organization, ''))) STORED;
ALTER TABLE invitees ADD COLUMN list_name TEXT
    GENERATED ALWAYS AS (LOWER(name)) STORED;
CREATE INDEX invitees_by_organization
    ON invitees (webinar_id, list_last, list_org, list_name, id) WHERE list_last >= 0;
CREATE INDEX invitees_by_name ON invitees (webinar_id, list_name, id) WHERE list_last >= 0;
CREATE INDEX invitees_by_created ON invitees (webinar_id, created_at, id) WHERE list_last >= 0;
CREATE INDEX registrations_by_name
    ON registrations (webinar_id, list_name, id) WHERE list_last >= 0;
CREATE INDEX registrations_by_created
    ON registrations (webinar_id, created_at, id) WHERE list_last >= 0;
