//! Registrations: the list, moving people, approving or declining pending ones.

#[allow(unused_imports)]
use super::*;

pub(crate) async fn registrations_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    if !query.status.is_empty()
        && crate::domain::registration::RegistrationStatus::parse(&query.status).is_none()
    {
        return Err(AppError::BadRequest(format!(
            "status: not a registration status: {:?}",
            query.status
        ))
        .into());
    }
    let view = query.check(ListOf::People)?;
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let listed = db::registrations::list_page(
        conn.exec(),
        webinar.id,
        &view.filter,
        view.sort,
        &view.window,
    )
    .await?;
    let (matching, total) =
        db::registrations::counts(conn.exec(), webinar.id, &view.filter, &view.window, &listed)
            .await?;
    let rows: Vec<Value> = listed
        .rows
        .iter()
        .map(|(r, _)| {
            let session = sessions.iter().find(|s| s.id == r.session_id);
            context! {
                id => r.id.to_string(), name => &r.name, email => r.email.as_str(), organization => &r.organization,
                time_zone => r.time_zone.to_string(), status => r.status.as_str(), assignment => r.assignment.as_str(),
                pending => r.status == crate::domain::registration::RegistrationStatus::Pending,
                session_id => r.session_id.to_string(),
                session => session.map(|s| s.label.clone()),
                local => session.map(|s| i18n::session_time(lang(&web), r.time_zone.0, s.starts_at, s.ends_at())),
                outside => r.outside_working_hours,
                answer => r.answer.answer.as_str(), comment => &r.answer.comment,
                bounced => r.answer.address_bounced,
            }
        })
        .collect();
    let any_pending = listed
        .rows
        .iter()
        .any(|(r, _)| r.status == crate::domain::registration::RegistrationStatus::Pending);
    let session_options: Vec<Value> = sessions
        .iter()
        .map(|s| context! { id => s.id.to_string(), label => &s.label, taken => s.taken, capacity => s.capacity, status => s.status.as_str() })
        .collect();
    let path = format!("/organizer/webinars/{id}/registrations");
    render(
        "organizer/registrations.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), registrations => rows, sessions => session_options,
            any_pending => any_pending, languages => language_codes(),
            pager => view.pager(&path, &listed, matching, total),
            filter => context! {
                session => &view.query.session, status => &view.query.status, q => &view.query.q,
                language => &view.query.language, zone => &view.query.zone,
            },
        }},
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MoveForm {
    csrf: String,
    session_id: String,
}

/// Acts on the ticked registrations of a page (`registration` repeated), each through
/// the service of the single action, so each change is audited alike: `approve` or
/// `decline` pending ones, `move` to `session_id`, mark `attended` (in the session they
/// are registered for).
pub(crate) async fn bulk_registrations(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let ticked = Ticked::read(&web, &body)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let ids = ticked.ids("registration", RegistrationId)?;
    let path = format!("/organizer/webinars/{id}/registrations");
    // `decision` is the name the approval form used before the bulk actions.
    let action = ticked.field("action").or(ticked.field("decision"));
    let decision = match action {
        Some("approve") => Some(services::registrations::Decision::Approve),
        Some("decline") => Some(services::registrations::Decision::Decline),
        _ => None,
    };
    if let Some(decision) = decision {
        services::registrations::decide(&state, &webinar, &ids, decision).await?;
        return to(format!("{path}?status=pending"));
    }
    match action {
        Some("move") => {
            let session = parse_id(
                ticked.field("session_id").unwrap_or_default(),
                "session",
                SessionId,
            )?;
            for registration in ids {
                services::registrations::move_to(&state, &webinar, registration, session).await?;
            }
        }
        Some("attended") => {
            let mark = services::attendance::Mark {
                attended: true,
                session_id: None,
                minutes: None,
            };
            for registration in ids {
                services::attendance::mark(&state, &webinar, registration, mark.clone()).await?;
            }
        }
        _ => {
            return Err(AppError::BadRequest(
                "action: choose approve, decline, move or attended".into(),
            )
            .into());
        }
    }
    to(ticked.back(&path))
}

pub(crate) async fn move_registration(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, registration)): Path<(String, String)>,
    Form(form): Form<MoveForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let registration = parse_id(&registration, "registration", RegistrationId)?;
    let session = parse_id(&form.session_id, "session", SessionId)?;
    services::registrations::move_to(&state, &webinar, registration, session).await?;
    to(format!("/organizer/webinars/{id}/registrations"))
}
