//! Scenarios: which milestone a database change sits in (docs/policy.md).

use super::*;

#[test]
fn db_mr_without_milestone_joins_the_batch() {
    let world = World::lava().db_change_in(7, M2026_12);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
    assert_eq!(d.ownership.bot_set_milestone, Some(M2026_12));
    assert_eq!(d.batch, Some(M2026_12));
}

#[test]
fn db_mr_joins_the_batch_even_when_it_is_due_within_the_lead_time() {
    // 2026.11 is due in 7 days, but the batch is where the cycle's changes go.
    let world = World::lava().db_change_in(7, M2026_11);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_11)));
}

#[test]
fn lead_time_skips_the_milestone_due_in_5_days() {
    let world = World::lava().due(M2026_11, Some("2026-11-08"));
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
    assert_eq!(d.batch, Some(M2026_12));
}

#[test]
fn milestone_due_exactly_lead_time_away_is_assignable() {
    let world = World::lava().due(M2026_11, Some("2026-11-17"));
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_11)));
}

#[test]
fn open_release_without_due_date_is_assignable() {
    let world = World::lava()
        .due(M2026_12, Some("2026-11-12"))
        .due(M2027_01, None);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2027_01)));
}

#[test]
fn no_assignable_milestone_fails_asking_to_create_one() {
    let world = World::lava()
        .closed(M2026_12)
        .closed(M2027_01)
        .policy(|p| p.gate.require_announcement = false);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, None);
    assert_eq!(d.batch, None);
    d.fails_with(&[
        "this MR has no release milestone; no open release milestone is due at least 14 days from now; create one",
    ]);
    let comment = d.comment.unwrap();
    assert!(comment.contains("Create a release milestone due on or after 2026-11-17"));
}

#[test]
fn non_release_milestones_are_never_assigned() {
    // Backlog has no due date but is not a release.
    let world = World::lava().closed(M2026_12).closed(M2027_01);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, None);
}

#[test]
fn assign_milestone_off_leaves_it_empty_and_fails_naming_the_batch() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .policy(|p| p.assign_milestone = false);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.milestone_change, None);
    d.fails_with(&[
        "this MR has no release milestone; the database changes of this cycle are batched in 2026.12; move this MR there",
    ]);
}

#[test]
fn persons_milestone_outside_the_batch_fails_naming_the_batch() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .warning_sent(M2026_12, "2026-11-01");
    let d = world.decide(&mr(1).with_migration().person_milestone(M2027_01));
    assert_eq!(
        d.milestone_change, None,
        "a person's milestone is never moved"
    );
    assert_eq!(d.batch, Some(M2026_12));
    let verdict = d.verdict_ref();
    assert!(
        verdict.reasons.contains(
            &"the database changes of this cycle are batched in 2026.12; move this MR there"
                .to_string()
        )
    );
}

#[test]
fn persons_backlog_milestone_is_not_moved_and_fails_naming_the_batch() {
    let world = World::lava()
        .db_change_in(7, M2026_11)
        .warning_sent(M2026_11, "2026-11-01");
    let d = world.decide(&mr(1).with_migration().person_milestone(BACKLOG));
    assert_eq!(d.milestone_change, None);
    d.fails_with(&[
        "Backlog is not an open release milestone; the database changes of this cycle are batched in 2026.11; move this MR there",
    ]);
}

#[test]
fn persons_milestone_becomes_the_batch_when_no_other_release_holds_changes() {
    let world = World::lava().warning_sent(M2026_11, "2026-11-01");
    let d = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(d.milestone_change, None);
    assert_eq!(d.batch, Some(M2026_11));
    d.passes_with("database changes batched in 2026.11, announced 2026-11-01");
}

#[test]
fn person_cleared_the_bots_milestone_so_it_is_not_assigned_again() {
    let world = World::lava()
        .db_change_in(7, M2026_11)
        .warning_sent(M2026_11, "2026-11-01");
    let mut item = mr(1).with_migration().bot_label();
    item.ownership.bot_set_milestone = Some(M2026_11); // the milestone is gone now
    let d = world.decide(&item);
    assert_eq!(d.milestone_change, None);
    assert!(d.ownership.milestone_cleared_by_person);
    assert_eq!(d.ownership.bot_set_milestone, None);
    d.fails_with(&[
        "this MR has no release milestone; the database changes of this cycle are batched in 2026.11; move this MR there",
    ]);
}

