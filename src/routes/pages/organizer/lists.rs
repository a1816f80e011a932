//! What the list pages (invitees, registrations, attendance, chairs, outbox) share: the query of a page (search,
//! filters, sort, `limit`, `after`/`before` cursors), its links to the neighbouring pages
//! and to the other orders, keeping the filters, and the ticked rows of a bulk form.

#[allow(unused_imports)]
use super::*;
use crate::db::lists::{Attendance, Counted, Cursor, Filter, Key, Listed, Place, Sort, Window};
use crate::routes::cursor;

/// Rows a page holds unless `limit` says otherwise, and the most it may say.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 200;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct ListQuery {
    pub q: String,
    pub sort: String,
    pub language: String,
    pub zone: String,
    pub session: String,
    pub status: String,
    pub kind: String,
    /// `attended`, `absent` or `unmarked` (the attendance page).
    pub attendance: String,
    pub limit: String,
    pub after: String,
    pub before: String,
}

/// Which list a query is for: its orders and the shape of its cursors.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListOf {
    /// Invitees and registrations: three orders, [`Place`] keys.
    People,
    /// The outbox: in the order queued only, the message id as the key.
    Outbox,
}

/// A list page's query, checked.
pub(crate) struct ListView {
    pub query: ListQuery,
    pub filter: Filter,
    pub sort: Sort,
    pub window: Window,
}

impl ListQuery {
    pub fn check(self, list: ListOf) -> AppResult<ListView> {
        if list == ListOf::Outbox && !self.sort.is_empty() {
            return Err(AppError::BadRequest(
                "sort: the outbox is in the order the messages were queued".into(),
            ));
        }
        let sort = Sort::parse(&self.sort).ok_or_else(|| {
            AppError::BadRequest(format!(
                "sort: choose organization, name or created, not {:?}",
                self.sort
            ))
        })?;
        let limit = match self.limit.trim() {
            "" => DEFAULT_LIMIT,
            given => given
                .parse::<i64>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    AppError::BadRequest(format!(
                        "limit: must be a whole number from 1 to {MAX_LIMIT}, not {given:?}"
                    ))
                })?,
        };
        let cursor = match (self.after.as_str(), self.before.as_str()) {
            ("", "") => None,
            (after, "") => Some(Cursor::After(cursor::decode::<Key>("after", after)?)),
            ("", before) => Some(Cursor::Before(cursor::decode::<Key>("before", before)?)),
            _ => {
                return Err(AppError::BadRequest(
                    "after, before: give one of them, not both".into(),
                ));
            }
        };
        if let Some(Cursor::After(key) | Cursor::Before(key)) = &cursor
            && !fits(key, list, sort)
        {
            return Err(AppError::BadRequest(
                "after, before: a cursor of another order; leave it out to start from the first page"
                    .into(),
            ));
        }
        if !self.language.is_empty() {
            self.language.parse::<Language>().map_err(|_| {
                AppError::BadRequest(format!(
                    "language: not a language code: {:?}",
                    self.language
                ))
            })?;
        }
        let session = (!self.session.is_empty())
            .then(|| parse_id(&self.session, "session", |u| u))
            .transpose()?;
        let attendance = match self.attendance.as_str() {
            "" => None,
            given => Some(Attendance::parse(given).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "attendance: choose attended, absent or unmarked, not {given:?}"
                ))
            })?),
        };
        let filter = Filter {
            search: self.q.clone(),
            language: self.language.clone(),
            zone: self.zone.trim().to_string(),
            session,
            status: self.status.clone(),
            attendance,
        };
        Ok(ListView {
            query: self,
            filter,
            sort,
            window: Window { cursor, limit },
        })
    }
}

/// Whether a cursor's key has the shape of the list's keys in `sort` order.
fn fits(key: &Key, list: ListOf, sort: Sort) -> bool {
    use crate::db::lists::Part;
    if list == ListOf::Outbox {
        return matches!(key[..], [Part::Int(_)]);
    }
    let shape: Vec<std::mem::Discriminant<Part>> = key.iter().map(std::mem::discriminant).collect();
    let place = Place {
        id: uuid::Uuid::nil(),
        list_last: 0,
        list_org: String::new(),
        list_name: String::new(),
        created_at: Utc::now(),
    };
    let expected: Vec<_> = place.key(sort).iter().map(std::mem::discriminant).collect();
    shape == expected
}

