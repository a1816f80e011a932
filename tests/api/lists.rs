//! The organizer's list pages at scale: keyset pages of at most 200 rows with links to
//! the neighbours that keep the filters, counts on top, search, filters and orders, and
//! bulk actions on exactly the ticked rows.

use std::collections::HashSet;

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(
    the_invitees_page_comes_in_pages_without_overlap,
    the_invitees_page_searches_filters_and_sorts_with_counts,
    bulk_invitations_and_removals_act_on_the_ticked_invitees,
    the_registrations_page_pages_filters_and_acts_in_bulk,
    the_outbox_page_comes_in_pages_with_filters_and_counts,
    the_attendance_page_pages_filters_and_marks_in_bulk,
    the_chairs_page_pages_and_searches_and_the_webinar_page_shows_a_few,
    a_broad_filter_is_counted_up_to_a_thousand,
);

const PEOPLE: usize = 260;

/// 260 invitees: four organizations (every fifth person has none), English and French,
/// three zones; names numbered so that the order by name is known.
fn people_csv() -> String {
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
    for i in 0..PEOPLE {
        let organization = [
            "",
            "Beta Ministry",
            "Alpha Office",
            "Gamma Agency",
            "Delta Unit",
        ][i % 5];
        let zone = ["Europe/Zurich", "Asia/Tokyo", "America/Lima"][i % 3];
        let language = if i % 4 == 0 { "fr" } else { "en" };
        csv.push_str(&format!(
            "Person {:03},p{i}@example.org,{organization},Officer,CH,{zone},{language}\n",
            PEOPLE - i
        ));
    }
    csv
}

/// A signed-in browser with a webinar (AM and PM sessions) holding [`people_csv`]:
/// the webinar page's address and the CSRF token.
async fn site(app: &TestApp) -> (Browser, String, String) {
    let browser = Browser::new(app);
    browser.sign_in(app).await;
    let (base, csrf) = browser
        .create_webinar(
            "At scale",
            &[("AM", "2030-09-24T07:00"), ("PM", "2030-09-24T15:00")],
        )
        .await;
    let response = browser.upload_invitees(&base, &csrf, &people_csv()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("{PEOPLE} imported")), "{page}");
    (browser, base, csrf)
}

/// The values of the checkboxes named `name` on the page: its rows, in order.
fn rows(page: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker)
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The address of the link marked `rel` (`next` or `prev`), relative to `list`.
fn link(page: &str, list: &str, rel: &str) -> Option<String> {
    let at = page.find(&format!("\" rel=\"{rel}\""))?;
    let href = &page[..at];
    let href = &href[href.rfind("href=\"")? + 6..];
    Some(format!(
        "{list}{}",
        href.replace("&amp;", "&").replace("&#x2f;", "/")
    ))
}

/// The number in the page's count heading (`id`), e.g. "260 invitees".
fn count(page: &str, id: &str) -> usize {
    let at = page
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no #{id} in\n{page}"));
    let text = &page[at + id.len() + 6..];
    text.chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap()
}

/// The names shown in the rows of a list page, in order.
fn names(page: &str) -> Vec<String> {
    page.split("<td>Person ")
        .skip(1)
        .map(|s| format!("Person {}", &s[..3]))
        .collect()
}

