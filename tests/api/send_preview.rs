//! The send page previews the invitation as a chosen invitee will receive it, and "send
//! me a test" delivers that preview to the signed-in organizer, marked as a test.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::on_both_databases;

on_both_databases!(the_preview_is_the_invitees_own_letter_and_the_test_goes_to_the_organizer);

/// One invitee per language, each in a zone of their own.
const INVITEES: [(&str, &str, &str, &str); 4] = [
    ("Kenji Sato", "kenji@example.jp", "Asia/Tokyo", "en"),
    ("Ana Pérez", "ana@example.cr", "America/Costa_Rica", "es"),
    ("Olga Ivanova", "olga@example.ru", "Europe/Moscow", "ru"),
    (
        "Youssef Haddad",
        "youssef@example.ma",
        "Africa/Casablanca",
        "ar",
    ),
];

fn catalogue_text(lang: &str, section: &str, key: &str) -> String {
    let path = format!("{}/templates/i18n/{lang}.toml", env!("CARGO_MANIFEST_DIR"));
    let table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let mut value = &table[section];
    for part in key.split('.') {
        value = &value[part];
    }
    value.as_str().unwrap().to_string()
}

/// The option of the preview's list for `email`: its invitee id.
fn invitee_id(page: &str, email: &str) -> String {
    let at = page
        .find(&format!("({email})</option>"))
        .unwrap_or_else(|| panic!("{email} is not offered:\n{page}"));
    let option = &page[page[..at].rfind("<option value=\"").unwrap() + 15..];
    option.split('"').next().unwrap().to_string()
}

/// The inside of the element with `id` (up to its closing tag; no nesting of the same tag).
fn element<'p>(page: &'p str, id: &str) -> &'p str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in\n{page}"));
    let tag = page[..start].rsplit('<').next().unwrap().trim();
    let rest = &page[start..];
    &rest[rest.find('>').unwrap() + 1..rest.find(&format!("</{tag}>")).unwrap()]
}

fn unescape(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn the_preview_is_the_invitees_own_letter_and_the_test_goes_to_the_organizer(
    backend: Backend,
) {
    let app = spawn_app_with(backend, inline_delivery(|_| {})).await;
    let browser = Browser::new(&app);
    let organizer = browser.sign_in(&app).await;
    let (base, csrf) = browser
        .create_webinar("Regional review", &[("AM", "2027-09-24T07:00")])
        .await;
    let mut csv = String::from("name,email,time_zone,language\n");
    for (name, email, zone, lang) in INVITEES {
        csv.push_str(&format!("{name},{email},{zone},{lang}\n"));
    }
    let uploaded = browser.upload_invitees(&base, &csrf, &csv).await;
    assert_eq!(uploaded.status(), StatusCode::OK);
    let send_page = format!("{base}/invitations");
    let (status, page) = browser.get(&send_page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<strong>4</strong>"),
        "four to invite:\n{page}"
    );

    for (name, email, _, lang) in INVITEES {
        let id = invitee_id(&page, email);
        let (status, preview) = browser.get(&format!("{send_page}?invitee={id}")).await;
        assert_eq!(status, StatusCode::OK);
        let subject = catalogue_text(lang, "email", "invitation.subject")
            .replace("{title}", "Regional review")
            .replace("{session}", "AM");
        assert_eq!(
            unescape(element(&preview, "preview-subject")),
            subject,
            "{lang}"
        );
        let text = unescape(element(&preview, "preview-text"));
        let greeting = catalogue_text(lang, "email", "greeting").replace("{name}", name);
        assert!(text.contains(&greeting), "{lang}: {text}");
        assert!(
            preview.contains(&format!("lang=\"{lang}\"")),
            "the preview is marked in the invitee's language"
        );
        let calendar = element(&preview, "preview-calendar");
        assert!(calendar.contains("DTSTART:20270924T070000Z"), "{calendar}");
        assert!(preview.contains("id=\"preview-html\""), "{preview}");
    }
    // Their own local time: 16:00 in Tokyo, 01:00 in Costa Rica.
    let (_, tokyo) = browser
        .get(&format!(
            "{send_page}?invitee={}",
            invitee_id(&page, "kenji@example.jp")
        ))
        .await;
    assert!(element(&tokyo, "preview-when").contains("16:00"), "{tokyo}");
    let (_, costa_rica) = browser
        .get(&format!(
            "{send_page}?invitee={}",
            invitee_id(&page, "ana@example.cr")
        ))
        .await;
    assert!(
        element(&costa_rica, "preview-when").contains("01:00"),
        "{costa_rica}"
    );

    // "Send me a test" for Ana: the Spanish letter, to the organizer, marked as a test.
    let ana = invitee_id(&page, "ana@example.cr");
    let (status, answer, _) = browser
        .post(
            &format!("{send_page}/test"),
            &[("csrf", &csrf_of(&page)), ("invitee", &ana)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer.contains("id=\"test-sent\""), "{answer}");
    let sent = app.deliver().await;
    assert_eq!(sent.len(), 1, "only the test is sent");
    let test = &sent[0];
    assert_eq!(test.to, organizer);
    let subject = catalogue_text("es", "email", "invitation.subject")
        .replace("{title}", "Regional review")
        .replace("{session}", "AM");
    assert_eq!(test.subject, format!("[Prueba] {subject}"));
    let greeting = catalogue_text("es", "email", "greeting").replace("{name}", "Ana Pérez");
    assert!(test.text.contains(&greeting), "{}", test.text);
    assert!(test.ics().contains("DTSTART:20270924T070000Z"));

    // Nobody was registered or invited by it: all four are still to be invited.
    let (_, page) = browser.get(&send_page).await;
    assert!(page.contains("<strong>4</strong>"), "{page}");
    assert!(app.deliver().await.is_empty());
}
