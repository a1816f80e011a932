//! What every page needs from the request: the reader's language, the CSRF token
//! (a MAC of the browser's session cookie), and the organizer's sign-in cookie.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::render::error_page;
use crate::db;
use crate::db::organizers::Organizer;
use crate::domain::Language;
use crate::error::{AppError, AppResult};
use crate::security::{Keys, random_token, token_hash};
use crate::startup::AppState;

/// A visitor's random session id, which the CSRF token of a visitor's forms is bound to.
pub const CSRF_COOKIE: &str = "meridian_csrf";
pub const LANG_COOKIE: &str = "meridian_lang";
/// An organizer's sign-in session.
pub const SESSION_COOKIE: &str = "meridian_session";

/// The name a cookie goes by: `__Host-` prefixed over https, so that browsers accept it
/// only from this very host over https (no sibling domain or plain-http page can plant
/// it); the plain name over http, where browsers refuse `__Host-` cookies.
pub fn cookie_name(name: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// Whether the site is served over https (`server.public_url`).
pub fn is_secure(state: &AppState) -> bool {
    state.settings.server.public_url.starts_with("https://")
}

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over https.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}")
}

/// A form that carries nothing but its CSRF token (a button).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// The request as pages see it.
#[derive(Clone)]
pub struct Web {
    /// The CSRF token for this browser's forms.
    pub csrf: String,
    /// What the token is bound to: the sign-in session cookie, else the visitor's.
    session: String,
    /// The session starts with this request: no form can have been made for it.
    fresh: bool,
    /// A visitor cookie this request starts (the request carried none).
    new_visitor: Option<String>,
    keys: Keys,
    chosen: Option<Language>,
    remembered: Option<Language>,
    accepted: Option<Language>,
    pub secure: bool,
}

impl FromRequestParts<AppState> for Web {
    type Rejection = std::convert::Infallible;

    /// The one `Web` the pages middleware made for this request (so that a form's CSRF
    /// token and the cookies it sets agree); made afresh only outside that middleware.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(web) = parts.extensions.get::<Web>() {
            return Ok(web.clone());
        }
        Ok(Web::new(parts, state))
    }
}

impl Web {
    fn new(parts: &Parts, state: &AppState) -> Self {
        let headers = &parts.headers;
        let secure = is_secure(state);
        let visitor = cookie(headers, &cookie_name(CSRF_COOKIE, secure)).filter(|t| t.len() >= 32);
        let signed_in =
            cookie(headers, &cookie_name(SESSION_COOKIE, secure)).filter(|t| !t.is_empty());
        let new_visitor = visitor.is_none().then(random_token);
        let fresh = signed_in.is_none() && visitor.is_none();
        let session = signed_in
            .or(visitor)
            .map(str::to_string)
            .or_else(|| new_visitor.clone())
            .unwrap_or_default();
        let chosen = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
            .and_then(|code| code.parse().ok());
        Web {
            csrf: state.keys.csrf_token(&session),
            session,
            fresh,
            new_visitor,
            keys: state.keys.clone(),
            chosen,
            remembered: cookie(headers, &cookie_name(LANG_COOKIE, secure))
                .and_then(|c| c.parse().ok()),
            accepted: accepted_language(headers),
            secure,
        }
    }
}

