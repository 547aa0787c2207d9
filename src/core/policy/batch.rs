//! Release milestones seen through the policy: the next release, which open
//! releases are batches, and where a database change without one should go.

use super::facts::ProjectState;
use super::settings::Policy;
use crate::core::release::{Release, Scheme, release_order};
use crate::core::types::{Milestone, MilestoneId};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::num::NonZeroUsize;

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
        crate::core::types::milestone_title(self.milestones, id)
    }

    /// The release a milestone is, with its version; `None` for other milestones.
    fn release(&self, id: MilestoneId) -> Option<&Release<'a>> {
        self.order.iter().find(|r| r.milestone.id == id)
    }

    pub fn is_open_release(&self, id: MilestoneId) -> bool {
        self.order
            .iter()
            .any(|r| r.milestone.id == id && r.milestone.is_open())
    }

    /// The open release milestones, in release order.
    pub fn open_in_order(&self) -> impl Iterator<Item = &'a Milestone> + '_ {
        self.order
            .iter()
            .map(|r| r.milestone)
            .filter(|m| m.is_open())
    }

    /// The lowest open release milestone.
    pub fn next(&self) -> Option<&'a Milestone> {
        self.order
            .iter()
            .find(|r| r.milestone.is_open())
            .map(|r| r.milestone)
    }

    /// The next release when `id` is a release with a higher version. Compared
    /// by version, not by position: two milestones with the same title (a
    /// GitLab group milestone and a project milestone both "2026.11") are the
    /// same release, so neither is ahead of the other.
    pub fn ahead_of_next(&self, id: MilestoneId) -> Option<&'a Milestone> {
        let next = self.release(self.next()?.id)?;
        let here = self.release(id)?;
        (here.version > next.version).then_some(next.milestone)
    }

    /// The earliest open release due at least `lead_time` after `now`, or
    /// without a due date: where a new batch may start. When `now + lead_time`
    /// is past the calendar's end no due date is far enough away, so only an
    /// undated release qualifies (config bounds `lead_time`; this keeps a
    /// hand-built policy from panicking).
    pub fn assignable(&self, lead_time: Duration, now: DateTime<Utc>) -> Option<&'a Milestone> {
        let earliest_due = earliest_due(now, lead_time);
        self.order
            .iter()
            .map(|r| r.milestone)
            .filter(|m| m.is_open())
            .find(|m| match (m.due_date, earliest_due) {
                (None, _) => true,
                (Some(due), Some(earliest)) => due >= earliest,
                (Some(_), None) => false,
            })
    }

    /// The batches among the open releases in `holding.milestones`: at most
    /// `max_open_batches`, milestones whose warning was sent first (an
    /// announced batch stays the batch), then those holding a change the bot
    /// placed (an established batch stays the batch when a person puts one
    /// change elsewhere), then in release order. The rule looks at
    /// placements only, so every item of a project sees the same batch.
    pub fn batches(
        &self,
        holding: &Holding,
        project: &ProjectState,
        max_open_batches: NonZeroUsize,
    ) -> Vec<&'a Milestone> {
        let mut candidates: Vec<(bool, bool, usize, &'a Milestone)> = self
            .order
            .iter()
            .enumerate()
            .filter(|(_, r)| r.milestone.is_open() && holding.milestones.contains(&r.milestone.id))
            .map(|(position, r)| {
                let id = r.milestone.id;
                let announced = project.warning_sent(id).is_some();
                let established = holding.placed_by_bot.contains(&id);
                (!announced, !established, position, r.milestone)
            })
            .collect();
        candidates.sort_by_key(|(not_announced, not_established, position, _)| {
            (*not_announced, *not_established, *position)
        });
        candidates
            .into_iter()
            .take(max_open_batches.get())
            .map(|(_, _, _, m)| m)
            .collect()
    }
}

impl<'a> Releases<'a> {
    /// The batches, then the open releases holding a database change an
    /// approved exception let in, in release order: every release that
    /// needs downtime and owes a warning.
    pub fn downtime(
        &self,
        holding: &Holding,
        project: &ProjectState,
        max_open_batches: NonZeroUsize,
    ) -> Vec<&'a Milestone> {
        let mut downtime = self.batches(holding, project, max_open_batches);
        let excepted: Vec<MilestoneId> = project.excepted_milestones().collect();
        for release in self.open_in_order() {
            if excepted.contains(&release.id) && !downtime.iter().any(|d| d.id == release.id) {
                downtime.push(release);
            }
        }
        downtime
    }
}

/// The first due date at least `lead_time` after `now` (UTC), or `None` when
/// that lies beyond what chrono can represent.
pub(super) fn earliest_due(now: DateTime<Utc>, lead_time: Duration) -> Option<NaiveDate> {
    now.checked_add_signed(lead_time).map(|t| t.date_naive())
}

/// The milestones holding database changes, and those among them holding a
/// change the bot placed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holding {
    pub milestones: Vec<MilestoneId>,
    pub placed_by_bot: Vec<MilestoneId>,
}

/// One database change's placement: its milestone and whether the bot chose it.
pub(super) type Placed = (MilestoneId, bool);

/// The milestones holding database changes in `project_changes`, with
/// `extra` (an item's fresh placement) counted too.
pub(super) fn holding_milestones(
    project_changes: impl Iterator<Item = Placed>,
    extra: Option<Placed>,
) -> Holding {
    let mut holding = Holding::default();
    for (milestone, by_bot) in project_changes.chain(extra) {
        holding.milestones.push(milestone);
        if by_bot {
            holding.placed_by_bot.push(milestone);
        }
    }
    for list in [&mut holding.milestones, &mut holding.placed_by_bot] {
        list.sort();
        list.dedup();
    }
    holding
}

/// Every recorded database change of the project as a placement.
pub(super) fn recorded_placements(project: &ProjectState) -> impl Iterator<Item = Placed> + '_ {
    project
        .db_changes
        .iter()
        .map(|c| (c.milestone, c.placed_by_bot))
}

/// The batch milestones of the project as the store records it (for
/// milestone events, where no single item is being decided).
pub fn batch_milestones(
    milestones: &[Milestone],
    project: &ProjectState,
    policy: &Policy,
) -> Vec<MilestoneId> {
    let (releases, holding) = as_recorded(milestones, project, policy);
    ids(&releases.batches(&holding, project, policy.max_open_batches))
}

/// The releases and the milestones holding database changes, as the store
/// records them.
pub(super) fn as_recorded<'a>(
    milestones: &'a [Milestone],
    project: &ProjectState,
    policy: &Policy,
) -> (Releases<'a>, Holding) {
    let releases = Releases::new(milestones, &policy.scheme);
    (
        releases,
        holding_milestones(recorded_placements(project), None),
    )
}

fn ids(milestones: &[&Milestone]) -> Vec<MilestoneId> {
    milestones.iter().map(|m| m.id).collect()
}

/// The milestones whose release needs downtime and owes a warning: the
/// batches, and the open releases holding a database change an approved
/// exception let in (in release order, after the batches).
pub fn downtime_milestones(
    milestones: &[Milestone],
    project: &ProjectState,
    policy: &Policy,
) -> Vec<MilestoneId> {
    let (releases, holding) = as_recorded(milestones, project, policy);
    ids(&releases.downtime(&holding, project, policy.max_open_batches))
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
