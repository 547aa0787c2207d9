//! The workers that drain the queue: claim a job, run it through the engine,
//! then complete it, retry it later with exponential backoff, or (at
//! shutdown) return it to the queue. A job's lease is extended while it
//! runs, so a slow job is never taken by a second replica; its forge writes
//! stop at the lease's end when it cannot be extended: the engine runs the
//! job with forge clients fenced by the job's `WriteFence` (`write_fence`).

use super::shutdown::{Phase, PhaseWatch};
use crate::engine::{Engine, JobOutcome, RetryableError};
use crate::forge::write_fence::WriteFence;
use crate::metric_names::{EVENTS_FAILED, EVENTS_PROCESSED, JOBS};
use crate::store::{Job, Store};
use crate::work::{QueuedWork, Work};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tracing::Instrument;

/// How often an idle worker looks for jobs it was not woken for: those
/// enqueued by another replica, retries coming due, leases run out.
const POLL: Duration = Duration::from_millis(250);
/// Wait before the first retry of a failed job; doubled for each later one.
pub const FIRST_RETRY_DELAY: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(10 * 60);
pub use crate::store::MAX_ATTEMPTS;

/// What every worker shares.
pub struct Workers {
    pub engine: Arc<Engine>,
    pub store: Store,
    pub wake: Arc<Notify>,
    pub lease: Duration,
}

impl Workers {
    /// Starts `count` workers named `{worker_id}/{n}` in leases.
    pub fn spawn(self, count: usize, worker_id: &str, phase: &PhaseWatch) -> Vec<JoinHandle<()>> {
        let shared = Arc::new(self);
        (0..count.max(1))
            .map(|n| {
                let worker = Worker {
                    shared: shared.clone(),
                    id: format!("{worker_id}/{n}"),
                    phase: phase.clone(),
                };
                tokio::spawn(worker.run())
            })
            .collect()
    }
}

struct Worker {
    shared: Arc<Workers>,
    id: String,
    phase: PhaseWatch,
}

impl Worker {
    async fn run(mut self) {
        while !self.phase.reached(Phase::Draining) {
            let asked = Instant::now();
            match self.shared.store.claim(&self.id, self.shared.lease).await {
                Ok(Some(job)) => {
                    let fence = WriteFence::new(fence_end(asked, self.shared.lease))
                        .observing(self.shared.engine.observes());
                    // The payload is read once here for the span and the metrics.
                    let queued = QueuedWork::from_json(&job.payload);
                    let read = queued.as_ref().ok();
                    let span = crate::engine::job_span(&job, read.map(|q| &q.work), &self.id);
                    let labels = JobLabels::of(read);
                    let work = queued.map(|queued| queued.work);
                    self.work(job, work, labels, fence).instrument(span).await;
                }
                Ok(None) => self.idle().await,
                Err(error) => {
                    tracing::warn!(worker = %self.id, %error, "cannot claim a job");
                    self.idle().await;
                }
            }
        }
    }

    async fn idle(&mut self) {
        tokio::select! {
            _ = self.shared.wake.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = self.phase.wait_for(Phase::Draining) => {}
        }
    }

    async fn work(
        &mut self,
        job: Job,
        work: Result<Work, serde_json::Error>,
        labels: JobLabels,
        fence: WriteFence,
    ) {
        let started = std::time::Instant::now();
        let running = self.start(&job, work, &fence);
        let result = match self.first_ending(running).await {
            Ending::LeaseLost => {
                labels.count("lease_lost");
                tracing::warn!("the job's lease was lost; the job was stopped");
                return;
            }
            Ending::Abandoning => {
                self.release(&job, &labels).await;
                return;
            }
            // The lease may have run out: the job's writes stopped, and
            // whoever holds it now (or the next claim) does the work.
            // Recording an outcome could end another worker's claim.
            Ending::Finished(_) if fence.expired() => {
                labels.count("lease_lost");
                tracing::warn!(
                    "the job's lease ran out while it ran; it was left to the next claim"
                );
                return;
            }
            Ending::Finished(Ok(result)) => result,
            Ending::Finished(Err(join_error)) => {
                Err(RetryableError::Panicked(join_error.to_string()))
            }
        };
        let elapsed_ms = started.elapsed().as_millis() as u64;
        self.record(&job, &labels, result, elapsed_ms).await;
    }

    /// Starts the job and the heartbeat that keeps its lease.
    fn start(
        &self,
        job: &Job,
        work: Result<Work, serde_json::Error>,
        fence: &WriteFence,
    ) -> Running {
        // Its own task: a panic in the engine fails this job, not the worker.
        let job_task = tokio::spawn({
            let engine = self.shared.engine.clone();
            let job = job.clone();
            let fence = fence.clone();
            async move { engine.handle_read(&job, work, Some(&fence)).await }.in_current_span()
        });
        let heartbeat = tokio::spawn(
            keep_leased(
                self.shared.store.clone(),
                job.clone(),
                self.id.clone(),
                self.shared.lease,
                fence.clone(),
            )
            .in_current_span(),
        );
        Running {
            job: job_task,
            heartbeat,
        }
    }

    /// Waits for the first of: the job finishes, shutdown abandons it, its
    /// lease is lost. Stops whichever task is still running.
    async fn first_ending(&mut self, mut running: Running) -> Ending {
        let ending = tokio::select! {
            joined = &mut running.job => Ending::Finished(joined),
            _ = self.phase.wait_for(Phase::Abandoning) => Ending::Abandoning,
            // The lease is lost (another worker took the job after a stall):
            // stop before this one writes again.
            _ = &mut running.heartbeat => Ending::LeaseLost,
        };
        running.job.abort();
        running.heartbeat.abort();
        ending
    }