impl ListView {
    /// The page's query with its filters and sort and `extra` (a cursor), without the
    /// parameters left empty.
    fn link(&self, sort: Sort, extra: &[(&str, &str)]) -> String {
        let q = &self.query;
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("q", q.q.as_str()),
            ("language", &q.language),
            ("zone", &q.zone),
            ("session", &q.session),
            ("status", &q.status),
            ("kind", &q.kind),
            ("attendance", &q.attendance),
            ("limit", &q.limit),
        ] {
            if !value.trim().is_empty() {
                query.append_pair(name, value);
            }
        }
        if sort != Sort::default() {
            query.append_pair("sort", sort.as_str());
        }
        for (name, value) in extra {
            query.append_pair(name, value);
        }
        // Relative to the page (no slash, which the templates would escape).
        format!("?{}", query.finish())
    }

    /// What the template shows around the rows: the counts (`more` when the filter keeps
    /// more than `matching` rows, counted no further), the links to the previous and next
    /// pages and to each order.
    pub fn pager<T>(&self, path: &str, listed: &Listed<T>, shown: Counted, total: i64) -> Value {
        let (shown, more) = match shown {
            Counted::Exactly(n) => (n, false),
            Counted::MoreThan(n) => (n, true),
        };
        let first = listed.rows.first().map(|(_, k)| k);
        let last = listed.rows.last().map(|(_, k)| k);
        let previous = first
            .filter(|_| listed.has_previous)
            .map(|k| self.link(self.sort, &[("before", &cursor::encode(k))]));
        let next = last
            .filter(|_| listed.has_next)
            .map(|k| self.link(self.sort, &[("after", &cursor::encode(k))]));
        let sorts: Vec<Value> = [Sort::Organization, Sort::Name, Sort::Created]
            .into_iter()
            .map(|s| {
                context! { name => s.as_str(), url => self.link(s, &[]), current => s == self.sort }
            })
            .collect();
        let filtered = !self.query.q.trim().is_empty()
            || !self.query.language.is_empty()
            || !self.query.zone.trim().is_empty()
            || !self.query.session.is_empty()
            || !self.query.status.is_empty()
            || !self.query.kind.is_empty()
            || !self.query.attendance.is_empty();
        context! {
            previous => previous, next => next, sorts => sorts, sort => self.sort.as_str(),
            matching => shown, more => more, total => total, filtered => filtered, rows => listed.rows.len(),
            here => format!("{path}{}", self.link(self.sort, &[])),
        }
    }
}

/// A bulk form's fields: `csrf`, the `action` (a button's value) and every ticked `name`.
pub(crate) struct Ticked {
    pairs: Vec<(String, String)>,
}

impl Ticked {
    pub fn read(web: &Web, body: &str) -> AppResult<Ticked> {
        let ticked = Ticked {
            pairs: form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect(),
        };
        web.check_csrf(ticked.field("csrf").unwrap_or_default())?;
        Ok(ticked)
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The ticked ids (at least one, at most a page's worth).
    pub fn ids<T>(&self, name: &str, wrap: impl Fn(uuid::Uuid) -> T) -> AppResult<Vec<T>> {
        let ids = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| parse_id(v, name, &wrap))
            .collect::<AppResult<Vec<_>>>()?;
        if ids.is_empty() {
            return Err(AppError::BadRequest(format!(
                "{name}: tick at least one row"
            )));
        }
        if ids.len() as i64 > MAX_LIMIT {
            return Err(AppError::BadRequest(format!(
                "{name}: at most {MAX_LIMIT} rows at once (a page)"
            )));
        }
        Ok(ids)
    }

    /// Where to go back to: the list page the form was on (`back`), if it is one of
    /// `path`, else `path`.
    pub fn back(&self, path: &str) -> String {
        back_to(self.field("back").unwrap_or_default(), path)
    }
}

/// `back` (a list page a form was on) if it is one of `path`, else `path`.
pub(crate) fn back_to(back: &str, path: &str) -> String {
    Some(back)
        .filter(|b| b.starts_with(path) && !b.contains("//"))
        .unwrap_or(path)
        .to_string()
}
