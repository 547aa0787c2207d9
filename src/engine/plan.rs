//! Dry-run lines ("would add label … to !12"), computed from the very
//! comparisons `forge::apply::apply_changes` makes, so a dry run and a real
//! run cannot disagree about which writes happen.

use crate::core::types::MilestoneId;
#[cfg(test)]
use crate::forge::ItemUpdate;
use crate::forge::apply::{DesiredState, PreviousWrites, comment_to_write, status_to_write};
use crate::forge::{MilestoneUpdate, StatusState};

pub use crate::core::ids::item_reference;

/// One line per write `apply_changes` would make for this item.
pub fn planned_item_writes(
    reference: &str,
    previous: &PreviousWrites,
    desired: &DesiredState,
    milestone_title: impl Fn(MilestoneId) -> String,
) -> Vec<String> {
    let mut lines = Vec::new();
    let update = &desired.update;
    for label in &update.add_labels {
        lines.push(format!("would add label {label:?} to {reference}"));
    }
    for label in &update.remove_labels {
        lines.push(format!("would remove label {label:?} from {reference}"));
    }
    match update.milestone {
        Some(MilestoneUpdate::Set(id)) => lines.push(format!(
            "would set milestone {} on {reference}",
            milestone_title(id)
        )),
        Some(MilestoneUpdate::Clear) => {
            lines.push(format!("would clear the milestone of {reference}"))
        }
        None => {}
    }
    if let Some((sha, status)) = status_to_write(previous, desired) {
        let state = match status.state {
            StatusState::Pending => "pending",
            StatusState::Success => "success",
            StatusState::Failure => "failure",
        };
        let short: String = sha.0.chars().take(7).collect();
        lines.push(format!(
            "would set status {state} on {reference} ({short}): {}",
            status.description
        ));
    }
    if comment_to_write(previous, desired).is_some() {
        lines.push(match previous.comment {
            Some(_) => format!("would edit the comment on {reference}"),
            None => format!("would post a comment on {reference}"),
        });
    }
    lines
}

/// The line for a milestone description the block would change.
pub fn planned_block_write(milestone_title: &str) -> String {
    format!("would update the description of milestone {milestone_title}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::apply::{DesiredComment, PostedComment};
    use crate::forge::{CommentId, CommitSha, CommitStatus};

    fn title(id: MilestoneId) -> String {
        format!("2026.{}", id.0)
    }

    fn failing() -> (CommitSha, CommitStatus) {
        (
            CommitSha("abc1234def".into()),
            CommitStatus {
                state: StatusState::Failure,
                description: "2026.12 is ahead of the next release 2026.11".into(),
                target_url: None,
            },
        )
    }

    fn desired() -> DesiredState {
        DesiredState {
            update: ItemUpdate {
                add_labels: vec!["Database changes".into()],
                remove_labels: Vec::new(),
                milestone: Some(MilestoneUpdate::Set(MilestoneId(12))),
            },
            status: Some(failing()),
            comment: Some(DesiredComment {
                marker: "<!-- m -->".into(),
                body: "<!-- m -->\nbody".into(),
            }),
        }
    }

    #[test]
    fn a_fresh_database_change_plans_every_write() {
        let lines = planned_item_writes("!12", &PreviousWrites::default(), &desired(), title);
        assert_eq!(
            lines,
            vec![
                "would add label \"Database changes\" to !12",
                "would set milestone 2026.12 on !12",
                "would set status failure on !12 (abc1234): 2026.12 is ahead of the next release 2026.11",
                "would post a comment on !12",
            ]
        );
    }

    #[test]
    fn what_is_already_so_plans_nothing_and_a_changed_comment_is_an_edit() {
        // The label and milestone are on the item already: the decided delta is empty.
        let desired = || DesiredState {
            update: ItemUpdate::default(),
            ..self::desired()
        };
        let previous = PreviousWrites {
            status: Some(failing()),
            comment: Some(PostedComment {
                id: CommentId(5),
                body: "<!-- m -->\nbody".into(),
            }),
        };
        assert!(planned_item_writes("#3", &previous, &desired(), title).is_empty());
        let edited = PreviousWrites {
            comment: Some(PostedComment {
                id: CommentId(5),
                body: "older".into(),
            }),
            ..previous
        };
        assert_eq!(
            planned_item_writes("#3", &edited, &desired(), title),
            vec!["would edit the comment on #3"]
        );
    }

    #[test]
    fn a_removed_label_is_planned_as_a_removal() {
        let removing = DesiredState {
            update: ItemUpdate {
                remove_labels: vec!["Database changes".into()],
                ..ItemUpdate::default()
            },
            ..DesiredState::default()
        };
        assert_eq!(
            planned_item_writes("!4", &PreviousWrites::default(), &removing, title),
            vec!["would remove label \"Database changes\" from !4"]
        );
    }
}
