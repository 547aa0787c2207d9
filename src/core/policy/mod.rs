//! The pure policy: `decide(facts, project, milestones, policy, now)` turns
//! what the engine knows about one MR or issue into the smallest set of
//! writes (label and milestone delta), the gate verdict, the comment text and
//! whether a downtime warning is due. See `docs/policy.md` for the table.

mod announce;
mod batch;
mod decision;
mod effects;
mod facts;
mod gate;
mod labels;
mod placement;
mod settings;
#[cfg(test)]
pub(crate) mod tests;

pub use announce::announcement_due;
pub use batch::{Releases, assignable_milestone, batch_milestones, downtime_milestones, is_batch};
pub use decision::{Decision, GateState, MilestoneChange, Verdict};
pub use effects::{batches_changed, milestones_affected_by, recorded_db_change};
pub use facts::{
    DbChangeReason, DbItemRef, ExceptionNote, ItemFacts, ItemKind, ItemState, MigrationConflict,
    Ownership, ProjectState, WarningSending, WarningSent,
};
pub use gate::{Problem, code_list};
pub use settings::{AnnounceTrigger, GateSwitches, Policy};

use crate::core::comment::{BatchNote, CommentInput, render_comment};
use crate::core::exceptions::{
    Binding, EndKind, Ending, Exception, Steering, SteeringNote, binding,
};
use crate::core::types::{Milestone, MilestoneId};
use chrono::{DateTime, Utc};
use gate::GateInput;

/// Decides labels, milestone, verdict, comment and announcement for one item.
pub fn decide(
    facts: &ItemFacts,
    project: &ProjectState,
    milestones: &[Milestone],
    policy: &Policy,
    now: DateTime<Utc>,
) -> Decision {
    let mut ownership = facts.ownership.clone();
    labels::observe_label(facts, &policy.label, &mut ownership);
    let reason = labels::db_change_reason(facts, &policy.label, &ownership);
    // The label says "has migrations"; whether they need downtime (a
    // batch, the gate, a warning) is the project's downtime rule.
    let labelled = reason.is_some();
    let is_db_change = match &reason {
        Some(DbChangeReason::Migrations) => policy.downtime.needs_downtime(&facts.matches),
        other => other.is_some(),
    };
    if !facts.is_open() {
        return leave_alone(facts, reason, is_db_change);
    }
    let (labels_to_add, labels_to_remove) =
        labels::label_delta(facts, &policy.label, labelled, &mut ownership);
    let releases = Releases::new(milestones, &policy.scheme);
    let placement = placement::place(
        facts,
        is_db_change,
        &mut ownership,
        project,
        &releases,
        policy,
        now,
    );
    let input = GateInput {
        facts,
        is_db_change,
        placement: &placement,
        releases: &releases,
        project,
        now,
    };
    let exception = exception_state(facts);
    let (problems, verdict) = match &exception {
        ExceptionState::Holds(active) => {
            // An exception waives placement, not a migration the tool
            // would refuse on the branch.
            let problems = gate::conflict_problems(facts, policy);
            let verdict = if problems.is_empty() {
                gate::excepted_verdict(active)
            } else {
                gate::verdict(&input, &problems)
            };
            (problems, Some(verdict))
        }
        _ => {
            let problems = gate::problems(&input, policy);
            let verdict =
                (facts.kind == ItemKind::MergeRequest).then(|| gate::verdict(&input, &problems));
            (problems, verdict)
        }
    };
    let steering = steering_shown(facts, &exception, now);
    let owed = match &exception {
        ExceptionState::Holds(_) => warning_owed(&input, policy),
        _ => None,
    };
    let note = SteeringNote {
        steering: Some(&steering),
        lapsed: match &exception {
            ExceptionState::Lapsed(why) => steering
                .exceptions
                .iter()
                .rev()
                .find(|e| e.ended.is_some())
                .map(|e| (e, why.as_str())),
            _ => None,
        },
        warning_owed: owed
            .as_ref()
            .map(|(title, when)| (title.as_str(), when.as_str())),
    };
    let comment = comment_for(
        &input,
        policy,
        reason.as_ref(),
        &ownership,
        verdict.as_ref(),
        &problems,
        &note,
    );
    let announcement_due = match &exception {
        ExceptionState::Holds(_) => excepted_warning_due(&input, policy),
        _ => warning_due(&input, policy),
    };

    Decision {
        labels_to_add,
        labels_to_remove,
        milestone_change: placement.change,
        verdict,
        comment,
        ownership,
        is_db_change,
        db_change_reason: reason,
        batch: placement.batch_for_item().map(|b| b.id),
        announcement_due,
        exception: match &exception {
            ExceptionState::Holds(active) => Some(ExceptionNote::of(active)),
            _ => None,
        },
        lapsed: match exception {
            ExceptionState::Lapsed(why) => Some(why),
            _ => None,
        },
    }
}

/// An open MR's exception held against its migration files now.
enum ExceptionState<'f> {
    None,
    Holds(&'f Exception),
    /// The files changed since the approval: why, in words.
    Lapsed(String),
}

