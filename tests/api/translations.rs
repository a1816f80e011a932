//! Every public and organizer page in every other language (es, fr, ru, ar), with data in
//! it, over HTTP: it renders (a missing catalogue key fails the render) and its text holds
//! no English UI string. The English strings are the catalogue's own: each value of
//! templates/i18n/en.toml (cut at its `{placeholders}`) of at least two words that the
//! page's catalogue does not use itself. Text in an element marked with another `lang`
//! (the language switcher, a preview of someone's email) is that language's, not the page's.

use std::collections::BTreeSet;

use reqwest::StatusCode;

use crate::accessibility::{in_language, organizer_pages, public_pages, site_on};
use crate::helpers::{Backend, Browser};

const OTHER_LANGUAGES: [&str; 4] = ["es", "fr", "ru", "ar"];

/// An organizer form sent with a mistake: its name, address, fields and the catalogue key
/// of the problem it must show.
type Form = (
    &'static str,
    String,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

fn catalogue(lang: &str) -> toml::Table {
    let path = format!("{}/templates/i18n/{lang}.toml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap().parse().unwrap()
}

/// Every string value of a catalogue, by dotted key ([date] holds strftime patterns,
/// not text).
fn strings(table: &toml::Table, prefix: &str, out: &mut Vec<(String, String)>) {
    for (key, value) in table {
        let key = format!("{prefix}{key}");
        match value {
            toml::Value::String(text) if !key.starts_with("date.") => out.push((key, text.clone())),
            toml::Value::Table(inner) => strings(inner, &format!("{key}."), out),
            _ => {}
        }
    }
}

/// The pieces of a catalogue value between its placeholders, spaces squeezed.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let (before, after) = match rest.find('{') {
            Some(i) => (&rest[..i], rest[i..].find('}').map(|j| &rest[i + j + 1..])),
            None => (rest, None),
        };
        out.push(squeeze(before));
        match after {
            Some(after) => rest = after,
            None => return out,
        }
    }
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The English UI strings that must not show on a page in `lang`.
fn english_strings(lang: &str) -> Vec<(String, String)> {
    let (mut en, mut other) = (Vec::new(), Vec::new());
    strings(&catalogue("en"), "", &mut en);
    strings(&catalogue(lang), "", &mut other);
    let own: Vec<String> = other.iter().map(|(_, v)| squeeze(v)).collect();
    let translated: std::collections::HashMap<_, _> = other.into_iter().collect();
    let mut out = BTreeSet::new();
    for (key, value) in en {
        if translated.get(&key) == Some(&value) {
            continue;
        }
        for piece in pieces(&value) {
            let piece = piece.trim_matches(|c: char| c.is_ascii_punctuation() || c == ' ');
            let words = piece
                .split(' ')
                .filter(|w| w.chars().any(char::is_alphabetic));
            if words.count() >= 2 && !own.iter().any(|o| o.contains(piece)) {
                out.insert((piece.to_string(), key.clone()));
            }
        }
    }
    out.into_iter().collect()
}

/// The text a reader gets from a page: its text, and the labels read out or shown
/// (`aria-label`, `title`, `placeholder`, `alt`); without scripts, styles, and elements
/// in another language than the page's.
fn visible_text(html: &str, lang: &str) -> String {
    let mut text = String::new();
    // The tag names of the open element being skipped, and how deep in it we are.
    let mut skipping: Option<(String, usize)> = None;
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        if skipping.is_none() {
            text.push_str(&rest[..open]);
            text.push(' ');
        }
        let close = rest[open..].find('>').map_or(rest.len(), |i| open + i + 1);
        let tag = &rest[open..close];
        rest = &rest[close..];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with("</");
        let void = tag.ends_with("/>")
            || ["input", "img", "br", "meta", "link", "hr"].contains(&name.as_str());
        if let Some((skipped, depth)) = &mut skipping {
            if *skipped == name && !void {
                if closing {
                    *depth -= 1;
                    if *depth == 0 {
                        skipping = None;
                    }
                } else {
                    *depth += 1;
                }
            }
            continue;
        }
        if closing {
            continue;
        }
        let other_language = attribute(tag, "lang").is_some_and(|l| l != lang);
        if (["script", "style"].contains(&name.as_str()) || other_language) && !void {
            skipping = Some((name, 1));
            continue;
        }
        for label in ["aria-label", "title", "placeholder", "alt"] {
            if let Some(value) = attribute(tag, label) {
                text.push_str(&value);
                text.push(' ');
            }
        }
    }
    text.push_str(rest);
    squeeze(&unescape(&text))
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next().map(unescape)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[test]
fn visible_text_keeps_labels_and_drops_scripts_and_other_languages() {
    let page = r#"<p title="Tip here">Bonjour <b>à tous</b></p><script>let a = "Hello world";</script>
<div lang="en"><div>Hello world</div> too</div><input placeholder="Votre nom"><a lang="fr" href="/">Français</a>"#;
    assert_eq!(
        visible_text(page, "fr"),
        "Tip here Bonjour à tous Votre nom Français"
    );
    assert_eq!(
        pieces("Dear {name}, welcome to {title}."),
        ["Dear", ", welcome to", "."]
    );
}

