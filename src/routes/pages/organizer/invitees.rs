//! The invitee list: import, edit, remove.

#[allow(unused_imports)]
use super::*;
use crate::services::invitees::RowProblem;

pub(crate) async fn invitees_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let view = query.check(ListOf::People)?;
    list_invitees(&state, &web, &organizer, &webinar, &view, None, None).await
}

pub(crate) async fn show_invitees(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    report: Option<&services::invitees::ImportReport>,
    problem: Option<String>,
) -> PageResult {
    let view = ListQuery::default().check(ListOf::People)?;
    list_invitees(state, web, organizer, w, &view, report, problem).await
}

/// One page of the invitee list as `view` asks, with the counts of the filter and of all.
async fn list_invitees(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    view: &ListView,
    report: Option<&services::invitees::ImportReport>,
    problem: Option<String>,
) -> PageResult {
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), w.id).await?;
    let listed =
        db::invitees::list_page(conn.exec(), w.id, &view.filter, view.sort, &view.window).await?;
    let (matching, total) =
        db::invitees::counts(conn.exec(), w.id, &view.filter, &view.window, &listed).await?;
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    let rows: Vec<Value> = listed
        .rows
        .iter()
        .map(|(i, _)| {
            let pick = crate::domain::assignment::recommend(&w.rules, i.time_zone.0, &candidates);
            let session = pick.and_then(|p| sessions.iter().find(|s| s.id.0 == p.session_id));
            context! {
                id => i.id.to_string(),
                name => i.name.as_str(),
                email => i.email.as_str(),
                organization => &i.organization,
                role => &i.role,
                country => i.country.as_ref().map(|c| c.as_str()),
                time_zone => i.time_zone.to_string(),
                language => i.language.code(),
                session => session.map(|s| s.label.clone()),
                local => session.map(|s| i18n::session_time(lang(web), i.time_zone.0, s.starts_at, s.ends_at())),
                outside => pick.is_some_and(|p| p.outside_working_hours),
            }
        })
        .collect();
    let path = format!("/organizer/webinars/{}/invitees", w.id);
    render(
        "organizer/invitees.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(w),
            invitees => rows,
            pager => view.pager(&path, &listed, matching, total),
            filter => context! { q => &view.query.q, language => &view.query.language, zone => &view.query.zone },
            languages => language_codes(),
            report => report.map(|r| context! { imported => r.imported, updated => r.updated, error_count => r.error_count, errors => r.errors.iter().map(|e| context! { line => e.line, message => told_row(lang(web), &e.problem) }).collect::<Vec<_>>() }),
            problem => problem,
        }},
    )
}

/// Acts on the ticked invitees of a page: `invite` sends their invitations (those not
/// invited yet), `remove` removes each one (audited one by one, as the single action).
pub(crate) async fn bulk_invitees(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let ticked = Ticked::read(&web, &body)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let ids = ticked.ids("invitee", InviteeId)?;
    let path = format!("/organizer/webinars/{id}/invitees");
    match ticked.field("action") {
        Some("invite") => {
            let report = services::invitations::send_to(&state, &webinar, &ids).await?;
            to(format!(
                "/organizer/webinars/{id}/outbox?queued={}",
                report.queued
            ))
        }
        Some("remove") => {
            for invitee in ids {
                services::invitees::remove(&state, &webinar, invitee).await?;
            }
            to(ticked.back(&path))
        }
        _ => Err(AppError::BadRequest("action: choose invite or remove".into()).into()),
    }
}

/// What to fix on a refused line, in the page's language: each wrong field's message
/// from the catalogue (the same as the registration form's), or the line's problem.
fn told_row(language: Language, problem: &RowProblem) -> String {
    let key = |k: &str| i18n::text(language, k, &[]);
    match problem {
        RowProblem::Fields(fields) => fields
            .iter()
            .map(|f| key(&format!("page.error_{f}")))
            .collect::<Vec<_>>()
            .join(" "),
        RowProblem::FieldCount => key("org.import_field_count"),
        RowProblem::NotUtf8 => key("org.import_not_utf8"),
        RowProblem::Unreadable => key("org.import_unreadable"),
    }
}

pub(crate) async fn upload_invitees(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let upload = Upload::read(multipart).await?;
    web.check_csrf(upload.field("csrf"))?;
    let file = upload
        .file
        .map(|f| f.bytes)
        .ok_or_else(|| AppError::BadRequest("choose a CSV or XLSX file to upload".into()))?;
    let outcome = async {
        let rows = services::invitees::read_file(&file)?;
        services::invitees::import(&state, &webinar, rows).await
    }
    .await;
    match outcome {
        Ok(report) => show_invitees(&state, &web, &organizer, &webinar, Some(&report), None).await,
        Err(problem) => {
            reshow(told(problem, lang(&web)), async |problem| {
                show_invitees(&state, &web, &organizer, &webinar, None, Some(problem)).await
            })
            .await
        }
    }
}

pub(crate) async fn invitee_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let mut conn = state.db.conn().await?;
    let i = db::invitees::find(
        conn.exec(),
        webinar.id,
        parse_id(&invitee, "invitee", InviteeId)?,
    )
    .await?
    .ok_or_else(|| AppError::not_found("invitee"))?;
    let form = InviteeForm {
        csrf: String::new(),
        name: i.name.as_str().into(),
        email: i.email.as_str().into(),
        organization: i.organization.unwrap_or_default(),
        role: i.role.unwrap_or_default(),
        country: i
            .country
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        time_zone: i.time_zone.to_string(),
        language: i.language.code().into(),
    };
    show_invitee_form(&web, &organizer, &webinar, &invitee, &form, None)
}

pub(crate) fn show_invitee_form(
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    id: &str,
    form: &InviteeForm,
    problem: Option<String>,
) -> PageResult {
    render(
        "organizer/invitee_edit.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(w), invitee_id => id, form => form, problem => problem, zones => zone_names(), languages => language_codes(),
        }},
    )
}

#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub(crate) struct InviteeForm {
    csrf: String,
    name: String,
    email: String,
    organization: String,
    role: String,
    country: String,
    time_zone: String,
    language: String,
}

pub(crate) async fn edit_invitee(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
    Form(form): Form<InviteeForm>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let outcome = async {
        web.check_csrf(&form.csrf)?;
        let row = InviteeRow {
            name: form.name.clone(),
            email: form.email.clone(),
            organization: Some(form.organization.clone()),
            role: Some(form.role.clone()),
            country: Some(form.country.clone()),
            time_zone: form.time_zone.clone(),
            language: Some(form.language.clone()),
        };
        services::invitees::update(
            &state,
            &webinar,
            parse_id(&invitee, "invitee", InviteeId)?,
            &row,
        )
        .await
    }
    .await;
    match outcome {
        Ok(()) => to(format!("/organizer/webinars/{id}/invitees")),
        // A wrong field or an address another invitee has is said on the form, with
        // its own status (400 or 409); anything else is the error page.
        Err(problem @ (AppError::BadRequest(_) | AppError::Conflict(_))) => {
            reshow(told(problem, lang(&web)), async |problem| {
                show_invitee_form(&web, &organizer, &webinar, &invitee, &form, Some(problem))
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn remove_invitee(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, invitee)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    services::invitees::remove(&state, &webinar, parse_id(&invitee, "invitee", InviteeId)?).await?;
    to(format!("/organizer/webinars/{id}/invitees"))
}
