//! A webinar's documents: agenda, guiding questions, remarks, participant list, report.
//! Each version is in one language; versions sharing a `document` key are translations,
//! so a reader gets their language where it exists and the others beside it.

use serde::Serialize;

use super::values::{Invalid, required_text};
use super::{Language, MaterialId, WebinarId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaterialKind {
    Agenda,
    GuidingQuestions,
    OpeningRemarks,
    ClosingRemarks,
    ParticipantList,
    Report,
    Other,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 7] = [
        Self::Agenda,
        Self::GuidingQuestions,
        Self::OpeningRemarks,
        Self::ClosingRemarks,
        Self::ParticipantList,
        Self::Report,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agenda => "agenda",
            Self::GuidingQuestions => "guiding_questions",
            Self::OpeningRemarks => "opening_remarks",
            Self::ClosingRemarks => "closing_remarks",
            Self::ParticipantList => "participant_list",
            Self::Report => "report",
            Self::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == value.trim())
            .ok_or_else(|| {
                Invalid(format!(
                    "unknown kind {value:?}: use one of {}",
                    Self::ALL.map(|k| k.as_str()).join(", ")
                ))
            })
    }
}

#[derive(Debug, Clone)]
pub struct Material {
    pub id: MaterialId,
    pub webinar_id: WebinarId,
    /// The translations' shared key (the kind, unless named otherwise).
    pub document: String,
    pub kind: MaterialKind,
    pub title: String,
    pub language: Language,
    /// A link, or `None` for a file kept by Meridian.
    pub url: Option<String>,
    pub file_name: Option<String>,
}

impl Material {
    /// Where to read it: the link, or Meridian's copy of the file.
    pub fn href(&self, public_url: &str) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => format!("{public_url}/m/{}", self.id),
        }
    }
}

/// A document as one reader sees it: the version in their language (or the first one),
/// with every version listed by language.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DocumentLink {
    pub title: String,
    pub href: String,
    pub language: String,
    /// Every version, e.g. EN | ES | FR, the reader's included.
    pub versions: Vec<Version>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Version {
    pub language: String,
    pub href: String,
}

pub fn for_reader(materials: &[Material], reader: Language, public_url: &str) -> Vec<DocumentLink> {
    let mut documents: Vec<&str> = Vec::new();
    for m in materials {
        if !documents.contains(&m.document.as_str()) {
            documents.push(&m.document);
        }
    }
    documents
        .into_iter()
        .map(|document| {
            let mut versions: Vec<&Material> = materials
                .iter()
                .filter(|m| m.document == document)
                .collect();
            versions.sort_by_key(|m| Language::ALL.iter().position(|l| *l == m.language));
            let chosen = versions
                .iter()
                .find(|m| m.language == reader)
                .unwrap_or(&versions[0]);
            DocumentLink {
                title: chosen.title.clone(),
                href: chosen.href(public_url),
                language: chosen.language.code().to_string(),
                versions: versions
                    .iter()
                    .map(|m| Version {
                        language: m.language.code().to_string(),
                        href: m.href(public_url),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Checks a document key: letters, digits, `-` and `_`, at most 60.
pub fn document_key(value: &str) -> Result<String, Invalid> {
    let value = required_text("document", value, 60)?;
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(value.to_lowercase())
    } else {
        Err(Invalid(
            "document must use letters, digits, - and _ only, such as regional-players".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(document: &str, language: Language, title: &str) -> Material {
        Material {
            id: MaterialId::new(),
            webinar_id: WebinarId::new(),
            document: document.into(),
            kind: MaterialKind::Other,
            title: title.into(),
            language,
            url: Some(format!(
                "https://docs.example.org/{document}-{language}.pdf"
            )),
            file_name: None,
        }
    }

    #[test]
    fn a_reader_gets_their_language_with_the_others_beside_it() {
        let materials = [
            version("agenda", Language::Es, "Programa"),
            version("agenda", Language::En, "Agenda"),
            version("report", Language::En, "Report"),
        ];
        let docs = for_reader(&materials, Language::Es, "https://m.example.org");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].title, "Programa");
        assert_eq!(
            docs[0]
                .versions
                .iter()
                .map(|v| v.language.as_str())
                .collect::<Vec<_>>(),
            ["en", "es"]
        );
        assert_eq!(docs[1].title, "Report", "English when Spanish is missing");
    }
}
