//! The organizer's attendance pages: the attendance page (report import, marking by
//! hand, participant list, follow-up emails) and the webinar report.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{Value, context};
use serde::Deserialize;

use super::organizer::{
    ListOf, ListQuery, ListView, Need, Ticked, Upload, back_to, base, lang, language_codes, mine,
    parse_id, to, utc_text, webinar_value,
};
use super::render::render;
use super::web::CsrfForm;
use super::web::{PageResult, SignedIn, Web, reshow, told};
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::attendance::Source;
use crate::domain::values::{self, EmailAddress};
use crate::domain::webinar::{Session, Webinar};
use crate::domain::{Language, RegistrationId, SessionId};
use crate::error::{AppError, AppResult};
use crate::i18n;
use crate::routes::downloads::{ParticipantsQuery, participants_response};
use crate::services::attendance::{self as service, ImportOutcome, Mark};
use crate::services::participants::{self, Options, Participant};
use crate::services::{follow_up, report};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizer/webinars/{id}/attendance", get(attendance_page))
        .route(
            "/organizer/webinars/{id}/attendance/import",
            post(import_report).layer(axum::extract::DefaultBodyLimit::max(
                crate::routes::upload::REPORT_LIMIT,
            )),
        )
        .route("/organizer/webinars/{id}/attendance/link", post(link_row))
        .route("/organizer/webinars/{id}/attendance/bulk", post(bulk_mark))
        .route(
            "/organizer/webinars/{id}/attendance/{registration}",
            post(mark),
        )
        .route(
            "/organizer/webinars/{id}/participants",
            get(participant_list),
        )
        .route("/organizer/webinars/{id}/follow-up", post(send_follow_up))
        .route("/organizer/webinars/{id}/report", get(report_page))
}

// ----- the organizer's attendance page ------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default)]
struct AttendanceQuery {
    thanked: Option<usize>,
    missed: Option<usize>,
}

async fn attendance_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<AttendanceQuery>,
    Query(list): Query<ListQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let view = list.check(ListOf::People)?;
    let follow_up = query
        .thanked
        .zip(query.missed)
        .map(|(thanked, missed)| context! { thanked => thanked, missed => missed });
    let page = Shown {
        imported: None,
        follow_up,
        problem: None,
    };
    show_attendance(&state, &web, &organizer, &webinar, &view, page).await
}

/// What the attendance page shows besides the list: the outcome of an import, of the
/// follow-up emails, or the problem of the form sent.
#[derive(Default)]
struct Shown<'a> {
    imported: Option<&'a ImportOutcome>,
    follow_up: Option<Value>,
    problem: Option<String>,
}

/// The attendance page with its first page of registrations (after a form: the list
/// starts again from the top).
async fn show_attendance_top(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    webinar: &Webinar,
    page: Shown<'_>,
) -> PageResult {
    let view = ListQuery::default().check(ListOf::People)?;
    show_attendance(state, web, organizer, webinar, &view, page).await
}

