//! The durable job queue: claim under a lease, complete, retry, release,
//! and the queue's state for metrics and operators. Jobs come in through
//! `intake`; old ones are deleted by `prune`.
//!
//! Two jobs with the same serial key never run at once on any replica: a
//! claim must also take the key's row in `key_leases`. Taking it is one
//! upsert that succeeds only when the row is absent, expired, or already this
//! job's; the primary key makes that atomic across PostgreSQL sessions.
//! Transactions touch `jobs` before `key_leases`, always in that order, and
//! hold at most one `key_leases` row while waiting, so they cannot deadlock.
//!
//! `claims` counts every claim (honest history); `attempts` counts the claims
//! that use up the job's `max_attempts`: a graceful `release` gives one back.

use super::codec::to_u32;
use super::time::after;
use super::{Job, JobId, JobSummary, QueueDepth, Store, StoreError};
use crate::config::DatabaseKind;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};
use std::time::Duration;

/// Counted claims after which a job is given up (marked dead): by its
/// worker when it fails for the last time, or at the next claim when its
/// worker died during every one of them (a job that kills its process must
/// not loop forever). About 45 minutes of retries with the workers' delays.
pub const MAX_ATTEMPTS: u32 = 10;

/// How many candidates one `claim` tries before reporting nothing runnable.
/// A candidate is passed over only when another session took its key in the
/// meantime, which the next try then sees as held.
const CLAIM_TRIES: usize = 8;

/// The oldest runnable job whose key no other job holds: queued and due, or
/// running under a lease that ran out (its worker died). `$1` is now.
///
/// SQLite: one arm per state, each walking `jobs_by_state_id` in id order
/// (named, or the planner prefers `run_at`'s index and sorts), merged and
/// stopped at the first row. Written as one `OR`, SQLite collects and sorts
/// every queued job on each claim, which under a backlog of
/// thousands cost more than the rest of the job's statements together. No
/// row locking: `BEGIN IMMEDIATE` already excludes every other writer.
const OLDEST_RUNNABLE_SQLITE: &str = "\
    SELECT id, serial_key, payload, attempts, enqueued_at FROM ( \
      SELECT id, serial_key, payload, attempts, enqueued_at \
        FROM jobs INDEXED BY jobs_by_state_id \
       WHERE state = 'queued' AND run_at <= $1 \
         AND NOT EXISTS (SELECT 1 FROM key_leases k \
                         WHERE k.serial_key = jobs.serial_key \
                           AND k.lease_until > $1 AND k.job_id <> jobs.id) \
      UNION ALL \
      SELECT id, serial_key, payload, attempts, enqueued_at \
        FROM jobs INDEXED BY jobs_by_state_id \
       WHERE state = 'running' AND lease_until <= $1 \
         AND NOT EXISTS (SELECT 1 FROM key_leases k \
                         WHERE k.serial_key = jobs.serial_key \
                           AND k.lease_until > $1 AND k.job_id <> jobs.id)) \
    ORDER BY id LIMIT 1";

/// PostgreSQL: rows another claimer is looking at are skipped, not waited on.
/// `FOR UPDATE` cannot apply to a `UNION`, so the `OR` form stays here.
const OLDEST_RUNNABLE_POSTGRES: &str = "\
    SELECT id, serial_key, payload, attempts, enqueued_at FROM jobs \
     WHERE ((state = 'queued' AND run_at <= $1) \
            OR (state = 'running' AND lease_until <= $1)) \
       AND NOT EXISTS (SELECT 1 FROM key_leases k \
                       WHERE k.serial_key = jobs.serial_key \
                         AND k.lease_until > $1 AND k.job_id <> jobs.id) \
     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED";

