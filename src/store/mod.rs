//! The durable store (docs/design.md#storage): webhook deliveries, the job queue, the bot's
//! record of each MR and issue (ownership, comment, status, last evaluation),
//! milestone epochs, the announcement ledger, and what people asked the bot
//! about each item (approved exceptions and the command record). One code
//! path through sqlx's `Any` driver: an SQLite file by default, PostgreSQL by URL.
//!
//! The methods live in one file per concern: `connect` (pools and SQLite
//! settings), `schema` (the embedded `schema/` files), `intake` (deliveries and
//! new jobs), `queue` (claiming and finishing jobs), `prune` (retention),
//! `items`, `milestones`, `ledger` and `steering`; `time` reads the injected
//! clock every timestamp comes from. Every statement runs on both databases;
//! where the dialects differ (`FOR UPDATE SKIP LOCKED`, `BEGIN IMMEDIATE`) the
//! difference is chosen by [`Store::kind`].

mod codec;
mod connect;
mod intake;
mod items;
mod ledger;
mod milestones;
mod prune;
mod queue;
pub use queue::MAX_ATTEMPTS;
mod schema;
mod status;
pub use status::ProjectRecord;
mod steering;
mod time;
mod turns;

use crate::clock::Clock;
use crate::config::DatabaseKind;
use crate::core::exceptions::CoveredFile;
use crate::core::policy::{DbItemRef, Ownership};
use crate::core::types::{Match, MilestoneId};
use crate::forge::apply::PostedComment;
use crate::forge::{CommitSha, CommitStatus, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use std::sync::Arc;

/// A store operation failed (connection, SQL, or a corrupt row). The errors
/// it wraps stay reachable as its `source()` (in an `Arc`, because one
/// failed batch answers every delivery in it, so the error is cloned); each
/// message quotes its source, as before, and `cli::one_sentence` says a cause
/// already on the line only once.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The reason is several causes in one sentence (the pool's timeout and
    /// a direct attempt's refusal, or a schema file's failure), not one error.
    #[error("cannot open the database {url}: {reason}")]
    Connect { url: String, reason: String },
    /// A statement failed. `source()` yields sqlx's error inside its `Arc`;
    /// match the variant to inspect the `sqlx::Error` itself.
    #[error("database error: {0}")]
    Database(#[source] Arc<sqlx::Error>),
    /// A schema file failed to apply; `path` is under `schema/`.
    #[error("database error: {path}: {source}")]
    Schema {
        path: &'static str,
        #[source]
        source: Arc<sqlx::Error>,
    },
    /// A value could not be turned into its column's JSON text.
    #[error("database error: {0}")]
    Encode(#[source] Arc<serde_json::Error>),
    /// A forge number too large for a column (no real forge makes one).
    #[error("database error: number {0} too large")]
    NumberTooLarge(u64),
    /// The server's intake writer stopped before it stored a delivery.
    #[error("database error: the intake writer has stopped")]
    IntakeStopped,
    /// A row the store cannot read back; `source` is the JSON error, when
    /// the row's JSON text is what is wrong.
    #[error("corrupt row in {table}: {reason}")]
    Corrupt {
        table: &'static str,
        reason: String,
        #[source]
        source: Option<Arc<serde_json::Error>>,
    },
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
    /// The work, as JSON (`work::QueuedWork`).
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

/// What [`Store::begin_announcement`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// This caller may send: the row is `sending` and claimed by it.
    Claimed(Announcement),
    /// The mail went out already: do not send.
    AlreadySent(Announcement),
    /// Another process claimed the send and may be sending now: do not send.
    Busy(Announcement),
}

impl Begun {
    /// The row as it now is.
    pub fn row(&self) -> &Announcement {
        match self {
            Begun::Claimed(row) | Begun::AlreadySent(row) | Begun::Busy(row) => row,
        }
    }
}

/// What [`Store::prune`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Done jobs.
    pub jobs: u64,
    /// Delivery ids (a delivery sent again after this is new work again).
    pub deliveries: u64,
}

/// Identifies one MR or issue of one project on one forge.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub forge: ForgeKind,
    /// The project path as configured (compared case-insensitively).
    pub project: ProjectPath,
    pub kind: ItemKind,
    pub number: ItemNumber,
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
    /// The matched files with a digest of their content (what an approved
    /// exception is bound to); absent from records cached before exceptions.
    #[serde(default)]
    pub migration_files: Vec<CoveredFile>,
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
    pub closes: Vec<ItemNumber>,
    /// Fingerprint of the facts last evaluated (incremental sync skips equal ones).
    pub evaluated: Option<String>,
    pub matches: Option<CachedMatches>,
    /// Write-ahead note of the label/milestone request about to be sent,
    /// saved (with the ownership from before it) before the write and
    /// cleared after, so a run killed in between is not mistaken for a
    /// person's edit.
    #[serde(default)]
    pub pending: Option<PendingWrites>,
    /// The item as the status page shows it, kept in its own column
    /// (`items.view`) so the page reads no record.
    #[serde(skip)]
    pub view: Option<crate::core::status::ItemSeen>,
    /// MRs: the open MRs whose migrations collided with this one's at the
    /// last evaluation; they are evaluated again when that changes or this
    /// one merges or closes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts_with: Vec<ItemNumber>,
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

pub use crate::core::announcements::AnnouncementKind;

/// Names one mail in the announcement ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnnouncementKey {
    pub forge: ForgeKind,
    /// The project path as configured (compared case-insensitively).
    pub project: String,
    pub milestone: MilestoneId,
    pub kind: AnnouncementKind,
    /// 0 for the warning and the release notice; 1, 2, … for updates.
    pub sequence: u32,
}

