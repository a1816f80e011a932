-- Inbound mail: calendar replies and bounces, one row per message by its Message-ID (or
-- the SHA-256 of the message when it has none), so processing one twice changes nothing.
-- webinar_id is empty when the message names nothing Meridian sent. outcome is applied,
-- held (for the organizer to apply or dismiss), ignored or unreadable, with the reason;
-- details is what was read (JSON), so a held message can be applied later.
CREATE TABLE inbound_messages (
    id BLOB PRIMARY KEY NOT NULL,
    message_key TEXT NOT NULL UNIQUE,
    webinar_id BLOB REFERENCES webinars(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    sender TEXT,
    subject TEXT,
    details TEXT NOT NULL,
    received_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX inbound_by_webinar ON inbound_messages(webinar_id, received_at);

ALTER TABLE registrations ADD COLUMN calendar_answer TEXT NOT NULL DEFAULT 'none';
ALTER TABLE registrations ADD COLUMN calendar_answered_at TEXT;
ALTER TABLE registrations ADD COLUMN calendar_comment TEXT;
ALTER TABLE registrations ADD COLUMN calendar_answer_sequence INTEGER;
ALTER TABLE registrations ADD COLUMN calendar_answer_stamp TEXT;
ALTER TABLE registrations ADD COLUMN address_bounced INTEGER NOT NULL DEFAULT 0;

ALTER TABLE session_chairs ADD COLUMN calendar_answer TEXT NOT NULL DEFAULT 'none';
ALTER TABLE session_chairs ADD COLUMN calendar_answered_at TEXT;
ALTER TABLE session_chairs ADD COLUMN calendar_comment TEXT;
ALTER TABLE session_chairs ADD COLUMN calendar_answer_sequence INTEGER;
ALTER TABLE session_chairs ADD COLUMN calendar_answer_stamp TEXT;
ALTER TABLE session_chairs ADD COLUMN address_bounced INTEGER NOT NULL DEFAULT 0;

-- A permanent failure reported after sending turns a sent message 'bounced'.
ALTER TABLE outbox ADD COLUMN bounce_status TEXT;
ALTER TABLE outbox ADD COLUMN bounce_diagnostic TEXT;
CREATE INDEX outbox_by_message_id ON outbox(message_id);
