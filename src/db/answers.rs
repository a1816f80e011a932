//! Calendar answers and bounced addresses, kept alike on registrations and chairs.

use anyhow::Context;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Exec, on};
use crate::domain::answer::{Answer, CalendarAnswer};
use crate::domain::{EmailAddress, WebinarId};

/// The answer columns of a registration or chair row.
#[derive(sqlx::FromRow)]
pub struct AnswerRow {
    calendar_answer: String,
    calendar_answered_at: Option<DateTime<Utc>>,
    calendar_comment: Option<String>,
    calendar_answer_sequence: Option<i64>,
    calendar_answer_stamp: Option<DateTime<Utc>>,
    address_bounced: bool,
}

impl AnswerRow {
    pub fn decode(self) -> anyhow::Result<CalendarAnswer> {
        Ok(CalendarAnswer {
            answer: super::decode("calendar answer", &self.calendar_answer, Answer::parse)?,
            answered_at: self.calendar_answered_at,
            comment: self.calendar_comment,
            sequence: self
                .calendar_answer_sequence
                .map(u32::try_from)
                .transpose()
                .context("calendar_answer_sequence")?,
            stamp: self.calendar_answer_stamp,
            address_bounced: self.address_bounced,
        })
    }
}

/// Whose answer: a registration or a chair (a table of its own each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Registration(Uuid),
    Chair(Uuid),
}

impl Who {
    fn table(self) -> &'static str {
        match self {
            Who::Registration(_) => "registrations",
            Who::Chair(_) => "session_chairs",
        }
    }

    fn id(self) -> Uuid {
        match self {
            Who::Registration(id) | Who::Chair(id) => id,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn set_answer(ex: Exec<'_>, who: Who, a: &CalendarAnswer) -> anyhow::Result<()> {
    let sql = format!(
        "UPDATE {} SET calendar_answer = $2, calendar_answered_at = $3, calendar_comment = $4, \
         calendar_answer_sequence = $5, calendar_answer_stamp = $6 WHERE id = $1",
        who.table()
    );
    on!(ex, c => sqlx::query(&sql)
        .bind(who.id())
        .bind(a.answer.as_str())
        .bind(a.answered_at)
        .bind(&a.comment)
        .bind(a.sequence.map(i64::from))
        .bind(a.stamp)
        .execute(c)
        .await.map(|r| r.rows_affected()))
    .context("recording a calendar answer")?;
    Ok(())
}

/// Flags every registration and chair of `webinar` with this address as bounced.
#[tracing::instrument(skip_all)]
pub async fn set_bounced(
    mut ex: Exec<'_>,
    webinar: WebinarId,
    email: &EmailAddress,
) -> anyhow::Result<()> {
    for table in ["registrations", "session_chairs"] {
        let sql = format!(
            "UPDATE {table} SET address_bounced = $3 WHERE webinar_id = $1 AND email_key = $2"
        );
        let keep = super::keep_prepared(&ex);
        on!(ex.reborrow(), c => sqlx::query(&sql)
            .persistent(keep)
            .bind(webinar.0)
            .bind(email.key())
            .bind(true)
            .execute(c)
            .await.map(|r| r.rows_affected()))
        .context("flagging a bounced address")?;
    }
    Ok(())
}

/// The registration or chair whose calendar event has this UID.
#[tracing::instrument(skip_all)]
pub async fn find_uid(mut ex: Exec<'_>, uid: &str) -> anyhow::Result<Option<(Who, WebinarId)>> {
    for (table, chair) in [("registrations", false), ("session_chairs", true)] {
        let sql = format!("SELECT id, webinar_id FROM {table} WHERE calendar_uid = $1");
        let row = on!(ex.reborrow(), c => sqlx::query_as::<_, (Uuid, Uuid)>(&sql)
            .bind(uid)
            .fetch_optional(c)
            .await)
        .context("finding a calendar UID")?;
        if let Some((id, webinar)) = row {
            let who = if chair {
                Who::Chair(id)
            } else {
                Who::Registration(id)
            };
            return Ok(Some((who, WebinarId(webinar))));
        }
    }
    Ok(None)
}
