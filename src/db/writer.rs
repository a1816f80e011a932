//! The one SQLite write connection, committing in groups: many write transactions,
//! one `COMMIT` (one fsync).

use std::sync::Arc;

use sqlx::{Executor, SqliteConnection};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// The one SQLite write connection, with group commit.
///
/// Write transactions take turns on the connection, each inside a savepoint of one outer
/// `BEGIN IMMEDIATE` transaction. A transaction that commits releases its savepoint, gives
/// the connection to the next one and waits: the outer transaction is committed (one
/// fsync) when the transactions that queued meanwhile have had their turn, and every
/// caller in it is answered only then. So each answered commit is as durable as its own
/// `COMMIT`, one failed transaction rolls back only its own savepoint, and under load one
/// fsync covers many transactions instead of one.
#[derive(Clone)]
pub struct Writer(Arc<Mutex<WriteConn>>);

struct WriteConn {
    conn: SqliteConnection,
    /// The outer transaction is open.
    open: bool,
    /// A savepoint was left without committing (its `Tx` was dropped): rolled back before
    /// the connection is used again.
    abandoned: bool,
    /// Callers whose savepoints were released into the open transaction.
    waiting: Vec<oneshot::Sender<Result<(), GroupFailed>>>,
    /// Outer transactions committed, so tests can tell how callers were grouped.
    #[cfg(test)]
    groups: usize,
}

/// Why a group's work was lost, told to every caller in it. The database's error stays
/// the cause, so a caller can still tell, say, a full disk from a broken constraint.
#[derive(Debug, Clone)]
struct GroupFailed {
    what: &'static str,
    cause: Arc<sqlx::Error>,
}

impl std::fmt::Display for GroupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.what)
    }
}

impl std::error::Error for GroupFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.cause)
    }
}

/// A write transaction on SQLite: a savepoint in the group's transaction.
pub struct SqliteTx {
    /// Held until commit, so no other transaction runs in between.
    guard: Option<OwnedMutexGuard<WriteConn>>,
    writer: Writer,
}

impl WriteConn {
    /// Rolls back an abandoned savepoint; if SQLite had rolled back the whole transaction
    /// (after an I/O error), the waiting callers are told that their work was lost.
    async fn settle(&mut self) -> anyhow::Result<()> {
        if !self.abandoned {
            return Ok(());
        }
        if let Err(e) = self
            .conn
            .execute("ROLLBACK TO SAVEPOINT tx; RELEASE SAVEPOINT tx")
            .await
        {
            let _ = self.conn.execute("ROLLBACK").await;
            self.open = false;
            self.answer(Err(GroupFailed {
                what: "the transaction was rolled back",
                cause: Arc::new(e),
            }));
        }
        self.abandoned = false;
        Ok(())
    }

    fn answer(&mut self, result: Result<(), GroupFailed>) {
        for waiter in self.waiting.drain(..) {
            let _ = waiter.send(result.clone());
        }
    }

    /// Commits the outer transaction and answers everyone in it.
    async fn commit_group(&mut self) -> anyhow::Result<()> {
        self.settle().await?;
        if !self.open {
            return Ok(());
        }
        let committed = self.conn.execute("COMMIT").await;
        if committed.is_err() {
            let _ = self.conn.execute("ROLLBACK").await;
        }
        #[cfg(test)]
        if committed.is_ok() {
            self.groups += 1;
        }
        self.open = false;
        self.answer(committed.map(|_| ()).map_err(|e| GroupFailed {
            what: "committing the transaction group",
            cause: Arc::new(e),
        }));
        Ok(())
    }
}

impl Writer {
    /// Takes over `conn`, which must not be inside a transaction.
    pub(super) fn new(conn: SqliteConnection) -> Writer {
        Writer(Arc::new(Mutex::new(WriteConn {
            conn,
            open: false,
            abandoned: false,
            waiting: Vec::new(),
            #[cfg(test)]
            groups: 0,
        })))
    }

    pub(super) async fn begin(&self) -> anyhow::Result<SqliteTx> {
        let mut guard = self.0.clone().lock_owned().await;
        guard.settle().await?;
        if !guard.open {
            guard.conn.execute("BEGIN IMMEDIATE").await?;
            guard.open = true;
        }
        if let Err(e) = guard.conn.execute("SAVEPOINT tx").await {
            if guard.waiting.is_empty() {
                guard.commit_group().await?;
            }
            return Err(e.into());
        }
        guard.abandoned = true;
        Ok(SqliteTx {
            guard: Some(guard),
            writer: self.clone(),
        })
    }