async fn no_page_shows_english_in_another_language(backend: Backend) {
    let s = site_on(backend).await;
    let browser = Browser::new(&s.app);
    let mut pages = vec![
        ("set-password page", s.password_link.clone()),
        ("sign-in page", "/organizer/sign-in".to_string()),
    ];
    pages.extend(public_pages(&s));
    // Public pages first: the set-password page is gone once used.
    let mut organizer = organizer_pages(&s);
    let mut problems = Vec::new();
    let visit = async |pages: &mut Vec<(&'static str, String)>, problems: &mut Vec<String>| {
        for lang in OTHER_LANGUAGES {
            let english = english_strings(lang);
            for (label, path) in pages.iter() {
                let (status, page) = browser.get(&in_language(path, lang)).await;
                let expected = if label.starts_with("error page") {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::OK
                };
                assert_eq!(status, expected, "{label} ({lang}) {path}\n{page}");
                let text = visible_text(&page, lang);
                for (piece, key) in &english {
                    if text.contains(piece.as_str()) {
                        problems.push(format!("{label} ({lang}): \"{piece}\" (en {key})"));
                    }
                }
            }
        }
    };
    visit(&mut pages, &mut problems).await;
    browser
        .set_password_and_sign_in(&s.email, &s.password_link)
        .await;
    visit(&mut organizer, &mut problems).await;
    // The import's report names what to fix on each refused line, in the page's language.
    let base = format!("/organizer/webinars/{}", s.w.id);
    let bad = "name,email,organization,role,country,time_zone,language\n\
               ,not-an-email,,,Switzerland,Mars/Base,xx\n\
               Amina Diallo,amina@example.org\n";
    for lang in OTHER_LANGUAGES {
        let (_, page) = browser
            .get(&in_language(&format!("{base}/invitees"), lang))
            .await;
        let response = browser
            .upload_invitees(&base, &crate::helpers::csrf_of(&page), bad)
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let page = response.text().await.unwrap();
        assert!(page.contains("id=\"import-errors\""), "{page}");
        let text = visible_text(&page, lang);
        for (piece, key) in english_strings(lang) {
            if text.contains(piece.as_str()) {
                problems.push(format!("import report ({lang}): \"{piece}\" (en {key})"));
            }
        }
        for english in ["time zone", "email address", "fields"] {
            if text.contains(english) {
                problems.push(format!("import report ({lang}): \"{english}\""));
            }
        }
    }
    // An organizer form sent with a mistake comes back with the problem in the page's
    // language, from the catalogue (the field's message), not the domain's English.
    let am = &s.w.am;
    let invitee = format!("{base}/invitees/{}", s.invitee);
    let forms: [Form; 5] = [
        (
            "webinar edit",
            base.clone(),
            vec![
                ("title", ""),
                ("time_zone", "Europe/Zurich"),
                ("languages", "en"),
            ],
            "org.error_field_title",
        ),
        (
            "new session",
            format!("{base}/sessions"),
            vec![
                ("label", "Evening"),
                ("starts_local", "2030-09-24T18:00"),
                ("duration_minutes", "60"),
                ("capacity", "many"),
                ("join_url", ""),
            ],
            "org.error_field_capacity",
        ),
        (
            "new chair",
            format!("{base}/sessions/{am}/chairs"),
            vec![
                ("name", "Chair"),
                ("email", "not-an-email"),
                ("time_zone", "Europe/Zurich"),
                ("language", "en"),
            ],
            "page.error_email",
        ),
        (
            "invitee edit",
            invitee.clone(),
            vec![
                ("name", "Kenji Sato"),
                ("email", "kenji@example.jp"),
                ("time_zone", "Mars/Base"),
                ("language", "en"),
            ],
            "page.error_time_zone",
        ),
        (
            "team",
            format!("{base}/members"),
            vec![("email", "organizer@example.org"), ("role", "emperor")],
            "org.error_form",
        ),
    ];
    for lang in OTHER_LANGUAGES {
        let catalogue = catalogue(lang);
        for (label, path, fields, key) in &forms {
            let (_, page) = browser.get(&in_language(&invitee, lang)).await;
            let csrf = crate::helpers::csrf_of(&page);
            let mut sent = vec![("csrf", csrf.as_str())];
            sent.extend(fields.iter().copied());
            let (status, page, _) = browser.post(path, &sent).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{label} ({lang})\n{page}");
            let (section, name) = key.split_once('.').unwrap();
            let told = catalogue[section][name].as_str().unwrap();
            let text = visible_text(&page, lang);
            if !text.contains(&squeeze(told)) {
                problems.push(format!(
                    "{label} ({lang}): the catalogue's {key} is not shown"
                ));
            }
            for english in [
                " must ",
                "not a valid",
                "is too long",
                "choose ",
                "not a role",
            ] {
                if text.contains(english) {
                    problems.push(format!("{label} ({lang}): \"{english}\""));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "English on pages in other languages:\n{}",
        problems.join("\n")
    );
}

crate::on_both_databases!(no_page_shows_english_in_another_language);
