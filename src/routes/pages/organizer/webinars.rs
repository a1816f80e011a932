//! The webinar list, a webinar's page: details, sessions, chairs and documents.

#[allow(unused_imports)]
use super::*;
use chrono::DateTime;
use chrono_tz::Tz;

pub(crate) async fn webinars_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
) -> PageResult {
    let mut conn = state.db.conn().await?;
    let mut rows = Vec::new();
    for w in db::webinars::list_for(conn.exec(), organizer.id).await? {
        let sessions = db::sessions::list(conn.exec(), w.id).await?;
        rows.push(context! {
            id => w.id.to_string(),
            title => w.title,
            sessions => sessions.iter().map(|s| format!("{} · {}", s.label, utc_text(s))).collect::<Vec<_>>(),
            registered => sessions.iter().map(|s| s.taken).sum::<u32>(),
        });
    }
    render(
        "organizer/webinars.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinars => rows, zones => zone_names(), languages => language_codes(),
        }},
    )
}

pub(crate) use super::super::render::zone_names;

pub(crate) fn language_codes() -> Vec<&'static str> {
    Language::ALL.iter().map(|l| l.code()).collect()
}

pub(crate) fn utc_text(s: &Session) -> String {
    format!(
        "{}–{} UTC",
        s.starts_at.format("%Y-%m-%d %H:%M"),
        s.ends_at().format("%H:%M")
    )
}

/// The webinar form: browsers send one `languages` field per ticked box.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct WebinarForm {
    csrf: String,
    title: String,
    description: String,
    time_zone: String,
    window_start: String,
    window_end: String,
    preferred_local_hour: String,
    registration_policy: String,
    /// `true` or `false`; blank (a form without the field) leaves it as it is.
    waiting_list: String,
    /// `true` or `false`, as `waiting_list`.
    allow_delegation: String,
    /// `offer` or `switch`; blank leaves it as it is.
    counter_proposals: String,
}

/// A yes/no field of the form: blank (a form without the field) leaves it as it is.
fn flag(field: &str, value: &str) -> AppResult<Option<bool>> {
    match value.trim() {
        "" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        _ => Err(AppError::BadRequest(format!(
            "{field} must be true or false"
        ))),
    }
}

pub(crate) fn webinar_input(
    form: &WebinarForm,
    languages: Vec<String>,
) -> AppResult<WebinarChanges> {
    let preferred = match form.preferred_local_hour.trim() {
        "" => None,
        h => Some(h.parse::<f64>().map_err(|_| {
            AppError::BadRequest("preferred_local_hour must be a number such as 13".into())
        })?),
    };
    let blank = |v: &str| (!v.trim().is_empty()).then(|| v.to_string());
    Ok(WebinarChanges {
        title: Some(form.title.clone()),
        description: Some(form.description.clone()),
        languages: (!languages.is_empty()).then_some(languages),
        time_zone: blank(&form.time_zone),
        window_start: blank(&form.window_start),
        window_end: blank(&form.window_end),
        preferred_local_hour: preferred,
        registration_policy: blank(&form.registration_policy),
        waiting_list: flag("waiting_list", &form.waiting_list)?,
        allow_delegation: flag("allow_delegation", &form.allow_delegation)?,
        counter_proposals: blank(&form.counter_proposals),
        ..Default::default()
    })
}

/// Reads a urlencoded body into the form plus every `languages` value.
pub(crate) fn webinar_form(body: &str) -> (WebinarForm, Vec<String>) {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let languages = pairs
        .iter()
        .filter(|(k, _)| k == "languages")
        .map(|(_, v)| v.clone())
        .collect();
    let single: HashMap<String, String> = pairs
        .into_iter()
        .filter(|(k, _)| k != "languages")
        .collect();
    let get = |k: &str| single.get(k).cloned().unwrap_or_default();
    let form = WebinarForm {
        csrf: get("csrf"),
        title: get("title"),
        description: get("description"),
        time_zone: get("time_zone"),
        window_start: get("window_start"),
        window_end: get("window_end"),
        preferred_local_hour: get("preferred_local_hour"),
        registration_policy: get("registration_policy"),
        waiting_list: get("waiting_list"),
        allow_delegation: get("allow_delegation"),
        counter_proposals: get("counter_proposals"),
    };
    (form, languages)
}

