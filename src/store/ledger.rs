//! The announcement ledger: one row per (project, milestone, kind,
//! sequence), written before sending (`sending`) and after (`sent`,
//! `pending` with the error, or `failed`), so a mail is never sent again once
//! recorded as sent, and a send cut short by a crash is retried under the
//! same Message-ID.

use super::Begun;
use super::codec::{
    announcement_kind_word, corrupt, corrupt_json, parse_announcement_kind, parse_forge, to_i64,
    to_json, to_u32, to_u64,
};
use super::intake::enqueue_in;
use super::time::after;
use super::{
    Announcement, AnnouncementKey, AnnouncementState, NewJob, SendOutcome, Store, StoreError,
};
use crate::core::ids::path_key;
use crate::core::types::MilestoneId;
use crate::forge::ForgeKind;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

const COLUMNS: &str = "forge, project, milestone, kind, sequence, message_id, state, attempts, \
                       refusals, sent_at, last_error, items";

impl Store {
    /// The project's ledger rows, by milestone, kind and sequence.
    pub async fn announcements(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<Vec<Announcement>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM announcements WHERE forge = $1 AND project = $2 \
             ORDER BY milestone, kind, sequence"
        )))
        .bind(forge.name())
        .bind(path_key(project))
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter().map(announcement).collect()
    }

    /// One ledger row, if the mail was ever begun.
    pub async fn announcement(
        &self,
        key: &AnnouncementKey,
    ) -> Result<Option<Announcement>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM announcements \
             WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 AND sequence = $5"
        )))
        .bind_key(key)?
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        row.as_ref().map(announcement).transpose()
    }

    /// Records the intent to send before sending, and claims the send for
    /// `claim`: inserts the row as `sending` unless one exists. A row not
    /// yet sent (a failed or interrupted attempt, or a `sending` row whose
    /// claim ran out because its sender died) turns `sending` again with one
    /// more attempt, keeping its first Message-ID and the items its first
    /// attempt listed. A `sending` row with a live claim is another
    /// process's send in flight: [`Begun::Busy`], do not send.
    pub async fn begin_announcement(
        &self,
        key: &AnnouncementKey,
        message_id: &str,
        items: &[String],
        claim: std::time::Duration,
    ) -> Result<Begun, StoreError> {
        let items = to_json(items)?;
        let now = self.now_ms();
        let until = after(now, claim);
        let mut transaction = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO announcements \
               (forge, project, milestone, kind, sequence, message_id, state, attempts, \
                created_at, items, claimed_until) \
             VALUES ($1, $2, $3, $4, $5, $6, 'sending', 1, $7, $8, $9) \
             ON CONFLICT (forge, project, milestone, kind, sequence) DO NOTHING",
        )
        .bind_key(key)?
        .bind(message_id)
        .bind(now)
        .bind(&items)
        .bind(until)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        let claimed = inserted == 1
            || sqlx::query(
                "UPDATE announcements \
                 SET state = 'sending', attempts = attempts + 1, claimed_until = $6 \
                 WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 \
                   AND sequence = $5 AND state <> 'sent' \
                   AND (state <> 'sending' OR claimed_until IS NULL OR claimed_until < $7)",
            )
            .bind_key(key)?
            .bind(until)
            .bind(now)
            .execute(&mut *transaction)
            .await?
            .rows_affected()
                == 1;
        let row = announcement(&select_one(&mut transaction, key).await?)?;
        transaction.commit().await?;
        Ok(match (claimed, row.state) {
            (true, _) => Begun::Claimed(row),
            (false, AnnouncementState::Sent) => Begun::AlreadySent(row),
            (false, _) => Begun::Busy(row),
        })
    }

    /// Records how a send ended, and enqueues `jobs` (the work a sent mail
    /// implies) in the same transaction. A row already `sent` stays sent.
    pub async fn finish_announcement(
        &self,
        key: &AnnouncementKey,
        outcome: SendOutcome<'_>,
        jobs: &[NewJob<'_>],
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        let stamp = Some(now);
        let (state, sent_at, error, refused, refused_at) = match outcome {
            SendOutcome::Sent => (AnnouncementState::Sent, stamp, None, 0_i64, None),
            SendOutcome::Retry(reason) => (AnnouncementState::Pending, None, Some(reason), 0, None),
            SendOutcome::RefusedOnce(why) => (AnnouncementState::Pending, None, Some(why), 1, None),
            SendOutcome::Failed(reason) => {
                (AnnouncementState::Failed, None, Some(reason), 1, stamp)
            }
        };
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "UPDATE announcements \
             SET state = $6, sent_at = $7, last_error = $8, claimed_until = NULL, \
                 refusals = refusals + $9, \
                 refused_at = COALESCE($10, refused_at) \
             WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 \
               AND sequence = $5 AND state <> 'sent'",
        )
        .bind_key(key)?
        .bind(state.word())
        .bind(sent_at)
        .bind(error)
        .bind(refused)
        .bind(refused_at)
        .execute(&mut *transaction)
        .await?;
        for job in jobs {
            enqueue_in(&mut transaction, job, now).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Why the newest mail given up since the last one went out was refused
    /// (any project; every process sees it), if one was.
    pub async fn latest_refusal(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(last_error, 'a mail was refused for good') AS reason \
             FROM announcements WHERE state = 'failed' AND refused_at > \
               (SELECT COALESCE(MAX(sent_at), 0) FROM announcements WHERE state = 'sent') \
             ORDER BY refused_at DESC LIMIT 1",
        )
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        Ok(row.map(|row| row.try_get("reason")).transpose()?)
    }
}

