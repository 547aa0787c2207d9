//! Whether an item is a database change, and the label delta that follows,
//! respecting what people did to the label.

use super::facts::{DbChangeReason, ItemFacts, ItemKind, Ownership};

/// Why the item is a database change, or `None` when it is not one.
///
/// Detected `schema`/`data` migrations come first. Otherwise the engine's
/// reason (an issue closed by a database-change MR, keywords) counts, and an
/// issue carrying the label the bot did not add was labelled by a person. On
/// an MR a person's label alone does not make a database change: it is just
/// left alone.
pub(super) fn db_change_reason(facts: &ItemFacts, label: &str) -> Option<DbChangeReason> {
    if facts.has_db_migrations() {
        return Some(DbChangeReason::Migrations);
    }
    if let Some(reason) = &facts.db_change_reason {
        return Some(reason.clone());
    }
    let person_labelled_issue =
        facts.kind == ItemKind::Issue && facts.has_label(label) && !facts.ownership.bot_added_label;
    person_labelled_issue.then_some(DbChangeReason::LabelledByPerson)
}

/// The labels to add and remove, updating `ownership`.
///
/// A bot-added label that is gone was removed by a person: it is never added
/// again. The bot removes only the label it added, and only when the item is
/// no longer a database change (migrations force-pushed away).
pub(super) fn label_delta(
    facts: &ItemFacts,
    label: &str,
    is_db_change: bool,
    ownership: &mut Ownership,
) -> (Vec<String>, Vec<String>) {
    let present = facts.has_label(label);
    if ownership.bot_added_label && !present {
        ownership.bot_added_label = false;
        ownership.label_removed_by_person = true;
    }
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