async fn the_invitees_page_comes_in_pages_without_overlap(backend: Backend) {
    let app = spawn_app(backend).await;
    let (browser, base, _) = site(&app).await;
    let list = format!("{base}/invitees");

    let (status, first) = browser.get(&list).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(&first, "invitee-count"), PEOPLE);
    let page1 = rows(&first, "invitee");
    assert_eq!(page1.len(), 100, "100 rows by default");
    assert!(
        link(&first, &list, "prev").is_none(),
        "no page before the first"
    );

    let next = link(&first, &list, "next").expect("a next page");
    let (_, second) = browser.get(&next).await;
    let page2 = rows(&second, "invitee");
    assert_eq!(page2.len(), 100);
    let (_, third) = browser
        .get(&link(&second, &list, "next").expect("a third page"))
        .await;
    let page3 = rows(&third, "invitee");
    assert_eq!(page3.len(), PEOPLE - 200);
    assert!(link(&third, &list, "next").is_none(), "the last page");
    let all: HashSet<&String> = page1.iter().chain(&page2).chain(&page3).collect();
    assert_eq!(all.len(), PEOPLE, "every invitee once, no overlap");

    // Back from page 2 is page 1 again, and back from page 3 is page 2.
    let (_, back) = browser
        .get(&link(&second, &list, "prev").expect("a previous page"))
        .await;
    assert_eq!(rows(&back, "invitee"), page1);
    let (_, back) = browser.get(&link(&third, &list, "prev").unwrap()).await;
    assert_eq!(rows(&back, "invitee"), page2);

    // Pages of 200 at most; the limit is kept in the links.
    let (_, big) = browser.get(&format!("{list}?limit=200")).await;
    assert_eq!(rows(&big, "invitee").len(), 200);
    let next = link(&big, &list, "next").unwrap();
    assert!(next.contains("limit=200"), "{next}");
    assert_eq!(
        rows(&browser.get(&next).await.1, "invitee").len(),
        PEOPLE - 200
    );
    for bad in ["201", "0", "ten"] {
        let (status, page) = browser.get(&format!("{list}?limit={bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "limit={bad}");
        assert!(page.contains("limit"), "{page}");
    }
    let (status, _) = browser.get(&format!("{list}?after=bm90IGEga2V5")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // A cursor of the order by name does not fit the order by organization.
    let by_name = link(
        &browser.get(&format!("{list}?sort=name")).await.1,
        &list,
        "next",
    )
    .unwrap()
    .replace("sort=name&", "");
    let (status, _) = browser.get(&by_name).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{by_name}");
}

async fn the_invitees_page_searches_filters_and_sorts_with_counts(backend: Backend) {
    let app = spawn_app(backend).await;
    let (browser, base, _) = site(&app).await;
    let list = format!("{base}/invitees");

    // Search: name, email or organization, in any letter case.
    let (_, page) = browser.get(&format!("{list}?q=PERSON%2025")).await;
    assert_eq!(count(&page, "invitee-count"), 10, "Person 250 to 259");
    assert!(page.contains(&format!("of {PEOPLE} in all")), "{page}");
    let (_, page) = browser.get(&format!("{list}?q=p17%40example")).await;
    assert_eq!(count(&page, "invitee-count"), 1);
    let (_, page) = browser.get(&format!("{list}?q=alpha")).await;
    assert_eq!(count(&page, "invitee-count"), PEOPLE / 5);
    assert_eq!(rows(&page, "invitee").len(), PEOPLE / 5);
    // LIKE's wildcards are searched as themselves.
    let (_, page) = browser.get(&format!("{list}?q=%25")).await;
    assert_eq!(count(&page, "invitee-count"), 0);

    // Filters, alone and together; the links to further pages keep them.
    let (_, page) = browser.get(&format!("{list}?language=fr")).await;
    assert_eq!(count(&page, "invitee-count"), PEOPLE / 4);
    let (_, page) = browser.get(&format!("{list}?zone=Asia%2FTokyo")).await;
    let tokyo = (0..PEOPLE).filter(|i| i % 3 == 1).count();
    assert_eq!(count(&page, "invitee-count"), tokyo);
    assert_eq!(rows(&page, "invitee").len(), tokyo);
    let (_, page) = browser
        .get(&format!("{list}?zone=Asia%2FTokyo&language=fr&limit=10"))
        .await;
    let both = (0..PEOPLE).filter(|i| i % 3 == 1 && i % 4 == 0).count();
    assert_eq!(count(&page, "invitee-count"), both);
    let next = link(&page, &list, "next").unwrap();
    assert!(
        next.contains("zone=Asia%2FTokyo") && next.contains("language=fr"),
        "{next}"
    );
    let (_, page2) = browser.get(&next).await;
    assert!(
        page2.contains("<td dir=\"ltr\">Asia&#x2f;Tokyo")
            && !page2.contains("<td dir=\"ltr\">America&#x2f;Lima"),
        "{page2}"
    );
    assert_eq!(rows(&page2, "invitee").len(), (both - 10).min(10));

    // By name: Person 001 first; the next page continues the order.
    let (_, page) = browser.get(&format!("{list}?sort=name")).await;
    let shown = names(&page);
    assert_eq!(shown.first().map(String::as_str), Some("Person 001"));
    assert!(shown.is_sorted(), "{shown:?}");
    let (_, page2) = browser.get(&link(&page, &list, "next").unwrap()).await;
    let more = names(&page2);
    assert_eq!(more.first().map(String::as_str), Some("Person 101"));
    // By organization (those without one last): Alpha Office first.
    let (_, page) = browser.get(&list).await;
    let first_org = page.split("</span></td><td>").nth(1).unwrap();
    assert!(first_org.starts_with("Alpha Office"), "{first_org}");
    // By arrival: the order of the file.
    let (_, page) = browser.get(&format!("{list}?sort=created&limit=3")).await;
    assert_eq!(
        names(&page),
        [
            format!("Person {PEOPLE:03}"),
            format!("Person {:03}", PEOPLE - 1),
            format!("Person {:03}", PEOPLE - 2)
        ]
    );
    let (status, _) = browser.get(&format!("{list}?sort=email")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn bulk_invitations_and_removals_act_on_the_ticked_invitees(backend: Backend) {
    let app = spawn_app(backend).await;
    let (browser, base, csrf) = site(&app).await;
    let list = format!("{base}/invitees");
    let (_, page) = browser.get(&format!("{list}?sort=name")).await;
    let ids = rows(&page, "invitee");

    let (status, page, url) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", &csrf),
                ("action", "invite"),
                ("invitee", &ids[0]),
                ("invitee", &ids[5]),
                ("invitee", &ids[9]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.contains("queued=3"), "{url}");
    let (_, page) = browser
        .get(&format!("{base}/registrations?sort=name"))
        .await;
    assert_eq!(count(&page, "registration-count"), 3);
    assert_eq!(names(&page), ["Person 001", "Person 006", "Person 010"]);
    // Ticking one already invited again sends nothing twice.
    let (_, _, url) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", &csrf),
                ("action", "invite"),
                ("invitee", &ids[0]),
                ("invitee", &ids[1]),
            ],
        )
        .await;
    assert!(url.contains("queued=1"), "{url}");

    // Removal: exactly the ticked ones, back on the page the form was on.
    let back = format!(
        "{}?sort=name&q=person",
        list.trim_start_matches(&app.address)
    );
    let (status, page, url) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", &csrf),
                ("action", "remove"),
                ("back", &back),
                ("invitee", &ids[2]),
                ("invitee", &ids[3]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.ends_with("sort=name&q=person"), "{url}");
    assert_eq!(count(&page, "invitee-count"), PEOPLE - 2);
    let shown = names(&page);
    assert!(!shown.contains(&"Person 003".into()) && !shown.contains(&"Person 004".into()));
    assert!(shown.contains(&"Person 002".into()) && shown.contains(&"Person 005".into()));

    // Nothing ticked, a bad token, or an unknown action change nothing.
    let (status, _, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[("csrf", &csrf), ("action", "remove")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", "forged"),
                ("action", "remove"),
                ("invitee", &ids[7]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[("csrf", &csrf), ("action", "shred"), ("invitee", &ids[7])],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        count(&browser.get(&list).await.1, "invitee-count"),
        PEOPLE - 2
    );
}

async fn the_registrations_page_pages_filters_and_acts_in_bulk(backend: Backend) {
    let app = spawn_app(backend).await;
    let (browser, base, csrf) = site(&app).await;
    let (status, _, _) = browser
        .post(&format!("{base}/invitations"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = format!("{base}/registrations");

    let (_, first) = browser.get(&list).await;
    assert_eq!(count(&first, "registration-count"), PEOPLE);
    let page1 = rows(&first, "registration");
    assert_eq!(page1.len(), 100);
    let (_, second) = browser.get(&link(&first, &list, "next").unwrap()).await;
    let page2 = rows(&second, "registration");
    assert_eq!(page2.len(), 100);
    assert!(page1.iter().all(|id| !page2.contains(id)), "no overlap");

    // The session filter and the search narrow the count.
    let sessions: Vec<String> = first
        .split("<option value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .filter(|v| v.len() == 36)
        .collect();
    let (am, pm) = (&sessions[0], &sessions[1]);
    let in_am = count(
        &browser.get(&format!("{list}?session={am}")).await.1,
        "registration-count",
    );
    let in_pm = count(
        &browser.get(&format!("{list}?session={pm}")).await.1,
        "registration-count",
    );
    assert_eq!(in_am + in_pm, PEOPLE);
    let (_, page) = browser
        .get(&format!("{list}?q=beta&status=invited&language=en"))
        .await;
    let beta_en = (0..PEOPLE).filter(|i| i % 5 == 1 && i % 4 != 0).count();
    assert_eq!(count(&page, "registration-count"), beta_en);
    let (_, page) = browser.get(&format!("{list}?status=registered")).await;
    assert_eq!(count(&page, "registration-count"), 0);

    // Bulk move: exactly the three ticked people of the AM session go to PM.
    let (_, page) = browser.get(&format!("{list}?session={am}&sort=name")).await;
    let am_ids = rows(&page, "registration");
    let moved = &am_ids[..3];
    let (status, page, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", &csrf),
                ("action", "move"),
                ("session_id", pm),
                ("registration", &moved[0]),
                ("registration", &moved[1]),
                ("registration", &moved[2]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (_, page) = browser.get(&format!("{list}?session={pm}&limit=200")).await;
    assert_eq!(count(&page, "registration-count"), in_pm + 3);
    let (_, rest) = browser
        .get(&link(&page, &list, "next").map_or(format!("{list}?session={pm}"), |l| l))
        .await;
    let now_pm: HashSet<String> = rows(&page, "registration")
        .into_iter()
        .chain(rows(&rest, "registration"))
        .collect();
    assert!(moved.iter().all(|id| now_pm.contains(id)));
    let (_, page) = browser.get(&format!("{list}?session={am}&sort=name")).await;
    assert_eq!(count(&page, "registration-count"), in_am - 3);
    assert_eq!(rows(&page, "registration")[..am_ids.len() - 3], am_ids[3..]);

    // Bulk mark attended: two people get a manual "attended" record, nobody else.
    let marked = [&page1[10], &page1[20]];
    let (status, page, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", &csrf),
                ("action", "attended"),
                ("registration", marked[0]),
                ("registration", marked[1]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut conn = app.context().db.conn().await.unwrap();
    for id in page1.iter().take(30) {
        let records = meridian::db::attendance::of_registration(
            conn.exec(),
            meridian::domain::RegistrationId(id.parse().unwrap()),
        )
        .await
        .unwrap();
        let attended = records.iter().any(|r| r.attended);
        assert_eq!(attended, marked.contains(&id), "registration {id}");
    }
}

async fn the_outbox_page_comes_in_pages_with_filters_and_counts(backend: Backend) {
    // No mail worker: every invitation stays pending while the test reads.
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let (browser, base, csrf) = site(&app).await;
    browser
        .post(&format!("{base}/invitations"), &[("csrf", &csrf)])
        .await;
    let list = format!("{base}/outbox");
    let recipients = |page: &str| {
        page.split("<td dir=\"ltr\">")
            .skip(1)
            .map(|s| s.split('<').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };

    let (_, first) = browser.get(&list).await;
    assert_eq!(count(&first, "message-count"), PEOPLE);
    let page1 = recipients(&first);
    assert_eq!(page1.len(), 100);
    let (_, second) = browser.get(&link(&first, &list, "next").unwrap()).await;
    let page2 = recipients(&second);
    assert_eq!(page2.len(), 100);
    assert!(page1.iter().all(|r| !page2.contains(r)), "no overlap");
    let (_, back) = browser.get(&link(&second, &list, "prev").unwrap()).await;
    assert_eq!(recipients(&back), page1);

    let (_, page) = browser.get(&format!("{list}?q=P17%40")).await;
    assert_eq!(recipients(&page), ["p17@example.org"]);
    let (_, page) = browser
        .get(&format!("{list}?status=pending&kind=invitation&limit=200"))
        .await;
    assert_eq!(count(&page, "message-count"), PEOPLE);
    let next = link(&page, &list, "next").unwrap();
    assert!(
        next.contains("status=pending") && next.contains("kind=invitation"),
        "{next}"
    );
    let (_, page) = browser.get(&format!("{list}?status=sent")).await;
    assert_eq!(count(&page, "message-count"), 0);
    for bad in ["status=lost", "kind=postcard", "sort=name", "limit=500"] {
        let (status, _) = browser.get(&format!("{list}?{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// The ids of the sessions offered in a page's session filter, in order (AM, PM).
fn session_ids(page: &str) -> Vec<String> {
    let filter = &page[page.find("id=\"f-session\"").expect("a session filter")..];
    let filter = &filter[..filter.find("</select>").unwrap()];
    filter
        .split("<option value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .filter(|v| v.len() == 36)
        .collect()
}

async fn the_attendance_page_pages_filters_and_marks_in_bulk(backend: Backend) {
    let app = spawn_app(backend).await;
    let (browser, base, csrf) = site(&app).await;
    let (status, _, _) = browser
        .post(&format!("{base}/invitations"), &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::OK);
    let list = format!("{base}/attendance");

    // In pages of 100 (at most 200), every registration once, with the count on top.
    let (status, first) = browser.get(&list).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(count(&first, "registration-count"), PEOPLE);
    let page1 = rows(&first, "registration");
    assert_eq!(page1.len(), 100);
    let (_, second) = browser.get(&link(&first, &list, "next").unwrap()).await;
    let page2 = rows(&second, "registration");
    let (_, third) = browser.get(&link(&second, &list, "next").unwrap()).await;
    let page3 = rows(&third, "registration");
    assert!(link(&third, &list, "next").is_none(), "the last page");
    let all: HashSet<&String> = page1.iter().chain(&page2).chain(&page3).collect();
    assert_eq!(all.len(), PEOPLE, "every registration once, no overlap");
    let (status, _) = browser.get(&format!("{list}?limit=201")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Search and the session filter narrow the list.
    let (_, page) = browser.get(&format!("{list}?q=PERSON%2025")).await;
    assert_eq!(count(&page, "registration-count"), 10, "Person 250 to 259");
    let sessions = session_ids(&first);
    let in_am = count(
        &browser
            .get(&format!("{list}?session={}", sessions[0]))
            .await
            .1,
        "registration-count",
    );
    let in_pm = count(
        &browser
            .get(&format!("{list}?session={}", sessions[1]))
            .await
            .1,
        "registration-count",
    );
    assert_eq!(in_am + in_pm, PEOPLE);

    // Bulk marks: exactly the ticked people, back on the page the form was on.
    let back = format!("{}?sort=name", list.trim_start_matches(&app.address));
    let (status, page, url) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "attended"),
                ("back", &back),
                ("registration", &page1[1]),
                ("registration", &page1[2]),
                ("registration", &page2[3]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.ends_with("/attendance?sort=name"), "{url}");
    let (status, page, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "absent"),
                ("registration", &page1[4]),
                ("registration", &page3[5]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // The attendance filter: attended, on record as absent, no record yet.
    let shown = |page: &str| {
        rows(page, "registration")
            .into_iter()
            .collect::<HashSet<_>>()
    };
    let (_, page) = browser.get(&format!("{list}?attendance=attended")).await;
    assert_eq!(count(&page, "registration-count"), 3);
    assert_eq!(
        shown(&page),
        [&page1[1], &page1[2], &page2[3]]
            .into_iter()
            .cloned()
            .collect()
    );
    assert!(page.contains(&format!("of {PEOPLE} in all")), "{page}");
    let (_, page) = browser.get(&format!("{list}?attendance=absent")).await;
    assert_eq!(
        shown(&page),
        [&page1[4], &page3[5]].into_iter().cloned().collect()
    );
    let (_, page) = browser
        .get(&format!("{list}?attendance=unmarked&limit=200"))
        .await;
    assert_eq!(count(&page, "registration-count"), PEOPLE - 5);
    let next = link(&page, &list, "next").expect("a second page");
    assert!(next.contains("attendance=unmarked"), "{next}");
    let (_, rest) = browser.get(&next).await;
    assert_eq!(
        rows(&page, "registration").len() + rows(&rest, "registration").len(),
        PEOPLE - 5
    );

    // Someone marked absent, then attended by hand, counts as attended (the manual mark
    // of the session replaces the absence), and "as recorded" takes them off the record.
    let (status, page, url) = browser
        .post(
            &format!("{list}/{}", page1[4]),
            &[
                ("csrf", csrf.as_str()),
                ("attendance", sessions[0].as_str()),
                ("minutes", "30"),
                (
                    "back",
                    &format!(
                        "{}?attendance=absent",
                        list.trim_start_matches(&app.address)
                    ),
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(url.contains("?attendance=absent"), "{url}");
    assert_eq!(shown(&page), [page3[5].clone()].into_iter().collect());
    let (_, page) = browser.get(&format!("{list}?attendance=attended")).await;
    assert_eq!(count(&page, "registration-count"), 4);
    let (status, _, _) = browser
        .post(
            &format!("{list}/{}", page1[4]),
            &[("csrf", csrf.as_str()), ("attendance", "clear")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = browser.get(&format!("{list}?attendance=unmarked")).await;
    assert_eq!(count(&page, "registration-count"), PEOPLE - 4);

    // A bad filter or action is refused, saying what to fix; nothing ticked changes nothing.
    let (status, page) = browser.get(&format!("{list}?attendance=maybe")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("attendance"), "{page}");
    let (status, _, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[("csrf", csrf.as_str()), ("action", "attended")],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = browser
        .post(
            &format!("{list}/bulk"),
            &[
                ("csrf", csrf.as_str()),
                ("action", "maybe"),
                ("registration", &page1[9]),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, page) = browser.get(&format!("{list}?attendance=attended")).await;
    assert_eq!(count(&page, "registration-count"), 3);
}

async fn the_chairs_page_pages_and_searches_and_the_webinar_page_shows_a_few(backend: Backend) {
    let app = spawn_app(backend).await;
    let (browser, base, csrf) = site(&app).await;
    let (_, webinar) = browser.get(&base).await;
    let sessions = session_ids(&browser.get(&format!("{base}/registrations")).await.1);
    let (am, pm) = (&sessions[0], &sessions[1]);
    let mut chairs = Vec::new();
    for (i, session) in std::iter::repeat_n(am, 12).chain([pm]).enumerate() {
        chairs.push((session, format!("Chair {i:02}")));
        let (status, page, _) = browser
            .post(
                &format!("{base}/sessions/{session}/chairs"),
                &[
                    ("csrf", csrf.as_str()),
                    ("name", &format!("Chair {i:02}")),
                    ("email", &format!("chair{i}@example.org")),
                    ("time_zone", "Asia/Tokyo"),
                    ("language", "en"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
    }
    assert!(
        webinar.contains("/chairs\">"),
        "the chairs page is in the webinar's navigation"
    );

    // The webinar page shows the first ten chairs of a session and links to the rest.
    let (_, webinar) = browser.get(&base).await;
    let shown = (0..13)
        .filter(|i| webinar.contains(&format!("Chair {i:02} &lt;")))
        .count();
    assert_eq!(shown, 11, "ten of the AM session, the one of PM\n{webinar}");
    assert!(
        webinar.contains(&format!("/chairs?session={am}")),
        "a link to all of the AM session's chairs"
    );
    assert!(!webinar.contains(&format!("/chairs?session={pm}")));

    // The chairs page: every chair in pages, the session filter and the search.
    let list = format!("{base}/chairs");
    let (status, page) = browser.get(&list).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(count(&page, "chair-count"), 13);
    let (_, page) = browser.get(&format!("{list}?session={am}&limit=5")).await;
    assert_eq!(count(&page, "chair-count"), 12);
    let mut seen: Vec<String> = Vec::new();
    let mut page = page;
    loop {
        seen.extend(
            page.split("<td>Chair ")
                .skip(1)
                .map(|s| format!("Chair {}", &s[..2])),
        );
        match link(&page, &list, "next") {
            Some(next) => page = browser.get(&next).await.1,
            None => break,
        }
    }
    let expected: Vec<String> = (0..12).map(|i| format!("Chair {i:02}")).collect();
    assert_eq!(seen, expected, "by name, in pages of five, no overlap");
    let (_, page) = browser.get(&format!("{list}?q=CHAIR1%40")).await;
    assert_eq!(count(&page, "chair-count"), 1);
    assert!(page.contains("Chair 01"), "{page}");
    let (_, page) = browser.get(&format!("{list}?session={pm}")).await;
    assert!(
        page.contains("Chair 12") && !page.contains("Chair 00"),
        "{page}"
    );
}

async fn a_broad_filter_is_counted_up_to_a_thousand(backend: Backend) {
    let app = spawn_app(backend).await;
    let browser = Browser::new(&app);
    browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar("Broad", &[("AM", "2030-09-24T07:00")])
        .await;
    let mut csv = String::from("name,email,organization,role,country,time_zone,language\n");
    for i in 0..1003 {
        let language = if i == 7 { "fr" } else { "en" };
        csv.push_str(&format!(
            "Person {i:04},p{i}@example.org,Office,Officer,CH,Europe/Zurich,{language}\n"
        ));
    }
    let response = browser.upload_invitees(&base, &csrf, &csv).await;
    assert_eq!(response.status(), StatusCode::OK);
    let list = format!("{base}/invitees");

    // Unfiltered: the exact count.
    let (_, page) = browser.get(&list).await;
    assert_eq!(count(&page, "invitee-count"), 1003);
    // A filter that keeps more than 1,000 is told as "more than 1000", the total exactly.
    let (_, page) = browser.get(&format!("{list}?language=en")).await;
    assert!(page.contains("more than 1000 invitees"), "{page}");
    assert!(page.contains("of 1003 in all"), "{page}");
    assert!(page.contains("100 shown of more than 1000"), "{page}");
    // Up to 1,000 it is exact, on a first page that holds them all or not.
    let (_, page) = browser.get(&format!("{list}?q=person%2000")).await;
    assert_eq!(count(&page, "invitee-count"), 100);
    assert_eq!(rows(&page, "invitee").len(), 100);
    let (_, page) = browser.get(&format!("{list}?q=person%200&limit=10")).await;
    assert_eq!(count(&page, "invitee-count"), 1000);
    let (_, page) = browser.get(&format!("{list}?language=fr")).await;
    assert_eq!(count(&page, "invitee-count"), 1);
    // In another language, the bound is told in it.
    let (_, page) = browser.get(&format!("{list}?language=en&lang=fr")).await;
    assert!(page.contains("plus de 1000"), "{page}");
}