/// The first language of `Accept-Language` that Meridian writes.
fn accepted_language(headers: &HeaderMap) -> Option<Language> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut ranked: Vec<(f32, Language)> = value
        .split(',')
        .filter_map(|item| {
            let mut pieces = item.trim().split(';');
            let language = pieces.next()?.parse::<Language>().ok()?;
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            Some((quality, language))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map(|(_, l)| *l)
}

impl Web {
    /// The switcher's choice, then the remembered choice, then `stored` (a registrant's
    /// own language), then the browser's, then `fallback`.
    pub fn language(&self, stored: Option<Language>, fallback: Language) -> Language {
        self.chosen
            .or(self.remembered)
            .or(stored)
            .or(self.accepted)
            .unwrap_or(fallback)
    }

    /// Refuses a form whose token was not made for this browser's session (a forged
    /// cross-site post, or a token taken from another session).
    pub fn check_csrf(&self, submitted: &str) -> AppResult<()> {
        if self.fresh || !self.keys.check_csrf_token(&self.session, submitted) {
            return Err(AppError::Forbidden(
                "this form has expired or did not come from this site: reload the page and try again".into(),
            ));
        }
        Ok(())
    }

    /// The name of the sign-in session cookie on this site.
    pub fn session_cookie(&self) -> String {
        cookie_name(SESSION_COOKIE, self.secure)
    }

    /// Adds the cookies this request started (visitor session, language choice) to `response`.
    fn finish(&self, mut response: Response) -> Response {
        let headers = response.headers_mut();
        if let Some(visitor) = &self.new_visitor {
            append_cookie(
                headers,
                &set_cookie(
                    &cookie_name(CSRF_COOKIE, self.secure),
                    visitor,
                    60 * 60 * 24 * 7,
                    self.secure,
                ),
            );
        }
        if let Some(language) = self.chosen {
            append_cookie(
                headers,
                &set_cookie(
                    &cookie_name(LANG_COOKIE, self.secure),
                    language.code(),
                    60 * 60 * 24 * 365,
                    self.secure,
                ),
            );
        }
        response
    }

    /// The error page in the visitor's language, with this request's cookies, for
    /// answers made before the pages middleware runs (the rate limiter's refusals).
    pub fn error(&self, error: AppError) -> Response {
        self.finish(error_page(error, self.language(None, Language::En)))
    }
}

/// What every page handler answers: a page, or a failure that the pages middleware
/// renders as the HTML error page in the visitor's language.
pub type PageResult = Result<Response, PageError>;

/// A page's failure: the error, and the language of the reader when the handler knows
/// it (a registrant's own language); otherwise the visitor's choice or browser's.
#[derive(Debug)]
pub struct PageError {
    error: AppError,
    language: Option<Language>,
}

impl PageError {
    /// The error page is in `language` unless the visitor chose another.
    pub fn in_language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }
}

/// So that `?` works on whatever `?` works on in a use case.
impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError {
            error: error.into(),
            language: None,
        }
    }
}

/// A failure kept in the response for the middleware, which knows the request's `Web`
/// (extensions must be `Clone`, an error is not).
#[derive(Clone)]
struct Failure(Arc<Mutex<Option<PageError>>>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
        response
            .extensions_mut()
            .insert(Failure(Arc::new(Mutex::new(Some(self)))));
        response
    }
}

/// The pages middleware: makes the request's `Web` once, renders a handler's failure as
/// the error page in the visitor's language, and adds the cookies the request started.
pub async fn pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let web = Web::new(&parts, &state);
    parts.extensions.insert(web.clone());
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let failure = response
        .extensions_mut()
        .remove::<Failure>()
        .and_then(|f| f.0.lock().ok()?.take());
    if let Some(PageError { error, language }) = failure {
        response = error_page(error, web.language(language, Language::En));
    }
    web.finish(response)
}

/// Re-shows a form with its `problem`, answered with the problem's own status (and its
/// headers, such as `Retry-After`); `show` makes the page with the problem's text. An
/// internal failure or a full database is not the reader's to fix: it goes to the error
/// page.
/// Runs an organizer form's `change`; on success answers a redirect to `back`, on a
/// problem the page again through [`reshow`], the problem [`told`] in `language`.
pub async fn change_then<F>(
    language: Language,
    change: impl Future<Output = AppResult<()>>,
    back: String,
    show: F,
) -> PageResult
where
    F: AsyncFnOnce(String) -> PageResult,
{
    match change.await {
        Ok(()) => Ok(crate::routes::downloads::see_other(&back)),
        Err(problem) => reshow(told(problem, language), show).await,
    }
}

