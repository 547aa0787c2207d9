//! What the bot remembers of each MR and issue, and the project-wide views
//! built from it: the database changes per milestone and which MRs close an issue.

use super::codec::{corrupt, corrupt_json, item_kind_word, to_i64, to_json, to_u64};
use super::intake::enqueue_in;
use super::{ItemKey, ItemRecord, NewJob, Store, StoreError};
use crate::core::ids::ItemNumber;
use crate::core::ids::path_key;
use crate::core::policy::{DbItemRef, ProjectState, WarningSent};
use crate::core::types::MilestoneId;
use crate::forge::{ForgeKind, ItemKind};
use chrono::DateTime;
use sqlx::{AnyConnection, Row};

impl Store {
    pub async fn item(&self, key: &ItemKey) -> Result<Option<ItemRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT record, view FROM items \
             WHERE forge = $1 AND project = $2 AND kind = $3 AND number = $4",
        )
        .bind(key.forge.name())
        .bind(path_key(key.project.as_str()))
        .bind(item_kind_word(key.kind))
        .bind(to_i64(key.number)?)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let text: String = row.try_get("record")?;
        let mut record: ItemRecord = serde_json::from_str(&text)
            .map_err(|error| corrupt_json("items", error.to_string(), error))?;
        let view: Option<String> = row.try_get("view")?;
        record.view = view
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|error| corrupt_json("items", error.to_string(), error))?;
        Ok(Some(record))
    }

    /// Saves the record; for an MR also rewrites the issues it closes, which
    /// count only while it is a database change.
    pub async fn save_item(&self, key: &ItemKey, record: &ItemRecord) -> Result<(), StoreError> {
        self.save_item_with_jobs(key, record, &[]).await
    }

    /// Saves a record and enqueues the follow-up work it implies in one
    /// transaction: a crash can't keep the record and lose the work (a
    /// retry compares against the saved record and would not see it again).
    pub async fn save_item_with_jobs(
        &self,
        key: &ItemKey,
        record: &ItemRecord,
        jobs: &[NewJob<'_>],
    ) -> Result<(), StoreError> {
        let project = path_key(key.project.as_str());
        let number = to_i64(key.number)?;
        let record_json = to_json(record)?;
        let db_change_json = record.db_change.as_ref().map(to_json).transpose()?;
        let view_json = record.view.as_ref().map(to_json).transpose()?;
        let mut transaction = self.begin_write().await?;
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO items (forge, project, kind, number, record, db_change, view, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (forge, project, kind, number) DO UPDATE SET \
               record = excluded.record, db_change = excluded.db_change, \
               view = excluded.view, updated_at = excluded.updated_at",
        )
        .bind(key.forge.name())
        .bind(&project)
        .bind(item_kind_word(key.kind))
        .bind(number)
        .bind(record_json)
        .bind(db_change_json)
        .bind(view_json)
        .bind(now)
        .execute(&mut *transaction)
        .await?;
        if key.kind == ItemKind::MergeRequest {
            delete_closes(&mut transaction, key.forge, &project, number).await?;
            if record.db_change.is_some() {
                let mut issues = record.closes.clone();
                issues.sort_unstable();
                issues.dedup();
                for issue in issues {
                    sqlx::query(
                        "INSERT INTO item_closes (forge, project, mr, issue) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(key.forge.name())
                    .bind(&project)
                    .bind(number)
                    .bind(to_i64(issue)?)
                    .execute(&mut *transaction)
                    .await?;
                }
            }
        }
        for job in jobs {
            enqueue_in(&mut transaction, job, now).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Forgets an item (deleted on the forge).
    pub async fn delete_item(&self, key: &ItemKey) -> Result<(), StoreError> {
        self.delete_item_with_jobs(key, &[]).await
    }

    /// Forgets an item and enqueues the follow-up work in one transaction.
    pub async fn delete_item_with_jobs(
        &self,
        key: &ItemKey,
        jobs: &[NewJob<'_>],
    ) -> Result<(), StoreError> {
        let project = path_key(key.project.as_str());
        let number = to_i64(key.number)?;
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM items WHERE forge = $1 AND project = $2 AND kind = $3 AND number = $4",
        )
        .bind(key.forge.name())
        .bind(&project)
        .bind(item_kind_word(key.kind))
        .bind(number)
        .execute(&mut *transaction)
        .await?;
        if key.kind == ItemKind::MergeRequest {
            delete_closes(&mut transaction, key.forge, &project, number).await?;
        }
        let now = self.now_ms();
        for job in jobs {
            enqueue_in(&mut transaction, job, now).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// Every database change recorded in the project's milestones, and the
    /// downtime warnings sent (from the ledger).
    pub async fn project_state(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<ProjectState, StoreError> {
        let project = path_key(project);
        let changes = sqlx::query(
            "SELECT db_change FROM items \
             WHERE forge = $1 AND project = $2 AND db_change IS NOT NULL \
             ORDER BY kind, number",
        )
        .bind(forge.name())
        .bind(&project)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        let db_changes = changes
            .iter()
            .map(|row| {
                let text: String = row.try_get("db_change")?;
                serde_json::from_str::<DbItemRef>(&text)
                    .map_err(|error| corrupt_json("items", error.to_string(), error))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let warnings = sqlx::query(
            "SELECT milestone, state, sent_at FROM announcements \
             WHERE forge = $1 AND project = $2 AND kind = 'warning' \
             AND state IN ('sent', 'failed') ORDER BY milestone",
        )
        .bind(forge.name())
        .bind(&project)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        let (warnings_sent, warnings_failed) = warnings_by_state(&warnings)?;
        Ok(ProjectState {
            db_changes,
            warnings_sent,
            warnings_sending: Vec::new(),
            warnings_failed,
        })
    }

    /// The database-change MRs whose record says they close `issue`.
    pub async fn merge_requests_closing(
        &self,
        forge: ForgeKind,
        project: &str,
        issue: ItemNumber,
    ) -> Result<Vec<ItemNumber>, StoreError> {
        let rows = sqlx::query(
            "SELECT mr FROM item_closes WHERE forge = $1 AND project = $2 AND issue = $3 ORDER BY mr",
        )
        .bind(forge.name())
        .bind(path_key(project))
        .bind(to_i64(issue)?)
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|row| to_u64(row.try_get("mr")?, "item_closes").map(ItemNumber))
            .collect()
    }
}

async fn delete_closes(
    transaction: &mut AnyConnection,
    forge: ForgeKind,
    project: &str,
    mr: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM item_closes WHERE forge = $1 AND project = $2 AND mr = $3")
        .bind(forge.name())
        .bind(project)
        .bind(mr)
        .execute(&mut *transaction)
        .await?;
    Ok(())
}

/// The sent warnings with their dates, and the milestones whose warning was
/// refused for good (a warning has one row per milestone, sequence 0, so
/// never both; `ProjectState::warning_failed` copes if that ever changes).
fn warnings_by_state(
    rows: &[sqlx::any::AnyRow],
) -> Result<(Vec<WarningSent>, Vec<MilestoneId>), StoreError> {
    let (mut sent, mut failed) = (Vec::new(), Vec::new());
    for row in rows {
        let milestone = MilestoneId(to_u64(row.try_get("milestone")?, "announcements")?);
        let state: String = row.try_get("state")?;
        if state == "failed" {
            failed.push(milestone);
            continue;
        }
        let sent_at: Option<i64> = row.try_get("sent_at")?;
        let sent_at = sent_at
            .and_then(DateTime::from_timestamp_millis)
            .ok_or_else(|| corrupt("announcements", "a sent warning without a valid sent_at"))?;
        sent.push(WarningSent { milestone, sent_at });
    }
    Ok((sent, failed))
}
