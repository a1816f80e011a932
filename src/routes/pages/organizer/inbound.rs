//! Replies and bounces: what came back to Meridian's mailbox, the answers per session,
//! and the held messages the organizer applies or dismisses.

#[allow(unused_imports)]
use super::*;

use crate::domain::answer::Answer;

pub(crate) async fn inbound_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let messages = services::inbound::list(&state, &webinar).await?;
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let registrations = db::registrations::list(conn.exec(), webinar.id, None).await?;
    let per_session: Vec<Value> = sessions
        .iter()
        .map(|s| {
            let of = |answer: Answer| {
                registrations
                    .iter()
                    .filter(|r| r.session_id == s.id && r.answer.answer == answer)
                    .count()
            };
            let bounced = registrations
                .iter()
                .filter(|r| r.session_id == s.id && r.answer.address_bounced)
                .count();
            context! {
                label => &s.label, accepted => of(Answer::Accepted), tentative => of(Answer::Tentative),
                declined => of(Answer::Declined), delegated => of(Answer::Delegated), bounced => bounced,
            }
        })
        .collect();
    let row = |m: &db::inbound::Stored| {
        context! {
            id => m.id.to_string(), kind => &m.kind, outcome => &m.outcome, reason => &m.reason,
            sender => &m.sender, subject => &m.subject,
            received_at => m.received_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    };
    let held: Vec<Value> = messages
        .iter()
        .filter(|m| m.outcome == "held")
        .map(row)
        .collect();
    let all: Vec<Value> = messages.iter().map(row).collect();
    render(
        "organizer/inbound.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), per_session => per_session, held => held, messages => all,
        }},
    )
}

/// Applies (`apply`) or dismisses (`dismiss`) a held message.
pub(crate) async fn decide_inbound(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path((id, message, decision)): Path<(String, String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    web.check_csrf(&form.csrf)?;
    let webinar = mine(&state, &organizer, &id, Need::Edit).await?;
    let message = parse_id(&message, "message", |u| u)?;
    match decision.as_str() {
        "apply" => services::inbound::apply(&state, &webinar, message).await?,
        "dismiss" => services::inbound::dismiss(&state, &webinar, message).await?,
        _ => return Err(AppError::not_found("page").into()),
    };
    to(format!("/organizer/webinars/{id}/inbound"))
}
