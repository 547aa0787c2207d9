//! The forge layer: one narrow `Forge` trait over GitLab and GitHub, and the
//! forge-neutral types it speaks. Past this module nothing knows which forge
//! an MR, issue or milestone came from.

pub mod apply;
pub mod budget;
pub mod error;
pub mod github;
pub mod gitlab;
pub mod layers;
pub mod metered;
pub mod people;
pub mod retry;
pub mod rights;
pub mod trees;
pub mod write_fence;

use crate::core::forge_state::ItemEvent;
use crate::core::types::{ChangedFile, Milestone, MilestoneId};
use async_trait::async_trait;
use metered::ForgeHealth;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;
use write_fence::WriteFence;

pub use crate::core::ids::{CommitSha, ForgeKind, ItemKind, ItemNumber, ItemState, ProjectPath};
pub use error::{ForgeError, cause_chain};
pub use people::{Access, CommentRef, ItemComment, Reaction};

/// A forge's id of one comment (GitLab note id, GitHub issue-comment id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CommentId(pub u64);

impl fmt::Display for CommentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A merge request (GitLab) or pull request (GitHub) as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequest {
    pub number: ItemNumber,
    pub title: String,
    pub state: ItemState,
    pub draft: bool,
    pub head_sha: CommitSha,
    pub labels: Vec<String>,
    pub milestone: Option<MilestoneId>,
    pub description: String,
    pub author: String,
    pub web_url: String,
    pub source_branch: String,
    pub target_branch: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: ItemNumber,
    pub title: String,
    pub state: ItemState,
    pub labels: Vec<String>,
    pub milestone: Option<MilestoneId>,
    pub description: String,
    pub web_url: String,
}

/// One changed file with the lines its diff adds, for content markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub file: ChangedFile,
    /// The added lines (without the leading `+`), joined by `\n`; `None`
    /// when the forge collapsed or omitted the diff (fetch the file instead).
    pub added_lines: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedFiles {
    pub files: Vec<FileChange>,
    /// True when the forge stopped listing before the end (GitHub caps at 3,000 files).
    pub truncated: bool,
}

/// One file of a tree listing: its path from the repository root and its blob id
/// (the git object id of its content: equal ids mean equal content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub blob: String,
}

/// The files under some directories at one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeListing {
    pub entries: Vec<TreeEntry>,
    /// The forge cut the listing short (GitHub's `truncated`): absent files may exist.
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusState {
    Pending,
    Success,
    Failure,
}

/// The status named [`STATUS_NAME`] on a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitStatus {
    pub state: StatusState,
    /// One line; forges truncate long descriptions (GitHub at 140 characters).
    pub description: String,
    pub target_url: Option<String>,
}

/// The name (GitLab) or context (GitHub) of every status the bot sets.
pub const STATUS_NAME: &str = "schemagate";

/// What to do with an item's milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestoneUpdate {
    Set(MilestoneId),
    Clear,
}

/// Label and milestone changes applied to one MR or issue in ONE request
/// (docs/design.md, API economy: at most one write for labels and milestone together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemUpdate {
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    /// `None` leaves the milestone alone.
    pub milestone: Option<MilestoneUpdate>,
}

impl ItemUpdate {
    pub fn is_empty(&self) -> bool {
        self.add_labels.is_empty() && self.remove_labels.is_empty() && self.milestone.is_none()
    }
}

/// The narrow interface the engine needs from a forge. Every list method
/// follows all pages; every write is one request (plus retries). Every
/// call is counted and feeds [`Forge::health`] (`layers.rs`).
#[async_trait]
pub trait Forge: Send + Sync {
    fn kind(&self) -> ForgeKind;

    /// This client for one job: a cheap copy sharing the caches, the rate
    /// budget and the health, whose requests that are not GETs are refused
    /// once `fence` (the job's lease) has passed. A client never fenced
    /// never refuses.
    fn fenced(&self, fence: WriteFence) -> Arc<dyn Forge>;

    /// What this client's calls so far said about the forge, for `/healthz`.
    fn health(&self) -> ForgeHealth;

