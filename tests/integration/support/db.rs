//! Fresh databases for store tests: an SQLite file in a temp directory, or a
//! new PostgreSQL database on the server named by `SCHEMAGATE_TEST_POSTGRES`
//! (dropped afterwards). Without that variable PostgreSQL tests are skipped
//! and counted, and the run ends with one line saying how many; under `CI` a
//! missing or unreachable server fails instead.

use schemagate::config::{DatabaseKind, DatabaseUrl};
use schemagate::store::Store;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::future::Future;
use std::sync::Once;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

pub const POSTGRES_ENV: &str = "SCHEMAGATE_TEST_POSTGRES";

/// A database a test may open as many times as it likes (each `store()` is a
/// separate pool, like a separate replica).
#[derive(Clone, Debug)]
pub struct TestDb {
    pub url: DatabaseUrl,
}

impl TestDb {
    pub async fn store(&self) -> Store {
        Store::connect(&self.url)
            .await
            .unwrap_or_else(|error| panic!("connect to {}: {error}", self.url.url))
    }
}

/// Runs `test` against a fresh SQLite file.
pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    test(TestDb {
        url: DatabaseUrl {
            url,
            kind: DatabaseKind::Sqlite,
        },
    })
    .await;
    drop(dir);
}

/// Runs `test` against a fresh PostgreSQL database, dropped afterwards even
/// when the test panics.
pub async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(admin_url) = postgres_admin_url() else {
        count_skipped_postgres_test();
        return;
    };
    let name = unique_database_name();
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|error| panic!("{POSTGRES_ENV}={admin_url} is unreachable: {error}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    let db = TestDb {
        url: DatabaseUrl {
            url: database_url(&admin_url, &name),
            kind: DatabaseKind::Postgres,
        },
    };
    let outcome = tokio::spawn(test(db)).await;
    // FORCE: pools the test left open are disconnected rather than waited for.
    let dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
    dropped.expect("drop the test database");
}

/// The admin URL, or `None` to skip; panics under CI when it is missing.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but {POSTGRES_ENV} is not: PostgreSQL store tests cannot run")
        }
        _ => None,
    }
}

static SKIPPED_POSTGRES_TESTS: AtomicUsize = AtomicUsize::new(0);

/// Counts one skipped test. libtest reports it as "ok" and captures its
/// output, so the count is printed once when the test process exits, after
/// libtest's own summary, where nobody can miss it.
fn count_skipped_postgres_test() {
    static AT_EXIT: Once = Once::new();
    SKIPPED_POSTGRES_TESTS.fetch_add(1, Ordering::Relaxed);
    AT_EXIT.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn` that only reads an atomic
        // and writes to stderr, which is safe during exit.
        unsafe {
            libc::atexit(report_skipped_postgres_tests);
        }
    });
}

extern "C" fn report_skipped_postgres_tests() {
    let skipped = SKIPPED_POSTGRES_TESTS.load(Ordering::Relaxed);
    eprintln!(
        "note: {skipped} PostgreSQL tests were skipped, not run, because {POSTGRES_ENV} is not set \
         (CI sets it: {POSTGRES_ENV}=postgres://postgres@127.0.0.1:5432/test)"
    );
}

fn unique_database_name() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "sg_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The admin URL with its database replaced by `name`.
fn database_url(admin_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("SCHEMAGATE_TEST_POSTGRES is a URL");
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// Writes one test body per backend: `both_backends!(name, …)` makes
/// `sqlite::name` and `postgres::name`, each calling `name(TestDb)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::db::with_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    $crate::support::db::with_postgres(super::$name).await;
                }
            )*
        }
    };
}

impl TestDb {
    /// The database as an earlier release's migrator left it: the schema
    /// files up to `last` applied as they are in `schema/<dialect>/` and
    /// recorded in the history table, nothing after. Returns a plain
    /// connection for writing that release's rows before the store opens it.
    pub async fn at_schema_version(&self, last: i64) -> sqlx::AnyConnection {
        use sqlx::Executor;
        sqlx::any::install_default_drivers();
        let (dialect, url) = match self.url.kind {
            DatabaseKind::Sqlite => ("sqlite", format!("{}?mode=rwc", self.url.url)),
            DatabaseKind::Postgres => ("postgres", self.url.url.clone()),
        };
        let mut old = sqlx::AnyConnection::connect(&url).await.unwrap();
        old.execute(
            "CREATE TABLE schemagate_schema_history (
                version    BIGINT NOT NULL PRIMARY KEY,
                path       TEXT   NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .await
        .unwrap();
        for (version, name) in schema_files(dialect) {
            if version > last {
                break;
            }
            let path = format!("{dialect}/{name}");
            let file = format!("{}/schema/{path}", env!("CARGO_MANIFEST_DIR"));
            let sql = std::fs::read_to_string(&file).unwrap();
            old.execute(sqlx::AssertSqlSafe(sql)).await.unwrap();
            sqlx::query(
                "INSERT INTO schemagate_schema_history (version, path, applied_at) \
                 VALUES ($1, $2, $3)",
            )
            .bind(version)
            .bind(path)
            .bind(1_760_000_000_000_i64)
            .execute(&mut old)
            .await
            .unwrap();
        }
        old
    }

    /// The versions `schemagate_schema_history` records, in order.
    pub async fn schema_history(&self) -> Vec<i64> {
        use sqlx::Row;
        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(&self.url.url).await.unwrap();
        let rows = sqlx::query("SELECT version FROM schemagate_schema_history ORDER BY version")
            .fetch_all(&mut connection)
            .await
            .unwrap();
        rows.iter().map(|row| row.get("version")).collect()
    }
}

/// `(version, file name)` of every file in `schema/<dialect>/`, by version.
pub fn schema_files(dialect: &str) -> Vec<(i64, String)> {
    let dir = format!("{}/schema/{dialect}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(i64, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{dir}: {error}"))
        .map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let version = name
                .strip_prefix('V')
                .and_then(|rest| rest.split_once("__"))
                .and_then(|(version, _)| version.parse().ok())
                .unwrap_or_else(|| panic!("{dir}/{name} is not named V<n>__*.sql"));
            (version, name)
        })
        .collect();
    files.sort();
    files
}
