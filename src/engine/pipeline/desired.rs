//! Turns a policy `Decision` into the forge-neutral `DesiredState` that
//! `forge::apply` writes: labels, milestone, the gate status on the MR's
//! head commit, and the marked comment.

use crate::core::comment::COMMENT_MARKER;
use crate::core::policy::{Decision, GateState, MilestoneChange};
use crate::forge::apply::{DesiredComment, DesiredState};
use crate::forge::{CommitSha, CommitStatus, ItemUpdate, MilestoneUpdate, StatusState};

/// Where an MR's gate status goes: its head commit, linking to the MR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusTarget {
    pub head_sha: CommitSha,
    pub web_url: String,
}

/// The writes `decision` asks for. `status_target` is `None` for issues,
/// which have no commit to carry a status.
pub fn desired_state(decision: &Decision, status_target: Option<&StatusTarget>) -> DesiredState {
    let status = match (&decision.verdict, status_target) {
        (Some(verdict), Some(target)) => Some((
            target.head_sha.clone(),
            CommitStatus {
                state: match verdict.state {
                    GateState::Success => StatusState::Success,
                    GateState::Failure => StatusState::Failure,
                },
                description: verdict.summary.clone(),
                target_url: Some(target.web_url.clone()),
            },
        )),
        _ => None,
    };
    DesiredState {
        update: ItemUpdate {
            add_labels: decision.labels_to_add.clone(),
            remove_labels: decision.labels_to_remove.clone(),
            milestone: decision
                .milestone_change
                .map(|MilestoneChange::Set(id)| MilestoneUpdate::Set(id)),
        },
        status,
        comment: decision.comment.as_ref().map(|body| DesiredComment {
            marker: COMMENT_MARKER.to_string(),
            body: body.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::{Ownership, Verdict};
    use crate::core::types::MilestoneId;

    fn decision() -> Decision {
        Decision {
            labels_to_add: vec!["Database changes".into()],
            labels_to_remove: Vec::new(),
            milestone_change: Some(MilestoneChange::Set(MilestoneId(12))),
            verdict: Some(Verdict {
                state: GateState::Failure,
                summary: "2026.12 is ahead of the next release 2026.11".into(),
                reasons: vec!["2026.12 is ahead of the next release 2026.11".into()],
                advice: vec!["Wait until 2026.11 is closed.".into()],
            }),
            comment: Some(format!("{COMMENT_MARKER}\nhello")),
            ownership: Ownership::default(),
            is_db_change: true,
            db_change_reason: None,
            batch: Some(MilestoneId(12)),
            announcement_due: None,
            exception: None,
            lapsed: None,
        }
    }

    fn target() -> StatusTarget {
        StatusTarget {
            head_sha: CommitSha("abc".into()),
            web_url: "https://forge.example/mr/1".into(),
        }
    }

    #[test]
    fn a_failing_verdict_becomes_a_failure_status_on_the_head_commit_linking_the_mr() {
        let desired = desired_state(&decision(), Some(&target()));
        let (sha, status) = desired.status.expect("a status");
        assert_eq!(sha, CommitSha("abc".into()));
        assert_eq!(status.state, StatusState::Failure);
        assert_eq!(
            status.description,
            "2026.12 is ahead of the next release 2026.11"
        );
        assert_eq!(
            status.target_url.as_deref(),
            Some("https://forge.example/mr/1")
        );
    }

    #[test]
    fn labels_milestone_and_marked_comment_carry_over() {
        let desired = desired_state(&decision(), Some(&target()));
        assert_eq!(
            desired.update.add_labels,
            vec!["Database changes".to_string()]
        );
        assert_eq!(
            desired.update.milestone,
            Some(MilestoneUpdate::Set(MilestoneId(12)))
        );
        let comment = desired.comment.expect("a comment");
        assert_eq!(comment.marker, COMMENT_MARKER);
        assert!(comment.body.contains("hello"));
    }

    #[test]
    fn issues_and_undecided_items_get_no_status_and_no_comment_unless_asked() {
        let mut quiet = decision();
        quiet.verdict = None;
        quiet.comment = None;
        quiet.milestone_change = None;
        let desired = desired_state(&quiet, Some(&target()));
        assert_eq!(desired.status, None);
        assert_eq!(desired.comment, None);
        assert_eq!(desired.update.milestone, None);
        assert_eq!(desired_state(&decision(), None).status, None);
    }
}
