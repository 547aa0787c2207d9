//! Webhook deliveries and follow-up work into the queue: a delivery is
//! stored once per forge and delivery id (a re-sent one stores nothing), and
//! follow-up work coalesces with an identical job still waiting.

use super::{Enqueued, JobId, NewDelivery, NewJob, Store, StoreError};
use sqlx::{AnyConnection, Row};

const INSERT_JOB: &str = "INSERT INTO jobs (serial_key, payload, state, run_at, enqueued_at) \
     VALUES ($1, $2, 'queued', $3, $3) RETURNING id";

impl Store {
    /// Stores a delivery and its job atomically, unless the delivery id
    /// (per forge) was seen before.
    pub async fn enqueue_delivery(
        &self,
        delivery: &NewDelivery<'_>,
    ) -> Result<Enqueued, StoreError> {
        let mut stored = self
            .enqueue_deliveries(std::slice::from_ref(delivery))
            .await?;
        Ok(stored.pop().expect("one outcome per delivery"))
    }

    /// Stores deliveries with their jobs in one transaction (group commit:
    /// one commit for everything that arrived together), first in line for
    /// SQLite's connection. One outcome per delivery, in order; a delivery
    /// id seen before, or earlier in `deliveries`, stores nothing.
    pub async fn enqueue_deliveries(
        &self,
        deliveries: &[NewDelivery<'_>],
    ) -> Result<Vec<Enqueued>, StoreError> {
        let now = self.now_ms();
        let mut transaction = self.begin_intake().await?;
        let mut outcomes = Vec::with_capacity(deliveries.len());
        for delivery in deliveries {
            let job = insert_job(&mut transaction, &delivery.job, now).await?;
            // The primary key decides between two copies of one delivery,
            // concurrent or in this batch: the loser undoes its job.
            let stored = sqlx::query(
                "INSERT INTO deliveries (forge, delivery_id, event_name, received_at, job_id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (forge, delivery_id) DO NOTHING",
            )
            .bind(delivery.forge.name())
            .bind(delivery.delivery_id)
            .bind(delivery.event_name)
            .bind(now)
            .bind(job.0)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
            if stored == 0 {
                sqlx::query("DELETE FROM jobs WHERE id = $1")
                    .bind(job.0)
                    .execute(&mut *transaction)
                    .await?;
                outcomes.push(Enqueued::Duplicate);
            } else {
                outcomes.push(Enqueued::New(job));
            }
        }
        transaction.commit().await?;
        Ok(outcomes)
    }

    /// Enqueues follow-up work. When a job with the same key and payload is
    /// still queued (not running), no new job is made and its id is returned.
    /// A queued job waiting for a retry keeps its time (its backoff holds).
    /// On PostgreSQL two sessions enqueueing the same work at the same
    /// instant may both insert; the work then runs twice, one after the other.
    pub async fn enqueue(&self, job: &NewJob<'_>) -> Result<JobId, StoreError> {
        let mut transaction = self.begin_write().await?;
        let id = enqueue_in(&mut transaction, job, self.now_ms()).await?;
        transaction.commit().await?;
        Ok(id)
    }
}

/// `enqueue` inside a caller's transaction, so follow-up work commits
/// together with the record that implies it; `now` is the caller's reading
/// of the store's clock.
pub(super) async fn enqueue_in(
    transaction: &mut AnyConnection,
    job: &NewJob<'_>,
    now: i64,
) -> Result<JobId, StoreError> {
    let waiting = sqlx::query(
        "SELECT id FROM jobs WHERE serial_key = $1 AND payload = $2 AND state = 'queued' \
         ORDER BY id LIMIT 1",
    )
    .bind(job.serial_key)
    .bind(job.payload)
    .fetch_optional(&mut *transaction)
    .await?;
    match waiting {
        Some(row) => Ok(JobId(row.try_get("id")?)),
        None => insert_job(transaction, job, now).await,
    }
}

async fn insert_job(
    transaction: &mut AnyConnection,
    job: &NewJob<'_>,
    now: i64,
) -> Result<JobId, StoreError> {
    let row = sqlx::query(INSERT_JOB)
        .bind(job.serial_key)
        .bind(job.payload)
        .bind(now)
        .fetch_one(&mut *transaction)
        .await?;
    Ok(JobId(row.try_get("id")?))
}
