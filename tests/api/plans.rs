//! Query plans that must hold from a new database on: what PostgreSQL reads for the
//! look-ups every registration makes, counted in its own statistics.

use meridian::db::{Exec, registrations};
use meridian::domain::WebinarId;
use meridian::domain::values::EmailAddress;
use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::helpers::*;

/// Index entries read so far from the indexes of `registrations` and of `invitees`, as
/// this connection sees them once its own counts are flushed.
async fn entries_read(conn: &mut PgConnection) -> (i64, i64) {
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query_as::<_, (i64, i64)>(
        "SELECT COALESCE(SUM(idx_tup_read) FILTER (WHERE relname = 'registrations'), 0)::bigint, \
                COALESCE(SUM(idx_tup_read) FILTER (WHERE relname = 'invitees'), 0)::bigint \
         FROM pg_stat_user_indexes",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

async fn look_up(conn: &mut PgConnection, webinar: WebinarId, email: &str) -> (bool, bool) {
    let email = EmailAddress::parse(email).unwrap();
    registrations::email_known(Exec::Postgres(conn), webinar, &email)
        .await
        .unwrap()
}

/// "Is this email registered or invited here?" is asked by every registration. On a new
/// database PostgreSQL kept, after a prepared statement's fifth run, the plan it made
/// while the tables were small: an index of the webinar alone, which then read every
/// registration and invitee of the webinar on each call as they grew. Asked on one
/// connection while the webinar is new and again once it holds 3,000 registrations and
/// 3,000 invitees, each look-up must read at most one entry of each table.
#[tokio::test]
async fn the_email_look_up_reads_one_entry_as_a_new_postgres_database_grows() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    app.register_ok(
        &w.id,
        &json!({"name": "Delegate Zero", "email": "delegate0@example.org",
            "time_zone": "Africa/Nairobi"}),
    )
    .await;
    let url = app.context().settings.database.url.clone();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let webinar = WebinarId(w.id.parse().unwrap());
    // While the tables are small: more runs than PostgreSQL waits before it keeps a plan.
    for _ in 0..8 {
        assert_eq!(
            look_up(&mut conn, webinar, "delegate0@example.org").await,
            (true, false)
        );
    }

    // The webinar grows: 3,000 registrations (copies of the first, each its own email,
    // token and calendar UID) and 3,000 invitees, imported as an organizer would.
    sqlx::query(
        "INSERT INTO registrations (id, webinar_id, session_id, name, email, email_key, \
             time_zone, language, status, assignment, outside_working_hours, token_hash, \
             calendar_uid, calendar_sequence, created_at, updated_at) \
         SELECT gen_random_uuid(), webinar_id, session_id, name || ' ' || g, \
             'copy' || g || '@example.org', 'copy' || g || '@example.org', time_zone, language, \
             status, assignment, outside_working_hours, token_hash || g, calendar_uid || g, 0, \
             created_at, updated_at \
         FROM registrations, generate_series(1, 3000) AS g",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let mut csv = String::from("name,email,time_zone\n");
    for i in 0..3000 {
        csv.push_str(&format!("Invitee {i},invitee{i}@example.org,Asia/Tokyo\n"));
    }
    let imported = app.import_csv(&w.id, &csv).await;
    assert!(
        imported.status().is_success(),
        "{}",
        imported.text().await.unwrap()
    );

    let before = entries_read(&mut conn).await;
    for i in 0..12 {
        let (email, known) = match i % 3 {
            0 => (format!("copy{}@example.org", 1 + i * 97), (true, false)),
            1 => (format!("invitee{}@example.org", i * 131), (false, true)),
            _ => (format!("stranger{i}@example.org"), (false, false)),
        };
        assert_eq!(look_up(&mut conn, webinar, &email).await, known, "{email}");
    }
    let after = entries_read(&mut conn).await;
    let (registrations_read, invitees_read) = (after.0 - before.0, after.1 - before.1);
    assert!(
        registrations_read <= 12 && invitees_read <= 12,
        "12 look-ups read {registrations_read} index entries of registrations and \
         {invitees_read} of invitees (at most one each per look-up)"
    );
}
