//! Applies a decided change to one MR or issue with the fewest writes: it
//! compares desired against current state and skips what is already so
//! (SPEC §10: at most one write each for labels+milestone, status, comment;
//! none when nothing changed).

use super::{
    CommentId, CommitSha, CommitStatus, Forge, ForgeError, Issue, ItemKind, ItemNumber, ItemUpdate,
    MergeRequest, MilestoneUpdate, ProjectPath,
};
use crate::core::types::MilestoneId;

/// What the forge says the item carries now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemSnapshot {
    pub labels: Vec<String>,
    pub milestone: Option<MilestoneId>,
}

impl From<&MergeRequest> for ItemSnapshot {
    fn from(mr: &MergeRequest) -> Self {
        ItemSnapshot {
            labels: mr.labels.clone(),
            milestone: mr.milestone,
        }
    }
}

impl From<&Issue> for ItemSnapshot {
    fn from(issue: &Issue) -> Self {
        ItemSnapshot {
            labels: issue.labels.clone(),
            milestone: issue.milestone,
        }
    }
}

/// The bot's comment as it was last written (kept in the store).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostedComment {
    pub id: CommentId,
    pub body: String,
}

/// What the bot itself wrote last time (from the store), so unchanged
/// statuses and comments are not written again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviousWrites {
    pub status: Option<(CommitSha, CommitStatus)>,
    pub comment: Option<PostedComment>,
}

/// The bot's comment as it should read; `body` contains `marker`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredComment {
    pub marker: String,
    pub body: String,
}

/// The state the decision wants. `None` fields mean "leave alone".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DesiredState {
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub milestone: Option<MilestoneUpdate>,
    /// The gate status for the MR's head commit.
    pub status: Option<(CommitSha, CommitStatus)>,
    pub comment: Option<DesiredComment>,
}

/// Which writes were made; the engine stores `status` and `comment` as the
/// next call's [`PreviousWrites`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliedWrites {
    /// The label/milestone request sent, if one was needed.
    pub item_update: Option<ItemUpdate>,
    pub status_written: bool,
    pub comment_written: bool,
    /// The bot's comment after this call (written now or before).
    pub comment: Option<PostedComment>,
    pub status: Option<(CommitSha, CommitStatus)>,
}

impl AppliedWrites {
    pub fn write_count(&self) -> usize {
        usize::from(self.item_update.is_some())
            + usize::from(self.status_written)
            + usize::from(self.comment_written)
    }
}

/// The part of `desired` that differs from `current`: labels to add that
/// are missing, labels to remove that are present, a milestone that differs.
pub fn item_delta(current: &ItemSnapshot, desired: &DesiredState) -> ItemUpdate {
    let has = |label: &String| current.labels.iter().any(|l| l == label);
    let mut update = ItemUpdate {
        add_labels: desired
            .add_labels
            .iter()
            .filter(|l| !has(l))
            .cloned()
            .collect(),
        remove_labels: desired
            .remove_labels
            .iter()
            .filter(|l| has(l))
            .cloned()
            .collect(),
        milestone: match desired.milestone {
            Some(MilestoneUpdate::Set(id)) if current.milestone != Some(id) => {
                Some(MilestoneUpdate::Set(id))
            }
            Some(MilestoneUpdate::Clear) if current.milestone.is_some() => {
                Some(MilestoneUpdate::Clear)
            }
            _ => None,
        },
    };
    update.add_labels.dedup();
    update.remove_labels.dedup();
    update
}

/// Applies `desired` to one item, writing only what differs.
pub async fn apply_changes(
    forge: &dyn Forge,
    project: &ProjectPath,
    kind: ItemKind,
    number: ItemNumber,
    current: &ItemSnapshot,
    previous: &PreviousWrites,
    desired: &DesiredState,
) -> Result<AppliedWrites, ForgeError> {
    let mut applied = AppliedWrites {
        comment: previous.comment.clone(),
        status: previous.status.clone(),
        ..AppliedWrites::default()
    };

    let update = item_delta(current, desired);
    if !update.is_empty() {
        forge.update_item(project, kind, number, &update).await?;
        applied.item_update = Some(update);
    }

    if let Some((sha, status)) = status_to_write(previous, desired) {
        forge.set_status(project, sha, status).await?;
        applied.status_written = true;
        applied.status = Some((sha.clone(), status.clone()));
    }

    if let Some(comment) = comment_to_write(previous, desired) {
        let known = previous.comment.as_ref().map(|posted| posted.id);
        let id = forge
            .upsert_comment(project, kind, number, known, &comment.marker, &comment.body)
            .await?;
        applied.comment_written = true;
        applied.comment = Some(PostedComment {
            id,
            body: comment.body.clone(),
        });
    }
    Ok(applied)
}

/// The status [`apply_changes`] writes: the desired one unless it is the
/// one written last time. Shared with dry-run planning so both agree.
pub fn status_to_write<'a>(
    previous: &PreviousWrites,
    desired: &'a DesiredState,
) -> Option<&'a (CommitSha, CommitStatus)> {
    desired
        .status
        .as_ref()
        .filter(|wanted| previous.status.as_ref() != Some(*wanted))
}

/// The comment [`apply_changes`] writes: the desired one unless the posted
/// comment already reads so. Shared with dry-run planning so both agree.
pub fn comment_to_write<'a>(
    previous: &PreviousWrites,
    desired: &'a DesiredState,
) -> Option<&'a DesiredComment> {
    desired.comment.as_ref().filter(|comment| {
        previous
            .comment
            .as_ref()
            .is_none_or(|posted| posted.body != comment.body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired_labels(add: &[&str], remove: &[&str]) -> DesiredState {
        DesiredState {
            add_labels: add.iter().map(|s| s.to_string()).collect(),
            remove_labels: remove.iter().map(|s| s.to_string()).collect(),
            ..DesiredState::default()
        }
    }

    #[test]
    fn labels_already_present_are_not_added_again() {
        let current = ItemSnapshot {
            labels: vec!["Database changes".into()],
            milestone: None,
        };
        let delta = item_delta(&current, &desired_labels(&["Database changes"], &[]));
        assert!(delta.is_empty());
    }

    #[test]
    fn only_present_labels_are_removed() {
        let current = ItemSnapshot {
            labels: vec!["a".into()],
            milestone: None,
        };
        let delta = item_delta(&current, &desired_labels(&["b"], &["a", "c"]));
        assert_eq!(delta.add_labels, vec!["b".to_string()]);
        assert_eq!(delta.remove_labels, vec!["a".to_string()]);
    }

    #[test]
    fn milestone_is_set_only_when_it_differs() {
        let current = ItemSnapshot {
            labels: vec![],
            milestone: Some(MilestoneId(7)),
        };
        let same = DesiredState {
            milestone: Some(MilestoneUpdate::Set(MilestoneId(7))),
            ..DesiredState::default()
        };
        assert!(item_delta(&current, &same).is_empty());
        let other = DesiredState {
            milestone: Some(MilestoneUpdate::Set(MilestoneId(8))),
            ..DesiredState::default()
        };
        assert_eq!(
            item_delta(&current, &other).milestone,
            Some(MilestoneUpdate::Set(MilestoneId(8)))
        );
    }

    #[test]
    fn clearing_an_absent_milestone_is_a_no_op() {
        let clear = DesiredState {
            milestone: Some(MilestoneUpdate::Clear),
            ..DesiredState::default()
        };
        assert!(item_delta(&ItemSnapshot::default(), &clear).is_empty());
    }
}
