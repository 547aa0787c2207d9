//! The announcement ledger: one row per (project, milestone, kind), written
//! before sending (`sending`) and after (`sent`, or `pending` with the error),
//! so a mail is never sent again once recorded as sent, and a send cut short
//! by a crash is retried under the same Message-ID.

use super::codec::{
    announcement_kind_word, corrupt, parse_announcement_kind, parse_forge, project_key, to_i64,
    to_u32, to_u64,
};
use super::time::now_ms;
use super::{Announcement, AnnouncementKind, Store, StoreError};
use crate::core::types::MilestoneId;
use crate::forge::ForgeKind;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

impl Store {
    /// The project's ledger rows, by milestone then kind.
    pub async fn announcements(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<Vec<Announcement>, StoreError> {
        let rows = sqlx::query(
            "SELECT forge, project, milestone, kind, message_id, state, attempts, sent_at, \
             last_error FROM announcements WHERE forge = $1 AND project = $2 \
             ORDER BY milestone, kind",
        )
        .bind(forge.name())
        .bind(project_key(project))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(announcement).collect()
    }

    /// Records the intent to send before sending: inserts the row as
    /// `sending` unless one exists. Returns the row as it now is; a row
    /// already `sent` means do not send again. A row not yet sent (a failed
    /// or interrupted attempt) turns `sending` again with one more attempt,
    /// and keeps its first Message-ID.
    pub async fn begin_announcement(
        &self,
        forge: ForgeKind,
        project: &str,
        milestone: MilestoneId,
        kind: AnnouncementKind,
        message_id: &str,
    ) -> Result<Announcement, StoreError> {
        let project = project_key(project);
        let milestone = to_i64(milestone.0)?;
        let mut transaction = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO announcements \
               (forge, project, milestone, kind, message_id, state, attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'sending', 1, $6) \
             ON CONFLICT (forge, project, milestone, kind) DO NOTHING",
        )
        .bind(forge.name())
        .bind(&project)
        .bind(milestone)
        .bind(announcement_kind_word(kind))
        .bind(message_id)
        .bind(now_ms())
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        if inserted == 0 {
            sqlx::query(
                "UPDATE announcements SET state = 'sending', attempts = attempts + 1 \
                 WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 \
                   AND state <> 'sent'",
            )
            .bind(forge.name())
            .bind(&project)
            .bind(milestone)
            .bind(announcement_kind_word(kind))
            .execute(&mut *transaction)
            .await?;
        }
        let row = select_one(&mut transaction, forge, &project, milestone, kind).await?;
        transaction.commit().await?;
        announcement(&row)
    }

    /// Records how a send ended: `Ok` → `sent` now; `Err(reason)` → `pending`
    /// with the reason, to be retried. A row already `sent` stays sent.
    pub async fn finish_announcement(
        &self,
        forge: ForgeKind,
        project: &str,
        milestone: MilestoneId,
        kind: AnnouncementKind,
        outcome: Result<(), &str>,
    ) -> Result<(), StoreError> {
        let update = match outcome {
            Ok(()) => sqlx::query(
                "UPDATE announcements SET state = 'sent', sent_at = $5, last_error = NULL \
                 WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 \
                   AND state <> 'sent'",
            )
            .bind(forge.name())
            .bind(project_key(project))
            .bind(to_i64(milestone.0)?)
            .bind(announcement_kind_word(kind))
            .bind(now_ms()),
            Err(reason) => sqlx::query(
                "UPDATE announcements SET state = 'pending', last_error = $5 \
                 WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4 \
                   AND state <> 'sent'",
            )
            .bind(forge.name())
            .bind(project_key(project))
            .bind(to_i64(milestone.0)?)
            .bind(announcement_kind_word(kind))
            .bind(reason),
        };
        let mut transaction = self.begin_write().await?;
        update.execute(&mut *transaction).await?;
        transaction.commit().await?;
        Ok(())
    }
}

async fn select_one(
    transaction: &mut Transaction<'static, Any>,
    forge: ForgeKind,
    project: &str,
    milestone: i64,
    kind: AnnouncementKind,
) -> Result<AnyRow, StoreError> {
    let row = sqlx::query(
        "SELECT forge, project, milestone, kind, message_id, state, attempts, sent_at, \
         last_error FROM announcements \
         WHERE forge = $1 AND project = $2 AND milestone = $3 AND kind = $4",
    )
    .bind(forge.name())
    .bind(project)
    .bind(milestone)
    .bind(announcement_kind_word(kind))
    .fetch_one(&mut **transaction)
    .await?;
    Ok(row)
}

fn announcement(row: &AnyRow) -> Result<Announcement, StoreError> {
    let forge: String = row.try_get("forge")?;
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    if !matches!(state.as_str(), "pending" | "sending" | "sent") {
        return Err(corrupt("announcements", format!("unknown state `{state}`")));
    }
    Ok(Announcement {
        forge: parse_forge(&forge, "announcements")?,
        project: row.try_get("project")?,
        milestone: MilestoneId(to_u64(row.try_get("milestone")?, "announcements")?),
        kind: parse_announcement_kind(&kind)?,
        message_id: row.try_get("message_id")?,
        state,
        attempts: to_u32(row.try_get("attempts")?, "announcements")?,
        sent_at_ms: row.try_get("sent_at")?,
        last_error: row.try_get("last_error")?,
    })
}
