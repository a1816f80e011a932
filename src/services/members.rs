//! Co-organizers: the members of a webinar, their roles, and the check every organizer
//! request goes through (`access`).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use crate::context::Context;
use crate::db;
use crate::db::members::Member;
use crate::db::organizers::Organizer;
use crate::domain::member::{self, Access, Actor, Need, Role};
use crate::domain::{EmailAddress, MemberId, WebinarId};
use crate::email::letter::Letter;
use crate::error::{AppError, AppResult};
use crate::security::token_hash;

/// How long the link in a member invitation works.
const INVITATION_DAYS: i64 = 7;

/// The webinar `id` as `organizer` may use it for `need`: a non-member gets "not found"
/// (as if the webinar did not exist), a member whose role does not allow it 403.
pub async fn access(
    ctx: &Context,
    organizer: &Organizer,
    id: WebinarId,
    need: Need,
) -> AppResult<Access> {
    let mut conn = ctx.db.conn().await?;
    let webinar = db::webinars::find(conn.exec(), id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))?;
    let member = db::members::find(conn.exec(), id, organizer.id)
        .await?
        .ok_or_else(|| AppError::not_found("webinar"))?;
    if !member::allows(member.role, member.personal_data, need) {
        return Err(AppError::Forbidden(member::refusal(member.role, need)));
    }
    Ok(Access {
        webinar,
        actor: actor(organizer),
        role: member.role,
        personal_data: member.personal_data,
    })
}

/// The role `organizer` has on webinar `id`, if they are a member.
pub async fn role_of(
    ctx: &Context,
    organizer: &Organizer,
    id: WebinarId,
) -> AppResult<Option<Role>> {
    let mut conn = ctx.db.conn().await?;
    Ok(db::members::find(conn.exec(), id, organizer.id)
        .await?
        .map(|m| m.role))
}

pub fn actor(organizer: &Organizer) -> Actor {
    Actor {
        id: organizer.id,
        email: organizer.email.clone(),
    }
}

pub async fn list(ctx: &Context, access: &Access) -> AppResult<Vec<Member>> {
    let mut conn = ctx.db.conn().await?;
    Ok(db::members::list(conn.exec(), access.id).await?)
}

/// What an owner asks: add this address with this role.
pub struct NewMember {
    pub email: EmailAddress,
    pub role: Role,
    pub personal_data: bool,
}

/// Adds a member. An address with an account is added at once; an unknown one gets an
/// account without a password and an email with a one-time link to set it.
pub async fn add(ctx: &Context, access: &Access, new: NewMember) -> AppResult<Member> {
    let mut work = ctx.begin().await?;
    let existing = db::organizers::find_by_email(work.exec(), &new.email).await?;
    let (organizer, invited) = match existing {
        Some(o) => (o, false),
        None => {
            let name = new.email.as_str().split('@').next().unwrap_or_default();
            (
                db::organizers::insert(work.exec(), &new.email, name).await?,
                true,
            )
        }
    };
    if db::members::find(work.exec(), access.id, organizer.id)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(format!(
            "{} is a member of this webinar already; change their role instead",
            organizer.email
        )));
    }
    let id = db::members::insert(
        work.exec(),
        access.id,
        organizer.id,
        new.role,
        new.personal_data,
    )
    .await?;
    if invited {
        let link = Uuid::new_v4();
        db::web_sessions::create_password_link(
            work.exec(),
            &token_hash(&ctx.keys.account_link_token(link)),
            organizer.id,
            Utc::now() + Duration::days(INVITATION_DAYS),
        )
        .await?;
        let letter = Letter::member_invitation(access, &organizer, link);
        work.queue(access, &letter, "").await?;
    }
    work.audit(
        access,
        "member.added",
        &format!(
            "added {} as {}{}{}",
            organizer.email,
            new.role.as_str(),
            if new.personal_data && new.role == Role::Viewer {
                " with personal data"
            } else {
                ""
            },
            if invited {
                " (invited to create an account)"
            } else {
                ""
            }
        ),
    )
    .await?;
    let member = db::members::get(work.exec(), access.id, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the new member vanished")))?;
    work.commit().await?;
    Ok(member)
}

