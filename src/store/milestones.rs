//! Per-project milestone epochs: a counter every milestone event bumps, so
//! each replica can tell that its cached milestone list went stale.

use super::{Store, StoreError};
use crate::core::ids::path_key;
use crate::forge::ForgeKind;
use sqlx::Row;

impl Store {
    /// A counter bumped by every milestone event of the project, so every
    /// replica knows when its cached milestone list is stale. 0 before the first bump.
    pub async fn milestones_epoch(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<i64, StoreError> {
        let row =
            sqlx::query("SELECT epoch FROM milestone_epochs WHERE forge = $1 AND project = $2")
                .bind(forge.name())
                .bind(path_key(project))
                .fetch_optional(&mut *self.reader().await?)
                .await?;
        match row {
            Some(row) => Ok(row.try_get("epoch")?),
            None => Ok(0),
        }
    }

    /// Adds one to the project's epoch in a single statement (concurrent bumps
    /// all count) and returns the new value.
    pub async fn bump_milestones_epoch(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<i64, StoreError> {
        let mut transaction = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO milestone_epochs (forge, project, epoch) VALUES ($1, $2, 1) \
             ON CONFLICT (forge, project) DO UPDATE SET epoch = milestone_epochs.epoch + 1 \
             RETURNING epoch",
        )
        .bind(forge.name())
        .bind(path_key(project))
        .fetch_one(&mut *transaction)
        .await?;
        let epoch = row.try_get("epoch")?;
        transaction.commit().await?;
        Ok(epoch)
    }
}
