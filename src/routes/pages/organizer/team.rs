//! The team: the members of a webinar and their roles, the webinar's audit trail, and
//! the account's own sign-ins.

#[allow(unused_imports)]
use super::*;
use crate::db::audit::{Event, Filter};
use crate::domain::member::Role;
use crate::domain::{EmailAddress, MemberId};
use crate::services::members::{self, NewMember};

fn event_value(e: &Event) -> Value {
    context! {
        at => e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(), actor => &e.actor,
        action => &e.action, summary => &e.summary,
    }
}

async fn show_members(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    access: &Access,
    problem: Option<String>,
) -> PageResult {
    let list = members::list(state, access).await?;
    let rows: Vec<Value> = list
        .iter()
        .map(|m| {
            context! {
                id => m.id.to_string(), email => &m.email, name => &m.name, role => m.role.as_str(),
                personal_data => m.role != Role::Viewer || m.personal_data, viewer => m.role == Role::Viewer,
                has_account => m.has_account, me => m.organizer_id == organizer.id,
            }
        })
        .collect();
    render(
        "organizer/members.html",
        context! { ..base(web, Some(organizer)), ..context! {
            webinar => webinar_value(access), members => rows, problem => problem,
            owner => access.allows(Need::Own), roles => Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        }},
    )
}

pub(crate) async fn members_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let access = mine(&state, &organizer, &id, Need::Read).await?;
    show_members(&state, &web, &organizer, &access, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct MemberForm {
    csrf: String,
    email: String,
    role: String,
    personal_data: Option<String>,
}

/// Runs an owner's change, then back to the members page (or the page again with the
/// problem).
async fn members_change(
    state: &AppState,
    web: &Web,
    organizer: &Organizer,
    id: &str,
    change: impl Future<Output = AppResult<()>>,
) -> PageResult {
    change_then(
        lang(web),
        change,
        format!("/organizer/webinars/{id}/members"),
        async |problem| {
            let access = mine(state, organizer, id, Need::Read).await?;
            show_members(state, web, organizer, &access, Some(problem)).await
        },
    )
    .await
}

pub(crate) async fn add_member(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    members_change(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let access = mine(&state, &organizer, &id, Need::Own).await?;
        let new = NewMember {
            email: EmailAddress::parse(&form.email)?,
            role: Role::parse(form.role.trim()).map_err(AppError::BadRequest)?,
            personal_data: form.personal_data.is_some(),
        };
        members::add(&state, &access, new).await.map(|_| ())
    })
    .await
}

pub(crate) async fn change_member(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, member)): Path<(String, String)>,
    Form(form): Form<MemberForm>,
) -> PageResult {
    members_change(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let access = mine(&state, &organizer, &id, Need::Own).await?;
        let member = parse_id(&member, "member", MemberId)?;
        let role = Role::parse(form.role.trim()).map_err(AppError::BadRequest)?;
        members::change(
            &state,
            &access,
            member,
            Some(role),
            Some(form.personal_data.is_some()),
        )
        .await
        .map(|_| ())
    })
    .await
}

pub(crate) async fn remove_member(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, member)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    members_change(&state, &web, &organizer, &id, async {
        web.check_csrf(&form.csrf)?;
        let access = mine(&state, &organizer, &id, Need::Own).await?;
        let member = parse_id(&member, "member", MemberId)?;
        members::remove(&state, &access, member).await
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AuditForm {
    action: String,
    actor: String,
    since: String,
    until: String,
    before: Option<i64>,
}

const AUDIT_PAGE: i64 = 100;

pub(crate) async fn audit_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<AuditForm>,
) -> PageResult {
    let access = mine(&state, &organizer, &id, Need::Edit).await?;
    let (since, until) = members::audit_days(Some(&query.since), Some(&query.until))?;
    let filter = Filter {
        webinar: Some(access.id),
        organizer: None,
        action: Some(query.action.trim()).filter(|a| !a.is_empty()),
        actor: Some(query.actor.trim()).filter(|a| !a.is_empty()),
        since,
        until,
    };
    let page = crate::db::Page {
        after: query.before,
        limit: AUDIT_PAGE + 1,
    };
    let mut events = members::audit(&state, &filter, &page).await?;
    let more = events.len() as i64 > AUDIT_PAGE;
    events.truncate(AUDIT_PAGE as usize);
    let older = more.then(|| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("action", &query.action),
            ("actor", &query.actor),
            ("since", &query.since),
            ("until", &query.until),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v);
            }
        }
        q.append_pair(
            "before",
            &events.last().map(|e| e.id).unwrap_or(0).to_string(),
        );
        q.finish()
    });
    render(
        "organizer/audit.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&access), events => events.iter().map(event_value).collect::<Vec<_>>(),
            filter => context! { action => &query.action, actor => &query.actor, since => &query.since, until => &query.until },
            older => older,
        }},
    )
}

pub(crate) async fn account_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
) -> PageResult {
    let filter = Filter {
        webinar: None,
        organizer: Some(organizer.id),
        action: Some("account."),
        actor: None,
        since: None,
        until: None,
    };
    let page = crate::db::Page {
        after: None,
        limit: AUDIT_PAGE,
    };
    let events = members::audit(&state, &filter, &page).await?;
    render(
        "organizer/account.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            events => events.iter().map(event_value).collect::<Vec<_>>(),
        }},
    )
}