/// Changes a member's role or grant; the last owner cannot be demoted.
pub async fn change(
    ctx: &Context,
    access: &Access,
    id: MemberId,
    role: Option<Role>,
    personal_data: Option<bool>,
) -> AppResult<Member> {
    let mut work = ctx.begin().await?;
    let member = db::members::get(work.exec(), access.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("member"))?;
    let role = role.unwrap_or(member.role);
    let personal_data = personal_data.unwrap_or(member.personal_data);
    if member.role == Role::Owner
        && role != Role::Owner
        && db::members::owners(work.exec(), access.id).await? <= 1
    {
        return Err(AppError::Conflict(
            "this is the webinar's last owner: make someone else an owner first".into(),
        ));
    }
    db::members::update(work.exec(), id, role, personal_data).await?;
    work.audit(
        access,
        "member.changed",
        &format!(
            "{}: {} -> {}{}",
            member.email,
            member.role.as_str(),
            role.as_str(),
            if personal_data != member.personal_data {
                if personal_data {
                    ", personal data granted"
                } else {
                    ", personal data withdrawn"
                }
            } else {
                ""
            }
        ),
    )
    .await?;
    let changed = db::members::get(work.exec(), access.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("member"))?;
    work.commit().await?;
    Ok(changed)
}

/// Removes a member (an owner may remove anyone, themselves included, except the last
/// owner).
pub async fn remove(ctx: &Context, access: &Access, id: MemberId) -> AppResult<()> {
    let mut work = ctx.begin().await?;
    let member = db::members::get(work.exec(), access.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("member"))?;
    if member.role == Role::Owner && db::members::owners(work.exec(), access.id).await? <= 1 {
        return Err(AppError::Conflict(
            "this is the webinar's last owner: make someone else an owner first".into(),
        ));
    }
    db::members::delete(work.exec(), id).await?;
    work.audit(
        access,
        "member.removed",
        &format!("removed {} ({})", member.email, member.role.as_str()),
    )
    .await?;
    work.commit().await
}

/// Checks that the member may download personal data and records the download in the
/// audit trail (before the data goes out).
pub async fn personal_data_export(ctx: &Context, access: &Access, what: &str) -> AppResult<()> {
    if !access.allows(Need::PersonalData) {
        return Err(AppError::Forbidden(member::refusal(
            access.role,
            Need::PersonalData,
        )));
    }
    let mut work = ctx.begin().await?;
    work.audit(
        access,
        "export.personal_data",
        &format!("downloaded {what}"),
    )
    .await?;
    work.commit().await
}

/// One page of the audit trail as `filter` narrows it, newest first.
pub async fn audit(
    ctx: &Context,
    filter: &db::audit::Filter<'_>,
    page: &db::Page<i64>,
) -> AppResult<Vec<db::audit::Event>> {
    let mut conn = ctx.db.conn().await?;
    Ok(db::audit::page(conn.exec(), filter, page).await?)
}

/// One end of the audit filter's time range, if given.
pub type Bound = Option<DateTime<Utc>>;

/// The audit filter's days (UTC, `YYYY-MM-DD`, blank for none) as the instants that bound
/// them: from the start of `since` to the end of `until`; a day that does not parse is
/// refused, naming its field.
pub fn audit_days(since: Option<&str>, until: Option<&str>) -> AppResult<(Bound, Bound)> {
    let day = |value: Option<&str>, name: &str, after: i64| -> AppResult<Bound> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
            AppError::BadRequest(format!("{name}: a day as YYYY-MM-DD, not {value:?}"))
        })?;
        Ok((day + Duration::days(after))
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc()))
    };
    Ok((day(since, "since", 0)?, day(until, "until", 1)?))
}
