//! What a decision changes beyond its own item: the entry the store records
//! for it, the milestone blocks to re-render, and whether the project's
//! batches move (then every other item's verdict may change).

use super::batch::batch_milestones;
use super::decision::Decision;
use super::facts::{DbItemRef, ItemFacts, ItemKind, ItemState, ProjectState};
use super::settings::Policy;
use crate::core::compat::{MAX_OPERATIONS_SHOWN, Wording, breaking_operations};
use crate::core::types::{Match, Milestone, MilestoneId};

/// The entry the store should hold for this item after the decision: its
/// milestone when it is a database change placed in one, else `None`. A
/// closed MR that was not merged ships nothing, so it leaves its batch; a
/// merged MR and a closed issue stay in theirs.
pub fn recorded_db_change(facts: &ItemFacts, decision: &Decision) -> Option<DbItemRef> {
    let abandoned = facts.kind == ItemKind::MergeRequest && facts.state == ItemState::Closed;
    if !decision.is_db_change || abandoned {
        return None;
    }
    let milestone = decision.milestone_after(facts)?;
    Some(DbItemRef {
        kind: facts.kind,
        number: facts.number,
        title: facts.title.clone(),
        web_url: facts.web_url.clone(),
        milestone,
        placed_by_bot: decision.ownership.bot_set_milestone == Some(milestone),
        exception: decision.exception.clone(),
        conflicts: facts
            .conflicts
            .iter()
            .map(|c| format!("{}: {}", c.other, c.conflict.message))
            .collect(),
        breaking: breaking_lines(&facts.matches),
    })
}

/// The breaking operations of an item's database migrations, worst first,
/// each with its file when there are several.
fn breaking_lines(matches: &[Match]) -> Vec<String> {
    let counted: Vec<&Match> = matches.iter().filter(|m| m.kind.is_db_change()).collect();
    let mut lines = Vec::new();
    for found in &counted {
        let file = found.path.rsplit('/').next().unwrap_or(&found.path);
        for line in breaking_operations(&found.operations, MAX_OPERATIONS_SHOWN, Wording::Markdown)
        {
            lines.push(match counted.len() {
                1 => line,
                _ => format!("{line} in `{}`", file.replace('`', "'")),
            });
        }
    }
    lines
}

/// Engine API: which milestones' batch blocks (the list of database changes
/// in a milestone's description) must be re-rendered after this decision —
/// where the store last had the item as a database change and where it is
/// now, when anything the block shows (placement, title, link) differs. The
/// webhook engine calls it after applying a decision; empty means no
/// milestone write is needed.
pub fn milestones_affected_by(
    facts: &ItemFacts,
    project: &ProjectState,
    decision: &Decision,
) -> Vec<MilestoneId> {
    let before = project.recorded_entry_of(facts);
    let after = recorded_db_change(facts, decision);
    if before == after.as_ref() {
        return Vec::new();
    }
    let mut affected: Vec<MilestoneId> = before
        .map(|r| r.milestone)
        .into_iter()
        .chain(after.map(|r| r.milestone))
        .collect();
    affected.dedup();
    affected
}

/// Whether applying `decision` changes which milestones are the project's
/// batches (it starts, moves or ends one). Every other open item's verdict
/// may then change, so the engine re-evaluates the project.
pub fn batches_changed(
    facts: &ItemFacts,
    project: &ProjectState,
    milestones: &[Milestone],
    policy: &Policy,
    decision: &Decision,
) -> bool {
    let before = project.recorded_entry_of(facts);
    let after = recorded_db_change(facts, decision);
    if before == after.as_ref() {
        return false;
    }
    let next = project.with_entry_of(facts, after);
    batch_milestones(milestones, project, policy) != batch_milestones(milestones, &next, policy)
}
