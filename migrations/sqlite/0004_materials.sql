-- Documents of a webinar (agenda, guiding questions, remarks, participant list, report),
-- each in one language; versions with the same `document` key are translations.
CREATE TABLE materials (
    id BLOB PRIMARY KEY NOT NULL,
    webinar_id BLOB NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    url TEXT,
    file_name TEXT,
    content_type TEXT,
    content BLOB,
    created_at TEXT NOT NULL,
    UNIQUE (webinar_id, document, language)
);