/// The attendance page: a page of the registrations as `view` asks (searched, filtered
/// by session and by attendance, in pages of at most 200), each with its attendance as
/// it counts, and the report rows no one matched.
async fn show_attendance(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    webinar: &Webinar,
    view: &ListView,
    page: Shown<'_>,
) -> PageResult {
    let Shown {
        imported,
        follow_up,
        problem,
    } = page;
    let (sessions, listed, (matching, total), records, unmatched) = {
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
        let counts =
            db::registrations::counts(conn.exec(), webinar.id, &view.filter, &view.window, &listed)
                .await?;
        let ids: Vec<RegistrationId> = listed.rows.iter().map(|(r, _)| r.id).collect();
        let records = db::attendance::of_registrations(conn.exec(), &ids).await?;
        let unmatched = db::attendance::unmatched(conn.exec(), webinar.id).await?;
        (sessions, listed, counts, records, unmatched)
    };
    let label = |id: SessionId| {
        sessions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.label.clone())
            .unwrap_or_default()
    };
    let counted = crate::domain::attendance::per_registration(&records);
    let rows: Vec<Value> = listed
        .rows
        .iter()
        .map(|(r, _)| {
            let presence = counted.get(&r.id).map_or(&[][..], Vec::as_slice);
            let manual = presence.iter().find(|p| p.source == Source::Manual);
            context! {
                id => r.id.to_string(),
                name => &r.name,
                email => r.email.as_str(),
                organization => &r.organization,
                status => r.status.as_str(),
                session => label(r.session_id),
                presence => presence.iter().map(|p| context! {
                    session => label(p.session_id),
                    attended => p.attended,
                    minutes => p.minutes,
                    source => p.source.as_str(),
                }).collect::<Vec<_>>(),
                marked => manual.map(|m| if m.attended { m.session_id.to_string() } else { "absent".into() }),
                minutes => manual.and_then(|m| m.minutes),
            }
        })
        .collect();
    render(
        "organizer/attendance.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(webinar),
            sessions => session_values(&sessions),
            registrations => rows,
            languages => language_codes(),
            pager => view.pager(&format!("/organizer/webinars/{}/attendance", webinar.id), &listed, matching, total),
            filter => context! {
                session => &view.query.session, attendance => &view.query.attendance,
                q => &view.query.q, language => &view.query.language, zone => &view.query.zone,
            },
            unmatched => unmatched.iter().map(|u| context! {
                session => label(u.session_id), line => u.line, name => &u.name,
                email => &u.email, minutes => u.minutes,
            }).collect::<Vec<_>>(),
            imported => imported,
            follow_up => follow_up,
            problem => problem,
        }},
    )
}

fn session_values(sessions: &[Session]) -> Vec<Value> {
    sessions
        .iter()
        .map(|s| {
            context! {
                id => s.id.to_string(), label => &s.label, utc => utc_text(s),
                status => s.status.as_str(),
            }
        })
        .collect()
}

async fn import_report(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let upload = Upload::read(multipart).await?;
    web.check_csrf(upload.field("csrf"))?;
    let outcome = async {
        let session = upload
            .field("session_id")
            .parse()
            .map(SessionId)
            .map_err(|_| AppError::BadRequest("choose the session the report is of".into()))?;
        let dry_run = values::flag("dry_run", Some(upload.field("dry_run")))?;
        let file = upload.file.map(|f| f.bytes).ok_or_else(|| {
            AppError::BadRequest("choose the attendance report file to upload".into())
        })?;
        service::import(&state, &webinar, session, None, dry_run, file).await
    }
    .await;
    match outcome {
        Ok(imported) => {
            let page = Shown {
                imported: Some(&imported),
                ..Shown::default()
            };
            show_attendance_top(&state, &web, &organizer, &webinar, page).await
        }
        Err(problem) => {
            reshow(told(problem, lang(&web)), async |problem| {
                let page = Shown {
                    problem: Some(problem),
                    ..Shown::default()
                };
                show_attendance_top(&state, &web, &organizer, &webinar, page).await
            })
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MarkForm {
    csrf: String,
    /// A session id (attended it), `absent`, or `clear` (back to what was recorded).
    attendance: String,
    minutes: String,
    /// The list page the form was on (its filters and place), to go back to.
    back: String,
}

async fn mark(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, registration)): Path<(String, String)>,
    Form(form): Form<MarkForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let registration = parse_id(&registration, "registration", RegistrationId)?;
    let minutes = match form.minutes.trim() {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            AppError::BadRequest(format!("minutes must be a whole number, not {text:?}"))
        })?),
    };
    match form.attendance.as_str() {
        "clear" => {
            service::unmark(&state, &webinar, registration).await?;
        }
        "absent" => {
            let mark = Mark {
                attended: false,
                session_id: None,
                minutes: None,
            };
            service::mark(&state, &webinar, registration, mark).await?;
        }
        session => {
            let session_id = parse_id(session, "session", SessionId)?;
            let mark = Mark {
                attended: true,
                session_id: Some(session_id),
                minutes,
            };
            service::mark(&state, &webinar, registration, mark).await?;
        }
    }
    let back = back_to(&form.back, &format!("/organizer/webinars/{id}/attendance"));
    to(format!("{back}#r-{registration}"))
}

