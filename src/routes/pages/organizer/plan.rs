//! The Plan page: proposals for the sessions' times beside the current ones, the map of
//! everyone's day, and applying a proposal after a confirmation.

#[allow(unused_imports)]
use super::*;

use chrono::DateTime;

use crate::domain::planner::{Evaluation, Person};
use crate::domain::values::parse_instant;
use crate::routes::pages::day_map::{self, Band};
use crate::services::planner::{Ask, Planned};

/// The form's fields as typed (blank means "the webinar's own").
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PlanQuery {
    sessions: String,
    dates: String,
    duration_minutes: String,
    step_minutes: String,
    weight: String,
    /// Which proposal the map shows (1-based; 0 = none).
    show: Option<usize>,
    /// `organization` groups the map's rows by organization.
    group: String,
}

fn number(field: &str, value: &str) -> AppResult<Option<u32>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|_| AppError::BadRequest(format!("{field} must be a whole number, not {value:?}")))
}

impl PlanQuery {
    fn ask(&self) -> AppResult<Ask> {
        let dates: Vec<String> = self
            .dates
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        Ok(Ask {
            sessions: number("sessions", &self.sessions)?,
            dates: (!dates.is_empty()).then_some(dates),
            duration_minutes: number("duration_minutes", &self.duration_minutes)?,
            step_minutes: number("step_minutes", &self.step_minutes)?,
            weight: Some(self.weight.trim())
                .filter(|w| !w.is_empty())
                .map(str::to_string),
            seats: None,
        })
    }
}

pub(crate) async fn plan_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<PlanQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let planned = match query.ask() {
        Ok(ask) => services::planner::plan(&state, &webinar, &ask).await,
        Err(problem) => Err(problem),
    };
    match planned {
        Ok(planned) => {
            let language = lang(&web);
            let shown = query.show.unwrap_or(1);
            let title = i18n::text(language, "org.plan_proposal", &[("n", &shown.to_string())]);
            let mut warnings =
                services::clock_warnings::for_webinar(&state, &webinar, &planned.audience.sessions)
                    .await?;
            warnings.extend(services::planner::proposal_warnings(
                &planned,
                shown.saturating_sub(1),
                &title,
                Utc::now(),
            ));
            let clock = clock_view(language, &warnings);
            show_plan(
                &web,
                &organizer,
                &webinar,
                &query,
                Some(&planned),
                None,
                clock,
            )
        }
        Err(problem) => {
            reshow(told(problem, lang(&web)), async |problem| {
                show_plan(
                    &web,
                    &organizer,
                    &webinar,
                    &query,
                    None,
                    Some(problem),
                    Vec::new(),
                )
            })
            .await
        }
    }
}

fn show_plan(
    web: &Web,
    organizer: &Organizer,
    webinar: &Webinar,
    query: &PlanQuery,
    planned: Option<&Planned>,
    problem: Option<String>,
    clock_warnings: Vec<Value>,
) -> PageResult {
    let language = lang(web);
    let tz = webinar.time_zone.0;
    let form = match planned {
        Some(p) => context! {
            sessions => p.request.sessions,
            dates => p.request.dates.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
            duration_minutes => p.request.duration_minutes,
            step_minutes => p.request.step_minutes,
            weight => p.request.weight.as_str(),
            group => &query.group,
        },
        None => context! {
            sessions => &query.sessions, dates => &query.dates,
            duration_minutes => &query.duration_minutes, step_minutes => &query.step_minutes,
            weight => &query.weight, group => &query.group,
        },
    };
    let (columns, map) = match planned {
        Some(p) => {
            let total = p.plan.total;
            let duration = p.request.duration_minutes;
            let mut columns = vec![column(
                language,
                tz,
                &p.plan.current,
                total,
                i18n::text(language, "org.plan_current", &[]),
                0,
                None,
            )];
            for (i, e) in p.plan.proposals.iter().enumerate() {
                let title = i18n::text(
                    language,
                    "org.plan_proposal",
                    &[("n", &(i + 1).to_string())],
                );
                columns.push(column(language, tz, e, total, title, i + 1, Some(duration)));
            }
            let shown = query.show.unwrap_or(1).min(p.plan.proposals.len());
            let map = plan_map(language, webinar, p, shown, query.group == "organization");
            (columns, Some(map))
        }
        None => (Vec::new(), None),
    };
    render(
        "organizer/plan.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(webinar),
            form => form,
            columns => columns,
            total => planned.map(|p| p.plan.total),
            by_organization => planned.is_some_and(|p| p.plan.weight == crate::domain::planner::Weight::Organization),
            shown => query.show.unwrap_or(1),
            map => map,
            problem => problem,
            clock_warnings => clock_warnings,
        }},
    )
}

