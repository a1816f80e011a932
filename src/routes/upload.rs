//! Multipart uploads, for the API and the pages alike: the text fields and the one file
//! (field `file`) of a form, with one answer for an upload that is too large or broken.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;

use crate::db::materials::File;
use crate::error::{AppError, AppResult};
use crate::services::materials::{MaterialInput, clean_file_name};

/// Attendance reports of large webinars are large (the API's import and the page's).
pub const REPORT_LIMIT: usize = 32 * 1024 * 1024;

/// A form sent as multipart: its text fields and its file.
pub struct Upload {
    fields: HashMap<String, String>,
    pub file: Option<File>,
}

impl Upload {
    pub async fn read(mut multipart: Multipart) -> AppResult<Upload> {
        let mut upload = Upload {
            fields: HashMap::new(),
            file: None,
        };
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            match field.name().map(str::to_string) {
                Some(name) if name == "file" => {
                    let file_name = clean_file_name(field.file_name().unwrap_or("document"));
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_string();
                    let bytes = field.bytes().await.map_err(unreadable)?.to_vec();
                    // A file input left empty still sends a part, with no bytes.
                    upload.file = (!bytes.is_empty()).then_some(File {
                        name: file_name,
                        content_type,
                        bytes,
                    });
                }
                Some(name) => {
                    let value = field.text().await.map_err(unreadable)?;
                    upload.fields.insert(name, value);
                }
                None => {}
            }
        }
        Ok(upload)
    }

    /// A text field, empty when it was not sent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// A text field, `None` when it was not sent.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }

    /// The upload as a document to add: its fields and its file.
    pub fn into_material(self) -> (MaterialInput, Option<File>) {
        let input = MaterialInput {
            title: self.field("title").to_string(),
            kind: self.field("kind").to_string(),
            language: self.field("language").to_string(),
            document: self.optional("document"),
            url: self.optional("url"),
        };
        (input, self.file)
    }
}

/// An upload that cannot be read: too large (413), or broken (400).
pub fn unreadable(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge(
            "the upload is larger than this form takes: documents and invitee lists up to \
             20 MB, attendance reports up to 32 MB"
                .into(),
        )
    } else {
        AppError::BadRequest(format!("the upload could not be read: {}", e.body_text()))
    }
}