/// Marks the ticked registrations of a page (`registration` repeated) `attended` (in the
/// session each is registered for) or `absent`, each through the service of the single
/// mark, so each change is audited alike.
async fn bulk_mark(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    let ticked = Ticked::read(&web, &body)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let ids = ticked.ids("registration", RegistrationId)?;
    let attended = match ticked.field("action") {
        Some("attended") => true,
        Some("absent") => false,
        _ => {
            return Err(AppError::BadRequest("action: choose attended or absent".into()).into());
        }
    };
    let mark = Mark {
        attended,
        session_id: None,
        minutes: None,
    };
    for registration in ids {
        service::mark(&state, &webinar, registration, mark.clone()).await?;
    }
    to(ticked.back(&format!("/organizer/webinars/{id}/attendance")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkForm {
    csrf: String,
    /// The unmatched row's name and e-mail address, as the report writes them.
    name: String,
    email: String,
    /// The address of the registration picked in the search.
    registration: String,
}

/// Links an unmatched report row to a registration (remembered for later imports).
async fn link_row(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<LinkForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let registrant = EmailAddress::parse(&form.registration)?;
    let email = Some(form.email.trim()).filter(|e| !e.is_empty());
    let r = service::link(&state, &webinar, &form.name, email, &registrant).await?;
    to(format!("/organizer/webinars/{id}/attendance#r-{}", r.id))
}

async fn participant_list(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ParticipantsQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    Ok(participants_response(&state, &webinar, &query, lang(&web)).await?)
}

async fn send_follow_up(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    match follow_up::send(&state, &webinar).await {
        Ok(sent) => to(format!(
            "/organizer/webinars/{id}/attendance?thanked={}&missed={}",
            sent.thanked, sent.missed
        )),
        Err(problem @ AppError::Conflict(_)) => {
            reshow(told(problem, lang(&web)), async |problem| {
                let page = Shown {
                    problem: Some(problem),
                    ..Shown::default()
                };
                show_attendance_top(&state, &web, &organizer, &webinar, page).await
            })
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ----- the report -----------------------------------------------------------------------

async fn report_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let report = report::build(&state, &webinar).await?;
    let language = lang(&web);
    let t = |key: &str| i18n::text(language, key, &[]);
    let (title, whole, part) = (
        t("org.chart_registered_attended"),
        t("org.registered"),
        t("org.attended"),
    );
    let words = super::chart::Words {
        title: &title,
        whole: &whole,
        part: &part,
    };
    let chart = super::chart::pairs(
        report
            .per_session
            .iter()
            .map(|l| (l.name.as_str(), l.registered, l.attended)),
        &words,
        language == Language::Ar,
    );
    render(
        "organizer/report.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar),
            report => &report,
            chart => chart,
        }},
    )
}

// ----- the printable participant list ----------------------------------------------------

/// The participant list as a printable page, grouped by organization.
pub fn participants_page(
    webinar: &Webinar,
    options: Options,
    list: Vec<Participant>,
    language: Language,
) -> AppResult<Response> {
    let count = list.len();
    // Waiting for a seat is not being registered: said apart from the count.
    let waitlisted = list.iter().filter(|p| p.status == "waitlisted").count();
    let groups: Vec<Value> = participants::by_organization(list)
        .into_iter()
        .map(|(organization, people)| context! { organization => organization, people => people })
        .collect();
    super::render::html(
        "participants.html",
        context! { ..super::render::page_base(language, None), ..context! {
            title => &webinar.title,
            shareable => options.shareable,
            count => count,
            waitlisted => waitlisted,
            groups => groups,
        }},
    )
}
