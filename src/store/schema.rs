//! The bot's own schema: the files under `schema/<dialect>/`, embedded at
//! build time, applied in version order at connect and recorded in
//! `schemagate_schema_history` so each runs once. The files are named like
//! Flyway migrations (`V1__store.sql`), so the bot's own rule packs detect them.
//!
//! Why not `sqlx::migrate!`: it accepts only `<integer>_<description>.sql`
//! names and rejects `V1__store.sql`, the Flyway names the dogfooding above
//! needs; it runs each file in its own transaction and locks nothing on
//! SQLite, so processes opening a fresh file at once would race on `CREATE
//! TABLE` (here one `BEGIN IMMEDIATE` covers every file); and it keeps its
//! own `_sqlx_migrations` table with checksums, which no existing database
//! has: taking one over would mean writing sqlx's private bookkeeping rows
//! by hand, and every version would then be recorded twice, since
//! `schemagate_schema_history` stays what existing databases are read by.

use super::{Store, StoreError};
use crate::config::DatabaseKind;
use sqlx::{AnyConnection, Executor, Row};
use std::sync::Arc;

/// One schema file.
pub struct SchemaFile {
    pub version: i64,
    /// The path under the repository's `schema/` directory.
    pub path: &'static str,
    pub sql: &'static str,
}

/// Each version is named once and embedded for both dialects: every version
/// has one file per dialect with the same name (the DDL differs: SQLite
/// rebuilds a table to change its key, PostgreSQL alters it in place), so a
/// version cannot be added to one dialect and forgotten in the other.
macro_rules! schema_files {
    ($($version:literal => $name:literal,)+) => {
        const SQLITE: &[SchemaFile] = &[$(SchemaFile {
            version: $version,
            path: concat!("sqlite/", $name),
            sql: include_str!(concat!("../../schema/sqlite/", $name)),
        },)+];
        const POSTGRES: &[SchemaFile] = &[$(SchemaFile {
            version: $version,
            path: concat!("postgres/", $name),
            sql: include_str!(concat!("../../schema/postgres/", $name)),
        },)+];
    };
}

schema_files! {
    1 => "V1__store.sql",
    2 => "V2__hot_path_indexes.sql",
    3 => "V3__announcement_sequence.sql",
    4 => "V4__announcement_claim.sql",
    5 => "V5__announcement_refusals.sql",
    6 => "V6__item_steering.sql",
    7 => "V7__status_page.sql",
}

/// The schema files for one database, in the order they apply.
pub fn files(kind: DatabaseKind) -> &'static [SchemaFile] {
    match kind {
        DatabaseKind::Sqlite => SQLITE,
        DatabaseKind::Postgres => POSTGRES,
    }
}

/// Serialises schema changes between processes connecting to one PostgreSQL
/// at once (an arbitrary constant: "sg" in ASCII, then a version tag).
const POSTGRES_SCHEMA_LOCK: i64 = 0x7367_0001;

const HISTORY_TABLE: &str = "CREATE TABLE IF NOT EXISTS schemagate_schema_history (
    version    BIGINT NOT NULL PRIMARY KEY,
    path       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)";

/// Applies the files not yet recorded, all in one transaction: on PostgreSQL
/// under an advisory lock (two replicas starting together would otherwise
/// race on `CREATE TABLE`), on SQLite under `BEGIN IMMEDIATE`'s write lock.
/// DDL is transactional on both, so a failure leaves no half-applied file.
pub(crate) async fn apply(store: &Store) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    if store.kind == DatabaseKind::Postgres {
        // Selected through FROM: the function returns `void`, which the Any driver cannot decode.
        sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock($1)")
            .bind(POSTGRES_SCHEMA_LOCK)
            .execute(&mut *transaction)
            .await?;
    }
    transaction.execute(HISTORY_TABLE).await?;
    let applied = applied_versions(&mut transaction).await?;
    for file in files(store.kind) {
        if applied.contains(&file.version) {
            continue;
        }
        // Without bound arguments the statement goes as a simple query, so
        // one file may hold many statements.
        transaction
            .execute(sqlx::AssertSqlSafe(file.sql))
            .await
            .map_err(|source| StoreError::Schema {
                path: file.path,
                source: Arc::new(source),
            })?;
        sqlx::query(
            "INSERT INTO schemagate_schema_history (version, path, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(file.version)
        .bind(file.path)
        .bind(store.now_ms())
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

async fn applied_versions(transaction: &mut AnyConnection) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query("SELECT version FROM schemagate_schema_history")
        .fetch_all(&mut *transaction)
        .await?;
    rows.iter()
        .map(|row| row.try_get::<i64, _>("version").map_err(StoreError::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_increasing_and_match_the_file_names() {
        for kind in [DatabaseKind::Sqlite, DatabaseKind::Postgres] {
            let mut previous = 0;
            for file in files(kind) {
                assert!(file.version > previous, "{}", file.path);
                previous = file.version;
                let name = file.path.rsplit('/').next().unwrap();
                assert!(
                    name.starts_with(&format!("V{}__", file.version)),
                    "{} is not V{}__*",
                    file.path,
                    file.version
                );
            }
        }
    }

    #[test]
    fn both_dialects_have_the_same_versions() {
        let versions = |kind| files(kind).iter().map(|f| f.version).collect::<Vec<_>>();
        assert_eq!(
            versions(DatabaseKind::Sqlite),
            versions(DatabaseKind::Postgres)
        );
    }

    #[test]
    fn every_file_in_schema_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        let mut on_disk = Vec::new();
        for dialect in std::fs::read_dir(&root).unwrap() {
            let dialect = dialect.unwrap().path();
            for file in std::fs::read_dir(&dialect).unwrap() {
                let path = file.unwrap().path();
                on_disk.push(
                    path.strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = [DatabaseKind::Sqlite, DatabaseKind::Postgres]
            .into_iter()
            .flat_map(files)
            .map(|f| f.path.to_string())
            .collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