pub(crate) async fn create_webinar(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    body: String,
) -> PageResult {
    let (form, languages) = webinar_form(&body);
    web.check_csrf(&form.csrf)?;
    let input = webinar_input(&form, languages)?;
    let blank = Webinar::blank(organizer.id);
    let webinar = crate::domain::webinar::apply(blank, &input)?;
    let (webinar, _) = services::webinars::create(
        &state,
        &services::members::actor(&organizer),
        webinar,
        Vec::new(),
    )
    .await?;
    to(format!("/organizer/webinars/{}", webinar.id))
}

pub(crate) async fn webinar_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    show_webinar(&state, &web, &organizer, &webinar, None).await
}

pub(crate) async fn show_webinar(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    w: &Webinar,
    problem: Option<String>,
) -> PageResult {
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), w.id).await?;
    let mut rows = Vec::new();
    for s in &sessions {
        // The first few active chairs of the session; all of them on the chairs page.
        let filter = db::lists::Filter {
            session: Some(s.id.0),
            status: "active".into(),
            ..Default::default()
        };
        let window = db::lists::Window {
            cursor: None,
            limit: CHAIRS_SHOWN,
        };
        let chairs = db::chairs::list_page(
            conn.exec(),
            w.id,
            &filter,
            db::lists::Sort::Created,
            &window,
        )
        .await?;
        let more_chairs = chairs.has_next;
        let chairs: Vec<_> = chairs.rows.into_iter().map(|(c, _)| c).collect();
        let local = s.starts_at.with_timezone(&w.time_zone.0);
        rows.push(context! {
            id => s.id.to_string(),
            label => &s.label,
            utc => utc_text(s),
            organizer_time => i18n::session_time(lang(web), w.time_zone.0, s.starts_at, s.ends_at()),
            starts_local => local.format("%Y-%m-%dT%H:%M").to_string(),
            duration => s.duration_minutes,
            capacity => s.capacity,
            taken => s.taken,
            join_url => &s.join_url,
            status => s.status.as_str(),
            chairs => chairs.iter().map(|c| format!("{} <{}>", c.name, c.email.as_str())).collect::<Vec<_>>(),
            more_chairs => more_chairs,
        });
    }
    let invitee_list = db::invitees::list(conn.exec(), w.id).await?;
    let invitees = invitee_list.len();
    let zones = zone_table(lang(web), w, &sessions, &invitee_list);
    let public_url = &state.settings.server.public_url;
    let materials: Vec<Value> = db::materials::list(conn.exec(), w.id)
        .await?
        .iter()
        .map(|m| context! {
            id => m.id.to_string(), title => &m.title, kind => m.kind.as_str(), language => m.language.code(),
            document => &m.document, href => m.href(public_url), file_name => &m.file_name,
        })
        .collect();
    // The warnings read on a connection of their own: give this one back first.
    drop(conn);
    let clock = services::clock_warnings::for_webinar(state, w, &sessions).await?;
    render(
        "organizer/webinar.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(w),
            sessions => rows,
            invitees => invitees,
            invitee_zones => zones,
            clock_warnings => clock_view(lang(web), &clock),
            clock_sessions => clock.iter().map(|c| c.session_id.to_string()).collect::<Vec<_>>(),
            materials => materials,
            kinds => crate::domain::material::MaterialKind::ALL.map(|k| k.as_str()),
            public_link => format!("{}/w/{}", state.settings.server.public_url, w.id),
            zones => zone_names(),
            languages => language_codes(),
            problem => problem,
        }},
    )
}

