//! The engine: one job of work → which MRs, issues and milestones it
//! affects → facts from the forge and the store → `core::policy::decide` →
//! the smallest set of writes → the store. The webhook server, the periodic
//! sync and `schemagate sync` all run through it.
//!
//! `Work` and its serial keys are the contract with the server and the
//! store. Every item's work is serialised by the queue; the engine itself
//! keeps only caches (milestones per epoch, compiled rules, labels known to
//! exist), so any number of workers and replicas can share it.

mod announce;
mod announce_command;
mod block;
mod check;
mod check_reads;
mod commit;
mod compose;
pub mod desired;
mod evaluate;
mod evaluate_issue;
mod evaluate_mr;
mod events;
mod facts;
mod failure;
pub mod fingerprint;
mod forges;
mod mail_context;
mod mail_service;
mod milestones;
mod pending;
pub mod plan;
mod project;
mod scan;
mod serverless;
mod shipped;
mod subject;
mod sync;
pub mod work;

pub use announce::{AnnounceOutcome, MAX_PERMANENT_TRIES};
pub use check::{CheckOptions, CheckReport};
pub use mail_service::{MailService, MailSetupError};
pub use serverless::ForgeSyncReport;
pub use work::Work;

pub use crate::clock::{Clock, FixedClock};
use crate::config::{Config, ProjectConfig};
use crate::core::ids::{ItemNumber, ProjectKey};
use crate::forge::event::Event;
use crate::forge::{Forge, ForgeKind};
use crate::store::{Job, Store};
use chrono::{DateTime, Utc};
pub use failure::Failure;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use tracing::Instrument;

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

/// A job failed in a way a retry may fix (forge down, rate limit, database
/// hiccup, a transient mail failure), or its task panicked.
#[derive(Debug, thiserror::Error)]
pub enum RetryableError {
    #[error(transparent)]
    Failed(Failure),
    #[error("the job's task failed: {0}")]
    Panicked(String),
}

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
    /// Downtime warnings sent (apply) by this sync.
    pub warnings_sent: usize,
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
    milestone_cache: milestones::MilestoneCache,
    rules: facts::RulesCache,
    /// Projects whose label is known to exist (created at most once per process).
    labels_ensured: Mutex<HashSet<ProjectKey>>,
    /// Projects whose token's missing rights were already logged.
    /// Access problems already logged: per project, and per kind of write.
    reported_auth: Mutex<HashSet<(ProjectKey, Option<crate::forge::rights::Write>)>>,
    /// SMTP and templates; `None` without a `[mail]` section.
    mail: Option<MailService>,
    clock: Arc<dyn Clock>,
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
            rules: facts::RulesCache::default(),
            labels_ensured: Mutex::new(HashSet::new()),
            reported_auth: Mutex::new(HashSet::new()),
            mail: None,
            clock,
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

    /// Runs one claimed job.
    pub async fn handle(&self, job: &Job) -> Result<JobOutcome, RetryableError> {
        let work = match Work::from_json(&job.payload) {
            Ok(work) => work,
            Err(error) => {
                let reason = format!("job {} has an unreadable payload: {error}", job.id.0);
                tracing::warn!("{reason}");
                return Ok(JobOutcome::Dropped { reason });
            }
        };
        // The worker logs the outcome, once, in the job's span (`job_span`).
        match self.run(&work).await {
            Ok(()) => Ok(JobOutcome::Done),
            Err(failure) if failure.is_retryable() => Err(RetryableError::Failed(failure)),
            Err(failure) => Ok(JobOutcome::Dropped {
                reason: failure.to_string(),
            }),
        }
    }

    /// Reconciles one project: re-evaluates open MRs, labelled issues and
    /// milestones whose facts changed since the last evaluation.
    pub async fn sync(
        &self,
        project: &ProjectConfig,
        mode: SyncMode,
        observer: &dyn SyncObserver,
    ) -> anyhow::Result<SyncReport> {
        let span = tracing::info_span!("sync", project = %project.path, ?mode);
        let failed = |failure: Failure| anyhow::anyhow!("cannot sync {}: {failure}", project.path);
        let mut report = self
            .sync_project(project, mode, observer)
            .instrument(span.clone())
            .await
            .map_err(failed)?;
        if report.warnings_sent > 0 {
            // A warning just sent changes gates and blocks: one more pass
            // applies that now, not at the next sync.
            let again = self
                .sync_project(project, mode, observer)
                .instrument(span)
                .await
                .map_err(failed)?;
            report.evaluated += again.evaluated;
            report.writes += again.writes;
            report.planned.extend(again.planned);
        }
        Ok(report)
    }
}

/// The tracing span a worker runs one job in: the job's id and attempt,
/// the worker, and the forge, project and item it is about, so every line
/// the job logs (its outcome too) says which project it concerns.
/// `work` is the job's payload as read, `None` when it could not be.
pub fn job_span(job: &Job, work: Option<&Work>, worker: &str) -> tracing::Span {
    let (forge, project, item) = match work.map(describe) {
        Some((forge, project, item)) => (Some(forge), project, item),
        None => (None, None, None),
    };
    tracing::info_span!(
        "job",
        id = job.id.0,
        attempt = job.attempts + 1,
        worker,
        forge = forge.map_or("", ForgeKind::name),
        project = project.as_deref().unwrap_or(""),
        item = item.as_deref().unwrap_or(""),
    )
}

fn describe(work: &Work) -> (ForgeKind, Option<String>, Option<String>) {
    use crate::forge::ItemKind;
    let reference =
        |forge, kind, number: ItemNumber| Some(plan::item_reference(forge, kind, number));
    match work {
        Work::Event { forge, event } => {
            let item = match event {
                Event::MergeRequestChanged { number, .. }
                | Event::MergeRequestClosed { number, .. } => {
                    reference(*forge, ItemKind::MergeRequest, *number)
                }
                Event::IssueChanged { number, .. } => reference(*forge, ItemKind::Issue, *number),
                Event::CommentAdded { kind, number, .. } => reference(*forge, *kind, *number),
                Event::MilestoneChanged { title, .. } => Some(format!("milestone {title}")),
                _ => None,
            };
            (*forge, event.project().map(|p| p.0.clone()), item)
        }
        Work::Evaluate {
            forge,
            project,
            kind,
            number,
        } => (
            *forge,
            Some(project.0.clone()),
            reference(*forge, *kind, *number),
        ),
        Work::Reevaluate { forge, project } | Work::Sync { forge, project } => {
            (*forge, Some(project.0.clone()), None)
        }
        Work::RenderBlock {
            forge,
            project,
            milestone,
        } => (
            *forge,
            Some(project.0.clone()),
            Some(format!("milestone {milestone}")),
        ),
        Work::Announce {
            forge,
            project,
            milestone,
            kind,
        } => (
            *forge,
            Some(project.0.clone()),
            Some(format!("{} of milestone {milestone}", kind.noun())),
        ),
    }
}