/// Where a mail stands in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementState {
    /// A try failed in a way a later try may fix; it will be tried again.
    Pending,
    /// Handed to SMTP and not yet confirmed: a crash here means the mail may
    /// or may not have gone out, so the retry reuses its Message-ID.
    Sending,
    Sent,
    /// Given up after permanent SMTP refusals; only `schemagate announce`
    /// tries it again.
    Failed,
}

impl AnnouncementState {
    pub fn word(self) -> &'static str {
        match self {
            AnnouncementState::Pending => "pending",
            AnnouncementState::Sending => "sending",
            AnnouncementState::Sent => "sent",
            AnnouncementState::Failed => "failed",
        }
    }
}

/// How a send ended, for [`Store::finish_announcement`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome<'a> {
    Sent,
    /// Try again later (the reason is kept).
    Retry(&'a str),
    /// Refused for good by the server, but try again later (the reason is
    /// kept and the refusal counted): servers misreport passing problems.
    RefusedOnce(&'a str),
    /// Stop trying (the reason is kept).
    Failed(&'a str),
}

/// One row of the announcement ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub forge: ForgeKind,
    /// The project path, lowercased (the ledger compares paths case-insensitively).
    pub project: String,
    pub milestone: MilestoneId,
    pub kind: AnnouncementKind,
    pub sequence: u32,
    /// Stable Message-ID derived from (project, milestone, kind, sequence).
    pub message_id: String,
    pub state: AnnouncementState,
    pub attempts: u32,
    /// How many earlier tries the server refused for good (transient failures not counted).
    pub refusals: u32,
    pub sent_at_ms: Option<i64>,
    pub last_error: Option<String>,
    /// The database changes the mail listed (`merge_request:12`, `issue:3`).
    pub items: Vec<String>,
}

/// The store: a pool on SQLite or PostgreSQL. Cloning shares the pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    kind: DatabaseKind,
    /// SQLite's one connection, taken in turns (`None` on PostgreSQL).
    turns: Option<Arc<turns::Turns>>,
    /// Where "now" comes from (see `time`): the system's clock unless a
    /// caller gives the store the engine's.
    clock: Arc<dyn Clock>,
}

impl Store {
    pub fn kind(&self) -> DatabaseKind {
        self.kind
    }

    /// One round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&mut *self.reader().await?)
            .await?;
        Ok(())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        StoreError::Database(Arc::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[tokio::test]
    async fn a_failed_statement_keeps_sqlx_error_as_its_source_and_reads_as_before() {
        let store = Store::in_memory().await.unwrap();
        let error: StoreError = sqlx::query("SELECT id FROM no_such_table")
            .execute(&mut *store.reader().await.unwrap())
            .await
            .map_err(StoreError::from)
            .unwrap_err();
        let StoreError::Database(cause) = &error else {
            panic!("not a database error: {error:?}");
        };
        assert!(matches!(**cause, sqlx::Error::Database(_)), "{cause:?}");
        assert_eq!(error.to_string(), format!("database error: {cause}"));
        let source = error.source().expect("sqlx's error is the source");
        assert_eq!(source.to_string(), cause.to_string());
        // On the terminal the chain is said once, as the message said it before.
        let sentence = crate::cli::one_sentence(&anyhow::Error::from(error.clone()));
        assert!(sentence.starts_with(&error.to_string()), "{sentence}");
        assert_eq!(sentence.matches("no_such_table").count(), 1, "{sentence}");
    }
}
