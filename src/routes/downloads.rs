//! Downloads, for the API and the pages alike: the participant list in each format, and
//! the headers built from names and addresses that users chose (download names and
//! redirect targets). Header bytes outside ASCII are read differently by every client,
//! and bidi controls in a file name can make `invoice`, U+202E, `fdp.exe` look like a PDF.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use axum::body::Body;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::db;
use crate::domain::Language;
use crate::domain::member::Access;
use crate::domain::values::without_invisible;
use crate::error::{AppError, AppResult};
use crate::services;
use crate::services::participants::{self, Options};
use crate::startup::AppState;

/// Characters RFC 5987 lets stand unencoded in `filename*` (its `attr-char`).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Bytes a `Location` keeps as they are: visible ASCII. Others (UTF-8, controls, space)
/// are percent-encoded; `%` stays, so an address already encoded is not encoded twice.
const URL_KEEP: &AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>');

/// `Content-Disposition` for a download (`how` is `attachment` or `inline`): format
/// (Unicode Cf, such as bidi overrides) and control characters are dropped from the
/// name; `filename=` carries an ASCII copy for old clients and `filename*` (RFC 6266)
/// the name in UTF-8.
pub fn content_disposition(how: &str, name: &str) -> HeaderValue {
    let name = clean_file_name(name);
    let ascii: String = name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii() => c,
            _ => '_',
        })
        .collect();
    let value = format!(
        "{how}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(&name, ATTR_CHAR)
    );
    HeaderValue::try_from(value).expect("ASCII without controls is a valid header value")
}

/// The name without format and control characters (and without path separators),
/// trimmed; `download` when nothing is left.
fn clean_file_name(name: &str) -> String {
    let cleaned: String = without_invisible(name)
        .chars()
        .map(|c| if c == '/' || c == '\\' { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        "download".to_string()
    } else {
        cleaned.to_string()
    }
}

/// A `303 See Other` to `url`, with anything outside visible ASCII percent-encoded.
pub fn see_other(url: &str) -> Response {
    let location = utf8_percent_encode(url, URL_KEEP).to_string();
    match HeaderValue::try_from(location) {
        Ok(location) => (
            axum::http::StatusCode::SEE_OTHER,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ParticipantsQuery {
    /// `csv` (default, also when blank), `xlsx` or `html` (a printable page).
    #[param(pattern = "^(csv|xlsx|html)?$")]
    pub format: Option<String>,
    /// Only people whose registration stands.
    pub registered_only: bool,
    /// Only people who attended.
    pub attended_only: bool,
    /// The version to share: only those who agreed, without email addresses.
    pub shareable: bool,
    /// Language of the printable page (en, es, fr, ru, ar).
    pub lang: Option<String>,
}

/// The participant list in the asked format; shared with the organizer's pages.
pub async fn participants_response(
    state: &AppState,
    webinar: &Access,
    query: &ParticipantsQuery,
    language: Language,
) -> AppResult<Response> {
    let options = Options {
        registered_only: query.registered_only,
        attended_only: query.attended_only,
        shareable: query.shareable,
    };
    // The shareable version holds only what people agreed to share; the full list is
    // personal data: it needs the grant, and its download goes into the audit trail.
    if !options.shareable {
        services::members::personal_data_export(state, webinar, "the participant list").await?;
    }
    let sessions = {
        let mut conn = state.db.conn().await?;
        db::sessions::list(conn.exec(), webinar.id).await?
    };
    let name = if options.shareable {
        "participants-shareable"
    } else {
        "participants"
    };
    let download = |ext: &str| content_disposition("attachment", &format!("{name}.{ext}"));
    match crate::routes::given(query.format.as_deref()).unwrap_or("csv") {
        "csv" => {
            let body = Body::from_stream(participants::csv(
                state.ctx.clone(),
                webinar.id,
                sessions,
                options,
            ));
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, download("csv")),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                body,
            )
                .into_response())
        }
        "xlsx" => {
            let list = participants::collect(state, webinar.id, &sessions, options).await?;
            let file = participants::xlsx(webinar.title.clone(), list, options).await?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        ),
                    ),
                    (header::CONTENT_DISPOSITION, download("xlsx")),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                file,
            )
                .into_response())
        }
        "html" => {
            let list = participants::collect(state, webinar.id, &sessions, options).await?;
            crate::routes::pages::attendance::participants_page(webinar, options, list, language)
        }
        other => Err(AppError::BadRequest(format!(
            "format {other:?} is not offered: use csv, xlsx or html"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_lose_bidi_controls_and_get_an_ascii_fallback() {
        let value = content_disposition("attachment", "r\u{e9}sum\u{e9}\u{202e}fdp.exe\r\n\".pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "attachment; filename=\"r_sum_fdp.exe_.pdf\"; \
             filename*=UTF-8''r%C3%A9sum%C3%A9fdp.exe%22.pdf"
        );
        let value = content_disposition("inline", "Agenda 2026.pdf");
        assert_eq!(
            value.to_str().unwrap(),
            "inline; filename=\"Agenda 2026.pdf\"; filename*=UTF-8''Agenda%202026.pdf"
        );
        assert_eq!(clean_file_name("\u{2066}\u{200b}"), "download");
        assert_eq!(clean_file_name("../etc/passwd"), ".._etc_passwd");
    }

    #[test]
    fn locations_are_ascii() {
        let response = see_other("https://meet.example.org/r\u{e9}union?x=a b&y=%41");
        assert_eq!(response.status(), axum::http::StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "https://meet.example.org/r%C3%A9union?x=a%20b&y=%41"
        );
    }
}
