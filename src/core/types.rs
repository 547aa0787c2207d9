//! Forge-neutral facts shared by detection, release ordering and policy.
//!
//! Everything past the edge (webhook parsers, forge clients, git reader) speaks
//! in these types; none of them knows which forge or tool produced it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a file changed between two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Added,
        ChangeKind::Modified,
        ChangeKind::Deleted,
        ChangeKind::Renamed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Modified => "modified",
            ChangeKind::Deleted => "deleted",
            ChangeKind::Renamed => "renamed",
        }
    }

    /// Parses the lowercase name used in rule packs and JSON output.
    pub fn from_name(name: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// True when the file at the new path did not exist there before: a new
    /// migration rather than an edit of one already applied somewhere.
    pub fn brings_new_file(self) -> bool {
        matches!(self, ChangeKind::Added | ChangeKind::Renamed)
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One changed file of a merge request, a git range or a path list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// The path after the change (for a deletion, the path that was removed).
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    pub change: ChangeKind,
}

impl ChangedFile {
    pub fn new(path: impl Into<String>, change: ChangeKind) -> Self {
        ChangedFile {
            path: path.into(),
            old_path: None,
            change,
        }
    }

    pub fn renamed(old_path: impl Into<String>, path: impl Into<String>) -> Self {
        ChangedFile {
            path: path.into(),
            old_path: Some(old_path.into()),
            change: ChangeKind::Renamed,
        }
    }
}

/// The class of a detected migration (docs/rules.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationKind {
    /// A new migration, or new content appended to a changelog.
    Schema,
    /// A new migration whose operations only move data.
    Data,
    /// A squashed or merge revision: no change for a migrated database.
    Squash,
    /// An existing migration modified or deleted.
    Edit,
}

impl MigrationKind {
    pub const ALL: [MigrationKind; 4] = [
        MigrationKind::Schema,
        MigrationKind::Data,
        MigrationKind::Squash,
        MigrationKind::Edit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MigrationKind::Schema => "schema",
            MigrationKind::Data => "data",
            MigrationKind::Squash => "squash",
            MigrationKind::Edit => "edit",
        }
    }

    pub fn from_name(name: &str) -> Option<MigrationKind> {
        MigrationKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether a match of this class makes its MR a database change.
    pub fn is_db_change(self) -> bool {
        matches!(self, MigrationKind::Schema | MigrationKind::Data)
    }
}

impl fmt::Display for MigrationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A changed file recognised as a migration, with its class and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub path: String,
    pub change: ChangeKind,
    pub framework: String,
    pub kind: MigrationKind,
    /// Which rule matched and why it got its class, for comments and `rules test`.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub reason: String,
    /// Its place in the framework's order, when its pack declares one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub order: Option<crate::core::order::OrderKey>,
    /// Whether the previous release's code keeps working once it has run
    /// (see `core::compat`); `unknown` for a record made before it was read.
    #[serde(default)]
    pub compat: crate::core::compat::Compat,
    /// What it does to the schema, each operation with its own class.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<crate::core::compat::Operation>,
}

/// Whether any match makes the change a database change.
pub fn is_db_change(matches: &[Match]) -> bool {
    matches.iter().any(|m| m.kind.is_db_change())
}

/// A forge's numeric milestone id (GitLab global id, GitHub milestone number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MilestoneId(pub u64);

impl fmt::Display for MilestoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MilestoneState {
    Open,
    Closed,
}

/// A milestone as the forge reports it; whether it is a release is decided
/// by the project's version scheme (see `core::release`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub id: MilestoneId,
    pub title: String,
    pub state: MilestoneState,
    pub start_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub description: String,
    pub web_url: Option<String>,
}

impl Milestone {
    pub fn is_open(&self) -> bool {
        self.state == MilestoneState::Open
    }
}

/// The title people know milestone `id` by among `milestones` ("milestone 7"
/// when it is not among them).
pub fn milestone_title(milestones: &[Milestone], id: MilestoneId) -> String {
    milestones
        .iter()
        .find(|m| m.id == id)
        .map_or_else(|| format!("milestone {id}"), |m| m.title.clone())
}
