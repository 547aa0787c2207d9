//! Opening the pool: SQLite settings, PostgreSQL limits, errors without secrets,
//! and the store's two ways onto a connection: write transactions that are
//! safe on SQLite's single writer, and plain reads, both taking a turn on
//! SQLite (see `turns`).
//!
//! SQLite has one writer at a time. A deferred `BEGIN` that reads and then
//! writes fails with `SQLITE_BUSY` (no waiting) when another connection wrote
//! in between, which would break `claim` whenever two handles share the file
//! (two `Store`s in one process, or `schemagate sync` beside `serve`). So:
//! - every write transaction starts with `BEGIN IMMEDIATE`: it takes the write
//!   lock up front, waiting up to the busy timeout, and never fails midway;
//! - the pool holds ONE connection per `Store`, so the webhook handler and the
//!   workers of one process queue fairly on the pool (an async wait) instead of
//!   on SQLite's busy handler, which sleeps in growing steps and would add
//!   milliseconds to a webhook acknowledgement under load. A single-row write
//!   in WAL mode takes well under a millisecond, so one connection is not the
//!   bottleneck; several replicas need PostgreSQL anyway.

use super::turns::{Priority, Turn, Turns};
use super::{Store, StoreError, schema};
use crate::clock::SystemClock;
use crate::config::{DatabaseKind, DatabaseUrl};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for a connection (or for PostgreSQL to answer at all).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the one diagnostic attempt after a pool timeout may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// How long SQLite waits for another process's write lock.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// Connections per PostgreSQL pool: the worker tasks plus the webhook handler.
const POSTGRES_CONNECTIONS: u32 = 10;

/// WAL lets readers run beside the writer. `synchronous = NORMAL` in WAL mode
/// writes every commit to the WAL before it returns but syncs the WAL to disk
/// only at checkpoints: a committed delivery or job survives a crash or kill
/// of the process (the crash-safety guarantee), and the database is never
/// corrupted, but a power cut or kernel crash may lose the last commits
/// before the next checkpoint. `FULL` would close that window with an fsync
/// per commit, and every commit holds the store's one connection: in
/// `cargo bench --bench serve` (2 cores) it cost ~25% of the event rate and
/// ~40% of the acknowledgement time. A delivery lost that way is one the forge
/// got a 2xx for; the periodic sync re-evaluates what it would have done.
const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; \
     PRAGMA foreign_keys = ON;";

impl Store {
    /// A store that lives as long as this process: `check` and the
    /// server-less `sync`, whose records are all on the forge.
    pub async fn in_memory() -> Result<Store, StoreError> {
        Store::connect(&DatabaseUrl {
            url: "sqlite::memory:".into(),
            kind: DatabaseKind::Sqlite,
        })
        .await
    }

    /// The store a dry run reads: the configured one when it exists, else
    /// an empty one in memory, so a dry run never creates a database file
    /// (SQLite's `-wal`/`-shm` files still appear beside an existing one
    /// while it is open).
    pub async fn for_dry_run(url: &DatabaseUrl) -> Result<Store, StoreError> {
        match sqlite_file(url) {
            Some(path) if !std::path::Path::new(&path).exists() => Store::in_memory().await,
            _ => Store::connect(url).await,
        }
    }

    /// Opens (creating an SQLite file if missing) and brings the schema up to date.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let failed = |reason: String| StoreError::Connect {
            url: redacted(&url.url),
            reason,
        };
        let options = AnyConnectOptions::from_str(&sqlx_url(url))
            .map_err(|error| failed(error.to_string()))?;
        let pool = match url.kind {
            DatabaseKind::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    // A file connection cannot go stale; skip the extra round trip.
                    .test_before_acquire(false)
                    .after_connect(|connection, _| {
                        Box::pin(async move {
                            connection.execute(SQLITE_SETTINGS).await?;
                            let busy = format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}");
                            connection.execute(sqlx::AssertSqlSafe(busy)).await?;
                            Ok(())
                        })
                    })
                    .connect_with(options.clone())
                    .await
            }
            DatabaseKind::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_with(options.clone())
                    .await
            }
        };
        let pool = match pool {
            Ok(pool) => pool,
            Err(error) => return Err(failed(connect_reason(error, &options).await)),
        };
        let store = Store {
            pool,
            kind: url.kind,
            turns: (url.kind == DatabaseKind::Sqlite).then(|| Arc::new(Turns::default())),
            clock: Arc::new(SystemClock),
        };
        schema::apply(&store)
            .await
            .map_err(|error| failed(format!("applying the schema: {error}")))?;
        Ok(store)
    }

    /// A transaction for statements that write. On SQLite it takes the write
    /// lock at `BEGIN` (see the module comment); PostgreSQL locks rows as it goes.
    pub(crate) async fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        self.begin_with(Priority::Work).await
    }

    /// [`Store::begin_write`] for storing webhook deliveries: first in line.
    pub(crate) async fn begin_intake(&self) -> Result<WriteTransaction, StoreError> {
        self.begin_with(Priority::Intake).await
    }

    async fn begin_with(&self, priority: Priority) -> Result<WriteTransaction, StoreError> {
        let turn = self.turn(priority).await;
        let transaction = match self.kind {
            DatabaseKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DatabaseKind::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTransaction {
            transaction,
            _turn: turn,
        })
    }

    /// A connection for reads outside a transaction.
    pub(crate) async fn reader(&self) -> Result<Reader, StoreError> {
        let turn = self.turn(Priority::Work).await;
        Ok(Reader {
            connection: self.pool.acquire().await?,
            _turn: turn,
        })
    }

    async fn turn(&self, priority: Priority) -> Option<Turn> {
        match &self.turns {
            Some(turns) => Some(turns.take(priority).await),
            None => None,
        }
    }
}

