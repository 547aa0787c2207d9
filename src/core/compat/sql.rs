//! The SQL reader: plain SQL migrations (Flyway, golang-migrate, goose,
//! dbmate, sql-migrate, Liquibase formatted SQL) and the SQL that other
//! readers find embedded in code (Django `RunSQL`, Alembic `op.execute`,
//! Rails `execute`).
//!
//! The text is parsed with `sqlparser`, trying PostgreSQL, then MySQL, then
//! SQLite: the first dialect that parses the whole text wins. When none
//! does, the text is split into statements at its top-level semicolons
//! (dollar-quoted bodies and strings stay whole) and each statement is
//! parsed on its own, so one statement sqlparser does not know (a `DO`
//! block, `ALTER SEQUENCE`) leaves the others classified; a statement no
//! dialect parses is a `NotUnderstood` operation carrying the PostgreSQL
//! parse error.
//!
//! Files that hold both directions keep only their "up" part: goose
//! (`-- +goose Up` … `-- +goose Down`), sql-migrate (`-- +migrate Up` …
//! `-- +migrate Down`) and dbmate (`-- migrate:up` … `-- migrate:down`).
//! The other lines are blanked, not removed, so parse errors keep the
//! file's line numbers.
//!
//! Names are written unquoted and keep their qualification as written:
//! `ALTER TABLE "public"."users"` gives the table `public.users`, and
//! `ALTER TABLE users` gives `users`. Operations on an index, a routine, a
//! view, a type or a sequence put that object's name in `table`.

mod recovery;
mod sections;
mod shared;
mod statements;
mod table;
mod tokens;

use super::Operation;
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Reads the operations of any SQL text: one statement or many, a whole
/// migration file or a string embedded in another framework's code.
pub(crate) fn read(text: &str) -> Vec<Operation> {
    let text = sections::up_part(text);
    let mut postgres_error = None;
    for dialect in dialects() {
        match Parser::parse_sql(dialect, &text) {
            Ok(parsed) => {
                let mut out = Vec::new();
                statements::classify_all(&parsed, &mut out);
                return out;
            }
            Err(error) => {
                postgres_error.get_or_insert(error);
            }
        }
    }
    recovery::recover(&text, postgres_error)
}

/// The dialects tried, in order: PostgreSQL first because it is the most
/// common migration target and its parse error is the one reported.
fn dialects() -> [&'static dyn Dialect; 3] {
    [&PostgreSqlDialect {}, &MySqlDialect {}, &SQLiteDialect {}]
}

#[cfg(test)]
#[path = "sql_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sql_recovery_tests.rs"]
mod recovery_tests;