fn exception_state(facts: &ItemFacts) -> ExceptionState<'_> {
    if facts.kind != ItemKind::MergeRequest || !facts.is_open() {
        return ExceptionState::None;
    }
    match facts.steering.active() {
        None => ExceptionState::None,
        Some(active) => match binding(active, &facts.migration_files) {
            Binding::Holds => ExceptionState::Holds(active),
            Binding::Lapsed { why } => ExceptionState::Lapsed(why),
        },
    }
}

/// The steering the comment shows: a lapsing exception already ended.
fn steering_shown(facts: &ItemFacts, exception: &ExceptionState, now: DateTime<Utc>) -> Steering {
    let mut steering = facts.steering.clone();
    if let ExceptionState::Lapsed(why) = exception
        && let Some(active) = steering.exceptions.iter_mut().rev().find(|e| e.is_active())
    {
        active.ended = Some(Ending {
            at: now,
            how: EndKind::Lapsed { why: why.clone() },
        });
    }
    steering
}

/// The release an excepted database change sits in, when it is an open
/// release whose warning has not gone out: its title and when it will.
fn warning_owed(input: &GateInput, policy: &Policy) -> Option<(String, String)> {
    let milestone = input.placement.effective?;
    if !input.is_db_change
        || !input.releases.is_open_release(milestone)
        || input.project.warning_sent(milestone).is_some()
    {
        return None;
    }
    let title = input.releases.title(milestone);
    let when = gate::warning_when(input, policy, milestone, &title);
    Some((title, when))
}

/// The warning an excepted database change makes due: its own release's,
/// which needs downtime like a batch.
fn excepted_warning_due(input: &GateInput, policy: &Policy) -> Option<MilestoneId> {
    let milestone = input.placement.effective?;
    let own = input.releases.milestone(milestone)?;
    if !input.is_db_change || !input.releases.is_open_release(milestone) {
        return None;
    }
    let mut downtime = input.placement.batches.clone();
    if !downtime.iter().any(|b| b.id == milestone) {
        downtime.push(own);
    }
    announce::due_for(
        milestone,
        &downtime,
        input.releases,
        input.project,
        policy,
        input.now,
    )
    .then_some(milestone)
}

/// The batch milestone whose downtime warning this database change makes due now.
fn warning_due(input: &GateInput, policy: &Policy) -> Option<MilestoneId> {
    let placement = input.placement;
    placement.batch_of_item().map(|b| b.id).filter(|id| {
        input.is_db_change
            && announce::due_for(
                *id,
                &placement.batches,
                input.releases,
                input.project,
                policy,
                input.now,
            )
    })
}

/// The bot's comment: when there is something to say (a database change,
/// a problem, a migration), or to keep an existing comment current.
fn comment_for(
    input: &GateInput,
    policy: &Policy,
    reason: Option<&DbChangeReason>,
    ownership: &Ownership,
    verdict: Option<&Verdict>,
    problems: &[Problem],
    steering: &SteeringNote,
) -> Option<String> {
    let (facts, placement, releases) = (input.facts, input.placement, input.releases);
    let has_something_to_say = input.is_db_change
        || !problems.is_empty()
        || !facts.matches.is_empty()
        || !facts.steering.is_empty();
    if !has_something_to_say && !facts.has_bot_comment {
        return None;
    }
    let batch = placement.batch_for_item();
    Some(render_comment(&CommentInput {
        kind: facts.kind,
        matches: &facts.matches,
        db_change_reason: reason,
        needs_downtime: input.is_db_change,
        downtime: policy.downtime,
        label: &policy.label,
        label_removed_by_person: ownership.label_removed_by_person,
        milestone: placement.effective.map(|id| releases.title(id)),
        milestone_set_by_bot: placement.effective.is_some()
            && ownership.bot_set_milestone == placement.effective,
        batch: batch.filter(|_| input.is_db_change).map(|b| BatchNote {
            title: b.title.clone(),
            announced_on: input.project.warning_sent(b.id).map(|t| t.date_naive()),
        }),
        verdict,
        problems,
        steering,
        conflicts: &facts.conflicts,
    }))
}

/// Closed and merged items: no writes, no verdict, the record unchanged. A
/// merged MR keeps the exception that let it in: its release still needs
/// downtime and owes its warning.
fn leave_alone(facts: &ItemFacts, reason: Option<DbChangeReason>, is_db_change: bool) -> Decision {
    Decision {
        labels_to_add: Vec::new(),
        labels_to_remove: Vec::new(),
        milestone_change: None,
        verdict: None,
        comment: None,
        ownership: facts.ownership.clone(),
        is_db_change,
        db_change_reason: reason,
        batch: None,
        announcement_due: None,
        exception: facts
            .steering
            .active()
            .filter(|_| facts.kind == ItemKind::MergeRequest && facts.state == ItemState::Merged)
            .map(ExceptionNote::of),
        lapsed: None,
    }
}
