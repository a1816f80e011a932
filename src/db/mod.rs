//! Storage on SQLite (embedded default) or PostgreSQL, picked by the URL scheme.
//!
//! Queries are written once, with `$1` placeholders that both accept, and bound to
//! types both support (UUID, UTC timestamps, i64, text, bool). The [`on!`] macro
//! expands one query body for each backend, so the compiler checks it against both.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{
    ConnectOptions, Executor, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool,
    Transaction,
};

use crate::config::{DatabaseSettings, SqliteSync};

pub mod answers;
pub mod attendance;
pub mod audit;
pub mod chairs;
pub mod inbound;
pub mod invitees;
pub mod lists;
pub mod materials;
pub mod members;
pub mod organizers;
pub mod outbox;
pub mod registrations;
pub mod sessions;
pub mod sign_in_failures;
pub mod waitlist;
pub mod web_sessions;
pub mod webinars;
mod writer;

pub use writer::{SqliteTx, Writer};

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

/// Whether a look-up of one email in a webinar (`webinar_id = $1 AND email_key = $2`)
/// may keep its prepared statement. PostgreSQL keeps a statement's generic plan once it
/// judges it as good as planning anew; planned while the tables are small (a new
/// database, its first minutes under load), that plan read an index of the webinar alone
/// (`registrations_by_status`, `invitees_by_zone`) and every registration of the
/// webinar on each call, until an `ANALYZE`. On PostgreSQL these look-ups are planned
/// with their values each time, which finds the unique index; SQLite plans by rule and
/// keeps them.
pub(crate) fn keep_prepared(ex: &Exec<'_>) -> bool {
    matches!(ex, Exec::Sqlite(_))
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The `VALUES` rows of a multi-row statement, `per_row` parameters each, every one bound
/// in order: `?` on SQLite (numbered ones are looked up by name, one scan of the
/// statement's parameters per bind, which grows with the square of a batch), `$n` on
/// PostgreSQL.
pub(crate) fn value_rows(ex: &Exec<'_>, rows: usize, per_row: usize) -> String {
    let sqlite = matches!(ex, Exec::Sqlite(_));
    (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=per_row)
                .map(|n| match sqlite {
                    true => "?".to_string(),
                    false => format!("${}", row * per_row + n),
                })
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One page of a list in keyset order: the rows whose sort key comes after `after` (from
/// the start without one), at most `limit` of them.
pub struct Page<K> {
    pub after: Option<K>,
    pub limit: i64,
}

#[derive(Clone)]
pub enum Db {
    /// Readers share a pool; all writes go through one connection, so SQLite never
    /// answers "database is locked" under load and seat counts stay exact.
    Sqlite {
        read: SqlitePool,
        write: Writer,
    },
    Postgres(PgPool),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Db::Sqlite { .. } => "Db::Sqlite",
            Db::Postgres(_) => "Db::Postgres",
        })
    }
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

/// A read transaction on a read connection; dropped, it ends.
pub enum Snapshot {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Snapshot {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Snapshot::Sqlite(t) => Exec::Sqlite(t),
            Snapshot::Postgres(t) => Exec::Postgres(t),
        }
    }
}

