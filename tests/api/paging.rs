//! `?limit=&cursor=` on the organizer's JSON lists: pages follow the `Link: rel="next"`
//! header, their concatenation is the whole list, and a list asked without `limit` answers
//! as before (a plain array, no Link header).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    invitees_come_in_pages_that_add_up_to_the_whole_list,
    registrations_come_in_pages_that_keep_the_session_filter,
    outbox_comes_in_pages_that_add_up_to_the_whole_list,
    chairs_come_in_pages_in_the_order_they_were_named,
    bad_limits_and_cursors_are_refused_by_name,
);

/// The `rel="next"` URL of a `Link` header, if any.
fn next_of(response: &reqwest::Response) -> Option<String> {
    let link = response
        .headers()
        .get("link")?
        .to_str()
        .unwrap()
        .to_string();
    let (url, rel) = link.split_once(';').expect("<url>; rel=...");
    assert_eq!(rel.trim(), "rel=\"next\"", "{link}");
    let url = url.trim();
    assert!(url.starts_with('<') && url.ends_with('>'), "{link}");
    Some(url[1..url.len() - 1].to_string())
}

/// Follows the pages of `path` (which may hold a query already) `limit` rows at a time:
/// the page sizes, and whether each page had a Link; also every row, in order.
async fn walk(app: &TestApp, path: &str, limit: u32) -> (Vec<usize>, Vec<bool>, Vec<Value>) {
    let join = if path.contains('?') { '&' } else { '?' };
    let mut url = Some(app.url(&format!("{path}{join}limit={limit}")));
    let (mut sizes, mut links, mut rows) = (vec![], vec![], vec![]);
    while let Some(current) = url.take() {
        assert!(sizes.len() < 50, "the pages do not end");
        let response = app
            .client
            .get(&current)
            .bearer_auth(&app.token)
            .send()
            .await
            .unwrap();
        url = next_of(&response);
        if let Some(next) = &url {
            assert!(
                next.starts_with(&app.address),
                "the next page is on this server: {next}"
            );
            assert!(next.contains(&format!("limit={limit}")), "{next}");
        }
        let page = json_of(response, StatusCode::OK).await;
        let page = page.as_array().expect("a page is a JSON array").clone();
        sizes.push(page.len());
        links.push(url.is_some());
        rows.extend(page);
    }
    (sizes, links, rows)
}

/// The whole list as asked without `limit`: a plain array and no Link header.
async fn whole(app: &TestApp, path: &str) -> Vec<Value> {
    let response = app.get_as_organizer(path).await;
    assert!(
        response.headers().get("link").is_none(),
        "no Link header without limit"
    );
    json_of(response, StatusCode::OK)
        .await
        .as_array()
        .expect("the whole list is a JSON array")
        .clone()
}

/// 25 invitees: some without organization, two organizations, and a name that appears
/// twice in one organization, so that the order needs every part of the key.
fn invitees_csv() -> String {
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
    for i in 0..25 {
        let organization = ["", "Beta Ministry", "Alpha Office"][i % 3];
        let name = if i % 5 == 0 {
            "Same Name".to_string()
        } else {
            format!("Person {:02}", 30 - i)
        };
        csv.push_str(&format!(
            "{name},p{i}@example.org,{organization},Officer,CH,Europe/Zurich,en\n"
        ));
    }
    csv
}

async fn invitees_come_in_pages_that_add_up_to_the_whole_list(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    json_of(app.import_csv(&w.id, &invitees_csv()).await, StatusCode::OK).await;
    let path = format!("/api/v1/webinars/{}/invitees", w.id);

    let all = whole(&app, &path).await;
    assert_eq!(all.len(), 25);
    let (sizes, links, rows) = walk(&app, &path, 10).await;
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(links, [true, true, false]);
    assert_eq!(rows, all);
    // By organization (none first), then name.
    let orgs: Vec<&str> = all
        .iter()
        .map(|i| i["organization"].as_str().unwrap_or(""))
        .collect();
    assert!(orgs.is_sorted(), "{orgs:?}");
    assert_eq!(orgs[0], "");

    // A page size that divides the list: no Link after the last full page.
    let (sizes, links, rows) = walk(&app, &path, 5).await;
    assert_eq!(sizes, [5, 5, 5, 5, 5]);
    assert_eq!(links, [true, true, true, true, false]);
    assert_eq!(rows, all);
    let (sizes, links, rows) = walk(&app, &path, 200).await;
    assert_eq!((sizes, links), (vec![25], vec![false]));
    assert_eq!(rows, all);
}