async fn select_one(
    transaction: &mut AnyConnection,
    key: &AnnouncementKey,
) -> Result<AnyRow, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM announcements \
         WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 AND sequence = $5"
    )))
    .bind(key.forge.name())
    .bind(path_key(&key.project))
    .bind(to_i64(key.milestone.0)?)
    .bind(announcement_kind_word(key.kind))
    .bind(i64::from(key.sequence))
    .fetch_one(&mut *transaction)
    .await?;
    Ok(row)
}

/// Binds an [`AnnouncementKey`] as `$1`…`$5` (forge, project, milestone,
/// kind, sequence), the order every ledger statement uses.
trait BindKey: Sized {
    fn bind_key(self, key: &AnnouncementKey) -> Result<Self, StoreError>;
}

impl<'q> BindKey for sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    fn bind_key(self, key: &AnnouncementKey) -> Result<Self, StoreError> {
        Ok(self
            .bind(key.forge.name())
            .bind(path_key(&key.project))
            .bind(to_i64(key.milestone.0)?)
            .bind(announcement_kind_word(key.kind))
            .bind(i64::from(key.sequence)))
    }
}

fn parse_state(word: &str) -> Result<AnnouncementState, StoreError> {
    match word {
        "pending" => Ok(AnnouncementState::Pending),
        "sending" => Ok(AnnouncementState::Sending),
        "sent" => Ok(AnnouncementState::Sent),
        "failed" => Ok(AnnouncementState::Failed),
        other => Err(corrupt("announcements", format!("unknown state `{other}`"))),
    }
}

fn announcement(row: &AnyRow) -> Result<Announcement, StoreError> {
    let forge: String = row.try_get("forge")?;
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let items: String = row.try_get("items")?;
    Ok(Announcement {
        forge: parse_forge(&forge, "announcements")?,
        project: row.try_get("project")?,
        milestone: MilestoneId(to_u64(row.try_get("milestone")?, "announcements")?),
        kind: parse_announcement_kind(&kind)?,
        sequence: to_u32(row.try_get("sequence")?, "announcements")?,
        message_id: row.try_get("message_id")?,
        state: parse_state(&state)?,
        attempts: to_u32(row.try_get("attempts")?, "announcements")?,
        refusals: to_u32(row.try_get("refusals")?, "announcements")?,
        sent_at_ms: row.try_get("sent_at")?,
        last_error: row.try_get("last_error")?,
        items: serde_json::from_str(&items)
            .map_err(|error| corrupt_json("announcements", format!("items: {error}"), error))?,
    })
}
