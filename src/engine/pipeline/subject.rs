//! An MR or issue as read from the forge, and the one set of questions the
//! evaluation asks of either (number, title, labels, milestone, head commit),
//! plus the view of it the fingerprint digests.

use crate::core::ids::ItemNumber;
use crate::core::types::MilestoneId;
use crate::engine::pipeline::fingerprint::ItemView;
use crate::forge::{CommitSha, Issue, ItemKind, ItemState, MergeRequest};

/// An MR or issue as read from the forge.
#[derive(Debug, Clone)]
pub(crate) enum Subject {
    MergeRequest(MergeRequest),
    Issue(Issue),
}

impl From<&MergeRequest> for Subject {
    fn from(mr: &MergeRequest) -> Self {
        Subject::MergeRequest(mr.clone())
    }
}

impl From<&Issue> for Subject {
    fn from(issue: &Issue) -> Self {
        Subject::Issue(issue.clone())
    }
}

impl Subject {
    pub fn kind(&self) -> ItemKind {
        match self {
            Subject::MergeRequest(_) => ItemKind::MergeRequest,
            Subject::Issue(_) => ItemKind::Issue,
        }
    }

    pub fn number(&self) -> ItemNumber {
        match self {
            Subject::MergeRequest(mr) => mr.number,
            Subject::Issue(issue) => issue.number,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Subject::MergeRequest(mr) => &mr.title,
            Subject::Issue(issue) => &issue.title,
        }
    }

    pub fn description(&self) -> &str {
        match self {
            Subject::MergeRequest(mr) => &mr.description,
            Subject::Issue(issue) => &issue.description,
        }
    }

    pub fn web_url(&self) -> &str {
        match self {
            Subject::MergeRequest(mr) => &mr.web_url,
            Subject::Issue(issue) => &issue.web_url,
        }
    }

    pub fn state(&self) -> ItemState {
        match self {
            Subject::MergeRequest(mr) => mr.state,
            Subject::Issue(issue) => issue.state,
        }
    }

    /// Issues are never drafts.
    pub fn draft(&self) -> bool {
        matches!(self, Subject::MergeRequest(mr) if mr.draft)
    }

    pub fn labels(&self) -> &[String] {
        match self {
            Subject::MergeRequest(mr) => &mr.labels,
            Subject::Issue(issue) => &issue.labels,
        }
    }

    pub fn milestone(&self) -> Option<MilestoneId> {
        match self {
            Subject::MergeRequest(mr) => mr.milestone,
            Subject::Issue(issue) => issue.milestone,
        }
    }

    /// MRs only: issues have no commit to carry a status.
    /// MRs: the branch it merges into.
    pub fn target_branch(&self) -> Option<&str> {
        match self {
            Subject::MergeRequest(mr) => Some(&mr.target_branch),
            Subject::Issue(_) => None,
        }
    }

    pub fn head_sha(&self) -> Option<&CommitSha> {
        match self {
            Subject::MergeRequest(mr) => Some(&mr.head_sha),
            Subject::Issue(_) => None,
        }
    }

    /// The item as the fingerprint sees it, with `labels` and `milestone`
    /// (before or after the writes).
    pub fn view<'a>(
        &'a self,
        labels: &'a [String],
        milestone: Option<MilestoneId>,
        bot_milestone: Option<MilestoneId>,
    ) -> ItemView<'a> {
        ItemView {
            kind: self.kind(),
            number: self.number(),
            state: self.state(),
            draft: self.draft(),
            labels,
            milestone,
            title: self.title(),
            description: self.description(),
            head_sha: self.head_sha().map(|s| s.0.as_str()),
            placed_by_bot: milestone.is_some() && milestone == bot_milestone,
        }
    }
}
