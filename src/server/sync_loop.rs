//! The periodic sync inside `serve`: shortly after start and then every
//! `server.sync_interval`, one `Work::Sync` job per configured project goes
//! into the queue (the store coalesces it with one still waiting), which
//! catches missed webhooks and dates that pass. The workers run it like any
//! job. Each tick also prunes done jobs and delivery ids past the retention.

use super::shutdown::{Phase, PhaseWatch};
use crate::config::Config;
use crate::engine::Work;
use crate::forge::{ForgeKind, ProjectPath};
use crate::store::{NewJob, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The first sync waits this long after start, so the webhooks that queued
/// up while the server was down go first; it also tells `/healthz` early
/// whether each forge answers.
pub const FIRST_SYNC_DELAY: Duration = Duration::from_secs(10);
/// Done jobs and delivery ids older than this are deleted at each sync tick.
/// It is also the window in which a redelivered webhook counts as a duplicate.
pub const RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);

pub async fn run(config: Arc<Config>, store: Store, wake: Arc<Notify>, mut phase: PhaseWatch) {
    let mut wait = FIRST_SYNC_DELAY.min(config.server.sync_interval);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = phase.wait_for(Phase::Draining) => return,
        }
        enqueue_syncs(&config, &store).await;
        wake.notify_one();
        prune(&store).await;
        wait = config.server.sync_interval;
    }
}

async fn prune(store: &Store) {
    match store.prune(RETENTION).await {
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
        let forge = ForgeKind::from(project.forge);
        let work = Work::Sync {
            forge,
            project: ProjectPath(project.path.clone()),
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
