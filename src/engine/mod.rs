//! The engine: one job of work → which MRs, issues and milestones it
//! affects → facts from the forge and the store → `core::policy::decide` →
//! the smallest set of writes → the store. The webhook server, the periodic
//! sync and `schemagate sync` all run through it.
//!
//! SKELETON: `Work` and its serial keys are the contract with the server
//! and the store; the engine work fills in `Engine`.

pub mod work;

pub use work::Work;

use crate::config::{Config, ProjectConfig};
use crate::forge::{Forge, ForgeKind};
use crate::store::{Job, Store};
use std::sync::Arc;

/// The forge clients the configuration names (each optional).
#[derive(Clone, Default)]
pub struct Forges {
    pub gitlab: Option<Arc<dyn Forge>>,
    pub github: Option<Arc<dyn Forge>>,
}

impl Forges {
    pub fn get(&self, kind: ForgeKind) -> Option<&Arc<dyn Forge>> {
        match kind {
            ForgeKind::GitLab => self.gitlab.as_ref(),
            ForgeKind::GitHub => self.github.as_ref(),
        }
    }
}

/// How a job ended, for the worker (and metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The work is done (possibly with nothing to write).
    Done,
    /// The work cannot succeed (item deleted, project not configured,
    /// token without rights); the reason is logged once, the job ends.
    Dropped { reason: String },
}

/// A job failed in a way a retry may fix (forge down, rate limit, database hiccup).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RetryableError(pub String);

/// Whether `sync` writes or only reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    Apply,
    DryRun,
}

/// What `sync` did or (dry run) would do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Items whose facts changed and were evaluated.
    pub evaluated: usize,
    /// Items skipped because nothing changed since their last evaluation.
    pub unchanged: usize,
    /// Writes made (apply) or that would be made (dry run).
    pub writes: usize,
    /// Dry run: one line per write it would make ("would add label … to !12").
    pub planned: Vec<String>,
}

/// Progress of a sync, for a progress bar on a terminal.
pub trait SyncObserver: Send + Sync {
    fn started(&self, items: usize);
    fn item_done(&self, item: &str);
}

/// The engine shared by every worker.
pub struct Engine {
    config: Arc<Config>,
    store: Store,
    forges: Forges,
}

impl Engine {
    pub fn new(config: Arc<Config>, store: Store, forges: Forges) -> Engine {
        Engine {
            config,
            store,
            forges,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn forges(&self) -> &Forges {
        &self.forges
    }

    /// Runs one claimed job.
    pub async fn handle(&self, job: &Job) -> Result<JobOutcome, RetryableError> {
        let _ = job;
        todo!("engine")
    }

    /// Reconciles one project: re-evaluates open MRs, labelled issues and
    /// milestones whose facts changed since the last evaluation.
    pub async fn sync(
        &self,
        project: &ProjectConfig,
        mode: SyncMode,
        observer: &dyn SyncObserver,
    ) -> anyhow::Result<SyncReport> {
        let _ = (project, mode, observer);
        todo!("engine")
    }
}
