//! When the downtime warning for a batch is due (docs/announcements.md triggers).

use super::batch::{Releases, as_recorded};
use super::facts::ProjectState;
use super::settings::{AnnounceTrigger, Policy};
use crate::core::types::{Milestone, MilestoneId};
use chrono::{DateTime, Utc};

/// Whether the downtime warning for `milestone` is due now, from the
/// project's recorded database changes alone (for milestone events and sync).
///
/// Due when the milestone is a batch (an open release holding at least one
/// database change), or an open release holding one an approved exception
/// let in, its warning has not been sent, and the trigger fires:
/// `work-starts` when it is the next release or its start date has come,
/// `first-change` at once, `manual` never.
pub fn announcement_due(
    milestone: MilestoneId,
    project: &ProjectState,
    policy: &Policy,
    milestones: &[Milestone],
    now: DateTime<Utc>,
) -> bool {
    let (releases, holding) = as_recorded(milestones, project, policy);
    let downtime = releases.downtime(&holding, project, policy.max_open_batches);
    due_for(milestone, &downtime, &releases, project, policy, now)
}

/// The trigger check given the milestones that need downtime (the
/// batches, and releases an exception let a change into).
pub(super) fn due_for(
    milestone: MilestoneId,
    batches: &[&Milestone],
    releases: &Releases,
    project: &ProjectState,
    policy: &Policy,
    now: DateTime<Utc>,
) -> bool {
    if project.warning_sent(milestone).is_some() {
        return false;
    }
    let Some(batch) = batches.iter().find(|b| b.id == milestone) else {
        return false;
    };
    match policy.announce_trigger {
        AnnounceTrigger::Manual => false,
        AnnounceTrigger::FirstChange => true,
        AnnounceTrigger::WorkStarts => {
            let is_next = releases.next().is_some_and(|next| next.id == milestone);
            let started = batch
                .start_date
                .is_some_and(|start| start <= now.date_naive());
            is_next || started
        }
    }
}
