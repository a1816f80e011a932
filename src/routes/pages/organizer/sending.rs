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

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SendQuery {
    /// The invitee whose invitation is previewed (the first of the list without one).
    invitee: Option<String>,
    /// Set after "send me a test".
    tested: Option<String>,
}

/// Invitees offered in the preview's list (the first of the list, in list order).
const PREVIEW_CHOICES: i64 = 200;

pub(crate) async fn confirm_send_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<SendQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let pending = services::invitations::not_yet_invited(&state, &webinar)
        .await?
        .len();
    let mut choices = {
        let mut conn = state.db.conn().await?;
        let page = db::Page {
            after: None,
            limit: PREVIEW_CHOICES,
        };
        db::invitees::page(conn.exec(), webinar.id, &page).await?
    };
    let chosen = match query.invitee.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => Some(parse_id(v, "invitee", InviteeId)?),
        None => choices.first().map(|i| i.id),
    };
    let preview = match chosen {
        Some(invitee) => match services::invitations::preview(&state, &webinar, invitee).await {
            Ok((invitee, letter, rendered)) => {
                if !choices.iter().any(|c| c.id == invitee.id) {
                    choices.insert(0, invitee.clone());
                }
                Some(preview_value(&invitee, &letter, rendered))
            }
            Err(AppError::Conflict(_)) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    render(
        "organizer/confirm_send.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), pending => pending,
            choices => choices.iter().map(|i| context! { id => i.id.to_string(), name => i.name.as_str(), email => i.email.as_str() }).collect::<Vec<_>>(),
            chosen => chosen.map(|c| c.to_string()),
            preview => preview,
            tested => query.tested.is_some().then_some(organizer.email.as_str()),
        }},
    )
}

/// What the preview shows: the letter as rendered, in the invitee's language and zone.
fn preview_value(
    invitee: &crate::domain::invitee::Invitee,
    letter: &crate::email::letter::Letter,
    rendered: crate::email::render::Rendered,
) -> Value {
    let language = invitee.language;
    context! {
        lang => language.code(),
        dir => if language == Language::Ar { "rtl" } else { "ltr" },
        name => invitee.name.as_str(),
        email => invitee.email.as_str(),
        time_zone => invitee.time_zone.to_string(),
        session => &letter.session_label,
        local => i18n::session_time(language, invitee.time_zone.0, letter.starts_at, letter.ends_at),
        subject => rendered.subject,
        text => rendered.text,
        html => rendered.html,
        calendar => rendered.calendar.map(|(_, ics)| ics),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct TestForm {
    csrf: String,
    invitee: String,
}

/// "Send me a test": the previewed invitation to the signed-in organizer.
pub(crate) async fn send_test_invitation(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<TestForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let invitee = parse_id(&form.invitee, "invitee", InviteeId)?;
    services::invitations::send_test(&state, &webinar, invitee).await?;
    to(format!(
        "/organizer/webinars/{id}/invitations?invitee={invitee}&tested=1#preview"
    ))
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

/// The outbox's statuses, as the filter offers them.
const MESSAGE_STATUSES: [&str; 5] = ["pending", "sent", "failed", "bounced", "superseded"];

pub(crate) async fn outbox_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
    Query(queued): Query<QueuedQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let kinds: Vec<&str> = crate::email::letter::Kind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    if !query.status.is_empty() && !MESSAGE_STATUSES.contains(&query.status.as_str()) {
        let problem = format!("status: choose one of {}", MESSAGE_STATUSES.join(", "));
        return Err(AppError::BadRequest(problem).into());
    }
    if !query.kind.is_empty() && !kinds.contains(&query.kind.as_str()) {
        return Err(
            AppError::BadRequest(format!("kind: not a kind of message: {:?}", query.kind)).into(),
        );
    }
    let view = query.check(ListOf::Outbox)?;
    let filter = db::outbox::Filter {
        search: view.query.q.clone(),
        status: view.query.status.clone(),
        kind: view.query.kind.clone(),
    };
    let mut conn = state.db.conn().await?;
    let listed = db::outbox::list_page(conn.exec(), webinar.id, &filter, &view.window).await?;
    let matching = db::outbox::count(conn.exec(), webinar.id, &filter).await?;
    let by_status = db::outbox::count_by_status(conn.exec(), webinar.id).await?;
    let count = |status: &str| {
        by_status
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    let total: i64 = by_status.iter().map(|(_, n)| n).sum();
    let rows: Vec<Value> = listed
        .rows
        .iter()
        .map(|(e, _)| {
            context! {
                id => e.id, recipient => &e.recipient, kind => &e.kind, status => &e.status,
                attempts => e.attempts,
                last_error => e.bounce_diagnostic.as_ref().or(e.last_error.as_ref()),
                created_at => e.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            }
        })
        .collect();
    let path = format!("/organizer/webinars/{id}/outbox");
    render(
        "organizer/outbox.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), messages => rows, queued => queued.queued,
            sent => count("sent"), pending => count("pending"), failed => count("failed"),
            pager => view.pager(&path, &listed, db::lists::Counted::Exactly(matching), total),
            statuses => MESSAGE_STATUSES, kinds => kinds,
            filter => context! { q => &view.query.q, status => &view.query.status, kind => &view.query.kind },
        }},
    )
}

/// `?queued=` after sending: how many invitations were queued.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct QueuedQuery {
    queued: Option<usize>,
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
