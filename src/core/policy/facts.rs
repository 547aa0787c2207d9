//! The facts `decide` reads: one MR or issue, the bot's ownership record for
//! it, and the project-wide state (other database changes, warnings sent).
//!
//! All of it is plain data the engine gathers from the forge and the store.

use crate::core::exceptions::{CoveredFile, Steering};
use crate::core::ids::ItemNumber;
pub use crate::core::ids::{ItemKind, ItemState};
use crate::core::order::Conflict;
use crate::core::types::{Match, MilestoneId, is_db_change};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why an item counts as a database change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum DbChangeReason {
    /// At least one `schema` or `data` migration was detected (derived by `decide`).
    Migrations,
    /// A person put the label on it (issues: derived by `decide` when the
    /// label is present and the bot did not add it).
    LabelledByPerson,
    /// A database-change MR whose description closes this issue.
    ClosedByMergeRequest { number: ItemNumber },
    /// The issue text matched the project's opt-in keywords.
    Keywords,
}

/// What the bot itself did to an item, so it never undoes a person's edit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// The bot added the database-changes label and it is still the bot's.
    pub bot_added_label: bool,
    /// A person removed the label after the bot added it: never re-add it.
    pub label_removed_by_person: bool,
    /// The milestone the bot set; `None` when a person set the current one.
    pub bot_set_milestone: Option<MilestoneId>,
    /// A person cleared the milestone the bot set: never assign one again.
    pub milestone_cleared_by_person: bool,
}

/// One MR or issue as the engine sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFacts {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub title: String,
    pub web_url: Option<String>,
    pub state: ItemState,
    /// Informational: a draft is decided exactly like a ready MR, since its
    /// migrations are just as real for the batch and the warning.
    pub draft: bool,
    /// The labels currently on the item.
    pub labels: Vec<String>,
    /// The milestone currently on the item.
    pub milestone: Option<MilestoneId>,
    /// Detected migrations (empty for issues).
    pub matches: Vec<Match>,
    /// A database change by other means than detected migrations.
    pub db_change_reason: Option<DbChangeReason>,
    /// The bot's record of what it set on this item.
    pub ownership: Ownership,
    /// The bot already has its comment on this item (then it is kept current).
    pub has_bot_comment: bool,
    /// The MR's migration files now (path and content digest): what an
    /// approved exception is bound to.
    #[serde(default)]
    pub migration_files: Vec<CoveredFile>,
    /// Exceptions approved for the item and the commands answered.
    #[serde(default)]
    pub steering: Steering,
    /// Migrations of this MR that collide with the target branch's or
    /// another open MR's (MRs only).
    #[serde(default)]
    pub conflicts: Vec<MigrationConflict>,
}

/// A collision of this MR's migrations with the target branch (which
/// fails the gate) or with another open MR (which is only said).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationConflict {
    /// The other open MR, or `None` for the target branch.
    pub with: Option<ItemNumber>,
    /// How the other side is named: the target branch, or `!12` / `#12`.
    pub other: String,
    pub conflict: Conflict,
}

impl ItemFacts {
    pub fn is_open(&self) -> bool {
        self.state == ItemState::Open
    }

    /// Whether the item carries `label`; forges compare label names without case.
    pub fn has_label(&self, label: &str) -> bool {
        self.labels.iter().any(|l| l.eq_ignore_ascii_case(label))
    }

    /// Whether any detected migration is `schema` or `data`.
    pub fn has_db_migrations(&self) -> bool {
        is_db_change(&self.matches)
    }

    fn is(&self, kind: ItemKind, number: ItemNumber) -> bool {
        self.kind == kind && self.number == number
    }
}

/// A database-change item recorded in a milestone (from the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbItemRef {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub title: String,
    pub web_url: Option<String>,
    pub milestone: MilestoneId,
    /// The bot put the item in `milestone` (it joined or started the batch
    /// there); `false` when a person chose it.
    #[serde(default)]
    pub placed_by_bot: bool,
    /// An approved exception lets it sit where it is: its milestone then
    /// needs downtime and owes its warning like a batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionNote>,
    /// Its migrations' collisions (with the target branch or another open
    /// MR), one sentence each, for the milestone block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// Its migrations' operations that break or may break the previous
    /// release's code, "contract: drops column `testjob.foo`", for the
    /// milestone block.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub breaking: Vec<String>,
}

