-- Documents of a webinar (agenda, guiding questions, remarks, participant list, report),
-- each in one language; versions with the same `document` key are translations.
CREATE TABLE materials (
    id UUID PRIMARY KEY NOT NULL,
    webinar_id UUID NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    url TEXT,
    file_name TEXT,
    content_type TEXT,
    content BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (webinar_id, document, language)
);