/// The clock-change warnings as pages show them: each change on its date in its zone.
pub(crate) fn clock_view(
    language: Language,
    warnings: &[services::clock_warnings::Warning],
) -> Vec<Value> {
    let pattern = i18n::text(language, "date.long", &[]);
    warnings
        .iter()
        .map(|w| {
            context! {
                session_id => w.session_id.to_string(),
                session_label => &w.session_label,
                changes => w.changes.iter().map(|c| i18n::text(language, "org.clock_change", &[
                    ("zone", &c.time_zone),
                    ("date", &i18n::format_date(language, c.at.with_timezone(&c.zone), &pattern)),
                    ("before", &c.offset_before),
                    ("after", &c.offset_after),
                ])).collect::<Vec<_>>(),
                shifted_people => w.shifted_people,
                shifted => &w.shifted,
            }
        })
        .collect()
}

/// "Tue 09:00–11:00" with the weekday in `language`; in Arabic the times are isolated left
/// to right, or the range reads backwards.
fn local_times(language: Language, start: DateTime<Tz>, end: DateTime<Tz>) -> String {
    let day = i18n::format_date(language, start, "%a");
    let range = format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"));
    match language {
        Language::Ar => format!("{day} \u{2066}{range}\u{2069}"),
        _ => format!("{day} {range}"),
    }
}

/// Each zone the invitees are in, with every session's local time there (the weekday in
/// the organizer's language).
pub(crate) fn zone_table(
    language: Language,
    w: &Webinar,
    sessions: &[Session],
    invitees: &[crate::domain::invitee::Invitee],
) -> Vec<Value> {
    let mut zones: Vec<(TimeZone, usize)> = Vec::new();
    for invitee in invitees {
        match zones.iter_mut().find(|(z, _)| *z == invitee.time_zone) {
            Some((_, count)) => *count += 1,
            None => zones.push((invitee.time_zone, 1)),
        }
    }
    let now = Utc::now();
    let candidates: Vec<_> = sessions.iter().map(|s| s.candidate(now)).collect();
    zones.sort_by_key(|(z, _)| {
        sessions.first().map_or(0, |s| {
            s.starts_at
                .with_timezone(&z.0)
                .offset()
                .fix()
                .local_minus_utc()
        })
    });
    zones
        .into_iter()
        .map(|(zone, count)| {
            let local = crate::domain::assignment::evaluate(&w.rules, zone.0, &candidates);
            context! {
                zone => zone.to_string(),
                count => count,
                times => local.iter().map(|l| context! {
                    time => local_times(language, l.local_start, l.local_end),
                    suitable => l.suitable,
                    recommended => l.recommended,
                }).collect::<Vec<_>>(),
            }
        })
        .collect()
}

pub(crate) fn webinar_value(w: &Webinar) -> Value {
    context! {
        id => w.id.to_string(),
        title => &w.title,
        description => &w.description,
        languages => w.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
        time_zone => w.time_zone.to_string(),
        window_start => w.rules.window_start.format("%H:%M").to_string(),
        window_end => w.rules.window_end.format("%H:%M").to_string(),
        preferred_local_hour => crate::domain::webinar::preferred_hour(&w.rules),
        registration_policy => w.registration_policy.as_str(),
        waiting_list => w.waiting_list,
        allow_delegation => w.allow_delegation,
        counter_proposals => w.counter_proposals.as_str(),
    }
}

/// Makes a change from the webinar page, then goes back to it; a problem is shown on the
/// page again.
pub(crate) async fn back_to_webinar(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    id: &str,
    change: impl Future<Output = AppResult<()>>,
) -> PageResult {
    change_then(
        lang(web),
        change,
        format!("/organizer/webinars/{id}"),
        async |problem| {
            let webinar = mine(state, organizer, id, Need::Read).await?;
            show_webinar(state, web, organizer, &webinar, Some(problem)).await
        },
    )
    .await
}

