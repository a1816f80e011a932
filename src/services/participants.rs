//! The participant list: everyone on record with their attendance, grouped by
//! organization, as CSV (streamed), XLSX or a printable page; the shareable version
//! holds only those who agreed, without email addresses.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use axum::body::Bytes;
use futures_util::Stream;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::context::Context;
use crate::db;
use crate::db::attendance::{ListKey, ParticipantRow};
use crate::domain::attendance::{self, Record, safe_cell};
use crate::domain::registration::RegistrationStatus;
use crate::domain::webinar::Session;
use crate::domain::{SessionId, WebinarId};
use crate::error::{AppError, AppResult};

/// Which people, and which version of the list.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Only people whose registration stands (not invited-only, not cancelled).
    pub registered_only: bool,
    /// Only people who attended a session.
    pub attended_only: bool,
    /// The version to share: only those who agreed, no email addresses, no one cancelled.
    pub shareable: bool,
}

/// One person on the list.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub organization: String,
    pub name: String,
    pub role: String,
    pub country: String,
    pub email: String,
    pub status: &'static str,
    pub registered_session: String,
    /// Sessions attended, by label ("AM, PM" for someone who came to both).
    pub attended_session: String,
    /// Minutes attended, when a report or the organizer gave them.
    pub minutes: Option<u32>,
    pub share_in_participant_list: bool,
}

/// Column headers of the internal and the shareable list, in order.
pub fn headers(options: Options) -> &'static [&'static str] {
    if options.shareable {
        &[
            "Organization",
            "Name",
            "Role",
            "Country",
            "Session attended",
        ]
    } else {
        &[
            "Organization",
            "Name",
            "Role",
            "Country",
            "Email",
            "Status",
            "Session registered",
            "Session attended",
            "Minutes",
            "Agreed to share",
        ]
    }
}

impl Participant {
    /// The cells of the row, text neutralised against spreadsheet formulas.
    pub fn cells(&self, options: Options) -> Vec<Cow<'_, str>> {
        let mut cells = vec![
            safe_cell(&self.organization),
            safe_cell(&self.name),
            safe_cell(&self.role),
            safe_cell(&self.country),
        ];
        if options.shareable {
            cells.push(safe_cell(&self.attended_session));
        } else {
            cells.extend([
                safe_cell(&self.email),
                Cow::Borrowed(self.status),
                safe_cell(&self.registered_session),
                safe_cell(&self.attended_session),
                self.minutes
                    .map_or(Cow::Borrowed(""), |m| Cow::Owned(m.to_string())),
                Cow::Borrowed(if self.share_in_participant_list {
                    "yes"
                } else {
                    "no"
                }),
            ]);
        }
        cells
    }
}

/// A page of the list: people in list order, each with their attendance records.
type Page = Vec<(ParticipantRow, Vec<Record>)>;

/// The people of a webinar's list with their attendance records, read in pages along
/// the list's order from one snapshot, so the list is whole and consistent. A task reads
/// the next page while the caller works on the current one; memory holds a few pages
/// however long the list is.
struct Pages(tokio::sync::mpsc::Receiver<anyhow::Result<Page>>);

/// People read per page.
const PAGE: u32 = 1000;

impl Pages {
    async fn open(ctx: &Context, webinar: WebinarId) -> anyhow::Result<Pages> {
        let mut snapshot = ctx.db.snapshot().await?;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            let mut after = ListKey::start();
            loop {
                let read =
                    db::attendance::participants_page(snapshot.exec(), webinar, &after, PAGE).await;
                let (page, next) = match read {
                    Ok(read) => read,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let full = page.len() == PAGE as usize;
                // Stops when the reader went away.
                if page.is_empty() || tx.send(Ok(page)).await.is_err() {
                    return;
                }
                match next {
                    Some(next) if full => after = next,
                    _ => return,
                }
            }
        });
        Ok(Pages(rx))
    }

    async fn next(&mut self) -> anyhow::Result<Option<Page>> {
        self.0.recv().await.transpose()
    }
}

/// Makes the list's people from the stored rows, with the options applied.
struct Lister {
    labels: HashMap<SessionId, String>,
    options: Options,
}

impl Lister {
    fn new(sessions: &[Session], options: Options) -> Self {
        Lister {
            labels: sessions.iter().map(|s| (s.id, s.label.clone())).collect(),
            options,
        }
    }

    fn person(&self, row: ParticipantRow, records: &[Record]) -> Option<Participant> {
        let presence = attendance::attended(records);
        let o = self.options;
        let keep = (!o.shareable || (row.share_in_participant_list && row.status.holds_seat()))
            && (!o.registered_only || row.status == RegistrationStatus::Registered)
            && (!o.attended_only || !presence.is_empty());
        if !keep {
            return None;
        }
        let label = |id: &SessionId| self.labels.get(id).cloned().unwrap_or_default();
        let known: Vec<u32> = presence.iter().filter_map(|p| p.minutes).collect();
        Some(Participant {
            organization: row.organization.unwrap_or_default(),
            name: row.name,
            role: row.role.unwrap_or_default(),
            country: row.country.unwrap_or_default(),
            email: if o.shareable {
                String::new()
            } else {
                row.email
            },
            status: row.status.as_str(),
            registered_session: label(&row.session_id),
            attended_session: presence
                .iter()
                .map(|p| label(&p.session_id))
                .collect::<Vec<_>>()
                .join(", "),
            minutes: (!known.is_empty()).then(|| known.iter().sum()),
            share_in_participant_list: row.share_in_participant_list,
        })
    }
}

