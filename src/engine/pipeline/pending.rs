//! Crash safety for label and milestone writes. Before the request goes
//! out, the record is saved with the writes as `pending` and the ownership
//! from before them; after, the final record clears it. A run that finds a
//! `pending` note knows the previous attempt may have landed part of it, and
//! credits what is now on the item to the bot rather than to a person.

use crate::core::policy::Ownership;
use crate::core::types::MilestoneId;
use crate::forge::{ItemUpdate, MilestoneUpdate};
use crate::store::PendingWrites;

/// The write-ahead note for an item update; `None` when nothing is written.
pub fn pending_for(update: &ItemUpdate) -> Option<PendingWrites> {
    if update.is_empty() {
        return None;
    }
    Some(PendingWrites {
        add_labels: update.add_labels.clone(),
        remove_labels: update.remove_labels.clone(),
        milestone: match update.milestone {
            Some(MilestoneUpdate::Set(id)) => Some(id),
            _ => None,
        },
    })
}

/// Credits to the bot what an unfinished run wrote: a pending label now
/// present was added by the bot, a pending removal now absent was the bot's
/// own, a pending milestone now set was set by the bot.
pub fn credit_unfinished_writes(
    ownership: &mut Ownership,
    pending: &PendingWrites,
    label: &str,
    labels_now: &[String],
    milestone_now: Option<MilestoneId>,
) {
    let present = labels_now.iter().any(|l| l.eq_ignore_ascii_case(label));
    let names = |list: &[String]| list.iter().any(|l| l.eq_ignore_ascii_case(label));
    if names(&pending.add_labels) && present {
        ownership.bot_added_label = true;
        ownership.label_removed_by_person = false;
    }
    if names(&pending.remove_labels) && !present {
        ownership.bot_added_label = false;
    }
    if let Some(id) = pending.milestone
        && milestone_now == Some(id)
    {
        ownership.bot_set_milestone = Some(id);
        ownership.milestone_cleared_by_person = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABEL: &str = "Database changes";

    fn pending(add: &[&str], remove: &[&str], milestone: Option<u64>) -> PendingWrites {
        PendingWrites {
            add_labels: add.iter().map(|s| s.to_string()).collect(),
            remove_labels: remove.iter().map(|s| s.to_string()).collect(),
            milestone: milestone.map(MilestoneId),
        }
    }

    #[test]
    fn a_label_the_crashed_run_added_counts_as_the_bots() {
        let mut ownership = Ownership::default();
        credit_unfinished_writes(
            &mut ownership,
            &pending(&[LABEL], &[], None),
            LABEL,
            &["database changes".to_string()],
            None,
        );
        assert!(ownership.bot_added_label);
        assert!(!ownership.label_removed_by_person);
    }

    #[test]
    fn a_label_the_crashed_run_never_added_stays_unowned() {
        let mut ownership = Ownership::default();
        credit_unfinished_writes(
            &mut ownership,
            &pending(&[LABEL], &[], Some(3)),
            LABEL,
            &[],
            None,
        );
        assert_eq!(ownership, Ownership::default());
    }

    #[test]
    fn a_removal_the_crashed_run_made_is_not_read_as_a_persons() {
        let mut ownership = Ownership {
            bot_added_label: true,
            ..Ownership::default()
        };
        credit_unfinished_writes(
            &mut ownership,
            &pending(&[], &[LABEL], None),
            LABEL,
            &[],
            None,
        );
        assert!(!ownership.bot_added_label);
        assert!(!ownership.label_removed_by_person);
    }

    #[test]
    fn a_milestone_the_crashed_run_set_counts_as_the_bots() {
        let mut ownership = Ownership::default();
        credit_unfinished_writes(
            &mut ownership,
            &pending(&[], &[], Some(12)),
            LABEL,
            &[],
            Some(MilestoneId(12)),
        );
        assert_eq!(ownership.bot_set_milestone, Some(MilestoneId(12)));
        let mut other = Ownership::default();
        credit_unfinished_writes(
            &mut other,
            &pending(&[], &[], Some(12)),
            LABEL,
            &[],
            Some(MilestoneId(11)),
        );
        assert_eq!(other.bot_set_milestone, None);
    }

    #[test]
    fn only_a_non_empty_update_leaves_a_note() {
        assert_eq!(pending_for(&ItemUpdate::default()), None);
        let update = ItemUpdate {
            add_labels: vec![LABEL.into()],
            remove_labels: Vec::new(),
            milestone: Some(MilestoneUpdate::Set(MilestoneId(4))),
        };
        assert_eq!(pending_for(&update), Some(pending(&[LABEL], &[], Some(4))));
    }
}
