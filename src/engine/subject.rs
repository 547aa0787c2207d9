//! An MR or issue as read from the forge, in the one shape the evaluation
//! reads, and the view of it the fingerprint digests.

use super::fingerprint::ItemView;
use crate::core::ids::ItemNumber;
use crate::core::types::MilestoneId;
use crate::forge::{CommitSha, Issue, ItemKind, ItemState, MergeRequest};

/// An MR or issue as read from the forge, in one shape.
#[derive(Debug, Clone)]
pub(super) struct Subject {
    pub kind: ItemKind,
    pub number: ItemNumber,
    pub title: String,
    pub description: String,
    pub web_url: String,
    pub state: ItemState,
    pub draft: bool,
    pub labels: Vec<String>,
    pub milestone: Option<MilestoneId>,
    /// MRs only.
    pub head_sha: Option<CommitSha>,
}

impl From<&MergeRequest> for Subject {
    fn from(mr: &MergeRequest) -> Self {
        Subject {
            kind: ItemKind::MergeRequest,
            number: mr.number,
            title: mr.title.clone(),
            description: mr.description.clone(),
            web_url: mr.web_url.clone(),
            state: mr.state,
            draft: mr.draft,
            labels: mr.labels.clone(),
            milestone: mr.milestone,
            head_sha: Some(mr.head_sha.clone()),
        }
    }
}

impl From<&Issue> for Subject {
    fn from(issue: &Issue) -> Self {
        Subject {
            kind: ItemKind::Issue,
            number: issue.number,
            title: issue.title.clone(),
            description: issue.description.clone(),
            web_url: issue.web_url.clone(),
            state: issue.state,
            draft: false,
            labels: issue.labels.clone(),
            milestone: issue.milestone,
            head_sha: None,
        }
    }
}

impl Subject {
    /// The item as the fingerprint sees it, with `labels` and `milestone`
    /// (before or after the writes).
    pub fn view<'a>(
        &'a self,
        labels: &'a [String],
        milestone: Option<MilestoneId>,
        bot_milestone: Option<MilestoneId>,
    ) -> ItemView<'a> {
        ItemView {
            kind: self.kind,
            number: self.number,
            state: self.state,
            draft: self.draft,
            labels,
            milestone,
            title: &self.title,
            description: &self.description,
            head_sha: self.head_sha.as_ref().map(|s| s.0.as_str()),
            placed_by_bot: milestone.is_some() && milestone == bot_milestone,
        }
    }
}
