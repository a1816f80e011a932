-- The participant list's order (by organization, those without one last, then by name)
-- as columns with an index, so the list is read in pages along the index instead of
-- sorting every registration of the webinar for each download.
ALTER TABLE registrations ADD COLUMN list_last INTEGER
    GENERATED ALWAYS AS (CASE WHEN COALESCE(organization, '') = '' THEN 1 ELSE 0 END) STORED;
ALTER TABLE registrations ADD COLUMN list_org TEXT
    GENERATED ALWAYS AS (LOWER(COALESCE(organization, ''))) STORED;
ALTER TABLE registrations ADD COLUMN list_name TEXT
    GENERATED ALWAYS AS (LOWER(name)) STORED;
-- Partial (list_last is always 0 or 1), so that only a query that says so can use it:
-- on a table without statistics yet (a new database, a first rush of registrations)
-- the planner would otherwise take it for the email look-up, which starts with
-- webinar_id too, and scan the whole webinar for each registration.
CREATE INDEX registrations_in_list_order
    ON registrations (webinar_id, list_last, list_org, list_name, id) WHERE list_last >= 0;
