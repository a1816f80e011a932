-- A registration keeps the organization, role and country it was made with (copied
-- from the invitee, kept in step when the organizer edits the invitee), so the
-- participant list reads one table in list order.
ALTER TABLE registrations ADD COLUMN role TEXT;
ALTER TABLE registrations ADD COLUMN country TEXT;
UPDATE registrations SET
    organization = COALESCE(organization, (SELECT i.organization FROM invitees i WHERE i.id = registrations.invitee_id)),
    role = (SELECT i.role FROM invitees i WHERE i.id = registrations.invitee_id),
    country = (SELECT i.country FROM invitees i WHERE i.id = registrations.invitee_id)
WHERE invitee_id IS NOT NULL;
