//! The periodic sync inside `serve`: shortly after start and then every
//! `server.sync_interval`, one `Work::Sync` job per configured project goes
//! into the queue (the store coalesces it with one still waiting), which
//! catches missed webhooks and dates that pass. The workers run it like any
//! job. A second loop prunes done jobs and delivery ids past
//! `server.retention`, so the store stays bounded under any load.

use super::shutdown::{Phase, PhaseWatch};
use crate::config::Config;
use crate::engine::Work;
use crate::store::{NewJob, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The first sync waits this long after start, so the webhooks that queued
/// up while the server was down go first; it also tells `/healthz` early
/// whether each forge answers.
pub const FIRST_SYNC_DELAY: Duration = Duration::from_secs(10);
/// The longest wait between two prunes.
const MAX_PRUNE_INTERVAL: Duration = Duration::from_secs(10 * 60);

pub async fn run(config: Arc<Config>, store: Store, wake: Arc<Notify>, mut phase: PhaseWatch) {
    let mut wait = FIRST_SYNC_DELAY.min(config.server.sync_interval);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = phase.wait_for(Phase::Draining) => return,
        }
        enqueue_syncs(&config, &store).await;
        wake.notify_one();
        wait = config.server.sync_interval;
    }
}

/// Prunes every tenth of the retention (at most every 10 minutes), so
/// nothing stays much longer than `server.retention`.
pub async fn prune_periodically(retention: Duration, store: Store, mut phase: PhaseWatch) {
    let every = (retention / 10).clamp(Duration::from_millis(100), MAX_PRUNE_INTERVAL);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = phase.wait_for(Phase::Draining) => return,
        }
        prune(&store, retention).await;
    }
}

async fn prune(store: &Store, retention: Duration) {
    match store.prune(retention).await {
        Ok(pruned) => tracing::debug!(
            jobs = pruned.jobs,
            deliveries = pruned.deliveries,
            "old done jobs and deliveries pruned"
        ),
        Err(error) => tracing::warn!(%error, "cannot prune old jobs and deliveries"),
    }
}

/// Enqueues one sync per project; returns how many were enqueued.
pub async fn enqueue_syncs(config: &Config, store: &Store) -> usize {
    let mut enqueued = 0;
    for project in &config.projects {
        let forge = project.forge;
        let work = Work::Sync {
            forge,
            project: project.path.clone(),
        };
        let job = NewJob {
            serial_key: &work.serial_key(),
            payload: &work.to_json(),
        };
        match store.enqueue(&job).await {
            Ok(id) => {
                enqueued += 1;
                tracing::debug!(forge = forge.name(), project = %project.path, job = id.0, "periodic sync queued");
            }
            Err(error) => {
                tracing::warn!(forge = forge.name(), project = %project.path, %error, "cannot queue the periodic sync")
            }
        }
    }
    enqueued
}