#[test]
fn person_moving_the_bots_milestone_takes_it_over() {
    let world = World::lava().db_change_in(7, M2026_11);
    let mut item = mr(1)
        .with_migration()
        .bot_label()
        .person_milestone(M2027_01);
    item.ownership.bot_set_milestone = Some(M2026_11);
    let d = world.decide(&item);
    assert_eq!(d.milestone_change, None, "now it is the person's milestone");
    assert_eq!(d.ownership.bot_set_milestone, None);
    assert!(!d.ownership.milestone_cleared_by_person);
}

#[test]
fn bot_moves_its_own_milestone_when_that_release_shipped_without_the_mr() {
    let world = World::lava().closed(M2026_11).db_change_in(7, M2027_01);
    let item = mr(1).with_migration().bot_label().bot_milestone(M2026_11);
    let d = world.decide(&item);
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2027_01)));
    assert_eq!(d.ownership.bot_set_milestone, Some(M2027_01));
}

#[test]
fn max_open_batches_a_second_batch_is_not_opened() {
    let world = World::lava().db_change_in(7, M2026_12);
    let placed_later = mr(1).with_migration().person_milestone(M2027_01);
    let one = world.decide(&placed_later);
    assert!(
        one.verdict_ref().reasons.contains(
            &"the database changes of this cycle are batched in 2026.12; move this MR there"
                .to_string()
        )
    );
    let two = world
        .clone()
        .policy(|p| p.max_open_batches = std::num::NonZeroUsize::new(2).unwrap())
        .decide(&placed_later);
    assert_eq!(
        two.batch,
        Some(M2027_01),
        "with two allowed, 2027.01 is a batch too"
    );
    assert!(
        two.verdict_ref()
            .reasons
            .iter()
            .all(|r| !r.contains("batched in"))
    );
}

#[test]
fn announced_batch_stays_the_batch_when_an_earlier_release_gets_a_change() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .warning_sent(M2026_12, "2026-11-01");
    let d = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(d.batch, Some(M2026_12));
    d.fails_with(&[
        "the database changes of this cycle are batched in 2026.12; move this MR there",
    ]);
}

#[test]
fn every_item_sees_the_same_batch_the_earliest_release_when_people_placed_both() {
    // Unannounced changes people put in 2026.11 and 2026.12: 2026.11 is the batch for both.
    let world = World::lava().db_change_placed_by_person_in(7, M2026_12);
    let early = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(early.batch, Some(M2026_11));
    let world = World::lava().db_change_placed_by_person_in(1, M2026_11);
    let late = world.decide(&mr(7).with_migration().person_milestone(M2026_12));
    assert_eq!(late.batch, Some(M2026_11));
    assert!(
        late.verdict_ref()
            .reasons
            .iter()
            .any(|r| r.contains("batched in 2026.11"))
    );
}

#[test]
fn the_batch_the_bot_placed_changes_in_stays_the_batch_when_a_person_puts_one_earlier() {
    // The LAVA story: the bot batched MRs 7 and 8 in 2026.12 (lead time);
    // a person puts a new database change in the next release, 2026.11.
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .db_change_in(8, M2026_12);
    let d = world.decide(&mr(1).with_migration().person_milestone(M2026_11));
    assert_eq!(d.batch, Some(M2026_12));
    assert_eq!(
        d.milestone_change, None,
        "a person's milestone is never moved"
    );
    d.fails_with(&[
        "the database changes of this cycle are batched in 2026.12; move this MR there",
    ]);
    // And the bot's own changes still see 2026.12 as their batch.
    let world = World::lava()
        .db_change_in(8, M2026_12)
        .db_change_placed_by_person_in(1, M2026_11);
    let own = world.decide(&mr(7).with_migration().bot_milestone(M2026_12));
    assert_eq!(own.batch, Some(M2026_12));
    assert_eq!(own.milestone_change, None);
}

#[test]
fn the_items_own_earlier_record_does_not_count_as_another_change() {
    // The store still has MR 1 in 2026.12 from its last evaluation.
    let world = World::lava().db_change_in(1, M2026_12);
    let d = world.decide(&mr(1).with_migration().person_milestone(M2027_01));
    assert_eq!(d.batch, Some(M2027_01));
}