/// A write transaction holding its turn until it commits or is dropped.
pub(crate) struct WriteTransaction {
    transaction: Transaction<'static, Any>,
    // Declared last: the transaction ends before the turn passes on.
    _turn: Option<Turn>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.transaction.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.transaction.rollback().await?;
        Ok(())
    }
}

impl Deref for WriteTransaction {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.transaction
    }
}

impl DerefMut for WriteTransaction {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.transaction
    }
}

/// A pooled connection holding its turn while it reads.
pub(crate) struct Reader {
    connection: PoolConnection<Any>,
    _turn: Option<Turn>,
}

impl Deref for Reader {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.connection
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.connection
    }
}

/// An SQLite URL that names no file.
fn is_in_memory(text: &str) -> bool {
    text.contains(":memory:") || text.contains("mode=memory")
}

/// The file an SQLite URL names (`sqlite://schemagate.db`,
/// `sqlite:///var/lib/x.db?mode=rwc`); `None` for PostgreSQL and memory.
fn sqlite_file(url: &DatabaseUrl) -> Option<String> {
    let text = &url.url;
    if url.kind != DatabaseKind::Sqlite || is_in_memory(text) {
        return None;
    }
    let rest = text
        .strip_prefix("sqlite://")
        .or_else(|| text.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| path.to_string())
}

/// The URL sqlx gets: an SQLite file is created when missing, unless the
/// URL already says which `mode` it wants.
fn sqlx_url(url: &DatabaseUrl) -> String {
    let text = &url.url;
    if url.kind != DatabaseKind::Sqlite || is_in_memory(text) || text.contains("mode=") {
        return text.clone();
    }
    let separator = if text.contains('?') { '&' } else { '?' };
    format!("{text}{separator}mode=rwc")
}

/// One sentence on why a connection failed. sqlx's pool keeps retrying a
/// refused connection until its timeout and then reports only the timeout,
/// so one more direct attempt finds the cause ("Connection refused").
async fn connect_reason(error: sqlx::Error, options: &AnyConnectOptions) -> String {
    if !matches!(error, sqlx::Error::PoolTimedOut) {
        return error.to_string();
    }
    let waited = format!("no connection within {} s", ACQUIRE_TIMEOUT.as_secs());
    let attempt = tokio::time::timeout(PROBE_TIMEOUT, AnyConnection::connect_with(options)).await;
    // No answer in time, or (oddly) a connection now: no cause to name.
    match attempt.map(Result::err) {
        Ok(Some(cause)) => format!("{waited}: {cause}"),
        _ => format!("{waited} (is the server running and reachable?)"),
    }
}

/// The URL without a password, for messages and logs.
pub(crate) fn redacted(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Cannot fail: a URL with a password has a host.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => text.to_string(),
        // Not a URL: keep only the scheme, which cannot hold a secret.
        Err(_) => text.split(':').next().unwrap_or_default().to_string() + ":…",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(text: &str) -> DatabaseUrl {
        DatabaseUrl {
            url: text.to_string(),
            kind: DatabaseKind::Sqlite,
        }
    }

    #[test]
    fn sqlite_files_are_created_unless_the_url_picks_a_mode() {
        assert_eq!(sqlx_url(&sqlite("sqlite://x.db")), "sqlite://x.db?mode=rwc");
        assert_eq!(
            sqlx_url(&sqlite("sqlite://x.db?cache=shared")),
            "sqlite://x.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            sqlx_url(&sqlite("sqlite://x.db?mode=ro")),
            "sqlite://x.db?mode=ro"
        );
        assert_eq!(sqlx_url(&sqlite("sqlite::memory:")), "sqlite::memory:");
    }

    #[test]
    fn a_dry_run_knows_which_file_an_sqlite_url_names() {
        assert_eq!(
            sqlite_file(&sqlite("sqlite://schemagate.db")).as_deref(),
            Some("schemagate.db")
        );
        assert_eq!(
            sqlite_file(&sqlite("sqlite:///var/lib/schemagate/s.db?mode=rwc")).as_deref(),
            Some("/var/lib/schemagate/s.db")
        );
        assert_eq!(sqlite_file(&sqlite("sqlite::memory:")), None);
        let postgres = DatabaseUrl {
            url: "postgres://db/schemagate".into(),
            kind: DatabaseKind::Postgres,
        };
        assert_eq!(sqlite_file(&postgres), None);
    }

    #[test]
    fn passwords_never_reach_a_message() {
        let shown = redacted("postgres://bot:hunter2@db.example.org/schemagate");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.example.org"), "{shown}");
        assert_eq!(
            redacted("postgres://bot@db/schemagate"),
            "postgres://bot@db/schemagate"
        );
    }
}
