//! `?limit=&cursor=` on the JSON lists: keyset pages, the next one named by a
//! `Link: <...>; rel="next"` header (RFC 8288). Without `limit` a list answers whole.

use axum::http::{HeaderMap, HeaderValue, Uri, header};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::db::Page;
use crate::error::{AppError, AppResult};

/// The most rows a page holds.
pub const MAX_LIMIT: i64 = 200;

#[derive(serde::Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Rows per page, 1 to 200. Without it the whole list comes in one answer.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// Where the page starts: the `cursor` of the previous page's `Link: rel="next"` URL
    /// (opaque). Only with `limit`.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The page asked for, `None` without `limit`. It holds one row more than asked, so
    /// that [`next_link`] knows whether another page follows.
    pub fn page<K: DeserializeOwned>(&self) -> AppResult<Option<Page<K>>> {
        let Some(limit) = &self.limit else {
            return match self.cursor {
                Some(_) => Err(AppError::BadRequest(
                    "cursor: give limit with it (limit=1 to 200)".into(),
                )),
                None => Ok(None),
            };
        };
        let limit = limit
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "limit: must be a whole number from 1 to {MAX_LIMIT}, not {limit:?}"
                ))
            })?;
        let after = self
            .cursor
            .as_deref()
            .map(|c| crate::routes::cursor::decode("cursor", c))
            .transpose()?;
        Ok(Some(Page {
            after,
            limit: limit + 1,
        }))
    }
}

/// Cuts `rows` to the page asked for and, when another page follows, answers the `Link`
/// header to it: `uri` (the request's, as the API router sees it) with `limit` and the new `cursor`, other parameters kept.
pub fn next_link<R, K: Serialize>(
    rows: &mut Vec<R>,
    page: Option<&Page<K>>,
    key: impl Fn(&R) -> K,
    public_url: &str,
    uri: &Uri,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let Some(page) = page else {
        return headers;
    };
    let limit = (page.limit - 1) as usize;
    if rows.len() <= limit {
        return headers;
    }
    rows.truncate(limit);
    let cursor =
        crate::routes::cursor::encode(&key(rows.last().expect("a page holds at least one row")));
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if name != "limit" && name != "cursor" {
            query.append_pair(&name, &value);
        }
    }
    query.append_pair("limit", &limit.to_string());
    query.append_pair("cursor", &cursor);
    let link = format!(
        "<{}{}{}?{}>; rel=\"next\"",
        public_url.trim_end_matches('/'),
        super::PREFIX,
        uri.path(),
        query.finish()
    );
    headers.insert(
        header::LINK,
        HeaderValue::from_str(&link).expect("a URL-encoded link is a header value"),
    );
    headers
}
