//! Scenarios: the project's downtime rule. Under `contract-only` an
//! expand-only MR is labelled and described but needs no downtime: no
//! batch, no gate rule, no warning; a contract or unknown migration counts
//! as under `any-migration`.

use super::*;
use crate::core::compat::{Compat, Downtime, OpKind, Operation};

fn contract_only() -> World {
    let mut world = World::lava().db_change_in(7, M2026_12);
    world.policy.downtime = Downtime::ContractOnly;
    world
}

/// An MR whose one migration has `compat`, with an operation to show.
fn mr_with(compat: Compat) -> ItemFacts {
    let mut item = mr(1).with_migration();
    item.matches[0].compat = compat;
    item.matches[0].operations = vec![
        Operation::new(OpKind::DropColumn, compat)
            .table("device")
            .column("health"),
    ];
    item
}

#[test]
fn an_expand_only_mr_is_labelled_but_needs_no_downtime() {
    let d = contract_only().decide(&mr_with(Compat::Expand));
    assert_eq!(d.labels_to_add, [LABEL], "labelled: it has migrations");
    assert!(!d.is_db_change, "but it needs no downtime");
    assert_eq!(d.db_change_reason, Some(DbChangeReason::Migrations));
    assert_eq!(d.milestone_change, None, "no batch");
    assert_eq!(d.announcement_due, None, "no warning");
    d.passes_with("expand-only database changes: no downtime needed");
    let comment = d.comment.expect("described");
    assert!(
        comment.contains("needs no downtime and may ship in any release")
            && comment.contains("**expand**"),
        "{comment}"
    );
}

#[test]
fn a_contract_or_unknown_migration_still_needs_downtime() {
    for compat in [Compat::Contract, Compat::Unknown] {
        let d = contract_only().decide(&mr_with(compat));
        assert!(d.is_db_change, "{compat}");
        assert_eq!(
            d.milestone_change,
            Some(MilestoneChange::Set(M2026_12)),
            "{compat}: batched"
        );
        let comment = d.comment.expect("a comment");
        assert!(
            comment.contains(&format!("{compat}: drops column `device.health`")),
            "{comment}"
        );
    }
}

#[test]
fn any_migration_counts_an_expand_only_mr_as_before() {
    let world = World::lava().db_change_in(7, M2026_12);
    assert_eq!(world.policy.downtime, Downtime::AnyMigration);
    let d = world.decide(&mr_with(Compat::Expand));
    assert!(d.is_db_change);
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
    assert!(
        d.comment
            .unwrap()
            .contains("upgrading to the release that ships it needs downtime")
    );
}

#[test]
fn a_label_the_bot_added_stays_when_a_push_makes_the_mr_expand_only() {
    let mut item = mr_with(Compat::Expand);
    item.ownership.bot_added_label = true;
    item.labels.push(LABEL.to_string());
    let d = contract_only().decide(&item);
    assert!(d.labels_to_remove.is_empty(), "{:?}", d.labels_to_remove);
    assert!(!d.is_db_change);
}
