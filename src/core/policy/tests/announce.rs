//! Scenarios: when the downtime warning is due (every trigger in docs/announcements.md).

use super::*;

fn trigger(world: World, trigger: AnnounceTrigger) -> World {
    world.policy(|p| p.announce_trigger = trigger)
}

#[test]
fn work_starts_warning_is_due_when_the_batch_is_the_next_release() {
    let world = World::lava();
    let d = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(d.announcement_due, Some(M2026_11));
}

#[test]
fn work_starts_warning_is_not_due_for_a_later_batch_before_its_start_date() {
    let world = World::lava().starts(M2026_12, "2026-11-20");
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.batch, Some(M2026_12));
    assert_eq!(d.announcement_due, None);
}

#[test]
fn work_starts_warning_is_due_once_the_start_date_is_reached() {
    let world = World::lava().starts(M2026_12, "2026-11-03");
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.announcement_due, Some(M2026_12));
}

#[test]
fn work_starts_warning_is_due_when_closing_the_next_release_makes_the_batch_next() {
    let world = World::lava().db_change_in(7, M2026_12);
    assert!(!world.announcement_due(M2026_12));
    assert!(world.clone().closed(M2026_11).announcement_due(M2026_12));
}

#[test]
fn first_change_warning_is_due_as_soon_as_the_batch_holds_one() {
    let world = trigger(World::lava(), AnnounceTrigger::FirstChange);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
    assert_eq!(d.announcement_due, Some(M2026_12));
}

#[test]
fn first_change_warning_is_not_due_for_a_milestone_without_changes() {
    let world = trigger(World::lava(), AnnounceTrigger::FirstChange);
    assert!(!world.announcement_due(M2026_12));
    assert!(world.db_change_in(7, M2026_12).announcement_due(M2026_12));
}

#[test]
fn manual_warning_is_never_due_automatically() {
    let world = trigger(
        World::lava().starts(M2026_11, "2026-10-01"),
        AnnounceTrigger::Manual,
    );
    let d = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(d.announcement_due, None);
    assert!(!world.db_change_in(7, M2026_11).announcement_due(M2026_11));
}

#[test]
fn warning_already_sent_is_not_due_again() {
    let world = World::lava().warning_sent(M2026_11, "2026-11-01");
    let d = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(d.announcement_due, None);
    assert!(!world.db_change_in(7, M2026_11).announcement_due(M2026_11));
}

#[test]
fn warning_is_not_due_for_a_misplaced_change_outside_the_batch() {
    let world = trigger(World::lava(), AnnounceTrigger::FirstChange)
        .db_change_in(7, M2026_12)
        .db_change_in(8, M2027_01);
    assert!(world.announcement_due(M2026_12));
    assert!(!world.announcement_due(M2027_01));
    let d = world.decide(&mr(1).with_migration().person_milestone(M2027_01));
    assert_eq!(d.announcement_due, None);
}

#[test]
fn non_db_mr_never_makes_a_warning_due() {
    let d = World::lava().decide(&mr(1).person_milestone(M2026_11));
    assert_eq!(d.announcement_due, None);
}

#[test]
fn batch_helpers_agree_with_the_recorded_changes() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .db_change_in(8, M2027_01);
    let batches = batch_milestones(&world.milestones, &world.project, &world.policy);
    assert_eq!(batches, [M2026_12]);
    assert!(is_batch(
        M2026_12,
        &world.milestones,
        &world.project,
        &world.policy
    ));
    assert!(!is_batch(
        M2027_01,
        &world.milestones,
        &world.project,
        &world.policy
    ));
    assert_eq!(
        assignable_milestone(&world.milestones, &world.policy, world.now),
        Some(M2026_12)
    );
}
