//! Coverage, sending the invitations, and the outbox.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn coverage_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let invitees = db::invitees::list(conn.exec(), webinar.id).await?;
    let coverage = coverage::compute(&webinar, &sessions, &invitees);
    let language = lang(&web);
    let t = |key: &str| i18n::text(language, key, &[]);
    let (title, whole, part) = (
        t("org.chart_suitable"),
        t("org.invitees"),
        t("org.inside_hours"),
    );
    let words = super::super::chart::Words {
        title: &title,
        whole: &whole,
        part: &part,
    };
    let rtl = language == Language::Ar;
    let scheduled: Vec<_> = sessions
        .iter()
        .filter(|s| s.status != crate::domain::webinar::SessionStatus::Cancelled)
        .collect();
    let map = scheduled.first().map(|first| {
        let bands: Vec<_> = scheduled
            .iter()
            .map(|s| crate::routes::pages::day_map::Band {
                label: s.label.clone(),
                starts_at: s.starts_at,
                ends_at: s.ends_at(),
                proposal: false,
            })
            .collect();
        crate::routes::pages::day_map::map(
            lang(&web),
            &webinar.rules,
            first.starts_at.date_naive(),
            &people_of(&invitees),
            &bands,
            false,
        )
    });
    render(
        "organizer/coverage.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar),
            coverage => &coverage,
            chart => super::super::chart::bars(&coverage.per_offset, &words, rtl),
            session_chart => super::super::chart::bars(&coverage.per_session, &words, rtl),
            map => map,
        }},
    )
}

pub(crate) async fn confirm_send_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let pending = services::invitations::not_yet_invited(&state, &webinar)
        .await?
        .len();
    render(
        "organizer/confirm_send.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), pending => pending,
        }},
    )
}

pub(crate) async fn send_invitations(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let report = services::invitations::send(&state, &webinar).await?;
    to(format!(
        "/organizer/webinars/{id}/outbox?queued={}",
        report.queued
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct OutboxQuery {
    queued: Option<usize>,
}

pub(crate) async fn outbox_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<OutboxQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let entries = db::outbox::list(conn.exec(), webinar.id).await?;
    let count = |status: &str| entries.iter().filter(|e| e.status == status).count();
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            context! {
                id => e.id, recipient => &e.recipient, kind => &e.kind, status => &e.status,
                attempts => e.attempts,
                last_error => e.bounce_diagnostic.as_ref().or(e.last_error.as_ref()),
                created_at => e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            }
        })
        .collect();
    render(
        "organizer/outbox.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), messages => rows, queued => query.queued,
            sent => count("sent"), pending => count("pending"), failed => count("failed"),
        }},
    )
}

pub(crate) async fn retry_message(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, message)): Path<(String, i64)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    services::invitations::retry_message(&state, &webinar, message).await?;
    to(format!("/organizer/webinars/{id}/outbox"))
}
