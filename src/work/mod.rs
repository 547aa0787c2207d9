//! The unit of queued work: what a webhook, the periodic sync or a finished
//! job asks to be done, stored as JSON in the queue and run by one handler
//! (`engine::handlers`). Each forge's webhook parser returns the `Work` to
//! queue directly, so there is one model of "something happened", not two.
//!
//! Its serial key is the contract with the queue: jobs with the same key
//! never run at once, so one MR's work is serialised on every replica.

mod legacy;

use crate::core::announcements::AnnouncementKind;
use crate::core::ids::{ProjectKey, item_reference, path_key};
use crate::core::types::MilestoneId;
use crate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use serde::{Deserialize, Serialize};

/// One job's work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "work")]
pub enum Work {
    /// Re-evaluate one MR or issue: it was opened, pushed to, edited,
    /// closed or merged, or something it depends on changed.
    Evaluate {
        forge: ForgeKind,
        project: ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
    },
    /// A comment was added to (or edited on) an MR or issue.
    Comment {
        forge: ForgeKind,
        project: ProjectPath,
        kind: ItemKind,
        number: ItemNumber,
        /// The commenter's username (GitLab) or login (GitHub).
        author: String,
        body: String,
        /// An edit of an earlier comment rather than a new one.
        edited: bool,
        /// The comment itself (GitLab note id, GitHub issue-comment id), for
        /// reacting to it. `None` for a comment queued by a release that did
        /// not carry it: such a job runs as before, with nothing to react to.
        #[serde(default)]
        comment_id: Option<CommentId>,
    },
    /// A milestone was created, closed, reopened, edited or deleted.
    MilestoneChanged {
        forge: ForgeKind,
        scope: MilestoneScope,
        title: String,
        action: MilestoneAction,
    },
    /// Re-evaluate every open MR and labelled issue of a project whose
    /// verdict may have changed (after a milestone event).
    Reevaluate {
        forge: ForgeKind,
        project: ProjectPath,
    },
    /// Re-render one milestone's description block from the store.
    RenderBlock {
        forge: ForgeKind,
        project: ProjectPath,
        milestone: MilestoneId,
    },
    /// The periodic incremental sync of one project.
    Sync {
        forge: ForgeKind,
        project: ProjectPath,
    },
    /// Send the `kind` mail of a milestone if it is (still) due.
    Announce {
        forge: ForgeKind,
        project: ProjectPath,
        milestone: MilestoneId,
        kind: AnnouncementKind,
    },
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

/// What a webhook delivery asks of the bot, as its forge's parser reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Translated {
    /// Work to store and queue before the forge gets its answer.
    Queue(Work),
    /// The forge checks that the hook works (GitHub `ping`).
    Pong,
    /// Nothing to do; the reason goes to the log and the answer.
    Ignore(String),
}

/// A webhook body that is not the JSON its event header promises.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed {event} payload: {reason}")]
pub struct ParseError {
    pub event: String,
    pub reason: String,
}

