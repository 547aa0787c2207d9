//! Replaying item histories into ownership, reading project state from
//! blocks, and knowing when the history need not be read.

use super::*;
use crate::core::block::{BatchBlock, BlockItem, WarningNote, apply_batch_block};
use crate::core::ids::ItemNumber;
use crate::core::policy::ItemKind;
use crate::core::policy::tests::{Given, LABEL, M2026_11, M2026_12, World, mr};
use chrono::TimeZone;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 10, minute, 0).unwrap()
}

fn event(minute: u32, actor: &str, change: ItemChange) -> ItemEvent {
    ItemEvent {
        at: at(minute),
        actor: actor.into(),
        change,
    }
}

fn replay(events: &[ItemEvent]) -> Ownership {
    let world = World::lava();
    ownership_from_events(events, LABEL, &world.milestones, |who| who == "bot")
}

#[test]
fn the_bots_label_and_milestone_are_the_bots_until_a_person_changes_them() {
    let owned = replay(&[
        event(1, "bot", ItemChange::LabelAdded("database changes".into())),
        event(
            2,
            "bot",
            ItemChange::MilestoneSet(MilestoneRef::Id(M2026_12)),
        ),
        event(3, "ann", ItemChange::LabelAdded("backend".into())),
    ]);
    assert!(owned.bot_added_label);
    assert_eq!(owned.bot_set_milestone, Some(M2026_12));
    assert!(!owned.label_removed_by_person && !owned.milestone_cleared_by_person);
}

#[test]
fn a_person_removing_the_bots_label_or_clearing_its_milestone_is_remembered() {
    // Listed out of order: the replay sorts by time.
    let owned = replay(&[
        event(4, "ann", ItemChange::MilestoneCleared),
        event(3, "ann", ItemChange::LabelRemoved(LABEL.into())),
        event(1, "bot", ItemChange::LabelAdded(LABEL.into())),
        event(
            2,
            "bot",
            ItemChange::MilestoneSet(MilestoneRef::Title("2026.12".into())),
        ),
    ]);
    assert!(!owned.bot_added_label);
    assert!(owned.label_removed_by_person);
    assert_eq!(owned.bot_set_milestone, None);
    assert!(owned.milestone_cleared_by_person);
}

#[test]
fn a_persons_label_and_milestone_are_never_the_bots() {
    let owned = replay(&[
        event(1, "ann", ItemChange::LabelAdded(LABEL.into())),
        event(
            2,
            "ann",
            ItemChange::MilestoneSet(MilestoneRef::Id(M2026_11)),
        ),
        // A person removing a person's label says nothing about the bot.
        event(3, "bob", ItemChange::LabelRemoved(LABEL.into())),
    ]);
    assert_eq!(owned, Ownership::default());
    // A person moving the bot's milestone makes it the person's.
    let moved = replay(&[
        event(
            1,
            "bot",
            ItemChange::MilestoneSet(MilestoneRef::Id(M2026_12)),
        ),
        event(
            2,
            "ann",
            ItemChange::MilestoneSet(MilestoneRef::Id(M2026_11)),
        ),
    ]);
    assert_eq!(moved.bot_set_milestone, None);
    assert!(!moved.milestone_cleared_by_person);
    // A milestone title no milestone has cannot be the bot's.
    let unknown = replay(&[event(
        1,
        "bot",
        ItemChange::MilestoneSet(MilestoneRef::Title("gone".into())),
    )]);
    assert_eq!(unknown.bot_set_milestone, None);
}

#[test]
fn blocks_give_the_database_changes_and_the_warnings() {
    let mut world = World::lava();
    let block = BatchBlock {
        items: vec![
            BlockItem {
                kind: ItemKind::MergeRequest,
                number: ItemNumber(42),
                title: "Add a field".into(),
                web_url: Some("https://forge.example/mr/42".into()),
                placed_by_bot: true,
                exception: None,
                conflicts: Vec::new(),
                breaking: Vec::new(),
            },
            BlockItem {
                kind: ItemKind::Issue,
                number: ItemNumber(12),
                title: "Plan".into(),
                web_url: None,
                placed_by_bot: false,
                exception: None,
                conflicts: Vec::new(),
                breaking: Vec::new(),
            },
        ],
        warning: Some(WarningNote {
            sent_at: at(5),
            to: vec!["list@example.org".into()],
        }),
        sending: None,
    };
    let m = world
        .milestones
        .iter_mut()
        .find(|m| m.id == M2026_12)
        .unwrap();
    m.description = apply_batch_block("Release notes.", Some(&block));
    let state = project_state_from_blocks(&world.milestones);
    assert_eq!(state.db_changes.len(), 2);
    assert!(state.db_changes.iter().all(|c| c.milestone == M2026_12));
    let mr = state.db_changes.iter().find(|c| c.number == 42).unwrap();
    assert!(mr.placed_by_bot);
    assert_eq!(mr.title, "Add a field");
    assert_eq!(state.warning_sent(M2026_12), Some(at(5)));
    assert_eq!(state.warning_sent(M2026_11), None);
}