/// One column of the comparison: the current sessions or a proposal.
fn column(
    language: Language,
    tz: chrono_tz::Tz,
    e: &Evaluation,
    total: usize,
    title: String,
    index: usize,
    duration: Option<u32>,
) -> Value {
    let left_out: usize = e.left_out.iter().map(|l| l.invitees).sum();
    context! {
        title => title,
        index => index,
        covered => e.covered,
        total => total,
        left_out_count => left_out,
        left_out => e.left_out.iter().map(|l| context! {
            zone => l.time_zone.name(),
            organization => l.organization.as_deref(),
            invitees => l.invitees,
        }).collect::<Vec<_>>(),
        mean_distance => e.mean_distance_minutes,
        sessions => e.starts_at.iter().zip(&e.per_session).map(|(t, expected)| context! {
            utc => t.format("%H:%M").to_string(),
            day => i18n::format_date(language, t.with_timezone(&chrono_tz::UTC), &i18n::text(language, "date.short", &[])),
            local => t.with_timezone(&tz).format("%H:%M").to_string(),
            expected => expected,
        }).collect::<Vec<_>>(),
        starts_value => e.starts_at.iter().map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).collect::<Vec<_>>().join(","),
        duration => duration,
    }
}

fn plan_map(
    language: Language,
    webinar: &Webinar,
    p: &Planned,
    shown: usize,
    by_organization: bool,
) -> Value {
    let mut bands: Vec<Band> = p
        .audience
        .sessions
        .iter()
        .map(|s| Band {
            label: s.label.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at(),
            proposal: false,
        })
        .collect();
    if let Some(e) = shown.checked_sub(1).and_then(|i| p.plan.proposals.get(i)) {
        for t in &e.starts_at {
            bands.push(Band {
                label: format!("{} UTC", t.format("%H:%M")),
                starts_at: *t,
                ends_at: services::planner::ends(*t, p.request.duration_minutes),
                proposal: true,
            });
        }
    }
    let date = p.request.dates[0];
    day_map::map(
        language,
        &webinar.rules,
        date,
        &p.audience.people,
        &bands,
        by_organization,
    )
}

/// A proposal as the forms carry it.
#[derive(Deserialize)]
pub(crate) struct ProposalForm {
    csrf: String,
    starts_at: String,
    duration_minutes: String,
}

impl ProposalForm {
    fn times(&self) -> AppResult<(Vec<DateTime<Utc>>, u32)> {
        let times = self
            .starts_at
            .split(',')
            .map(|t| parse_instant("starts_at", t.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        let duration = number("duration_minutes", &self.duration_minutes)?
            .ok_or_else(|| AppError::BadRequest("duration_minutes is required".into()))?;
        Ok((times, duration))
    }
}

/// The confirmation: what moves, what is added or cancelled, and how many people are told.
pub(crate) async fn confirm_plan(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ProposalForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let (times, duration) = form.times()?;
    let change = services::planner::preview(&state, &webinar, &times, duration).await?;
    let language = lang(&web);
    let tz = webinar.time_zone.0;
    let when = |t: DateTime<Utc>| {
        format!(
            "{} UTC ({} {})",
            t.format("%Y-%m-%d %H:%M"),
            t.with_timezone(&tz).format("%H:%M"),
            tz.name()
        )
    };
    render(
        "organizer/plan_confirm.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar),
            moved => change.moved.iter().map(|(s, t)| context! {
                label => &s.label, from => when(s.starts_at), to => when(*t),
            }).collect::<Vec<_>>(),
            kept => change.kept.iter().map(|s| context! { label => &s.label, at => when(s.starts_at) }).collect::<Vec<_>>(),
            added => change.added.iter().map(|t| when(*t)).collect::<Vec<_>>(),
            cancelled => change.cancelled.iter().map(|s| context! { label => &s.label, at => when(s.starts_at) }).collect::<Vec<_>>(),
            notified => change.notified,
            notified_text => i18n::text(language, "org.plan_notified", &[("count", &change.notified.to_string())]),
            starts_value => &form.starts_at,
            duration => duration,
        }},
    )
}

pub(crate) async fn apply_plan(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ProposalForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let (times, duration) = form.times()?;
    services::planner::apply(&state, &webinar, &times, duration).await?;
    to(format!("/organizer/webinars/{id}"))
}

/// The people of a webinar as the map reads them (used by the coverage page).
pub(crate) fn people_of(invitees: &[crate::domain::invitee::Invitee]) -> Vec<Person> {
    invitees
        .iter()
        .map(|i| Person {
            time_zone: i.time_zone.0,
            organization: i.organization.clone(),
        })
        .collect()
}
