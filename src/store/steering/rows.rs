//! Reading `item_exceptions` and `item_commands` rows back into the core's
//! types; a row that does not read (bad JSON, an unknown outcome, a time
//! out of range, an ending half written) is a corrupt-row error naming its
//! table, never a panic.

use crate::core::exceptions::{CommandRecord, Ending, Exception};
use crate::store::StoreError;
use crate::store::codec::{corrupt, corrupt_json, parse_outcome, to_u64};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

const EXCEPTIONS: &str = "item_exceptions";
const COMMANDS: &str = "item_commands";

/// What [`exception`] reads.
pub(super) const EXCEPTION_COLUMNS: &str =
    "id, approver, reason, approved_at, covers, comment_id, ended_at, ending";

/// An exception row with its id (the row an ending updates).
pub(super) fn exception(row: &AnyRow) -> Result<(i64, Exception), StoreError> {
    let ended_at: Option<i64> = row.try_get("ended_at")?;
    let ending: Option<String> = row.try_get("ending")?;
    let ended = match (ended_at, ending) {
        (None, None) => None,
        (Some(at), Some(how)) => Some(Ending {
            at: time(at, EXCEPTIONS, "ended_at")?,
            how: json(&how, EXCEPTIONS, "ending")?,
        }),
        _ => {
            return Err(corrupt(
                EXCEPTIONS,
                "ended_at and ending are not both set or both empty",
            ));
        }
    };
    let covers: String = row.try_get("covers")?;
    let exception = Exception {
        approver: row.try_get("approver")?,
        reason: row.try_get("reason")?,
        approved_at: time(row.try_get("approved_at")?, EXCEPTIONS, "approved_at")?,
        covers: json(&covers, EXCEPTIONS, "covers")?,
        comment: comment(row, EXCEPTIONS)?,
        ended,
    };
    Ok((row.try_get("id")?, exception))
}

/// A command row as read by `SELECT author, verb, outcome, answer, at, comment_id`.
pub(super) fn command(row: &AnyRow) -> Result<CommandRecord, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    Ok(CommandRecord {
        author: row.try_get("author")?,
        verb: row.try_get("verb")?,
        outcome: parse_outcome(&outcome)?,
        answer: row.try_get("answer")?,
        at: time(row.try_get("at")?, COMMANDS, "at")?,
        comment: comment(row, COMMANDS)?,
    })
}

fn comment(row: &AnyRow, table: &'static str) -> Result<Option<u64>, StoreError> {
    let id: Option<i64> = row.try_get("comment_id")?;
    id.map(|id| to_u64(id, table)).transpose()
}

fn time(ms: i64, table: &'static str, column: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| corrupt(table, format!("{column} out of range: {ms}")))
}

fn json<T: DeserializeOwned>(
    text: &str,
    table: &'static str,
    column: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|error| corrupt_json(table, format!("{column}: {error}"), error))
}
