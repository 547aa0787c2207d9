//! Release milestones seen through the policy: the next release, which open
//! releases are batches, and where a database change without one should go.

use super::facts::ProjectState;
use super::settings::Policy;
use crate::core::release::{Release, Scheme, release_order};
use crate::core::types::{Milestone, MilestoneId};
use chrono::{DateTime, Duration, Utc};

/// The project's release milestones in release order, with lookups by id.
#[derive(Debug, Clone)]
pub struct Releases<'a> {
    milestones: &'a [Milestone],
    order: Vec<Release<'a>>,
}

impl<'a> Releases<'a> {
    pub fn new(milestones: &'a [Milestone], scheme: &Scheme) -> Releases<'a> {
        Releases {
            milestones,
            order: release_order(milestones, scheme),
        }
    }

    /// Any milestone of the project by id, release or not.
    pub fn milestone(&self, id: MilestoneId) -> Option<&'a Milestone> {
        self.milestones.iter().find(|m| m.id == id)
    }

    /// The title people know a milestone by ("milestone 7" when it is unknown).
    pub fn title(&self, id: MilestoneId) -> String {
        self.milestone(id)
            .map(|m| m.title.clone())
            .unwrap_or_else(|| format!("milestone {id}"))
    }

    /// Where a release milestone sits in release order; `None` for other milestones.
    fn position(&self, id: MilestoneId) -> Option<usize> {
        self.order.iter().position(|r| r.milestone.id == id)
    }

    pub fn is_open_release(&self, id: MilestoneId) -> bool {
        self.order
            .iter()
            .any(|r| r.milestone.id == id && r.milestone.is_open())
    }

    /// The lowest open release milestone.
    pub fn next(&self) -> Option<&'a Milestone> {
        self.order
            .iter()
            .find(|r| r.milestone.is_open())
            .map(|r| r.milestone)
    }

    /// The next release when `id` is a release ordered after it.
    pub fn ahead_of_next(&self, id: MilestoneId) -> Option<&'a Milestone> {
        let next = self.next()?;
        let here = self.position(id)?;
        let next_position = self.position(next.id)?;
        (here > next_position).then_some(next)
    }

    /// The earliest open release due at least `lead_time` after `now`, or
    /// without a due date: where a new batch may start.
    pub fn assignable(&self, lead_time: Duration, now: DateTime<Utc>) -> Option<&'a Milestone> {
        let earliest_due = (now + lead_time).date_naive();
        self.order
            .iter()
            .map(|r| r.milestone)
            .filter(|m| m.is_open())
            .find(|m| m.due_date.is_none_or(|due| due >= earliest_due))
    }

    /// The batches among the open releases in `holding`: at most
    /// `max_open_batches`, milestones whose warning was sent first (an
    /// announced batch stays the batch), then in release order. The rule
    /// looks at placements only, so every item of a project sees the same batch.
    pub fn batches(
        &self,
        holding: &[MilestoneId],
        project: &ProjectState,
        max_open_batches: usize,
    ) -> Vec<&'a Milestone> {
        let mut candidates: Vec<(bool, usize, &'a Milestone)> = self
            .order
            .iter()
            .enumerate()
            .filter(|(_, r)| r.milestone.is_open() && holding.contains(&r.milestone.id))
            .map(|(position, r)| {
                let announced = project.warning_sent(r.milestone.id).is_some();
                (!announced, position, r.milestone)
            })
            .collect();
        candidates.sort_by_key(|(not_announced, position, _)| (*not_announced, *position));
        candidates
            .into_iter()
            .take(max_open_batches)
            .map(|(_, _, m)| m)
            .collect()
    }
}

/// The open release milestones holding database changes in `project`, with
/// `extra` (an item's fresh placement) counted too.
pub(super) fn holding_milestones(
    project_changes: impl Iterator<Item = MilestoneId>,
    extra: Option<MilestoneId>,
) -> Vec<MilestoneId> {
    let mut holding: Vec<MilestoneId> = project_changes.chain(extra).collect();
    holding.sort();
    holding.dedup();
    holding
}

/// The batch milestones of the project as the store records it (for
/// milestone events, where no single item is being decided).
pub fn batch_milestones(
    milestones: &[Milestone],
    project: &ProjectState,
    policy: &Policy,
) -> Vec<MilestoneId> {
    let releases = Releases::new(milestones, &policy.scheme);
    let holding = holding_milestones(project.db_changes.iter().map(|c| c.milestone), None);
    releases
        .batches(&holding, project, policy.max_open_batches)
        .iter()
        .map(|m| m.id)
        .collect()
}

/// Whether `milestone` is one of the project's batches.
pub fn is_batch(
    milestone: MilestoneId,
    milestones: &[Milestone],
    project: &ProjectState,
    policy: &Policy,
) -> bool {
    batch_milestones(milestones, project, policy).contains(&milestone)
}

/// Where a database change without a milestone would start a new batch.
pub fn assignable_milestone(
    milestones: &[Milestone],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<MilestoneId> {
    Releases::new(milestones, &policy.scheme)
        .assignable(policy.lead_time, now)
        .map(|m| m.id)
}