#[test]
fn history_is_needed_only_where_ownership_changes_the_outcome() {
    let world = World::lava().db_change_in(7, M2026_12);
    let needs = |item| {
        ownership_needs(
            &item,
            &world.project,
            &world.milestones,
            &world.policy,
            world.now,
        )
    };
    // Labelled and in the only batch: whoever placed them, nothing changes.
    let settled = mr(1)
        .with_migration()
        .person_label(LABEL)
        .person_milestone(M2026_12);
    assert_eq!(needs(settled), OwnershipNeeds::default());
    // Outside the batch: the bot moves its own milestone, never a person's.
    let outside = mr(2)
        .with_migration()
        .person_label(LABEL)
        .person_milestone(M2026_11);
    assert!(needs(outside).milestone);
    // No migrations but the label: the bot removes only its own label.
    let labelled = mr(3).person_label(LABEL);
    assert!(needs(labelled).label);
    // Migrations without the label: re-added unless a person removed it.
    let unlabelled = mr(4).with_migration().person_milestone(M2026_12);
    assert!(needs(unlabelled).label);
}

#[test]
fn a_begun_send_is_kept_in_the_block_until_the_warning_is_sent() {
    let mut world = World::lava();
    let mut block = BatchBlock {
        items: vec![BlockItem {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(42),
            title: "Add a field".into(),
            web_url: None,
            placed_by_bot: true,
            exception: None,
            conflicts: Vec::new(),
            breaking: Vec::new(),
        }],
        warning: None,
        sending: Some(crate::core::policy::WarningSending {
            milestone: M2026_12,
            message_id: "<warning.2026-12@lava.example.org>".into(),
            since: at(4),
            refusals: 0,
            given_up: false,
        }),
    };
    let m = world
        .milestones
        .iter_mut()
        .find(|m| m.id == M2026_12)
        .unwrap();
    m.description = apply_batch_block("", Some(&block));
    let state = project_state_from_blocks(&world.milestones);
    let sending = state.warning_sending(M2026_12).expect("a begun send");
    assert_eq!(sending.message_id, "<warning.2026-12@lava.example.org>");
    assert_eq!(sending.since, at(4));
    assert_eq!(state.warning_sent(M2026_12), None);
    // Rendering that state again keeps the line; once sent, it is gone.
    let again = BatchBlock::for_milestone(M2026_12, &state, &[]).unwrap();
    assert_eq!(again.sending, block.sending);
    block.warning = Some(WarningNote {
        sent_at: at(6),
        to: Vec::new(),
    });
    let text = apply_batch_block("", Some(&block));
    assert!(!text.contains("warning-sending"), "{text}");
}

#[test]
fn a_warning_the_block_records_as_given_up_is_failed_and_keeps_its_refusals() {
    let mut world = World::lava();
    let block = BatchBlock {
        items: vec![BlockItem {
            kind: ItemKind::MergeRequest,
            number: ItemNumber(42),
            title: "Add a field".into(),
            web_url: None,
            placed_by_bot: true,
            exception: None,
            conflicts: Vec::new(),
            breaking: Vec::new(),
        }],
        warning: None,
        sending: Some(crate::core::policy::WarningSending {
            milestone: M2026_12,
            message_id: "<warning.2026-12@lava.example.org>".into(),
            since: at(9),
            refusals: 3,
            given_up: true,
        }),
    };
    let m = world
        .milestones
        .iter_mut()
        .find(|m| m.id == M2026_12)
        .unwrap();
    m.description = apply_batch_block("", Some(&block));
    let state = project_state_from_blocks(&world.milestones);
    assert!(state.warning_failed(M2026_12));
    let entry = state.warning_sending(M2026_12).expect("the ledger's entry");
    assert_eq!((entry.refusals, entry.given_up), (3, true));
    // Rendering that state again keeps the refusal in the block.
    let again = BatchBlock::for_milestone(M2026_12, &state, &[]).unwrap();
    assert_eq!(again.sending, block.sending);
}