    /// Commits the open group once the transactions already queued have had their turn.
    fn commit_soon(&self) {
        let writer = self.0.clone();
        tokio::spawn(async move {
            let _ = writer.lock().await.commit_group().await;
        });
    }

    pub(super) async fn close(&self) {
        let _ = self.0.lock().await.commit_group().await;
    }
}

impl SqliteTx {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.guard.as_mut().expect("held until commit").conn
    }

    pub(super) async fn commit(self) -> anyhow::Result<()> {
        self.end("RELEASE SAVEPOINT tx").await
    }

    /// Undoes the savepoint, then waits like a commit: what the transaction saw of the
    /// others in its group is committed when this returns.
    pub(super) async fn rollback(self) -> anyhow::Result<()> {
        self.end("ROLLBACK TO SAVEPOINT tx; RELEASE SAVEPOINT tx")
            .await
    }

    async fn end(mut self, sql: &str) -> anyhow::Result<()> {
        let mut guard = self.guard.take().expect("held until commit");
        if let Err(e) = guard.conn.execute(sql).await {
            self.guard = Some(guard);
            return Err(e.into());
        }
        guard.abandoned = false;
        let (done, committed) = oneshot::channel();
        guard.waiting.push(done);
        let first = guard.waiting.len() == 1;
        drop(guard);
        if first {
            // The lock is fair: the commit queues behind the transactions already
            // waiting for the connection, so they join this group.
            self.writer.commit_soon();
        }
        committed
            .await
            .map_err(|_| anyhow::anyhow!("the group commit was interrupted"))?
            .map_err(anyhow::Error::new)
    }
}

