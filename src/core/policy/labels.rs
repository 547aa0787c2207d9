//! Whether an item is a database change, and the label delta that follows,
//! respecting what people did to the label.

use super::facts::{DbChangeReason, ItemFacts, ItemKind, Ownership};

/// Records a person's label edit: a bot-added label that is gone was
/// removed by a person, and is never added again.
pub(super) fn observe_label(facts: &ItemFacts, label: &str, ownership: &mut Ownership) {
    if ownership.bot_added_label && !facts.has_label(label) {
        ownership.bot_added_label = false;
        ownership.label_removed_by_person = true;
    }
}

/// Why the item is a database change, or `None` when it is not one, given
/// the ownership record after `observe_label`.
///
/// Detected `schema`/`data` migrations are facts and always count. On an
/// issue the label is the signal: a person who removed it has said no, even
/// to a closing MR's propagation; otherwise the engine's reason (closed by a
/// database-change MR, keywords) counts, and a label the bot did not add was
/// set by a person. On an MR a person's label alone does not make a database
/// change: it is just left alone.
pub(super) fn db_change_reason(
    facts: &ItemFacts,
    label: &str,
    ownership: &Ownership,
) -> Option<DbChangeReason> {
    if facts.has_db_migrations() {
        return Some(DbChangeReason::Migrations);
    }
    let is_issue = facts.kind == ItemKind::Issue;
    let labelled = facts.has_label(label);
    if is_issue && !labelled && ownership.label_removed_by_person {
        return None;
    }
    if let Some(reason) = &facts.db_change_reason {
        return Some(reason.clone());
    }
    let person_labelled_issue = is_issue && labelled && !ownership.bot_added_label;
    person_labelled_issue.then_some(DbChangeReason::LabelledByPerson)
}

/// The labels to add and remove, updating `ownership`. The bot removes only
/// the label it added, and only when the item is no longer a database change
/// (migrations force-pushed away).
pub(super) fn label_delta(
    facts: &ItemFacts,
    label: &str,
    is_db_change: bool,
    ownership: &mut Ownership,
) -> (Vec<String>, Vec<String>) {
    let present = facts.has_label(label);
    let mut add = Vec::new();
    let mut remove = Vec::new();
    if is_db_change && !present && !ownership.label_removed_by_person {
        add.push(label.to_string());
        ownership.bot_added_label = true;
    } else if !is_db_change && present && ownership.bot_added_label {
        // Remove it under the spelling the forge has, which may differ in case.
        let spelled = facts
            .labels
            .iter()
            .find(|l| l.eq_ignore_ascii_case(label))
            .cloned()
            .unwrap_or_else(|| label.to_string());
        remove.push(spelled);
        ownership.bot_added_label = false;
    }
    (add, remove)
}