pub(crate) async fn edit_webinar(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    body: String,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        let (form, languages) = webinar_form(&body);
        web.check_csrf(&form.csrf)?;
        let input = webinar_input(&form, languages)?;
        let mut access = mine(&state, &organizer, &id, Need::Edit).await?;
        access.webinar = crate::domain::webinar::apply(access.webinar, &input)?;
        services::webinars::update(&state, &access).await?;
        Ok(())
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct SessionForm {
    csrf: String,
    label: String,
    /// `datetime-local` in the webinar's display zone.
    starts_local: String,
    duration_minutes: String,
    capacity: String,
    join_url: String,
}

/// The session form checked into a new session; its local start is read in the
/// webinar's zone.
pub(crate) fn session_fields(w: &Webinar, form: &SessionForm) -> AppResult<NewSession> {
    let local = NaiveDateTime::parse_from_str(form.starts_local.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::BadRequest("enter the start as a date and time".into()))?;
    let starts_at = w
        .time_zone
        .0
        .from_local_datetime(&local)
        .earliest()
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{local} does not exist in {} (a clock change)",
                w.time_zone
            ))
        })?
        .with_timezone(&Utc);
    let number = |field: &str, v: &str| -> AppResult<Option<u32>> {
        match v.trim() {
            "" => Ok(None),
            n => n
                .parse()
                .map(Some)
                .map_err(|_| AppError::BadRequest(format!("{field} must be a whole number"))),
        }
    };
    Ok(NewSession::parse(
        &form.label,
        starts_at,
        number("duration_minutes", &form.duration_minutes)?,
        number("capacity", &form.capacity)?,
        Some(&form.join_url),
    )?)
}

pub(crate) async fn add_session(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<SessionForm>,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
        let new = session_fields(&webinar, &form)?;
        services::webinars::add_session(&state, &webinar, new).await?;
        Ok(())
    })
    .await
}

pub(crate) async fn edit_session(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<SessionForm>,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
        let checked = session_fields(&webinar, &form)?;
        let changes = SessionChanges {
            label: Some(checked.label),
            starts_at: Some(checked.starts_at),
            duration_minutes: Some(checked.duration_minutes),
            capacity: Some(checked.capacity),
            join_url: Some(checked.join_url),
        };
        services::webinars::change_session(
            &state,
            &webinar,
            parse_id(&session, "session", SessionId)?,
            changes,
        )
        .await?;
        Ok(())
    })
    .await
}

pub(crate) async fn cancel_session(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
        services::webinars::cancel_session(
            &state,
            &webinar,
            parse_id(&session, "session", SessionId)?,
        )
        .await?;
        Ok(())
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ChairForm {
    csrf: String,
    name: String,
    email: String,
    time_zone: String,
    language: String,
}

pub(crate) async fn add_chair(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, session)): Path<(String, String)>,
    Form(form): Form<ChairForm>,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
        let new = NewChair {
            name: PersonName::parse(&form.name)?,
            email: EmailAddress::parse(&form.email)?,
            time_zone: (!form.time_zone.trim().is_empty())
                .then(|| form.time_zone.parse())
                .transpose()?,
            language: (!form.language.trim().is_empty())
                .then(|| form.language.parse())
                .transpose()?,
        };
        services::chairs::add(
            &state,
            &webinar,
            parse_id(&session, "session", SessionId)?,
            new,
        )
        .await?;
        Ok(())
    })
    .await
}

pub(crate) async fn add_material(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    multipart: Multipart,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        let upload = Upload::read(multipart).await?;
        web.check_csrf(upload.field("csrf"))?;
        let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
        let (input, file) = upload.into_material();
        services::materials::add(&state, &webinar, &input, file).await?;
        Ok(())
    })
    .await
}

pub(crate) async fn remove_material(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, material)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    back_to_webinar(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
        services::materials::remove(
            &state,
            &webinar,
            parse_id(&material, "document", crate::domain::MaterialId)?,
        )
        .await?;
        Ok(())
    })
    .await
}
