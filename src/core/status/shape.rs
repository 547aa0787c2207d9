//! The status JSON (`GET /api/v1/status`, `GET /api/v1/projects/…`): the
//! documented, stable shape the pages render too. Fields are only ever
//! added; a value that may be absent is `null`, never left out.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// Every configured project (`GET /api/v1/status`).
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    /// The server runs in observe mode: it reads and decides, writes nothing.
    pub observe: bool,
    pub projects: Vec<ProjectStatus>,
}

/// One project (`GET /api/v1/projects/{forge}/{path}`).
#[derive(Debug, Clone, Serialize)]
pub struct ProjectStatus {
    /// `gitlab` or `github`.
    pub forge: String,
    pub path: String,
    /// The project's page on the forge.
    pub url: Option<String>,
    /// The title of the next release (the earliest open release milestone).
    pub next_release: Option<String>,
    /// Release milestones in release order: the open ones, then at most
    /// [`SHIPPED_SHOWN`](super::build::SHIPPED_SHOWN) shipped before them.
    pub releases: Vec<ReleaseStatus>,
    /// Open MRs whose gate fails.
    pub blocked: Vec<BlockedItem>,
    /// Writes observe mode held back, per MR or issue and per milestone block.
    pub planned: Vec<PlannedWrites>,
    /// When the bot last read the project's milestones.
    pub milestones_read_at: Option<DateTime<Utc>>,
    pub last_sync: Option<SyncNote>,
    /// What the last calls to the forge said (`ok`, `unknown`, `down: …`);
    /// `null` where no server process is asked.
    pub forge_health: Option<String>,
    /// Jobs of this project given up after their last attempt.
    pub dead_jobs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncNote {
    pub at: DateTime<Utc>,
    /// Why the sync failed; `null` when it finished.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReleaseStatus {
    pub title: String,
    pub url: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// `open` or `closed` (shipped).
    pub state: &'static str,
    /// The next release.
    pub next: bool,
    /// Upgrading to this release needs downtime.
    pub downtime: bool,
    /// Why it does or does not, in one sentence.
    pub downtime_why: String,
    /// It is one of the project's batches (database changes join it).
    pub batch: bool,
    pub db_changes: Vec<DbChange>,
    pub exceptions: Vec<ExceptionShown>,
    pub warning: WarningStatus,
    /// Every mail of the ledger for it (warning, updates, release notice).
    pub mails: Vec<MailStatus>,
    /// Mails observe mode held back.
    pub planned_mails: Vec<PlannedMail>,
}

/// A database change in a release.
#[derive(Debug, Clone, Serialize)]
pub struct DbChange {
    /// `!12` (GitLab MR) or `#12`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `merge_request` or `issue`.
    pub kind: &'static str,
    pub number: u64,
    pub url: Option<String>,
    pub title: String,
    /// `open`, `merged` or `closed`.
    pub state: &'static str,
    pub draft: bool,
    pub migrations: Vec<MigrationShown>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationShown {
    pub path: String,
    /// `schema`, `data`, `squash` or `edit`.
    pub kind: &'static str,
    pub framework: String,
}

/// An approved exception that holds.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionShown {
    #[serde(rename = "ref")]
    pub reference: String,
    pub url: Option<String>,
    pub approver: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningState {
    /// Not owed now (no downtime, not started, or announced by hand only).
    NotDue,
    /// Owed and not yet confirmed sent (due now, being sent, or retrying).
    Pending,
    Sent,
    /// The mail server refused it for good; `schemagate announce` sends it.
    Refused,
}

/// The downtime warning of a release.
#[derive(Debug, Clone, Serialize)]
pub struct WarningStatus {
    pub state: WarningState,
    pub sent_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The state in words, for people ("sent on 2026-11-03", "due now").
    pub note: String,
}

/// One mail of the announcement ledger.
#[derive(Debug, Clone, Serialize)]
pub struct MailStatus {
    /// `warning`, `update` or `release`.
    pub kind: &'static str,
    /// 0 for the warning and the release notice; 1, 2, … for updates.
    pub sequence: u32,
    /// `pending`, `sending`, `sent` or `refused`.
    pub state: &'static str,
    pub sent_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// A mail observe mode would have sent.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedMail {
    pub kind: &'static str,
    pub sequence: u32,
    /// The page showing the whole mail, as it would have gone out.
    pub preview_url: String,
    pub at: DateTime<Utc>,
}

/// An open MR whose gate fails.
#[derive(Debug, Clone, Serialize)]
pub struct BlockedItem {
    #[serde(rename = "ref")]
    pub reference: String,
    pub url: Option<String>,
    pub title: String,
    pub draft: bool,
    /// Its milestone's title.
    pub milestone: Option<String>,
    /// Every failed rule, one sentence each.
    pub reasons: Vec<String>,
    /// What to do about each reason, in the same order.
    pub advice: Vec<String>,
}

/// The writes observe mode held back for one item or milestone block.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedWrites {
    /// `!12`, `#12`, or the milestone's title for a block.
    #[serde(rename = "ref")]
    pub reference: String,
    pub url: Option<String>,
    pub title: String,
    /// One line per write ("would add label …").
    pub writes: Vec<String>,
    pub at: DateTime<Utc>,
}
