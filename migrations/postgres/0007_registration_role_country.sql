-- A registration keeps the organization, role and country it was made with (copied
-- from the invitee, kept in step when the organizer edits the invitee), so the
-- participant list reads one table in list order.
ALTER TABLE registrations ADD COLUMN role TEXT;
ALTER TABLE registrations ADD COLUMN country TEXT;
UPDATE registrations r SET
    organization = COALESCE(r.organization, i.organization),
    role = i.role,
    country = i.country
FROM invitees i WHERE i.id = r.invitee_id;