    /// Returns an abandoned job to the queue at shutdown.
    async fn release(&self, job: &Job, labels: &JobLabels) {
        labels.count("released");
        match self.shared.store.release(job.id, &self.id).await {
            Ok(()) => tracing::info!("shutting down: job returned to the queue"),
            Err(error) => {
                tracing::warn!(%error, "cannot return the job; its lease will run out")
            }
        }
    }

    /// Records a finished job's outcome: completed, or retried later.
    async fn record(
        &self,
        job: &Job,
        labels: &JobLabels,
        result: Result<JobOutcome, RetryableError>,
        elapsed_ms: u64,
    ) {
        let store = &self.shared.store;
        let stored = match result {
            Ok(JobOutcome::Done) => {
                labels.count("done");
                labels.processed("done");
                tracing::info!(elapsed_ms, "done");
                store.complete(job.id, &self.id).await
            }
            Ok(JobOutcome::Dropped { reason }) => {
                labels.count("dropped");
                labels.processed("dropped");
                tracing::info!(elapsed_ms, %reason, "dropped");
                store.complete(job.id, &self.id).await
            }
            Err(error) => {
                let last = job.attempts + 1 >= MAX_ATTEMPTS;
                labels.count(if last { "dead" } else { "retried" });
                labels.failed();
                let delay = retry_delay(job.attempts);
                if last {
                    tracing::error!(elapsed_ms, %error, "failed for the last time; giving up");
                } else {
                    tracing::warn!(elapsed_ms, %error, retry_in_s = delay.as_secs(), "failed; will retry");
                }
                store
                    .retry_later(job.id, &self.id, &error.to_string(), delay, MAX_ATTEMPTS)
                    .await
                    .map(|()| true)
            }
        };
        match stored {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    "the lease ran out before the job finished; another worker may redo it"
                )
            }
            Err(error) => tracing::error!(%error, "cannot record the job's outcome"),
        }
    }
}

/// A job's task and the heartbeat that keeps its lease.
struct Running {
    job: JoinHandle<Result<JobOutcome, RetryableError>>,
    heartbeat: JoinHandle<()>,
}

/// Whichever came first while a job ran.
enum Ending {
    Finished(Result<Result<JobOutcome, RetryableError>, tokio::task::JoinError>),
    /// Shutdown reached the phase where running jobs are given up.
    Abandoning,
    /// Another worker took the job after a stall.
    LeaseLost,
}

/// Where the fence of a lease asked for at `asked` stands: a tenth short of
/// the lease, for clock differences between replicas.
fn fence_end(asked: Instant, lease: Duration) -> Instant {
    asked + lease - lease / 10
}

/// Extends the lease every third of its length while the job runs, and the
/// fence with it.
async fn keep_leased(store: Store, job: Job, worker: String, lease: Duration, fence: WriteFence) {
    let every = (lease / 3).max(Duration::from_millis(100));
    loop {
        tokio::time::sleep(every).await;
        let asked = Instant::now();
        match store.extend_lease(job.id, &worker, lease).await {
            Ok(true) => fence.extend_to(fence_end(asked, lease)),
            Ok(false) => {
                tracing::warn!("lost the job's lease");
                return;
            }
            Err(error) => tracing::warn!(%error, "cannot extend the job's lease"),
        }
    }
}

/// The wait before the next try after `attempts` earlier claims failed.
pub fn retry_delay(attempts: u32) -> Duration {
    let factor = 1u32 << attempts.min(16);
    FIRST_RETRY_DELAY
        .saturating_mul(factor)
        .min(MAX_RETRY_DELAY)
}

/// Metric labels for a job, read from its payload.
struct JobLabels {
    work: &'static str,
    /// The forge of a webhook event; `None` for other work.
    event_forge: Option<&'static str>,
}

impl JobLabels {
    /// `None`: the payload could not be read. Work a webhook asked for is
    /// counted as `event`, whatever its kind, and in the event metrics.
    fn of(queued: Option<&QueuedWork>) -> JobLabels {
        match queued {
            Some(QueuedWork {
                work,
                from_webhook: true,
            }) => JobLabels {
                work: "event",
                event_forge: Some(work.forge().name()),
            },
            Some(QueuedWork { work, .. }) => JobLabels::other(work.name()),
            None => JobLabels::other("unreadable"),
        }
    }

    fn other(work: &'static str) -> JobLabels {
        JobLabels {
            work,
            event_forge: None,
        }
    }

    fn count(&self, outcome: &'static str) {
        metrics::counter!(JOBS, "work" => self.work, "outcome" => outcome).increment(1);
    }

    fn processed(&self, outcome: &'static str) {
        if let Some(forge) = self.event_forge {
            metrics::counter!(EVENTS_PROCESSED, "forge" => forge, "outcome" => outcome)
                .increment(1);
        }
    }

    fn failed(&self) {
        if let Some(forge) = self.event_forge {
            metrics::counter!(EVENTS_FAILED, "forge" => forge).increment(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_from_two_seconds_up_to_ten_minutes() {
        assert_eq!(retry_delay(0), Duration::from_secs(2));
        assert_eq!(retry_delay(1), Duration::from_secs(4));
        assert_eq!(retry_delay(5), Duration::from_secs(64));
        assert_eq!(retry_delay(9), MAX_RETRY_DELAY);
        assert_eq!(retry_delay(u32::MAX), MAX_RETRY_DELAY);
    }
}
