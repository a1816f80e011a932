-- Two webinar settings for calendar answers (issue 14): whether a DELEGATED answer
-- invites the delegate (else it is held for the organizer), and what a new time proposed
-- (COUNTER) that matches another session does: 'offer' emails the person a link to
-- switch, 'switch' moves them directly.
ALTER TABLE webinars ADD COLUMN allow_delegation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webinars ADD COLUMN counter_proposals TEXT NOT NULL DEFAULT 'offer';
