//! Many stored registrations, fast: copies of a registration the application wrote itself,
//! for the benchmarks that measure how Meridian behaves on a full database (issue 18,
//! goal 2). SQLite only.

use sqlx::SqliteConnection;

/// Inserts `copies` copies of the first registration of webinar `template` into the same
/// webinar, each with a distinct name, email, token and calendar UID (`tag` keeps them
/// apart from other webinars' copies), alternating between its first and last sessions;
/// one `INSERT ... SELECT` over a counter. The caller updates the sessions' `taken`.
pub async fn copy_registrations(
    conn: &mut SqliteConnection,
    template: uuid::Uuid,
    tag: u64,
    copies: u64,
) -> sqlx::Result<()> {
    if copies == 0 {
        return Ok(());
    }
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO registrations (id, webinar_id, session_id, invitee_id, name, email, \
           email_key, organization, time_zone, language, status, assignment, \
           outside_working_hours, token_hash, calendar_uid, calendar_sequence, created_at, \
           updated_at, share_in_participant_list, role, country) \
         SELECT randomblob(16), t.webinar_id, \
           CASE n.i % 2 WHEN 0 THEN (SELECT s.id FROM sessions s \
            WHERE s.webinar_id = t.webinar_id ORDER BY s.starts_at LIMIT 1) \
           ELSE (SELECT s.id FROM sessions s WHERE s.webinar_id = t.webinar_id \
            ORDER BY s.starts_at DESC LIMIT 1) END, \
           NULL, 'Preloaded Delegate ' || $2 || ' ' || n.i, \
           'pre-' || $2 || '-' || n.i || '@example.org', \
           'pre-' || $2 || '-' || n.i || '@example.org', \
           'Organization ' || (n.i % 997), t.time_zone, t.language, t.status, t.assignment, \
           t.outside_working_hours, lower(hex(randomblob(32))), \
           'pre-' || $2 || '-' || n.i || '@bench.example.org', t.calendar_sequence, \
           t.created_at, t.updated_at, t.share_in_participant_list, t.role, t.country \
         FROM n, (SELECT * FROM registrations WHERE webinar_id = $3 LIMIT 1) t",
    )
    .bind(copies as i64)
    .bind(tag as i64)
    .bind(template)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets every session's `taken` to the registrations it holds.
pub async fn recount_seats(conn: &mut SqliteConnection) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE sessions SET taken = \
         (SELECT COUNT(*) FROM registrations r WHERE r.session_id = sessions.id)",
    )
    .execute(conn)
    .await?;
    Ok(())
}
