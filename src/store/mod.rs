//! The durable store (SPEC §8): webhook deliveries, the job queue, the bot's
//! record of each MR and issue (ownership, comment, status, last evaluation),
//! milestone epochs and the announcement ledger. One code path through sqlx's
//! `Any` driver: an SQLite file by default, PostgreSQL by URL.
//!
//! SKELETON: the signatures below are the contract between the store, the
//! engine and the server. Bodies are filled in by the store work.

use crate::config::{DatabaseKind, DatabaseUrl};
use crate::core::policy::{DbItemRef, Ownership, ProjectState};
use crate::core::types::{Match, MilestoneId};
use crate::forge::apply::PostedComment;
use crate::forge::{CommitSha, CommitStatus, ForgeKind, ItemKind};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A store operation failed (connection, SQL, or a corrupt row).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("database error: {0}")]
    Database(String),
    #[error("corrupt row in {table}: {reason}")]
    Corrupt { table: &'static str, reason: String },
}

/// A job's id in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JobId(pub i64);

/// A webhook delivery to store with its job, in one transaction.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    pub forge: ForgeKind,
    /// `X-GitHub-Delivery`, GitLab's `Idempotency-Key` / webhook UUID, or a
    /// digest of the body when the forge sent no id.
    pub delivery_id: &'a str,
    /// The forge's event name (`Merge Request Hook`, `pull_request`), for metrics and logs.
    pub event_name: &'a str,
    pub job: NewJob<'a>,
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Jobs with the same key never run at the same time, on any replica
    /// (one MR's work is serialised).
    pub serial_key: &'a str,
    /// The work, as JSON (the engine's `Work`).
    pub payload: &'a str,
}

/// The outcome of storing a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Stored for the first time, with its job.
    New(JobId),
    /// This delivery id was seen before; nothing was stored.
    Duplicate,
}

/// A claimed job: the worker holds its lease until it completes, retries
/// or releases it, or the lease runs out (then another worker may take it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub serial_key: String,
    pub payload: String,
    /// How many times this job was claimed before, this claim excluded.
    pub attempts: u32,
    /// When the job was enqueued, Unix milliseconds.
    pub enqueued_at_ms: i64,
}

/// Counts of jobs by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueDepth {
    /// Waiting to run (including those waiting for a retry).
    pub queued: u64,
    /// Claimed with a live lease.
    pub running: u64,
    /// Gave up after the last attempt.
    pub dead: u64,
}

/// One job as the queue recorded it (for tests and diagnostics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    pub id: JobId,
    pub serial_key: String,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    /// Times claimed.
    pub claims: u32,
    /// Times completed (1 for a job worked exactly once).
    pub completions: u32,
    pub last_error: Option<String>,
}

/// Identifies one MR or issue of one project on one forge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub forge: ForgeKind,
    /// The project path as configured (compared case-insensitively).
    pub project: String,
    pub kind: ItemKind,
    pub number: u64,
}

/// Detected migrations cached for one head commit, so a repeated event on
/// an unchanged MR does not read its files again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedMatches {
    pub head_sha: CommitSha,
    /// A digest of the rule set that produced `matches`.
    pub rules_digest: String,
    pub matches: Vec<Match>,
    pub truncated: bool,
}

/// What the bot remembers of one MR or issue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub ownership: Ownership,
    pub comment: Option<PostedComment>,
    /// The last status the bot set (on which commit).
    pub status: Option<(CommitSha, CommitStatus)>,
    /// The item as a database change in a milestone (feeds `ProjectState`).
    pub db_change: Option<DbItemRef>,
    /// Issue numbers this MR's description closes (when it is a database change).
    pub closes: Vec<u64>,
    /// Fingerprint of the facts last evaluated (incremental sync skips equal ones).
    pub evaluated: Option<String>,
    pub matches: Option<CachedMatches>,
    /// Write-ahead note of the label/milestone request about to be sent,
    /// saved (with the ownership from before it) before the write and
    /// cleared after, so a run killed in between is not mistaken for a
    /// person's edit.
    #[serde(default)]
    pub pending: Option<PendingWrites>,
}

/// The label and milestone writes of an evaluation that may have been
/// applied, partly or fully, by a run that did not finish.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingWrites {
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    /// The milestone the bot was setting.
    pub milestone: Option<MilestoneId>,
}

/// Kinds of mail in the announcement ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    /// The downtime warning when work starts on a batch.
    Warning,
    /// A digest of database changes added after the warning.
    Update,
    /// The notice when the milestone closes.
    ReleaseNotice,
}

/// One row of the announcement ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub forge: ForgeKind,
    pub project: String,
    pub milestone: MilestoneId,
    pub kind: AnnouncementKind,
    /// Stable Message-ID derived from (project, milestone, kind, sequence).
    pub message_id: String,
    /// `pending`, `sending` or `sent`.
    pub state: String,
    pub attempts: u32,
    pub sent_at_ms: Option<i64>,
    pub last_error: Option<String>,
}

