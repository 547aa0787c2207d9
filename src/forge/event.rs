//! Forge-neutral webhook events: each forge's payload is translated into one
//! of these where it enters (habit 2); nothing past the edge sees forge JSON.

use super::{CommitSha, ItemKind, ItemNumber, ProjectPath};
use crate::core::types::MilestoneId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// An open MR was opened, reopened, pushed to or edited.
    MergeRequestChanged {
        project: ProjectPath,
        number: ItemNumber,
        action: MergeRequestAction,
        /// True when the MR's code may have changed (open, reopen, a push):
        /// the changed files must be read again.
        code_changed: bool,
        /// The head commit, when the payload carries it.
        head_sha: Option<CommitSha>,
    },
    /// An MR was closed without merging, or merged.
    MergeRequestClosed {
        project: ProjectPath,
        number: ItemNumber,
        merged: bool,
    },
    /// An issue (or GitLab work item) was opened, closed, reopened or edited.
    IssueChanged {
        project: ProjectPath,
        number: ItemNumber,
        action: IssueAction,
    },
    /// A comment on an MR or issue was added or edited.
    CommentAdded {
        project: ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        author: String,
        body: String,
        edited: bool,
    },
    /// A milestone was created, closed, reopened, edited or deleted.
    MilestoneChanged {
        scope: MilestoneScope,
        milestone: MilestoneId,
        title: String,
        action: MilestoneAction,
    },
    /// The forge checks the hook works (GitHub `ping`).
    Ping { project: Option<ProjectPath> },
    /// A GitHub App was installed, removed, or its repositories changed.
    Installation {
        action: String,
        projects: Vec<ProjectPath>,
    },
    /// Anything the bot does not act on; acknowledged and dropped.
    Ignored { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MergeRequestAction {
    Opened,
    Reopened,
    /// Pushed to, edited, labelled, milestoned, marked ready or draft.
    Updated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueAction {
    Opened,
    Closed,
    Reopened,
    Updated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneAction {
    Created,
    Closed,
    Reopened,
    Edited,
    Deleted,
}

/// Where a milestone lives: a project, or (GitLab) a group whose projects share it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneScope {
    Project(ProjectPath),
    /// The group's full path, e.g. `lava` or `gitlab-org/subgroup`.
    Group(String),
}

impl Event {
    /// The project the event is about, when it is about exactly one.
    pub fn project(&self) -> Option<&ProjectPath> {
        match self {
            Event::MergeRequestChanged { project, .. }
            | Event::MergeRequestClosed { project, .. }
            | Event::IssueChanged { project, .. }
            | Event::CommentAdded { project, .. } => Some(project),
            Event::MilestoneChanged {
                scope: MilestoneScope::Project(project),
                ..
            } => Some(project),
            Event::Ping { project } => project.as_ref(),
            _ => None,
        }
    }
}

/// A webhook body that is not the JSON its event header promises.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {event} payload: {reason}")]
pub struct ParseError {
    pub event: String,
    pub reason: String,
}
