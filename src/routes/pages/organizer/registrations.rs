//! Registrations: the list, moving people, approving or declining pending ones.

#[allow(unused_imports)]
use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RegistrationsQuery {
    session: String,
    status: String,
    q: String,
}

pub(crate) async fn registrations_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<RegistrationsQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let session_filter = (!query.session.is_empty())
        .then(|| parse_id(&query.session, "session", SessionId))
        .transpose()?;
    let needle = query.q.trim().to_lowercase();
    let registrations = db::registrations::list(conn.exec(), webinar.id, session_filter).await?;
    let rows: Vec<Value> = registrations
        .iter()
        .filter(|r| query.status.is_empty() || r.status.as_str() == query.status)
        .filter(|r| {
            needle.is_empty()
                || r.name.to_lowercase().contains(&needle)
                || r.email.key().contains(&needle)
                || r.organization.as_deref().unwrap_or_default().to_lowercase().contains(&needle)
        })
        .map(|r| {
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
    let session_options: Vec<Value> = sessions
        .iter()
        .map(|s| context! { id => s.id.to_string(), label => &s.label, taken => s.taken, capacity => s.capacity, status => s.status.as_str() })
        .collect();
    render(
        "organizer/registrations.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), registrations => rows, sessions => session_options,
            filter => context! { session => &query.session, status => &query.status, q => &query.q },
        }},
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MoveForm {
    csrf: String,
    session_id: String,
}

/// Approves or declines the ticked pending registrations (`registration` repeated).
pub(crate) async fn decide_registrations(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |name: &'static str| pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v);
    web.check_csrf(field("csrf").next().map_or("", |v| v))?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let decision = match field("decision").next().map(String::as_str) {
        Some("approve") => services::registrations::Decision::Approve,
        Some("decline") => services::registrations::Decision::Decline,
        _ => return Err(AppError::BadRequest("choose approve or decline".into()).into()),
    };
    let ids = field("registration")
        .map(|v| parse_id(v, "registration", RegistrationId))
        .collect::<AppResult<Vec<_>>>()?;
    if ids.is_empty() {
        return Err(AppError::BadRequest(
            "tick at least one registration waiting for approval".into(),
        )
        .into());
    }
    services::registrations::decide(&state, &webinar, &ids, decision).await?;
    to(format!(
        "/organizer/webinars/{id}/registrations?status=pending"
    ))
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