/// The one thing a job is about inside its project or group, from which
/// its serial key and its log fields follow.
enum About<'w> {
    Item(ItemKind, ItemNumber),
    Milestone(MilestoneId),
    MilestoneTitled(&'w str),
    Mail(MilestoneId, AnnouncementKind),
    Whole(&'static str),
}

impl Work {
    pub fn forge(&self) -> ForgeKind {
        match self {
            Work::Evaluate { forge, .. }
            | Work::Comment { forge, .. }
            | Work::MilestoneChanged { forge, .. }
            | Work::Reevaluate { forge, .. }
            | Work::RenderBlock { forge, .. }
            | Work::Sync { forge, .. }
            | Work::Announce { forge, .. } => *forge,
        }
    }

    /// The project (or group) the work is about.
    pub fn scope(&self) -> WorkScope<'_> {
        match self {
            Work::MilestoneChanged { scope, .. } => match scope {
                MilestoneScope::Project(project) => WorkScope::Project(project),
                MilestoneScope::Group(group) => WorkScope::Group(group),
            },
            Work::Evaluate { project, .. }
            | Work::Comment { project, .. }
            | Work::Reevaluate { project, .. }
            | Work::RenderBlock { project, .. }
            | Work::Sync { project, .. }
            | Work::Announce { project, .. } => WorkScope::Project(project),
        }
    }

    fn about(&self) -> About<'_> {
        match self {
            Work::Evaluate { kind, number, .. } | Work::Comment { kind, number, .. } => {
                About::Item(*kind, *number)
            }
            Work::MilestoneChanged { title, .. } => About::MilestoneTitled(title),
            Work::Reevaluate { .. } => About::Whole("reevaluate"),
            Work::Sync { .. } => About::Whole("sync"),
            Work::RenderBlock { milestone, .. } => About::Milestone(*milestone),
            Work::Announce {
                milestone, kind, ..
            } => About::Mail(*milestone, *kind),
        }
    }

    /// The job kind, as the `work` label of the job metrics says it.
    pub fn name(&self) -> &'static str {
        match self {
            Work::Evaluate { .. } => "evaluate",
            Work::Comment { .. } => "comment",
            Work::MilestoneChanged { .. } => "milestone",
            Work::Reevaluate { .. } => "reevaluate",
            Work::RenderBlock { .. } => "render_block",
            Work::Sync { .. } => "sync",
            Work::Announce { .. } => "announce",
        }
    }

    /// The key that serialises this work against other work on the same
    /// thing: an item's events, evaluations and comments share one; a
    /// milestone's mails share one, so a warning and its update never race.
    pub fn serial_key(&self) -> String {
        let scope = match self.scope() {
            WorkScope::Project(project) => ProjectKey::new(self.forge(), &project.0).to_string(),
            WorkScope::Group(group) => format!("{}:group:{}", self.forge().name(), path_key(group)),
        };
        let what = match self.about() {
            About::Item(ItemKind::MergeRequest, number) => format!("mr:{number}"),
            About::Item(ItemKind::Issue, number) => format!("issue:{number}"),
            About::MilestoneTitled(_) => "milestones".to_string(),
            About::Milestone(id) => format!("milestone:{}", id.0),
            About::Mail(id, _) => format!("announce:{}", id.0),
            About::Whole(what) => what.to_string(),
        };
        format!("{scope}:{what}")
    }

    /// What the job's log lines name: its item (`!7`, `#7`), milestone or
    /// mail; `None` for work on a whole project.
    pub fn subject(&self) -> Option<String> {
        match self.about() {
            About::Item(kind, number) => Some(item_reference(self.forge(), kind, number)),
            About::Milestone(id) => Some(format!("milestone {id}")),
            About::MilestoneTitled(title) => Some(format!("milestone {title}")),
            About::Mail(id, kind) => Some(format!("{} of milestone {id}", kind.noun())),
            About::Whole(_) => None,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("work serialises")
    }

    /// The work alone, as a test writes it; the queue reads `QueuedWork`.
    #[cfg(test)]
    pub fn from_json(text: &str) -> Result<Work, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// A project or a group (whose projects a group milestone belongs to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkScope<'w> {
    Project(&'w ProjectPath),
    Group(&'w str),
}

/// A job's payload as the queue stores it: the work, and whether a webhook
/// delivery asked for it (the event metrics count those).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedWork {
    pub work: Work,
    pub from_webhook: bool,
}

impl QueuedWork {
    pub fn to_json(&self) -> String {
        let mut value = serde_json::to_value(&self.work).expect("work serialises");
        if self.from_webhook {
            value["webhook"] = serde_json::Value::Bool(true);
        }
        value.to_string()
    }

    /// Reads a queued payload, including those queued by earlier releases
    /// (a webhook event wrapped as `"work": "event"`).
    pub fn from_json(text: &str) -> Result<QueuedWork, serde_json::Error> {
        if let Some(work) = legacy::from_json(text) {
            return Ok(QueuedWork {
                work,
                from_webhook: true,
            });
        }
        let mut value: serde_json::Value = serde_json::from_str(text)?;
        let from_webhook = value
            .as_object_mut()
            .and_then(|fields| fields.remove("webhook"))
            .and_then(|flag| flag.as_bool())
            .unwrap_or(false);
        Ok(QueuedWork {
            work: serde_json::from_value(value)?,
            from_webhook,
        })
    }
}

#[cfg(test)]
mod tests;
