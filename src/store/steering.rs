//! What people asked the bot about one item through `/schemagate` comments:
//! the exceptions they approved (`item_exceptions`, one row per approval,
//! kept after it ends) and every command the bot handled (`item_commands`).
//! Both are the audit trail of who waived the gate and why, so nothing here
//! deletes a row: an exception is ended, never removed, and neither `prune`
//! nor forgetting an item touches them. Times are kept to the millisecond.

mod rows;
#[cfg(test)]
mod tests;

use super::codec::{item_kind_word, outcome_word, to_i64, to_json};
use super::{ItemKey, Store, StoreError};
use crate::core::exceptions::{CommandRecord, EndKind, Ending, Exception, Steering};
use crate::core::ids::path_key;
use chrono::SubsecRound;
use rows::{EXCEPTION_COLUMNS, command, exception};
use sqlx::any::AnyArguments;
use sqlx::{Any, AssertSqlSafe, Row};

/// The condition naming one item, its values bound as `$1`…`$4` by [`BindItem`].
const ITEM: &str = "forge = $1 AND project = $2 AND kind = $3 AND number = $4";

/// The handled comment versions read back: as many as the comment's record keeps.
const HANDLED_KEPT: i64 = crate::core::exceptions::HANDLED_KEPT as i64;

impl Store {
    /// Every exception of the item, oldest first (ended ones included: at
    /// most one holds), and its latest `answers` command records, oldest
    /// first. Commands are ordered by when they were given, so one found
    /// late (a sync catching a missed comment) still takes its place.
    pub async fn steering(&self, key: &ItemKey, answers: usize) -> Result<Steering, StoreError> {
        let limit = i64::try_from(answers).unwrap_or(i64::MAX);
        let mut reader = self.reader().await?;
        let exceptions = sqlx::query(AssertSqlSafe(format!(
            "SELECT {EXCEPTION_COLUMNS} FROM item_exceptions WHERE {ITEM} ORDER BY id"
        )))
        .bind_item(key)?
        .fetch_all(&mut *reader)
        .await?;
        let latest = sqlx::query(AssertSqlSafe(format!(
            "SELECT author, verb, outcome, answer, at, comment_id FROM item_commands \
             WHERE {ITEM} AND verb <> 'recheck' ORDER BY at DESC, id DESC LIMIT $5"
        )))
        .bind_item(key)?
        .bind(limit)
        .fetch_all(&mut *reader)
        .await?;
        let mut answers = latest.iter().map(command).collect::<Result<Vec<_>, _>>()?;
        answers.reverse();
        // The comment versions a reader of the thread must not run again;
        // rechecks are left out, as from the answers: running one twice
        // changes nothing, and keeping them would rewrite the comment.
        let handled_rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT comment_key, MAX(id) AS last FROM item_commands \
             WHERE {ITEM} AND verb <> 'recheck' GROUP BY comment_key ORDER BY last DESC LIMIT $5"
        )))
        .bind_item(key)?
        .bind(HANDLED_KEPT)
        .fetch_all(&mut *reader)
        .await?;
        let mut handled = handled_rows
            .iter()
            .map(|row| row.try_get::<String, _>("comment_key"))
            .collect::<Result<Vec<_>, _>>()?;
        handled.reverse();
        Ok(Steering {
            exceptions: exceptions
                .iter()
                .map(|row| exception(row).map(|(_, exception)| exception))
                .collect::<Result<_, _>>()?,
            answers,
            handled,
        })
    }

    /// Whether any command of this comment version (`comment_key`, as given
    /// to [`Store::record_commands`]) is recorded: handled already.
    pub async fn comment_handled(
        &self,
        key: &ItemKey,
        comment_key: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT 1 AS found FROM item_commands WHERE {ITEM} AND comment_key = $5 LIMIT 1"
        )))
        .bind_item(key)?
        .bind(comment_key)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        Ok(row.is_some())
    }

    /// Records the commands of one comment version, each at its line (its
    /// index in `records`), in one transaction. Lines already recorded stay
    /// as they are, so handling a comment again (a redelivered webhook, a
    /// sync, a retried job) adds nothing; returns how many were new.
    pub async fn record_commands(
        &self,
        key: &ItemKey,
        comment_key: &str,
        records: &[CommandRecord],
    ) -> Result<usize, StoreError> {
        let mut transaction = self.begin_write().await?;
        let mut new = 0;
        for (line, record) in records.iter().enumerate() {
            new += sqlx::query(
                "INSERT INTO item_commands (forge, project, kind, number, comment_key, line, \
                   author, verb, outcome, answer, at, comment_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (forge, project, kind, number, comment_key, line) DO NOTHING",
            )
            .bind_item(key)?
            .bind(comment_key)
            .bind(to_i64(line as u64)?)
            .bind(&record.author)
            .bind(&record.verb)
            .bind(outcome_word(record.outcome))
            .bind(&record.answer)
            .bind(record.at.timestamp_millis())
            .bind(record.comment.map(to_i64).transpose()?)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        }
        transaction.commit().await?;
        Ok(new as usize)
    }

    /// Records an approval: the exception that held (if any) ends as
    /// [`EndKind::Replaced`] when the new one was approved, and the new one
    /// is stored as given, both in one transaction so the item never has
    /// two active exceptions nor, in between, none.
    pub async fn approve_exception(
        &self,
        key: &ItemKey,
        exception: &Exception,
    ) -> Result<(), StoreError> {
        let approved_at = exception.approved_at.timestamp_millis();
        let replaced = to_json(&EndKind::Replaced)?;
        let covers = to_json(&exception.covers)?;
        let comment = exception.comment.map(to_i64).transpose()?;
        let ended_at = exception.ended.as_ref().map(|e| e.at.timestamp_millis());
        let ending = exception
            .ended
            .as_ref()
            .map(|e| to_json(&e.how))
            .transpose()?;
        let mut transaction = self.begin_write().await?;
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE item_exceptions SET ended_at = $5, ending = $6 \
             WHERE {ITEM} AND ended_at IS NULL"
        )))
        .bind_item(key)?
        .bind(approved_at)
        .bind(replaced)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO item_exceptions (forge, project, kind, number, approver, reason, \
               approved_at, covers, comment_id, ended_at, ending) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind_item(key)?
        .bind(&exception.approver)
        .bind(&exception.reason)
        .bind(approved_at)
        .bind(covers)
        .bind(comment)
        .bind(ended_at)
        .bind(ending)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Ends the exception that holds (withdrawn, lapsed) and returns it as
    /// ended, as [`Store::steering`] will read it; `None` when none held,
    /// also when another writer ended it first.
    pub async fn end_exception(
        &self,
        key: &ItemKey,
        ending: &Ending,
    ) -> Result<Option<Exception>, StoreError> {
        let ending = Ending {
            at: ending.at.trunc_subsecs(3),
            how: ending.how.clone(),
        };
        let how = to_json(&ending.how)?;
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {EXCEPTION_COLUMNS} FROM item_exceptions \
             WHERE {ITEM} AND ended_at IS NULL ORDER BY id DESC LIMIT 1"
        )))
        .bind_item(key)?
        .fetch_optional(&mut *transaction)
        .await?;
        let Some(row) = row else {
            transaction.commit().await?;
            return Ok(None);
        };
        let (id, mut active) = exception(&row)?;
        // `ended_at IS NULL` again: on PostgreSQL a concurrent end may have
        // committed since the read, and then this one ends nothing.
        let ended = sqlx::query(
            "UPDATE item_exceptions SET ended_at = $2, ending = $3 \
             WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(id)
        .bind(ending.at.timestamp_millis())
        .bind(how)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        transaction.commit().await?;
        if ended == 0 {
            return Ok(None);
        }
        active.ended = Some(ending);
        Ok(Some(active))
    }
}

/// Binds an [`ItemKey`] as `$1`…`$4` (forge, lowercased project, kind,
/// number), as the `items` table keys it.
trait BindItem: Sized {
    fn bind_item(self, key: &ItemKey) -> Result<Self, StoreError>;
}

impl<'q> BindItem for sqlx::query::Query<'q, Any, AnyArguments> {
    fn bind_item(self, key: &ItemKey) -> Result<Self, StoreError> {
        Ok(self
            .bind(key.forge.name())
            .bind(path_key(key.project.as_str()))
            .bind(item_kind_word(key.kind))
            .bind(to_i64(key.number)?))
    }
}
