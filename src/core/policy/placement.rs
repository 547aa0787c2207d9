//! Which milestone a database change sits in: join the batch, start one
//! respecting the lead time, and never move a milestone a person set.

use super::batch::{Releases, holding_milestones};
use super::decision::MilestoneChange;
use super::facts::{ItemFacts, Ownership, ProjectState};
use super::settings::Policy;
use crate::core::types::{Milestone, MilestoneId};
use chrono::{DateTime, Utc};

/// The item's milestone plan and the batches it implies.
#[derive(Debug, Clone)]
pub(super) struct Placement<'a> {
    pub change: Option<MilestoneChange>,
    /// The item's milestone once `change` is applied.
    pub effective: Option<MilestoneId>,
    /// The project's batches with this item's effective placement counted.
    pub batches: Vec<&'a Milestone>,
    /// Where a new batch could start (the lead-time rule), for advice.
    pub assignable: Option<&'a Milestone>,
}

impl Placement<'_> {
    /// The effective milestone when it is one of the batches.
    pub fn batch_of_item(&self) -> Option<&Milestone> {
        let effective = self.effective?;
        self.batches.iter().copied().find(|b| b.id == effective)
    }

    /// Where the item belongs: its own batch, else the first batch.
    pub fn batch_for_item(&self) -> Option<&Milestone> {
        self.batch_of_item()
            .or_else(|| self.batches.first().copied())
    }
}

/// Records a person's milestone edit: the bot's milestone replaced or cleared.
fn observe_milestone(facts: &ItemFacts, ownership: &mut Ownership) {
    if let Some(bot_set) = ownership.bot_set_milestone
        && facts.milestone != Some(bot_set)
    {
        ownership.bot_set_milestone = None;
        if facts.milestone.is_none() {
            ownership.milestone_cleared_by_person = true;
        }
    }
}

pub(super) fn place<'a>(
    facts: &ItemFacts,
    is_db_change: bool,
    ownership: &mut Ownership,
    project: &ProjectState,
    releases: &Releases<'a>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Placement<'a> {
    observe_milestone(facts, ownership);
    let counted = |milestone: Option<MilestoneId>, ownership: &Ownership| {
        milestone
            .filter(|id| is_db_change && releases.is_open_release(*id))
            .map(|id| (id, ownership.bot_set_milestone == Some(id)))
    };
    let others = || {
        project
            .db_changes_except(facts)
            .map(|c| (c.milestone, c.placed_by_bot))
    };

    let holding_now = holding_milestones(others(), counted(facts.milestone, ownership));
    let batches_now = releases.batches(&holding_now, project, policy.max_open_batches);
    let assignable = releases.assignable(policy.lead_time, now);
    let target = batches_now.first().copied().or(assignable);

    let bot_may_place = match facts.milestone {
        None => !ownership.milestone_cleared_by_person,
        // Its own milestone the bot may move: closed, not a release, or no
        // longer a batch. A person's milestone it never touches.
        Some(current) => {
            ownership.bot_set_milestone == Some(current)
                && !batches_now.iter().any(|b| b.id == current)
        }
    };
    let mut change = None;
    let mut effective = facts.milestone;
    if is_db_change
        && policy.assign_milestone
        && bot_may_place
        && let Some(target) = target
        && facts.milestone != Some(target.id)
    {
        change = Some(MilestoneChange::Set(target.id));
        effective = Some(target.id);
        ownership.bot_set_milestone = Some(target.id);
    }

    let holding = holding_milestones(others(), counted(effective, ownership));
    Placement {
        change,
        effective,
        batches: releases.batches(&holding, project, policy.max_open_batches),
        assignable,
    }
}