impl Drop for SqliteTx {
    /// Left without committing: the savepoint is rolled back before the connection is
    /// used again, and the group (if nobody else is in it) is closed, releasing the lock.
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            let alone = guard.waiting.is_empty();
            drop(guard);
            if alone && tokio::runtime::Handle::try_current().is_ok() {
                self.writer.commit_soon();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! On a real SQLite file in WAL mode, as the server runs it; durability is checked by
    //! reading with a fresh connection.

    use std::path::{Path, PathBuf};
    use std::str::FromStr;

    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
    use sqlx::{ConnectOptions, Connection};
    use tokio::task::JoinHandle;

    use super::*;

    struct Fixture {
        _dir: tempfile::TempDir,
        file: PathBuf,
        writer: Writer,
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("writer.db");
        let mut conn = options(&file)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        conn.execute(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE item (
                 id INTEGER PRIMARY KEY,
                 parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED
             );",
        )
        .await
        .unwrap();
        Fixture {
            _dir: dir,
            file,
            writer: Writer::new(conn),
        }
    }

    fn options(file: &Path) -> SqliteConnectOptions {
        SqliteConnectOptions::from_str(&file.to_string_lossy())
            .unwrap()
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
    }

    impl Fixture {
        /// The item ids on disk, read by a connection that shares nothing with the writer.
        async fn durable_items(&self) -> Vec<i64> {
            let mut fresh = options(&self.file).connect().await.unwrap();
            let ids = sqlx::query_scalar("SELECT id FROM item ORDER BY id")
                .fetch_all(&mut fresh)
                .await
                .unwrap();
            fresh.close().await.unwrap();
            ids
        }

        async fn groups(&self) -> usize {
            self.writer.0.lock().await.groups
        }

        /// Returns once `count` transactions wait for the connection, so they take their
        /// turn in the group that is open now.
        /// `holders` is the number of open transactions (each holds a clone of the writer).
        async fn wait_until_queued(&self, count: usize, holders: usize) {
            // A task holds one clone of the writer, and its `begin` one more while it
            // is queued on the lock.
            while Arc::strong_count(&self.writer.0) < 1 + holders + 2 * count {
                tokio::task::yield_now().await;
            }
        }

        /// A transaction on its own task that inserts `id` and commits.
        fn spawn_insert(&self, id: i64) -> JoinHandle<anyhow::Result<()>> {
            let writer = self.writer.clone();
            tokio::spawn(async move {
                let mut tx = writer.begin().await?;
                insert(&mut tx, id).await?;
                tx.commit().await
            })
        }
    }

    async fn insert(tx: &mut SqliteTx, id: i64) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO item (id) VALUES ($1)")
            .bind(id)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    #[tokio::test]
    async fn callers_in_one_group_all_see_their_data_durable_after_commit() {
        let f = fixture().await;
        let mut first = f.writer.begin().await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let others = [f.spawn_insert(2), f.spawn_insert(3)];
        f.wait_until_queued(2, 1).await;

        first.commit().await.unwrap();
        for other in others {
            other.await.unwrap().unwrap();
        }

        assert_eq!(f.durable_items().await, [1, 2, 3]);
        assert_eq!(
            f.groups().await,
            1,
            "one COMMIT covers the three transactions"
        );
    }

    #[tokio::test]
    async fn a_failing_transaction_rolls_back_only_its_own_savepoint() {
        let f = fixture().await;
        let mut first = f.writer.begin().await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let failing = {
            let writer = f.writer.clone();
            tokio::spawn(async move {
                let mut tx = writer.begin().await.unwrap();
                insert(&mut tx, 2).await.unwrap();
                let duplicate = insert(&mut tx, 1).await;
                tx.rollback().await.unwrap();
                duplicate
            })
        };
        let last = f.spawn_insert(3);
        f.wait_until_queued(2, 1).await;

        first.commit().await.unwrap();
        let error = failing.await.unwrap().unwrap_err();
        last.await.unwrap().unwrap();

        assert!(crate::db::is_unique_violation(&error), "{error:#}");
        assert_eq!(f.durable_items().await, [1, 3]);
        assert_eq!(f.groups().await, 1);
    }

    #[tokio::test]
    async fn a_dropped_transaction_does_not_poison_its_group() {
        let f = fixture().await;
        let mut first = f.writer.begin().await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let dropped = {
            let writer = f.writer.clone();
            tokio::spawn(async move {
                let mut tx = writer.begin().await.unwrap();
                insert(&mut tx, 2).await.unwrap();
                // Left without commit or rollback, as an early return with `?` does.
            })
        };
        let last = f.spawn_insert(3);
        f.wait_until_queued(2, 1).await;

        first.commit().await.unwrap();
        dropped.await.unwrap();
        last.await.unwrap().unwrap();

        assert_eq!(f.durable_items().await, [1, 3]);
        assert_eq!(f.groups().await, 1);
    }

    #[tokio::test]
    async fn a_transaction_dropped_alone_frees_the_connection() {
        let f = fixture().await;
        let mut dropped = f.writer.begin().await.unwrap();
        insert(&mut dropped, 1).await.unwrap();
        drop(dropped);

        f.spawn_insert(2).await.unwrap().unwrap();

        assert_eq!(f.durable_items().await, [2]);
    }

    #[tokio::test]
    async fn a_failed_group_commit_reaches_every_caller_in_that_group_and_no_other() {
        let f = fixture().await;
        let mut first = f.writer.begin().await.unwrap();
        // Checked only at COMMIT: the whole group fails there.
        sqlx::query("INSERT INTO item (id, parent_id) VALUES (1, 99)")
            .execute(first.conn())
            .await
            .unwrap();
        let same_group = f.spawn_insert(2);
        f.wait_until_queued(1, 1).await;

        let error = first.commit().await.unwrap_err();
        let same_group_error = same_group.await.unwrap().unwrap_err();
        f.spawn_insert(3).await.unwrap().unwrap();

        for error in [error, same_group_error] {
            assert!(format!("{error:#}").contains("FOREIGN KEY"), "{error:#}");
        }
        assert_eq!(f.durable_items().await, [3]);
        assert_eq!(f.groups().await, 1);
    }

    #[tokio::test]
    async fn closing_commits_what_is_waiting_and_answers_its_callers() {
        let f = fixture().await;
        f.spawn_insert(1).await.unwrap().unwrap();
        let mut open = f.writer.begin().await.unwrap();
        insert(&mut open, 2).await.unwrap();
        let commit = tokio::spawn(open.commit());
        f.writer.close().await;

        commit.await.unwrap().unwrap();
        assert_eq!(f.durable_items().await, [1, 2]);
    }
}