impl Store {
    /// Claims the oldest runnable job whose serial key no live lease holds.
    /// On PostgreSQL `FOR UPDATE SKIP LOCKED`; two workers never get the same job.
    /// `Job::attempts` counts earlier claims that used up an attempt: one
    /// that ended in `retry_later` or whose lease ran out (its worker died)
    /// does, a `release`d one does not.
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        let candidate_sql = match self.kind {
            DatabaseKind::Sqlite => OLDEST_RUNNABLE_SQLITE,
            DatabaseKind::Postgres => OLDEST_RUNNABLE_POSTGRES,
        };
        for _ in 0..CLAIM_TRIES {
            let now = self.now_ms();
            let lease_until = after(now, lease);
            let mut transaction = self.begin_write().await?;
            // A job whose lease ran out on its last attempt: its worker died
            // every time. It goes dead instead of being claimed again.
            sqlx::query(
                "UPDATE jobs SET state = 'dead', finished_at = $1, \
                   last_error = COALESCE(last_error, 'its worker stopped (crashed or was killed) \
during every attempt') \
                 WHERE state = 'running' AND lease_until <= $1 AND attempts >= $2",
            )
            .bind(now)
            .bind(i64::from(MAX_ATTEMPTS))
            .execute(&mut *transaction)
            .await?;
            let Some(row) = sqlx::query(candidate_sql)
                .bind(now)
                .fetch_optional(&mut *transaction)
                .await?
            else {
                transaction.commit().await?;
                return Ok(None);
            };
            let job = claimed_job(&row)?;
            if !take_key(&mut transaction, &job, worker, lease_until, now).await? {
                // Another session took the key after our snapshot: look again.
                transaction.rollback().await?;
                continue;
            }
            sqlx::query(
                "UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, \
                 claims = claims + 1, attempts = attempts + 1 WHERE id = $3",
            )
            .bind(worker)
            .bind(lease_until)
            .bind(job.id.0)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await?;
            return Ok(Some(job));
        }
        Ok(None)
    }

    /// Marks a job done; `false` when this worker no longer held its lease.
    pub async fn complete(&self, job: JobId, worker: &str) -> Result<bool, StoreError> {
        let now = self.now_ms();
        self.finish_claim(
            job,
            worker,
            sqlx::query(
                "UPDATE jobs SET state = 'done', completions = completions + 1, finished_at = $3, \
                 lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING serial_key",
            )
            .bind(job.0)
            .bind(worker)
            .bind(now),
        )
        .await
    }

    /// Puts a failed job back to run after `delay`, or marks it dead after
    /// `max_attempts` counted claims. Nothing happens when this worker no
    /// longer holds the lease (the job is someone else's now).
    pub async fn retry_later(
        &self,
        job: JobId,
        worker: &str,
        error: &str,
        delay: Duration,
        max_attempts: u32,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        self.finish_claim(
            job,
            worker,
            sqlx::query(
                "UPDATE jobs SET \
                   state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'queued' END, \
                   finished_at = CASE WHEN attempts >= $3 THEN $4 ELSE NULL END, \
                   run_at = $5, last_error = $6, lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING serial_key",
            )
            .bind(job.0)
            .bind(worker)
            .bind(i64::from(max_attempts))
            .bind(now)
            .bind(after(now, delay))
            .bind(error),
        )
        .await?;
        Ok(())
    }

    /// Returns a claimed job to the queue at once without counting an attempt
    /// (graceful shutdown). `claims` still records that it was claimed.
    pub async fn release(&self, job: JobId, worker: &str) -> Result<(), StoreError> {
        let now = self.now_ms();
        self.finish_claim(
            job,
            worker,
            sqlx::query(
                "UPDATE jobs SET state = 'queued', run_at = $3, attempts = attempts - 1, \
                 lease_owner = NULL, lease_until = NULL \
                 WHERE id = $1 AND state = 'running' AND lease_owner = $2 RETURNING serial_key",
            )
            .bind(job.0)
            .bind(worker)
            .bind(now),
        )
        .await?;
        Ok(())
    }

    /// Extends a lease for long work; `false` when the lease was lost.
    pub async fn extend_lease(
        &self,
        job: JobId,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let lease_until = after(self.now_ms(), lease);
        let mut transaction = self.begin_write().await?;
        let extended = sqlx::query(
            "UPDATE jobs SET lease_until = $3 \
             WHERE id = $1 AND state = 'running' AND lease_owner = $2",
        )
        .bind(job.0)
        .bind(worker)
        .bind(lease_until)
        .execute(&mut *transaction)
        .await?
        .rows_affected()
            == 1;
        if extended {
            sqlx::query(
                "UPDATE key_leases SET lease_until = $3 WHERE job_id = $1 AND lease_owner = $2",
            )
            .bind(job.0)
            .bind(worker)
            .bind(lease_until)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(extended)
    }

    pub async fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        // A running job whose lease ran out waits to be claimed again: queued.
        let row = sqlx::query(
            "SELECT \
               COUNT(CASE WHEN state = 'queued' OR (state = 'running' AND lease_until <= $1) \
                          THEN 1 END) AS queued, \
               COUNT(CASE WHEN state = 'running' AND lease_until > $1 THEN 1 END) AS running, \
               COUNT(CASE WHEN state = 'dead' THEN 1 END) AS dead \
             FROM jobs",
        )
        .bind(self.now_ms())
        .fetch_one(&mut *self.reader().await?)
        .await?;
        let count = |column: &str| -> Result<u64, StoreError> {
            let value: i64 = row.try_get(column)?;
            super::codec::to_u64(value, "jobs")
        };
        Ok(QueueDepth {
            queued: count("queued")?,
            running: count("running")?,
            dead: count("dead")?,
        })
    }

    /// Every job, oldest first (tests and diagnostics).
    pub async fn jobs(&self) -> Result<Vec<JobSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, serial_key, state, claims, completions, last_error FROM jobs ORDER BY id",
        )
        .fetch_all(&mut *self.reader().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(JobSummary {
                    id: JobId(row.try_get("id")?),
                    serial_key: row.try_get("serial_key")?,
                    state: row.try_get("state")?,
                    claims: to_u32(row.try_get("claims")?, "jobs")?,
                    completions: to_u32(row.try_get("completions")?, "jobs")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }

    /// Puts dead jobs back in the queue with their attempts reset: `ids`, or
    /// every dead job when `None`. Returns the ids requeued.
    pub async fn retry_dead(&self, ids: Option<&[JobId]>) -> Result<Vec<JobId>, StoreError> {
        let now = self.now_ms();
        let mut transaction = self.begin_write().await?;
        let dead = sqlx::query("SELECT id FROM jobs WHERE state = 'dead' ORDER BY id")
            .fetch_all(&mut *transaction)
            .await?;
        let mut requeued = Vec::new();
        for row in dead {
            let id = JobId(row.try_get("id")?);
            if ids.is_some_and(|wanted| !wanted.contains(&id)) {
                continue;
            }
            sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, finished_at = NULL, \
                   lease_owner = NULL, lease_until = NULL WHERE id = $2 AND state = 'dead'",
            )
            .bind(now)
            .bind(id.0)
            .execute(&mut *transaction)
            .await?;
            requeued.push(id);
        }
        transaction.commit().await?;
        Ok(requeued)
    }

    /// Runs an `UPDATE … RETURNING serial_key` that ends this worker's claim,
    /// then frees the key. `false` when the claim was no longer this worker's.
    async fn finish_claim(
        &self,
        job: JobId,
        worker: &str,
        update: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> Result<bool, StoreError> {
        let mut transaction = self.begin_write().await?;
        let Some(row) = update.fetch_optional(&mut *transaction).await? else {
            transaction.rollback().await?;
            return Ok(false);
        };
        let serial_key: String = row.try_get("serial_key")?;
        sqlx::query(
            "DELETE FROM key_leases WHERE serial_key = $1 AND job_id = $2 AND lease_owner = $3",
        )
        .bind(serial_key)
        .bind(job.0)
        .bind(worker)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(true)
    }
}

/// Takes the job's serial key until `lease_until`; `false` when another job
/// holds it under a live lease.
async fn take_key(
    transaction: &mut AnyConnection,
    job: &Job,
    worker: &str,
    lease_until: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let taken = sqlx::query(
        "INSERT INTO key_leases (serial_key, job_id, lease_owner, lease_until) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (serial_key) DO UPDATE SET job_id = excluded.job_id, \
           lease_owner = excluded.lease_owner, lease_until = excluded.lease_until \
         WHERE key_leases.lease_until <= $5 OR key_leases.job_id = excluded.job_id",
    )
    .bind(&job.serial_key)
    .bind(job.id.0)
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    Ok(taken == 1)
}

fn claimed_job(row: &AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        id: JobId(row.try_get("id")?),
        serial_key: row.try_get("serial_key")?,
        payload: row.try_get("payload")?,
        attempts: to_u32(row.try_get("attempts")?, "jobs")?,
        enqueued_at_ms: row.try_get("enqueued_at")?,
    })
}
