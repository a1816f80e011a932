-- Inbound mail: calendar replies and bounces, one row per message by its Message-ID (or
-- the SHA-256 of the message when it has none), so processing one twice changes nothing.
-- webinar_id is empty when the message names nothing Meridian sent. outcome is applied,
-- held (for the organizer to apply or dismiss), ignored or unreadable, with the reason;
-- details is what was read (JSON), so a held message can be applied later.
CREATE TABLE inbound_messages (
    id UUID PRIMARY KEY NOT NULL,
    message_key TEXT NOT NULL UNIQUE,
    webinar_id UUID REFERENCES webinars(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    sender TEXT,
    subject TEXT,
    details TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ
);
CREATE INDEX inbound_by_webinar ON inbound_messages(webinar_id, received_at);

ALTER TABLE registrations ADD COLUMN calendar_answer TEXT NOT NULL DEFAULT 'none';
ALTER TABLE registrations ADD COLUMN calendar_answered_at TIMESTAMPTZ;
ALTER TABLE registrations ADD COLUMN calendar_comment TEXT;
ALTER TABLE registrations ADD COLUMN calendar_answer_sequence BIGINT;
ALTER TABLE registrations ADD COLUMN calendar_answer_stamp TIMESTAMPTZ;
ALTER TABLE registrations ADD COLUMN address_bounced BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE session_chairs ADD COLUMN calendar_answer TEXT NOT NULL DEFAULT 'none';
ALTER TABLE session_chairs ADD COLUMN calendar_answered_at TIMESTAMPTZ;
ALTER TABLE session_chairs ADD COLUMN calendar_comment TEXT;
ALTER TABLE session_chairs ADD COLUMN calendar_answer_sequence BIGINT;
ALTER TABLE session_chairs ADD COLUMN calendar_answer_stamp TIMESTAMPTZ;
ALTER TABLE session_chairs ADD COLUMN address_bounced BOOLEAN NOT NULL DEFAULT FALSE;

-- A permanent failure reported after sending turns a sent message 'bounced'.
ALTER TABLE outbox ADD COLUMN bounce_status TEXT;
ALTER TABLE outbox ADD COLUMN bounce_diagnostic TEXT;
CREATE INDEX outbox_by_message_id ON outbox(message_id);