pub enum Tx {
    Sqlite(SqliteTx),
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
            Tx::Sqlite(t) => Exec::Sqlite(t.conn()),
            Tx::Postgres(t) => Exec::Postgres(t),
        }
    }

    pub async fn commit(self) -> anyhow::Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await.map_err(Into::into),
        }
        .context("committing a transaction")
    }

    /// Rolls back; returns once the other transactions it may have seen are committed.
    pub async fn rollback(self) -> anyhow::Result<()> {
        match self {
            Tx::Sqlite(t) => t.rollback().await,
            Tx::Postgres(t) => t.rollback().await.map_err(Into::into),
        }
        .context("rolling back a transaction")
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
        POSTGRES_MIGRATIONS
            .run(&pool)
            .await
            .context("running the PostgreSQL migrations")?;
        Ok(Db::Postgres(pool))
    }

    async fn connect_sqlite(settings: &DatabaseSettings) -> anyhow::Result<Db> {
        let options = SqliteConnectOptions::from_str(&settings.url)
            .context("database.url is not a valid SQLite URL")?;
        let file = options.get_filename().to_path_buf();
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::security::create_private_dir(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
        if file != Path::new(":memory:") {
            private_database_files(&file)?;
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
        let options = match settings.sqlite_max_page_count {
            Some(pages) => options.pragma("max_page_count", pages.to_string()),
            None => options,
        };
        let mut write = options
            .connect()
            .await
            .context("opening the SQLite database (database.url)")?;
        SQLITE_MIGRATIONS
            .run(&mut write)
            .await
            .context("running the SQLite migrations")?;
        let write = Writer::new(write);
        let read = SqlitePoolOptions::new()
            .max_connections(settings.max_connections)
            .connect_with(options)
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

    /// A read-only view that stays the same across several queries (a long list read in
    /// pages sees no change made meanwhile).
    pub async fn snapshot(&self) -> anyhow::Result<Snapshot> {
        Ok(match self {
            Db::Sqlite { read, .. } => Snapshot::Sqlite(read.begin().await?),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?;
                Snapshot::Postgres(tx)
            }
        })
    }

    /// A transaction for changes; on SQLite it takes the write lock at once.
    pub async fn begin(&self) -> anyhow::Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Answers when the database runs a trivial query.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let mut conn = self.conn().await?;
        on!(conn.exec(), c => sqlx::query("SELECT 1").execute(c).await.map(|_| ()))
            .context("running SELECT 1")?;
        Ok(())
    }

    /// The versions of the migrations built into this binary that the database has not
    /// applied (empty when its schema is current).
    pub async fn missing_migrations(&self) -> anyhow::Result<Vec<i64>> {
        let mut conn = self.conn().await?;
        let applied: Vec<i64> = on!(conn.exec(), c => sqlx::query_scalar::<_, i64>(
            "SELECT version FROM _sqlx_migrations WHERE success",
        )
        .fetch_all(c)
        .await)
        .context("reading the applied migrations")?;
        let built_in = match self {
            Db::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        Ok(built_in
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect())
    }

    /// Connections of the (read) pool: open, and of those in use; and its maximum.
    pub fn pool_use(&self) -> (u32, u32, u32) {
        let (size, idle, max) = match self {
            Db::Sqlite { read, .. } => (
                read.size(),
                read.num_idle(),
                read.options().get_max_connections(),
            ),
            Db::Postgres(pool) => (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ),
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        (size, size.saturating_sub(idle), max)
    }

    /// SQLite: writes a consistent copy of the database to `to` (a new file) while others
    /// keep reading and writing (`VACUUM INTO` reads one snapshot).
    pub async fn backup_sqlite(&self, to: &Path) -> anyhow::Result<()> {
        let Db::Sqlite { read, .. } = self else {
            anyhow::bail!("only a SQLite database is copied this way");
        };
        let to = to.to_str().context("the backup path is not valid UTF-8")?;
        sqlx::query("VACUUM INTO $1")
            .bind(to)
            .execute(read)
            .await
            .with_context(|| format!("copying the database into {to}"))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                write.close().await;
                read.close().await;
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

/// The SQLite database and its -wal and -shm files (SQLite gives those the database
/// file's mode) readable by this user only: they hold every registration. The file is
/// created here, 0600, before SQLite would create it under the default umask.
fn private_database_files(file: &Path) -> anyhow::Result<()> {
    let exists = file.try_exists().unwrap_or(false);
    if !exists {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(file) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => {
                return Err(e).with_context(|| format!("creating the database {}", file.display()));
            }
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let path = std::path::PathBuf::from(name);
        if path.try_exists().unwrap_or(false) {
            crate::security::make_private(&path)
                .with_context(|| format!("making {} private", path.display()))?;
        }
    }
    Ok(())
}

/// The SQLite database file that `database.url` names (`None` for PostgreSQL).
pub fn sqlite_file(settings: &DatabaseSettings) -> anyhow::Result<Option<std::path::PathBuf>> {
    if settings.url.starts_with("postgres") {
        return Ok(None);
    }
    let options = SqliteConnectOptions::from_str(&settings.url)
        .context("database.url is not a valid SQLite URL")?;
    Ok(Some(options.get_filename().to_path_buf()))
}

/// The lock beside a SQLite database (`<file>.lock`): each server holds it shared while
/// it runs, and `meridian restore` takes it exclusively, so a restore never replaces the
/// file under a running server. `Ok(None)`: the lock is taken the other way.
pub fn lock_sqlite(file: &Path, exclusive: bool) -> anyhow::Result<Option<std::fs::File>> {
    let mut name = file.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::security::create_private_dir(dir)
            .with_context(|| format!("creating the database folder {}", dir.display()))?;
    }
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening the lock file {}", path.display()))?;
    let taken = if exclusive {
        lock.try_lock()
    } else {
        lock.try_lock_shared()
    };
    match taken {
        Ok(()) => Ok(Some(lock)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("locking {}", path.display()))
        }
    }
}