    async fn merge_request(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<MergeRequest, ForgeError>;

    /// Every changed file of the MR, all pages.
    async fn changed_files(
        &self,
        project: &ProjectPath,
        number: ItemNumber,
    ) -> Result<ChangedFiles, ForgeError>;

    /// A file's text at a commit; `None` when the file does not exist there.
    /// Used for collapsed diffs and content markers.
    async fn file_text(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        path: &str,
    ) -> Result<Option<String>, ForgeError>;

    /// The commit a branch points at now. A branch that does not exist is
    /// [`ForgeError::NotFound`].
    async fn branch_head(
        &self,
        project: &ProjectPath,
        branch: &str,
    ) -> Result<CommitSha, ForgeError>;

    /// Every file (blob; not trees, not submodules) at `commit` under each of `dirs`
    /// (paths from the repository root without trailing slash; "" means the whole
    /// repository), recursively, all pages. A directory that does not exist at
    /// that commit lists nothing (not an error). Entries are sorted by path,
    /// each once however the directories overlap; no directories, no request.
    /// A commit the forge does not have is [`ForgeError::NotFound`] where the
    /// forge tells it from a missing directory: always on GitHub, on GitLab
    /// only when listing the whole repository.
    async fn list_tree(
        &self,
        project: &ProjectPath,
        commit: &CommitSha,
        dirs: &[String],
    ) -> Result<TreeListing, ForgeError>;

    /// Open and closed milestones; on GitLab the project's group milestones too.
    async fn milestones(&self, project: &ProjectPath) -> Result<Vec<Milestone>, ForgeError>;

    /// Applies labels and milestone in one request. An empty update is a no-op.
    async fn update_item(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        update: &ItemUpdate,
    ) -> Result<(), ForgeError>;

    /// Creates the label when the project has none by that name.
    /// `color` is `#rrggbb`.
    async fn ensure_label(
        &self,
        project: &ProjectPath,
        name: &str,
        color: &str,
    ) -> Result<(), ForgeError>;

    async fn set_milestone_description(
        &self,
        project: &ProjectPath,
        milestone: MilestoneId,
        description: &str,
    ) -> Result<(), ForgeError>;

    /// Writes the bot's one comment: edits `known` in place, else the comment
    /// containing `marker`, else creates one. Never creates a duplicate, and
    /// makes no write when the found comment already has `body`.
    /// `body` must contain `marker`.
    async fn upsert_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        known: Option<CommentId>,
        marker: &str,
        body: &str,
    ) -> Result<CommentId, ForgeError>;

    /// Sets the [`STATUS_NAME`] status on a commit.
    async fn set_status(
        &self,
        project: &ProjectPath,
        sha: &CommitSha,
        status: &CommitStatus,
    ) -> Result<(), ForgeError>;

    async fn issue(&self, project: &ProjectPath, number: ItemNumber) -> Result<Issue, ForgeError>;

    /// Every open MR of the project, all pages.
    async fn open_merge_requests(
        &self,
        project: &ProjectPath,
    ) -> Result<Vec<MergeRequest>, ForgeError>;

    /// Every issue (open or closed) carrying `label`, all pages.
    async fn labelled_issues(
        &self,
        project: &ProjectPath,
        label: &str,
    ) -> Result<Vec<Issue>, ForgeError>;

    /// The item's label and/or milestone history, all pages, in the order
    /// the forge lists it. A forge that keeps both in one list may return
    /// both whatever `wanted` says.
    async fn item_events(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        wanted: History,
    ) -> Result<Vec<ItemEvent>, ForgeError>;

    /// The account the forge names as the author of this client's writes
    /// (the token's user, or an App's bot account).
    async fn account(&self, project: &ProjectPath) -> Result<String, ForgeError>;

    /// The bot's marked comment on the item, read without writing.
    async fn find_comment(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        marker: &str,
    ) -> Result<Option<apply::PostedComment>, ForgeError>;

    /// How far `user` (a username or login) may act in `project`, counting
    /// every way the forge grants it: GitLab's inherited group memberships,
    /// GitHub's teams, organisation and enterprise roles. Someone who is no
    /// member or collaborator, or no user at all, has [`Access::None`]; a
    /// project the token cannot see is an error, not `None`, where the
    /// forge tells the two apart (GitLab does, GitHub answers 404 alike).
    async fn access(&self, project: &ProjectPath, user: &str) -> Result<Access, ForgeError>;

    /// Whether `user` is an active member of `group`: a GitLab group's full
    /// path (members of its ancestor groups count, as GitLab counts them),
    /// or a GitHub team written `org/team-slug` (a pending invitation does
    /// not count). A GitLab group that does not exist, or that the token
    /// cannot see, is an error; GitHub answers a missing team as it answers
    /// a non-member, so there it is `false`.
    async fn in_group(&self, group: &str, user: &str) -> Result<bool, ForgeError>;

    /// Leaves `reaction` from the bot's account on a comment. Reacting again
    /// the same way is not an error and adds nothing, so a retry or a
    /// replayed command is safe.
    async fn react(
        &self,
        project: &ProjectPath,
        target: CommentRef,
        reaction: Reaction,
    ) -> Result<(), ForgeError>;

    /// Every comment on the item, all pages, oldest first; the bot's own
    /// comments included (the caller knows its [`Forge::account`]), GitLab's
    /// system notes left out.
    async fn comments(
        &self,
        project: &ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
    ) -> Result<Vec<ItemComment>, ForgeError>;
}

/// Which parts of an item's history to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct History {
    pub labels: bool,
    pub milestones: bool,
}
