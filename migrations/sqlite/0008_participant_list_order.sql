-- The participant list's order (by organization, those without one last, then by name)
-- as columns with an index, so the list is read in pages along the index instead of
-- sorting every registration of the webinar for each download. LOWER() folds ASCII
-- only here; PostgreSQL folds all of Unicode: each database keeps its own order.
ALTER TABLE registrations ADD COLUMN list_last INTEGER
    GENERATED ALWAYS AS (COALESCE(organization, '') = '') VIRTUAL;
ALTER TABLE registrations ADD COLUMN list_org TEXT
    GENERATED ALWAYS AS (LOWER(COALESCE(organization, ''))) VIRTUAL;
ALTER TABLE registrations ADD COLUMN list_name TEXT
    GENERATED ALWAYS AS (LOWER(name)) VIRTUAL;
CREATE INDEX registrations_in_list_order
    ON registrations(webinar_id, list_last, list_org, list_name, id);
