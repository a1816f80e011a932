//! The chairs page: a webinar's session chairs as a list page (searched, filtered by
//! session, in pages), beside the few the webinar page shows per session.

#[allow(unused_imports)]
use super::*;

/// Chairs the webinar page shows per session; the rest are on the chairs page.
pub(crate) const CHAIRS_SHOWN: i64 = 10;

pub(crate) async fn chairs_page(
    State(state): State<AppState>,
    web: Web,
    SignedIn(organizer): SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let webinar = mine(&state, &organizer, &id, Need::Read).await?;
    let mut view = query.check(ListOf::People)?;
    // Removed chairs (and those of cancelled sessions) are history, not chairs.
    view.filter.status = "active".into();
    let mut conn = state.db.conn().await?;
    let sessions = db::sessions::list(conn.exec(), webinar.id).await?;
    let listed = db::chairs::list_page(
        conn.exec(),
        webinar.id,
        &view.filter,
        view.sort,
        &view.window,
    )
    .await?;
    let (matching, total) =
        db::chairs::counts(conn.exec(), webinar.id, &view.filter, &view.window, &listed).await?;
    let rows: Vec<Value> = listed
        .rows
        .iter()
        .map(|(c, _)| {
            let session = sessions.iter().find(|s| s.id == c.session_id);
            context! {
                id => c.id.0.to_string(), name => &c.name, email => c.email.as_str(),
                session => session.map(|s| s.label.clone()),
                local => session.map(|s| i18n::session_time(lang(&web), c.time_zone.0, s.starts_at, s.ends_at())),
                time_zone => c.time_zone.to_string(), language => c.language.code(),
                answer => c.answer.answer.as_str(), bounced => c.answer.address_bounced,
            }
        })
        .collect();
    let path = format!("/organizer/webinars/{id}/chairs");
    render(
        "organizer/chairs.html",
        context! { ..base(&web, Some(&organizer)), ..context! {
            webinar => webinar_value(&webinar), chairs => rows,
            sessions => sessions.iter().map(|s| context! { id => s.id.to_string(), label => &s.label }).collect::<Vec<_>>(),
            pager => view.pager(&path, &listed, matching, total),
            filter => context! { session => &view.query.session, q => &view.query.q },
        }},
    )
}