/// An approved exception as the milestone block lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExceptionNote {
    pub approver: String,
    pub reason: String,
}

impl ExceptionNote {
    pub fn of(exception: &crate::core::exceptions::Exception) -> ExceptionNote {
        ExceptionNote {
            approver: exception.approver.clone(),
            reason: exception.reason.clone(),
        }
    }
}

/// A downtime warning sent for a milestone (the announcement ledger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningSent {
    pub milestone: MilestoneId,
    pub sent_at: DateTime<Utc>,
}

/// A downtime warning whose send began but is not known to have finished:
/// the server-less ledger (`sync --store forge`) keeps it in the block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningSending {
    pub milestone: MilestoneId,
    pub message_id: String,
    /// When the send began, or (`given_up`) when it was given up.
    pub since: DateTime<Utc>,
    /// Tries the mail server refused for good so far (transient failures
    /// not counted), kept so the give-up rule counts across runs.
    #[serde(default)]
    pub refusals: u32,
    /// Given up after those refusals: not tried again on its own, as a
    /// `failed` row of the store's ledger.
    #[serde(default)]
    pub given_up: bool,
}

/// Project-wide facts: every database change placed in a milestone (open
/// MRs, merged MRs and labelled open issues; not closed-unmerged MRs) and the
/// warnings already sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectState {
    pub db_changes: Vec<DbItemRef>,
    pub warnings_sent: Vec<WarningSent>,
    /// Only from milestone blocks; the server's ledger lives in its store.
    #[serde(default)]
    pub warnings_sending: Vec<WarningSending>,
    /// Milestones whose warning the mail server refused for good: it goes
    /// out only when a person sends it (`schemagate announce`).
    #[serde(default)]
    pub warnings_failed: Vec<MilestoneId>,
}

impl ProjectState {
    /// When the downtime warning for `milestone` went out, if it did.
    pub fn warning_sent(&self, milestone: MilestoneId) -> Option<DateTime<Utc>> {
        self.warnings_sent
            .iter()
            .filter(|w| w.milestone == milestone)
            .map(|w| w.sent_at)
            .min()
    }

    /// Whether the warning for `milestone` was refused for good and not sent since.
    pub fn warning_failed(&self, milestone: MilestoneId) -> bool {
        self.warnings_failed.contains(&milestone) && self.warning_sent(milestone).is_none()
    }

    /// The warning for `milestone` whose send began and did not finish.
    pub fn warning_sending(&self, milestone: MilestoneId) -> Option<&WarningSending> {
        self.warnings_sending
            .iter()
            .find(|w| w.milestone == milestone)
    }

    /// The database changes recorded in `milestone`.
    pub fn db_changes_in(&self, milestone: MilestoneId) -> impl Iterator<Item = &DbItemRef> {
        self.db_changes
            .iter()
            .filter(move |c| c.milestone == milestone)
    }

    /// The open-release milestones holding a database change whose
    /// exception lets it sit outside the batch.
    pub fn excepted_milestones(&self) -> impl Iterator<Item = MilestoneId> + '_ {
        self.db_changes
            .iter()
            .filter(|c| c.exception.is_some())
            .map(|c| c.milestone)
    }

    /// The database changes of every item except `item` (whose own facts are fresher).
    pub fn db_changes_except<'a>(
        &'a self,
        item: &'a ItemFacts,
    ) -> impl Iterator<Item = &'a DbItemRef> {
        self.db_changes
            .iter()
            .filter(move |c| !item.is(c.kind, c.number))
    }

    /// The state once `item`'s recorded entry is replaced by `entry`.
    pub fn with_entry_of(&self, item: &ItemFacts, entry: Option<DbItemRef>) -> ProjectState {
        let mut next = self.clone();
        next.db_changes.retain(|c| !item.is(c.kind, c.number));
        next.db_changes.extend(entry);
        next
    }

    /// How the store last recorded `item` as a database change.
    pub fn recorded_entry_of(&self, item: &ItemFacts) -> Option<&DbItemRef> {
        self.db_changes.iter().find(|c| item.is(c.kind, c.number))
    }
}
