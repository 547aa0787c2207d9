//! The engine: the state every job shares (configuration, store, forge
//! clients, caches, clock, mail) and the two things built on it: the
//! evaluation `pipeline` (read → decide → apply → record for one MR or
//! issue) and one `handlers` module per kind of [`Work`]. The webhook
//! server's workers run jobs through [`Engine::handle`]; the one-shot
//! commands (`check`, `announce`, `sync`) are assembled from the same
//! pipeline and handlers in [`crate::tasks`].
//!
//! Every item's work is serialised by the queue; the engine itself keeps
//! only caches (milestones per epoch, compiled rules, labels known to
//! exist, who may approve), so any number of workers and replicas can
//! share it.

pub(crate) mod access;
pub(crate) mod announce;
pub(crate) mod approvers;
pub(crate) mod block;
pub(crate) mod compose;
pub(crate) mod conflicts;
pub(crate) mod failure;
mod forges;
pub(crate) mod handlers;
pub(crate) mod mail_context;
mod mail_service;
pub(crate) mod milestones;
pub(crate) mod pipeline;
pub mod plan;
pub(crate) mod project;
pub(crate) mod queue;
pub(crate) mod sample_mail;
pub(crate) mod scan;
pub(crate) mod shipped;
pub(crate) mod steering;

pub use crate::clock::{Clock, FixedClock};
pub use crate::work::Work;
pub use announce::{AnnounceOutcome, MAX_PERMANENT_TRIES};
pub use approvers::Permission;
pub use failure::Failure;
pub use forges::Forges;
pub use mail_service::{MailService, MailSetupError};

use crate::config::Config;
use crate::core::ids::ProjectKey;
use crate::forge::write_fence::WriteFence;
use crate::store::{Job, Store};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// How a job ended, for the worker (and metrics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The work is done (possibly with nothing to write).
    Done,
    /// The work cannot succeed (item deleted, project not configured,
    /// token without rights); the reason is logged once, the job ends.
    Dropped { reason: String },
}

/// A job failed in a way a retry may fix (forge down, rate limit, database
/// hiccup, a transient mail failure), or its task panicked.
#[derive(Debug, thiserror::Error)]
pub enum RetryableError {
    #[error(transparent)]
    Failed(Failure),
    #[error("the job's task failed: {0}")]
    Panicked(String),
}

/// The engine shared by every worker.
pub struct Engine {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Store,
    pub(crate) forges: Forges,
    pub(crate) milestone_cache: milestones::MilestoneCache,
    pub(crate) rules: pipeline::detect::RulesCache,
    /// Target branches' migration listings and texts, for conflicts.
    pub(crate) branch_trees: conflicts::BranchTrees,
    /// Projects whose label is known to exist (created at most once per process).
    pub(crate) labels_ensured: Mutex<HashSet<ProjectKey>>,
    /// Projects whose token's missing rights were already logged.
    /// Access problems already logged: per project, and per kind of write.
    pub(crate) reported_auth: Mutex<HashSet<(ProjectKey, Option<crate::forge::rights::Write>)>>,
    /// The forge's recent answers about who may approve (roles, group
    /// membership), kept a minute by the engine's clock.
    pub(crate) people: approvers::PeopleCache,
    /// SMTP and templates; `None` without a `[mail]` section.
    pub(crate) mail: Option<MailService>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Observe mode (`serve --observe`): read and decide, record what
    /// would be written, write nothing to the forge and send no mail.
    pub(crate) observe: bool,
}

impl Engine {
    pub fn new(config: Arc<Config>, store: Store, forges: Forges) -> Engine {
        // One clock for the engine and its store.
        let clock = store.clock().clone();
        Engine {
            config,
            store,
            forges,
            milestone_cache: milestones::MilestoneCache::default(),
            rules: pipeline::detect::RulesCache::default(),
            branch_trees: conflicts::BranchTrees::default(),
            labels_ensured: Mutex::new(HashSet::new()),
            reported_auth: Mutex::new(HashSet::new()),
            people: approvers::PeopleCache::default(),
            mail: None,
            clock,
            observe: false,
        }
    }

    /// The engine, and the store it writes through, reading time from
    /// `clock` (tests set it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Engine {
        self.store = self.store.with_clock(clock.clone());
        self.clock = clock;
        self
    }

    /// One reading of the clock; an evaluation takes one and keeps it.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The engine in observe mode (`true`): it writes nothing to the forge
    /// and sends no mail, and records what it would have done.
    pub fn with_observe(mut self, observe: bool) -> Engine {
        self.observe = observe;
        self
    }

    pub fn observes(&self) -> bool {
        self.observe
    }

    /// The engine that sends announcements through `mail`.
    pub fn with_mail(mut self, mail: Option<MailService>) -> Engine {
        self.mail = mail;
        self
    }

    pub fn mail(&self) -> Option<&MailService> {
        self.mail.as_ref()
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

    /// Runs one claimed job; under a worker, its forge writes stop at
    /// `fence` (the end of its lease).
    pub async fn handle(
        &self,
        job: &Job,
        fence: Option<&WriteFence>,
    ) -> Result<JobOutcome, RetryableError> {
        let read = crate::work::QueuedWork::from_json(&job.payload).map(|queued| queued.work);
        self.handle_read(job, read, fence).await
    }

    /// Runs one claimed job whose payload the caller has already read
    /// (the worker reads it once, for its span and metrics too).
    pub async fn handle_read(
        &self,
        job: &Job,
        read: Result<Work, serde_json::Error>,
        fence: Option<&WriteFence>,
    ) -> Result<JobOutcome, RetryableError> {
        let work = match read {
            Ok(work) => work,
            Err(error) => {
                let reason = format!("job {} has an unreadable payload: {error}", job.id.0);
                tracing::warn!("{reason}");
                return Ok(JobOutcome::Dropped { reason });
            }
        };
        // The worker logs the outcome, once, in the job's span (`job_span`).
        let forges = match fence {
            Some(fence) => self.forges.fenced(fence),
            None => self.forges.clone(),
        };
        match handlers::run(self, &forges, &work).await {
            Ok(()) => Ok(JobOutcome::Done),
            Err(failure) if failure.is_retryable() => Err(RetryableError::Failed(failure)),
            Err(failure) => Ok(JobOutcome::Dropped {
                reason: failure.to_string(),
            }),
        }
    }
}

/// The tracing span a worker runs one job in: the job's id and attempt,
/// the worker, and the forge, project and item it is about, so every line
/// the job logs (its outcome too) says which project it concerns.
/// `work` is the job's payload as read, `None` when it could not be.
pub fn job_span(job: &Job, work: Option<&Work>, worker: &str) -> tracing::Span {
    // A group milestone's job names no one project (its subject names the milestone).
    let project = work.and_then(|work| match work.scope() {
        crate::work::WorkScope::Project(project) => Some(project.0.clone()),
        crate::work::WorkScope::Group(_) => None,
    });
    tracing::info_span!(
        "job",
        id = job.id.0,
        attempt = job.attempts + 1,
        worker,
        forge = work.map_or("", |work| work.forge().name()),
        project = project.as_deref().unwrap_or(""),
        item = work.and_then(Work::subject).as_deref().unwrap_or(""),
    )
}
