//! What the forge alone says about a project, for `schemagate check` in CI
//! where the bot's store is out of reach: the database changes and warnings
//! recorded in the milestones' blocks, and who placed an item's label and
//! milestone, replayed from the item's label and milestone events.

use crate::core::block::read_batch_block;
use crate::core::policy::{
    DbItemRef, Decision, ItemFacts, MilestoneChange, Ownership, Policy, ProjectState, Verdict,
    WarningSending, WarningSent, decide,
};
use crate::core::types::{Milestone, MilestoneId};
use chrono::{DateTime, Utc};

/// A milestone as an event names it: GitLab gives the id, GitHub the title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MilestoneRef {
    Id(MilestoneId),
    Title(String),
}

/// One change to an item's labels or milestone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemChange {
    LabelAdded(String),
    LabelRemoved(String),
    MilestoneSet(MilestoneRef),
    MilestoneCleared,
}

/// An entry of an item's history (GitLab resource label and milestone
/// events, GitHub issue events).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEvent {
    pub at: DateTime<Utc>,
    /// The account that made the change (GitLab username, GitHub login).
    pub actor: String,
    pub change: ItemChange,
}

/// The project state the milestones' blocks record: every item listed in a
/// block is a database change in that milestone, a block's warning line
/// is a sent warning, and its sending or refused line the server-less
/// ledger's entry for a warning not sent.
pub fn project_state_from_blocks(milestones: &[Milestone]) -> ProjectState {
    let mut state = ProjectState::default();
    for milestone in milestones {
        let Some(record) = read_batch_block(&milestone.description) else {
            continue;
        };
        state
            .db_changes
            .extend(record.items.into_iter().map(|item| DbItemRef {
                kind: item.kind,
                number: item.number,
                title: item.title,
                web_url: item.web_url,
                milestone: milestone.id,
                placed_by_bot: item.placed_by_bot,
                exception: item.exception,
                conflicts: item.conflicts,
                breaking: item.breaking,
            }));
        if let Some(sent_at) = record.warning_sent {
            state.warnings_sent.push(WarningSent {
                milestone: milestone.id,
                sent_at,
            });
        } else if let Some(record) = record.sending {
            // Given up: the gate says so, as for a `failed` row in the store.
            if record.given_up {
                state.warnings_failed.push(milestone.id);
            }
            state.warnings_sending.push(WarningSending {
                milestone: milestone.id,
                message_id: record.message_id,
                since: record.since,
                refusals: record.refusals,
                given_up: record.given_up,
            });
        }
    }
    state
}

/// The bot's ownership record as the store would hold it, replayed from the
/// item's events in time order. `is_bot` says which account is the bot's.
/// The rules mirror what the server records as it works: the bot's own
/// label or milestone is the bot's until a person replaces or removes it,
/// and a person removing the bot's label (or clearing its milestone) is
/// remembered, so the bot never puts it back.
pub fn ownership_from_events(
    events: &[ItemEvent],
    label: &str,
    milestones: &[Milestone],
    is_bot: impl Fn(&str) -> bool,
) -> Ownership {
    let mut ordered: Vec<&ItemEvent> = events.iter().collect();
    ordered.sort_by_key(|e| e.at);
    let mut ownership = Ownership::default();
    for event in ordered {
        let by_bot = is_bot(&event.actor);
        match &event.change {
            ItemChange::LabelAdded(name) if name.eq_ignore_ascii_case(label) => {
                ownership.bot_added_label = by_bot;
                if by_bot {
                    ownership.label_removed_by_person = false;
                }
            }
            ItemChange::LabelRemoved(name) if name.eq_ignore_ascii_case(label) => {
                if !by_bot && ownership.bot_added_label {
                    ownership.label_removed_by_person = true;
                }
                ownership.bot_added_label = false;
            }
            ItemChange::LabelAdded(_) | ItemChange::LabelRemoved(_) => {}
            ItemChange::MilestoneSet(milestone) => {
                let id = resolve(milestone, milestones);
                if by_bot && id.is_some() {
                    ownership.bot_set_milestone = id;
                    ownership.milestone_cleared_by_person = false;
                } else {
                    ownership.bot_set_milestone = None;
                }
            }
            ItemChange::MilestoneCleared => {
                if !by_bot && ownership.bot_set_milestone.is_some() {
                    ownership.milestone_cleared_by_person = true;
                }
                ownership.bot_set_milestone = None;
            }
        }
    }
    ownership
}

fn resolve(milestone: &MilestoneRef, milestones: &[Milestone]) -> Option<MilestoneId> {
    match milestone {
        MilestoneRef::Id(id) => Some(*id),
        MilestoneRef::Title(title) => milestones.iter().find(|m| &m.title == title).map(|m| m.id),
    }
}

/// Which parts of the ownership record could change what `decide` does for
/// this item: the verdict, or the label and milestone writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OwnershipNeeds {
    pub label: bool,
    pub milestone: bool,
}

impl OwnershipNeeds {
    pub fn any(self) -> bool {
        self.label || self.milestone
    }
}

/// Decides the item under every ownership record its current labels and
/// milestone allow, and says which part makes a difference. When neither
/// does, the item's history need not be read at all.
pub fn ownership_needs(
    facts: &ItemFacts,
    project: &ProjectState,
    milestones: &[Milestone],
    policy: &Policy,
    now: DateTime<Utc>,
) -> OwnershipNeeds {
    let labels = [(false, false), (true, false), (false, true), (true, true)];
    let mut milestone_options: Vec<Option<MilestoneId>> = vec![None];
    if facts.milestone.is_some() {
        milestone_options.push(facts.milestone);
    }
    let placements: Vec<(Option<MilestoneId>, bool)> = milestone_options
        .iter()
        .flat_map(|m| [(*m, false), (*m, true)])
        .collect();
    let outcome = |label: (bool, bool), placement: (Option<MilestoneId>, bool)| {
        let mut facts = facts.clone();
        facts.ownership = Ownership {
            bot_added_label: label.0,
            label_removed_by_person: label.1,
            bot_set_milestone: placement.0,
            milestone_cleared_by_person: placement.1,
        };
        effect(&decide(&facts, project, milestones, policy, now))
    };
    let label = placements.iter().any(|p| {
        let first = outcome(labels[0], *p);
        labels[1..].iter().any(|l| outcome(*l, *p) != first)
    });
    let milestone = labels.iter().any(|l| {
        let first = outcome(*l, placements[0]);
        placements[1..].iter().any(|p| outcome(*l, *p) != first)
    });
    OwnershipNeeds { label, milestone }
}

type Effect = (
    Option<Verdict>,
    Vec<String>,
    Vec<String>,
    Option<MilestoneChange>,
    bool,
);

/// What a decision does that ownership may change: the verdict and the
/// label and milestone writes (not the comment's wording).
fn effect(decision: &Decision) -> Effect {
    (
        decision.verdict.clone(),
        decision.labels_to_add.clone(),
        decision.labels_to_remove.clone(),
        decision.milestone_change,
        decision.is_db_change,
    )
}

#[cfg(test)]
mod tests;