/// The store: a pool on SQLite or PostgreSQL.
#[derive(Clone)]
pub struct Store {
    kind: DatabaseKind,
}

impl Store {
    /// Opens (creating an SQLite file if missing) and brings the schema up to date.
    pub async fn connect(url: &DatabaseUrl) -> Result<Store, StoreError> {
        let _ = url;
        todo!("store")
    }

    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// One round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        todo!("store")
    }

    // ---- deliveries and the queue ----

    /// Stores a delivery and its job atomically, unless the delivery id
    /// (per forge) was seen before.
    pub async fn enqueue_delivery(
        &self,
        delivery: &NewDelivery<'_>,
    ) -> Result<Enqueued, StoreError> {
        let _ = delivery;
        todo!("store")
    }

    /// Enqueues follow-up work. When a job with the same key and payload is
    /// still queued (not running), no new job is made and its id is returned.
    pub async fn enqueue(&self, job: &NewJob<'_>) -> Result<JobId, StoreError> {
        let _ = job;
        todo!("store")
    }

    /// Claims the oldest runnable job whose serial key no live lease holds.
    /// On PostgreSQL `FOR UPDATE SKIP LOCKED`; two workers never get the same job.
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        let _ = (worker, lease);
        todo!("store")
    }

    /// Marks a job done; `false` when this worker no longer held its lease.
    pub async fn complete(&self, job: JobId, worker: &str) -> Result<bool, StoreError> {
        let _ = (job, worker);
        todo!("store")
    }

    /// Puts a failed job back to run after `delay`, or marks it dead after
    /// `max_attempts` claims.
    pub async fn retry_later(
        &self,
        job: JobId,
        worker: &str,
        error: &str,
        delay: Duration,
        max_attempts: u32,
    ) -> Result<(), StoreError> {
        let _ = (job, worker, error, delay, max_attempts);
        todo!("store")
    }

    /// Returns a claimed job to the queue at once without counting an attempt
    /// (graceful shutdown).
    pub async fn release(&self, job: JobId, worker: &str) -> Result<(), StoreError> {
        let _ = (job, worker);
        todo!("store")
    }

    /// Extends a lease for long work; `false` when the lease was lost.
    pub async fn extend_lease(
        &self,
        job: JobId,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let _ = (job, worker, lease);
        todo!("store")
    }

    pub async fn queue_depth(&self) -> Result<QueueDepth, StoreError> {
        todo!("store")
    }

    /// Every job, oldest first (tests and diagnostics).
    pub async fn jobs(&self) -> Result<Vec<JobSummary>, StoreError> {
        todo!("store")
    }

    // ---- items ----

    pub async fn item(&self, key: &ItemKey) -> Result<Option<ItemRecord>, StoreError> {
        let _ = key;
        todo!("store")
    }

    pub async fn save_item(&self, key: &ItemKey, record: &ItemRecord) -> Result<(), StoreError> {
        let _ = (key, record);
        todo!("store")
    }

    /// Forgets an item (deleted on the forge).
    pub async fn delete_item(&self, key: &ItemKey) -> Result<(), StoreError> {
        let _ = key;
        todo!("store")
    }

    /// Every database change recorded in the project's milestones, and the
    /// downtime warnings sent (from the ledger).
    pub async fn project_state(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<ProjectState, StoreError> {
        let _ = (forge, project);
        todo!("store")
    }

    /// The database-change MRs whose record says they close `issue`.
    pub async fn merge_requests_closing(
        &self,
        forge: ForgeKind,
        project: &str,
        issue: u64,
    ) -> Result<Vec<u64>, StoreError> {
        let _ = (forge, project, issue);
        todo!("store")
    }

    // ---- milestones ----

    /// A counter bumped by every milestone event of the project, so every
    /// replica knows when its cached milestone list is stale.
    pub async fn milestones_epoch(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<i64, StoreError> {
        let _ = (forge, project);
        todo!("store")
    }

    pub async fn bump_milestones_epoch(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<i64, StoreError> {
        let _ = (forge, project);
        todo!("store")
    }

    // ---- the announcement ledger ----

    pub async fn announcements(
        &self,
        forge: ForgeKind,
        project: &str,
    ) -> Result<Vec<Announcement>, StoreError> {
        let _ = (forge, project);
        todo!("store")
    }

    /// Records the intent to send before sending: inserts the row as
    /// `sending` unless one exists. Returns the row as it now is; a row
    /// already `sent` means do not send again.
    pub async fn begin_announcement(
        &self,
        forge: ForgeKind,
        project: &str,
        milestone: MilestoneId,
        kind: AnnouncementKind,
        message_id: &str,
    ) -> Result<Announcement, StoreError> {
        let _ = (forge, project, milestone, kind, message_id);
        todo!("store")
    }

    pub async fn finish_announcement(
        &self,
        forge: ForgeKind,
        project: &str,
        milestone: MilestoneId,
        kind: AnnouncementKind,
        outcome: Result<(), &str>,
    ) -> Result<(), StoreError> {
        let _ = (forge, project, milestone, kind, outcome);
        todo!("store")
    }
}
