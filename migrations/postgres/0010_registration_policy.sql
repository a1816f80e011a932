-- Who may register: 'open' (anyone), 'invitees_only' (addresses on the invitee list),
-- 'approval' (registrations wait as 'pending' until an organizer approves them).
ALTER TABLE webinars ADD COLUMN registration_policy TEXT NOT NULL DEFAULT 'open';
