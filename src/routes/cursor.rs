//! Opaque cursors of keyset pages (the JSON lists' `cursor=`, the list pages' `after=` and
//! `before=`): a sort key as URL-safe base64 of its JSON.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// The key in `cursor`, or a 400 naming `field`.
pub fn decode<K: DeserializeOwned>(field: &str, cursor: &str) -> AppResult<K> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{field}: not a cursor of this list; use the link as given, \
                 or leave {field} out to start from the first page"
            ))
        })
}

pub fn encode<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("a sort key serializes"))
}