/// The list as CSV (UTF-8 with a byte-order mark, so spreadsheets read accents right),
/// streamed from the database: memory stays flat however long the list is.
pub fn csv(
    ctx: Context,
    webinar: WebinarId,
    sessions: Vec<Session>,
    options: Options,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let sent = write_csv(&ctx, webinar, &sessions, options, &tx).await;
        if let Err(e) = sent {
            tracing::error!(error = format!("{e:#}"), "the participant list stopped");
            let _ = tx
                .send(Err(std::io::Error::other("the participant list stopped")))
                .await;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

async fn write_csv(
    ctx: &Context,
    webinar: WebinarId,
    sessions: &[Session],
    options: Options,
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> anyhow::Result<()> {
    let mut header = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    header.write_record(headers(options))?;
    let header = header.into_inner().map_err(|e| e.into_error())?;
    if tx.send(Ok(Bytes::from(header))).await.is_err() {
        return Ok(());
    }
    let mut pages = Pages::open(ctx, webinar).await?;
    let lister = Arc::new(Lister::new(sessions, options));
    while let Some(page) = pages.next().await? {
        let lister = Arc::clone(&lister);
        // Writing a page is CPU work: a blocking thread, not an async worker.
        let chunk = tokio::task::spawn_blocking(move || csv_page(&lister, page))
            .await
            .context("writing the participant list stopped")??;
        // A closed channel means the client went away: stop reading.
        if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// One page of the list as CSV rows.
fn csv_page(lister: &Lister, page: Page) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::with_capacity(page.len() * 128));
    for (row, records) in page {
        if let Some(p) = lister.person(row, &records) {
            out.write_record(p.cells(lister.options).iter().map(|c| c.as_bytes()))?;
        }
    }
    Ok(out.into_inner().map_err(|e| e.into_error())?)
}

/// The whole list in memory, for the XLSX file and the printable page.
pub async fn collect(
    ctx: &Context,
    webinar: WebinarId,
    sessions: &[Session],
    options: Options,
) -> AppResult<Vec<Participant>> {
    let mut pages = Pages::open(ctx, webinar).await?;
    let lister = Lister::new(sessions, options);
    let mut list = Vec::new();
    while let Some(page) = pages.next().await? {
        list.extend(
            page.into_iter()
                .filter_map(|(row, records)| lister.person(row, &records)),
        );
    }
    Ok(list)
}

/// The list as an XLSX workbook: a header row, one row per person, minutes as numbers.
/// Built on a blocking thread: a long list takes seconds of CPU.
pub async fn xlsx(title: String, list: Vec<Participant>, options: Options) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || build_xlsx(&title, &list, options))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("building the XLSX file stopped: {e}")))?
}

fn build_xlsx(title: &str, list: &[Participant], options: Options) -> AppResult<Vec<u8>> {
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut workbook = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = workbook.add_worksheet();
        sheet.set_name("Participants")?;
        let headers = headers(options);
        for (col, header) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *header, &bold)?;
        }
        for (i, p) in list.iter().enumerate() {
            let row = i as u32 + 1;
            for (col, cell) in p.cells(options).iter().enumerate() {
                if headers[col] == "Minutes"
                    && let Some(minutes) = p.minutes
                {
                    sheet.write_number(row, col as u16, f64::from(minutes))?;
                } else {
                    sheet.write_string(row, col as u16, cell.as_ref())?;
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofit();
        workbook.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(title));
        workbook.save_to_buffer()
    };
    build().map_err(|e| AppError::Internal(anyhow::anyhow!("writing the XLSX file: {e}")))
}

/// People grouped by organization, in list order, for the printable page.
pub fn by_organization(list: Vec<Participant>) -> Vec<(String, Vec<Participant>)> {
    let mut groups: Vec<(String, Vec<Participant>)> = Vec::new();
    for p in list {
        match groups.last_mut() {
            Some((org, people)) if *org == p.organization => people.push(p),
            _ => groups.push((p.organization.clone(), vec![p])),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::RegistrationId;
    use crate::domain::attendance::Source;

    fn person(id: RegistrationId, name: &str, share: bool) -> ParticipantRow {
        ParticipantRow {
            registration_id: id,
            name: name.into(),
            email: format!("{}@example.org", name.to_lowercase()),
            organization: Some("=Rabat Process".into()),
            role: None,
            country: Some("MA".into()),
            status: RegistrationStatus::Registered,
            session_id: SessionId(uuid::Uuid::nil()),
            share_in_participant_list: share,
        }
    }

    fn record(id: RegistrationId, session: SessionId, minutes: u32) -> Record {
        Record {
            registration_id: id,
            session_id: session,
            source: Source::Import,
            attended: true,
            joined_at: None,
            left_at: None,
            minutes: Some(minutes),
        }
    }

    #[test]
    fn the_shareable_version_drops_emails_and_those_who_did_not_agree() {
        let sessions = [Session {
            id: SessionId::new(),
            webinar_id: WebinarId::new(),
            label: "AM".into(),
            starts_at: chrono::Utc::now(),
            duration_minutes: 60,
            capacity: None,
            taken: 0,
            join_url: None,
            status: crate::domain::webinar::SessionStatus::Scheduled,
        }];
        let am = sessions[0].id;
        let shareable = Options {
            shareable: true,
            ..Options::default()
        };
        let lister = Lister::new(&sessions, shareable);
        let a = RegistrationId::new();
        let listed = lister
            .person(
                person(a, "Amina", true),
                &[record(a, am, 30), record(a, am, 5)],
            )
            .unwrap();
        assert_eq!(listed.email, "");
        assert_eq!(listed.attended_session, "AM");
        assert_eq!(
            listed.cells(shareable),
            ["'=Rabat Process", "Amina", "", "MA", "AM"]
        );
        assert!(
            lister
                .person(person(RegistrationId::new(), "Kenji", false), &[])
                .is_none()
        );
    }
}
