//! Storage on SQLite (embedded default) or PostgreSQL, picked by the URL scheme.
//!
//! Queries are written once, with `$1` placeholders that both accept, and bound to
//! types both support (UUID, UTC timestamps, i64, text, bool). The [`on!`] macro
//! expands one query body for each backend, so the compiler checks it against both.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

use crate::config::{DatabaseSettings, SqliteSync};

pub mod attendance;
pub mod chairs;
pub mod invitees;
pub mod materials;
pub mod organizers;
pub mod outbox;
pub mod registrations;
pub mod sessions;
pub mod web_sessions;
pub mod webinars;

/// Runs `$body` with `$c` bound to the backend's connection.
macro_rules! on {
    ($exec:expr, $c:ident => $body:expr) => {
        match $exec {
            $crate::db::Exec::Sqlite($c) => $body,
            $crate::db::Exec::Postgres($c) => $body,
        }
    };
}
pub(crate) use on;

#[derive(Clone, Debug)]
pub enum Db {
    /// Readers share a pool; all writes go through one connection, so SQLite never
    /// answers "database is locked" under load and seat counts stay exact.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// A borrowed connection of either backend: what every query function takes.
pub enum Exec<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Exec<'_> {
    /// A shorter borrow, so one `Exec` serves several queries in a row.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::Sqlite(c) => Exec::Sqlite(c),
            Exec::Postgres(c) => Exec::Postgres(c),
        }
    }
}

impl Conn {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Conn::Sqlite(c) => Exec::Sqlite(c),
            Conn::Postgres(c) => Exec::Postgres(c),
        }
    }
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(t) => Exec::Sqlite(t),
            Tx::Postgres(t) => Exec::Postgres(t),
        }
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
        .context("committing a transaction")
    }
}

impl Db {
    #[tracing::instrument(skip_all)]
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Db> {
        if settings.url.starts_with("postgres") {
            Self::connect_postgres(settings).await
        } else {
            Self::connect_sqlite(settings).await
        }
    }

    async fn connect_postgres(settings: &DatabaseSettings) -> anyhow::Result<Db> {
        let options = PgConnectOptions::from_str(&settings.url)
            .context("database.url is not a valid PostgreSQL URL")?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("connecting to PostgreSQL (database.url)")?;
        sqlx::migrate!("migrations/postgres")
            .run(&pool)
            .await
            .context("running the PostgreSQL migrations")?;
        Ok(Db::Postgres(pool))
    }

    async fn connect_sqlite(settings: &DatabaseSettings) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(&settings.url)
            .context("database.url is not a valid SQLite URL")?;
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match settings.sqlite_synchronous {
                SqliteSync::Full => SqliteSynchronous::Full,
                SqliteSync::Normal => SqliteSynchronous::Normal,
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .context("opening the SQLite database (database.url)")?;
        sqlx::migrate!("migrations/sqlite")
            .run(&write)
            .await
            .context("running the SQLite migrations")?;
        // Long reads (the participant list) stream without waking the reader per row.
        let read = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .connect_with(options.row_buffer_size(1024))
            .await
            .context("opening the SQLite database for reading")?;
        Ok(Db::Sqlite { read, write })
    }

    /// A connection for reading.
    pub async fn conn(&self) -> anyhow::Result<Conn> {
        Ok(match self {
            Db::Sqlite { read, .. } => Conn::Sqlite(read.acquire().await?),
            Db::Postgres(pool) => Conn::Postgres(pool.acquire().await?),
        })
    }

    /// A transaction for changes; on SQLite it takes the write lock at once.
    pub async fn begin(&self) -> anyhow::Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// True when `error` (anywhere in its chain) is a unique-constraint violation.
pub fn is_unique_violation(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(db)) if db.is_unique_violation()
        )
    })
}

/// Reads a stored enum-like text column, failing loudly on a value the code does not know.
pub(crate) fn decode<T>(
    column: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> anyhow::Result<T> {
    parse(value).with_context(|| format!("unexpected {column} {value:?} in the database"))
}
