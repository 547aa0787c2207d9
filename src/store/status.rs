//! What the status page reads, recorded as the bot works: each project's
//! milestones as last read and its last sync (`project_status`), the writes
//! and mails observe mode held back (`observed_writes`), and the reads the
//! page makes (item views, dead jobs per project). Items' views are written
//! with their records (`items.rs`).

use super::codec::{corrupt_json, to_json, to_u64};
use super::{Store, StoreError};
use crate::core::ids::{ProjectKey, path_key};
use crate::core::status::{ItemSeen, Observed, SyncNote};
use crate::core::types::Milestone;
use crate::forge::ForgeKind;
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A project's row of `project_status`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectRecord {
    /// The milestones as last read (descriptions left out); `None` before the first read.
    pub milestones: Option<Vec<Milestone>>,
    pub milestones_read_at: Option<DateTime<Utc>>,
    pub last_sync: Option<SyncNote>,
}

fn at(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

impl Store {
    /// The open and closed items of the project that have a view, as last judged.
    pub async fn item_views(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<Vec<ItemSeen>, StoreError> {
        let rows = sqlx::query(
            "SELECT view FROM items WHERE forge = $1 AND project = $2 AND view IS NOT NULL",
        )
        .bind(forge.name())
        .bind(path_key(project))
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|row| {
                let text: String = row.try_get("view")?;
                serde_json::from_str(&text)
                    .map_err(|error| corrupt_json("items", error.to_string(), error))
            })
            .collect()
    }

    /// The project's milestones and last sync, as recorded.
    pub async fn project_record(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<ProjectRecord, StoreError> {
        let row = sqlx::query(
            "SELECT milestones, milestones_read_at, last_sync_at, last_sync_error \
             FROM project_status WHERE forge = $1 AND project = $2",
        )
        .bind(forge.name())
        .bind(path_key(project))
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        let Some(row) = row else {
            return Ok(ProjectRecord::default());
        };
        let milestones: Option<String> = row.try_get("milestones")?;
        let milestones = milestones
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .map_err(|error| corrupt_json("project_status", error.to_string(), error))?;
        let last_sync = at(row.try_get("last_sync_at")?).map(|at| SyncNote {
            at,
            error: row.try_get("last_sync_error").ok().flatten(),
        });
        Ok(ProjectRecord {
            milestones,
            milestones_read_at: at(row.try_get("milestones_read_at")?),
            last_sync,
        })
    }

    /// Records the milestone list just read from the forge. Descriptions are
    /// left out: no page shows them, and the bot's block is most of their text.
    pub async fn save_milestones(
        &self,
        key: &ProjectKey,
        milestones: &[Milestone],
    ) -> Result<(), StoreError> {
        let bare: Vec<Milestone> = milestones
            .iter()
            .map(|m| Milestone {
                description: String::new(),
                ..m.clone()
            })
            .collect();
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO project_status (forge, project, milestones, milestones_read_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (forge, project) DO UPDATE SET \
             milestones = excluded.milestones, milestones_read_at = excluded.milestones_read_at",
        )
        .bind(key.forge.name())
        .bind(key.path())
        .bind(to_json(&bare)?)
        .bind(self.now_ms())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Records that a sync of the project finished, or why it failed.
    pub async fn record_sync(
        &self,
        key: &ProjectKey,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO project_status (forge, project, last_sync_at, last_sync_error) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (forge, project) DO UPDATE SET \
             last_sync_at = excluded.last_sync_at, last_sync_error = excluded.last_sync_error",
        )
        .bind(key.forge.name())
        .bind(key.path())
        .bind(self.now_ms())
        .bind(error)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(())
    }

    /// Records what observe mode held back for `subject` (see
    /// [`Observed`]); no lines forgets it (nothing is held back any more).
    pub async fn observe(
        &self,
        key: &ProjectKey,
        subject: &str,
        lines: &[String],
        preview: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.begin_write().await?;
        if lines.is_empty() {
            sqlx::query(
                "DELETE FROM observed_writes WHERE forge = $1 AND project = $2 AND subject = $3",
            )
            .bind(key.forge.name())
            .bind(key.path())
            .bind(subject)
            .execute(&mut *transaction)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO observed_writes (forge, project, subject, lines, preview, at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (forge, project, subject) DO UPDATE \
                 SET lines = excluded.lines, preview = excluded.preview, at = excluded.at",
            )
            .bind(key.forge.name())
            .bind(key.path())
            .bind(subject)
            .bind(to_json(lines)?)
            .bind(preview)
            .bind(self.now_ms())
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    /// What observe mode held back in the project, by subject.
    pub async fn observed(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<Vec<Observed>, StoreError> {
        let rows = sqlx::query(
            "SELECT subject, lines, at FROM observed_writes \
             WHERE forge = $1 AND project = $2 ORDER BY subject",
        )
        .bind(forge.name())
        .bind(path_key(project))
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|row| {
                let lines: String = row.try_get("lines")?;
                Ok(Observed {
                    subject: row.try_get("subject")?,
                    lines: serde_json::from_str(&lines).map_err(|error| {
                        corrupt_json("observed_writes", error.to_string(), error)
                    })?,
                    at: at(Some(row.try_get("at")?)).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The preview observe mode kept for a held-back mail.
    pub async fn observed_preview(
        &self,
        forge: ForgeKind,
        project: &str,
        subject: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT preview FROM observed_writes \
             WHERE forge = $1 AND project = $2 AND subject = $3",
        )
        .bind(forge.name())
        .bind(path_key(project))
        .bind(subject)
        .fetch_optional(&mut *self.reader().await?)
        .await?;
        Ok(row.and_then(|row| row.try_get("preview").ok().flatten()))
    }

    /// Forgets everything observe mode held back: a server that writes
    /// makes those writes itself (each item's record says it still owes them).
    pub async fn clear_observed(&self) -> Result<u64, StoreError> {
        let mut transaction = self.begin_write().await?;
        let deleted = sqlx::query("DELETE FROM observed_writes")
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        transaction.commit().await?;
        Ok(deleted)
    }

    /// Dead jobs whose serial key is the project's (`gitlab:group/project:…`).
    pub async fn dead_jobs_of(&self, key: &ProjectKey) -> Result<u64, StoreError> {
        let prefix = format!("{key}:");
        let row = sqlx::query(
            "SELECT COUNT(*) AS dead FROM jobs \
             WHERE state = 'dead' AND substr(serial_key, 1, CAST($1 AS INTEGER)) = $2",
        )
        .bind(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX))
        .bind(&prefix)
        .fetch_one(&mut *self.reader().await?)
        .await?;
        to_u64(row.try_get("dead")?, "jobs")
    }
}
