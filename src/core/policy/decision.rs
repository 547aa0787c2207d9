//! What `decide` returns: data only, the smallest set of writes for the engine.

use super::facts::{DbChangeReason, ExceptionNote, ItemFacts, Ownership};
use crate::core::types::MilestoneId;
use serde::{Deserialize, Serialize};

/// A milestone write. The bot only ever sets one: it never clears a
/// milestone, nor moves one a person set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneChange {
    Set(MilestoneId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GateState {
    Success,
    Failure,
}

/// The gate's answer for an MR: the `schemagate` status and `check`'s exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub state: GateState,
    /// One line for the status description.
    pub summary: String,
    /// Every failed rule, one sentence each (empty on success).
    pub reasons: Vec<String>,
    /// What to do about each reason, in the same order.
    #[serde(default)]
    pub advice: Vec<String>,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.state == GateState::Success
    }
}

/// The decision for one MR or issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Labels to add, against the item's current labels.
    pub labels_to_add: Vec<String>,
    /// Labels to remove (spelled as on the item).
    pub labels_to_remove: Vec<String>,
    pub milestone_change: Option<MilestoneChange>,
    /// The gate verdict; `None` for issues and for closed or merged MRs
    /// (their status is left as it is).
    pub verdict: Option<Verdict>,
    /// The full text of the bot's comment; `None` when there is nothing to
    /// say and no comment exists yet, or the item is closed.
    pub comment: Option<String>,
    /// The ownership record to store after applying the writes.
    pub ownership: Ownership,
    pub is_db_change: bool,
    pub db_change_reason: Option<DbChangeReason>,
    /// The batch this item belongs in (or the project's first batch).
    pub batch: Option<MilestoneId>,
    /// The downtime warning for this milestone is due now.
    pub announcement_due: Option<MilestoneId>,
    /// The approved exception that holds for this MR (placement rules waived).
    pub exception: Option<ExceptionNote>,
    /// The active exception no longer covers the MR's migration files: why.
    /// The engine ends it on the record.
    pub lapsed: Option<String>,
}

impl Decision {
    /// The item's labels once the decision is applied: the delta was
    /// computed against `facts.labels`, removals spelled as they are there.
    pub fn labels_after(&self, facts: &ItemFacts) -> Vec<String> {
        let mut labels: Vec<String> = facts
            .labels
            .iter()
            .filter(|l| !self.labels_to_remove.contains(l))
            .cloned()
            .collect();
        labels.extend(self.labels_to_add.iter().cloned());
        labels
    }

    /// The item's milestone once the decision is applied.
    pub fn milestone_after(&self, facts: &ItemFacts) -> Option<MilestoneId> {
        match self.milestone_change {
            Some(MilestoneChange::Set(id)) => Some(id),
            None => facts.milestone,
        }
    }
}
