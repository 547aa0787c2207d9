//! Retention: done jobs, delivery ids and run-out key leases are deleted
//! once they are older than the configured window, in small transactions.
//! Approved exceptions and the command record (`item_exceptions`,
//! `item_commands`) are never pruned: they are the audit trail of who waived
//! the gate for an MR and why, which matters longest after the MR merged.

use super::time::millis;
use super::{Pruned, Store, StoreError};
use std::time::Duration;

/// Most rows one prune transaction deletes.
const PRUNE_CHUNK: i64 = 1000;

impl Store {
    /// Deletes done jobs and delivery ids older than `older_than` (the
    /// dedup window: a delivery re-sent after it is new work again), and key
    /// leases that ran out that long ago. Queued, running and dead jobs stay.
    /// Deletes in short transactions of at most [`PRUNE_CHUNK`] rows, so a
    /// large backlog never holds SQLite's connection from the intake for long.
    pub async fn prune(&self, older_than: Duration) -> Result<Pruned, StoreError> {
        let cutoff = self.now_ms().saturating_sub(millis(older_than));
        let jobs = self
            .delete_in_chunks(
                "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs \
                 WHERE state = 'done' AND finished_at <= $1 LIMIT $2)",
                cutoff,
            )
            .await?;
        let deliveries = self
            .delete_in_chunks(
                "DELETE FROM deliveries WHERE (forge, delivery_id) IN \
                 (SELECT forge, delivery_id FROM deliveries WHERE received_at <= $1 LIMIT $2)",
                cutoff,
            )
            .await?;
        self.delete_in_chunks(
            "DELETE FROM key_leases WHERE serial_key IN \
             (SELECT serial_key FROM key_leases WHERE lease_until <= $1 LIMIT $2)",
            cutoff,
        )
        .await?;
        Ok(Pruned { jobs, deliveries })
    }

    /// Runs `delete` (binding the cutoff and [`PRUNE_CHUNK`]) until it
    /// deletes less than a chunk; returns the rows deleted.
    async fn delete_in_chunks(&self, delete: &'static str, cutoff: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        loop {
            let mut transaction = self.begin_write().await?;
            let rows = sqlx::query(delete)
                .bind(cutoff)
                .bind(PRUNE_CHUNK)
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            transaction.commit().await?;
            deleted += rows;
            if rows < PRUNE_CHUNK as u64 {
                return Ok(deleted);
            }
        }
    }
}