async fn registrations_come_in_pages_that_keep_the_session_filter(backend: Backend) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let w = app.model_webinar(None, None).await;
    for i in 0..25 {
        let session = if i % 3 == 0 { &w.pm } else { &w.am };
        app.register_ok(
            &w.id,
            &json!({"name": format!("Registrant {i}"), "email": format!("r{i}@example.org"),
                    "time_zone": "Europe/Zurich", "session_id": session}),
        )
        .await;
    }
    let path = format!("/api/v1/webinars/{}/registrations", w.id);
    let all = whole(&app, &path).await;
    assert_eq!(all.len(), 25);
    let (sizes, links, rows) = walk(&app, &path, 10).await;
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(links, [true, true, false]);
    assert_eq!(rows, all);

    // The next page's URL keeps session_id: 16 AM registrations in pages of 6.
    let am = format!("{path}?session_id={}", w.am);
    let am_all = whole(&app, &am).await;
    assert_eq!(am_all.len(), 16);
    assert!(am_all.iter().all(|r| r["session_id"] == w.am.as_str()));
    let (sizes, links, rows) = walk(&app, &am, 6).await;
    assert_eq!(sizes, [6, 6, 4]);
    assert_eq!(links, [true, true, false]);
    assert_eq!(rows, am_all);
}

async fn outbox_comes_in_pages_that_add_up_to_the_whole_list(backend: Backend) {
    // No mail worker: the messages stay pending while the test reads the pages.
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let w = app.model_webinar(None, None).await;
    json_of(app.import_csv(&w.id, &invitees_csv()).await, StatusCode::OK).await;
    json_of(
        app.organizer(
            reqwest::Method::POST,
            &format!("/api/v1/webinars/{}/invitations", w.id),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let path = format!("/api/v1/webinars/{}/outbox", w.id);
    let all = whole(&app, &path).await;
    assert_eq!(all.len(), 25, "one invitation per invitee");
    let (sizes, links, rows) = walk(&app, &path, 10).await;
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(links, [true, true, false]);
    assert_eq!(rows, all);
    let ids: Vec<i64> = all.iter().map(|m| m["id"].as_i64().unwrap()).collect();
    assert!(ids.is_sorted(), "in the order they were queued: {ids:?}");

    // A page of invitees shows each one's registration, as the whole list does.
    let invitees = format!("/api/v1/webinars/{}/invitees", w.id);
    let all = whole(&app, &invitees).await;
    assert!(
        all.iter().all(|i| i["registration"]["status"] == "invited"),
        "{all:?}"
    );
    let (sizes, _, rows) = walk(&app, &invitees, 10).await;
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(rows, all);
}

async fn bad_limits_and_cursors_are_refused_by_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    json_of(app.import_csv(&w.id, &invitees_csv()).await, StatusCode::OK).await;
    for list in ["invitees", "registrations", "outbox"] {
        let path = format!("/api/v1/webinars/{}/{list}", w.id);
        for limit in ["0", "201", "-1", "ten", "", "1.5"] {
            let response = app.get_as_organizer(&format!("{path}?limit={limit}")).await;
            assert_error(response, StatusCode::BAD_REQUEST, "limit").await;
        }
        for cursor in ["not a cursor!", "AAAA", "bm90IGpzb24", "eyJhIjoxfQ"] {
            let response = app
                .get_as_organizer(&format!("{path}?limit=10&cursor={cursor}"))
                .await;
            assert_error(response, StatusCode::BAD_REQUEST, "cursor").await;
        }
        let response = app.get_as_organizer(&format!("{path}?cursor=AAAA")).await;
        assert_error(response, StatusCode::BAD_REQUEST, "cursor").await;
    }
    // A cursor of another list does not fit this one.
    let outbox_cursor = "MTA"; // base64url of `10`, an outbox cursor
    let response = app
        .get_as_organizer(&format!(
            "/api/v1/webinars/{}/invitees?limit=10&cursor={outbox_cursor}",
            w.id
        ))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "cursor").await;
}

/// A session's chairs, in the order they were named (two named in the same instant are
/// ordered by id, so a page boundary between them loses nobody).
async fn chairs_come_in_pages_in_the_order_they_were_named(backend: Backend) {
    let app = spawn_app(backend).await;
    let w = app.model_webinar(None, None).await;
    let path = format!("/api/v1/webinars/{}/sessions/{}/chairs", w.id, w.am);
    for i in 0..7 {
        let chair = json!({"name": format!("Chair {i}"), "email": format!("chair{i}@rcp.example.org"),
            "time_zone": "Europe/Zurich"});
        json_of(
            app.organizer(reqwest::Method::POST, &path, Some(&chair))
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let all = whole(&app, &path).await;
    let names: Vec<&str> = all.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        (0..7).map(|i| format!("Chair {i}")).collect::<Vec<_>>()
    );
    let (sizes, links, rows) = walk(&app, &path, 3).await;
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(links, [true, true, false]);
    assert_eq!(rows, all);
    let (sizes, links, rows) = walk(&app, &path, 7).await;
    assert_eq!((sizes, links), (vec![7], vec![false]));
    assert_eq!(rows, all);
    // A bad limit is refused by name, as on the other lists.
    assert_error(
        app.get_as_organizer(&format!("{path}?limit=0")).await,
        StatusCode::BAD_REQUEST,
        "limit",
    )
    .await;
}