/// The fields of the organizer's forms whose problems the catalogues tell
/// (`org.error_field_<field>`).
const ORGANIZER_FIELDS: [&str; 13] = [
    "title",
    "label",
    "starts_at",
    "duration_minutes",
    "capacity",
    "join_url",
    "url",
    "document",
    "languages",
    "minutes",
    "password",
    "registration_opens_at",
    "registration_closes_at",
];

/// The fields an organizer fills in for someone else (invitees, chairs) as a visitor
/// does for themselves: the registration form's messages (`page.error_<field>`).
/// (Not `role`: a member's role is another thing.)
const PERSON_FIELDS: [&str; 7] = [
    "name",
    "email",
    "organization",
    "country",
    "time_zone",
    "language",
    "session",
];

/// An organizer form's problem in the page's language, from the catalogues: the message
/// of the field the problem names (the domain's messages start with it: "title must not
/// be empty", "capacity: ...", "the password must ..."), else the message of its kind (`org.error_form`,
/// `org.error_conflict`...). In English the domain's own text stays: it is English and
/// says exactly what to fix. Internal failures stay as they are (the error page).
pub fn told(problem: AppError, language: Language) -> AppError {
    if language == Language::En {
        return problem;
    }
    let whole = problem.to_string();
    let text = whole.strip_prefix("the ").unwrap_or(&whole);
    let mut field: String = text
        .chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
        .collect();
    let mut named = text[field.len()..].starts_with([' ', ':']);
    // The value parsers that name their field in words.
    for (words, name) in [
        ("unknown time zone", "time_zone"),
        ("unknown language", "language"),
        ("is not a valid email address", "email"),
    ] {
        if whole.contains(words) {
            (field, named) = (name.to_string(), true);
        }
    }
    let key = if named && ORGANIZER_FIELDS.contains(&field.as_str()) {
        format!("org.error_field_{field}")
    } else if named && PERSON_FIELDS.contains(&field.as_str()) {
        format!("page.error_{field}")
    } else {
        let kind = match problem {
            AppError::Conflict(_) => "conflict",
            AppError::Forbidden(_) => "forbidden",
            AppError::Unauthorized(_) => "sign_in",
            AppError::NotFound(_) => "not_found",
            AppError::PayloadTooLarge(_) => "too_large",
            AppError::UnsupportedMediaType(_) => "file_type",
            AppError::TooManyRequests { .. } => "too_many",
            _ => "form",
        };
        format!("org.error_{kind}")
    };
    problem.retold(crate::i18n::text(language, &key, &[]))
}

pub async fn reshow<F>(problem: AppError, show: F) -> PageResult
where
    F: AsyncFnOnce(String) -> PageResult,
{
    if let AppError::Internal(_) | AppError::DatabaseFull(_) = problem {
        return Err(problem.into());
    }
    let page = show(problem.to_string()).await?;
    Ok(problem.decorate((problem.status(), page).into_response()))
}

pub fn append_cookie(headers: &mut HeaderMap, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.append(header::SET_COOKIE, value);
    }
}

/// An organizer signed in through the pages; without a valid session cookie the
/// request is sent to the sign-in page.
pub struct SignedIn(pub Organizer);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let sign_in = || Redirect::to("/organizer/sign-in").into_response();
        let name = cookie_name(SESSION_COOKIE, is_secure(state));
        let Some(token) = cookie(&parts.headers, &name) else {
            return Err(sign_in());
        };
        let found = async {
            let mut conn = state.db.conn().await?;
            db::web_sessions::find(conn.exec(), &token_hash(token)).await
        }
        .await;
        match found {
            Ok(Some(organizer)) => Ok(SignedIn(organizer)),
            Ok(None) => Err(sign_in()),
            Err(e) => Err(error_page(AppError::Internal(e), Language::En)),
        }
    }
}
