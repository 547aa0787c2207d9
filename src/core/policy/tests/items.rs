//! Scenarios: item kinds and states, the comment's life, idempotence and
//! the helpers the engine uses to keep milestone blocks current.

use super::*;
use crate::core::ids::ItemNumber;

#[test]
fn closed_mr_gets_no_writes() {
    let world = World::lava();
    let item = mr(1)
        .with_migration()
        .person_milestone(M2026_12)
        .with_bot_comment()
        .state(ItemState::Closed);
    let d = world.decide(&item);
    d.no_label_or_milestone_writes();
    assert_eq!(d.verdict, None);
    assert_eq!(d.comment, None);
    assert_eq!(d.announcement_due, None);
    assert_eq!(d.ownership, item.ownership);
    assert_eq!(
        recorded_db_change(&item, &d),
        None,
        "an abandoned MR leaves its batch"
    );
}

#[test]
fn merged_mr_gets_no_writes_but_stays_in_its_batch() {
    let world = World::lava();
    let item = mr(1).with_migration().bot_label().state(ItemState::Merged);
    let item = item.person_milestone(M2026_11);
    let d = world.decide(&item);
    d.no_label_or_milestone_writes();
    assert_eq!(d.verdict, None);
    assert_eq!(d.comment, None);
    assert_eq!(
        recorded_db_change(&item, &d).map(|r| r.milestone),
        Some(M2026_11)
    );
}

#[test]
fn issue_closed_by_a_db_mr_gets_label_and_milestone_but_no_verdict() {
    let world = World::lava().db_change_in(7, M2026_12);
    let item = issue(12).reason(DbChangeReason::ClosedByMergeRequest {
        number: ItemNumber(7),
    });
    let d = world.decide(&item);
    assert_eq!(d.labels_to_add, [LABEL]);
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
    assert_eq!(d.verdict, None);
    let comment = d.comment.unwrap();
    assert!(comment.contains("merge request 7, a database change, closes it"));
    assert!(!comment.contains("**Gate:**"));
}

#[test]
fn issue_labelled_by_a_person_is_batched_without_label_writes() {
    let world = World::lava().db_change_in(7, M2026_12);
    let d = world.decide(&issue(12).person_label(LABEL));
    assert_eq!(d.db_change_reason, Some(DbChangeReason::LabelledByPerson));
    assert!(d.labels_to_add.is_empty() && d.labels_to_remove.is_empty());
    assert_eq!(d.milestone_change, Some(MilestoneChange::Set(M2026_12)));
}

#[test]
fn issue_in_a_persons_milestone_outside_the_batch_says_where_the_batch_is() {
    let world = World::lava().db_change_in(7, M2026_12);
    let d = world.decide(&issue(12).person_label(LABEL).person_milestone(M2027_01));
    assert_eq!(d.milestone_change, None);
    assert_eq!(d.verdict, None);
    let comment = d.comment.unwrap();
    assert!(comment.contains("batched in 2026.12; move this issue there"));
    assert!(comment.contains("Set this issue's milestone to 2026.12."));
}

#[test]
fn issue_whose_closing_mr_lost_its_migrations_loses_the_bots_label() {
    let world = World::lava();
    let d = world.decide(&issue(12).bot_label());
    assert!(!d.is_db_change);
    assert_eq!(d.labels_to_remove, [LABEL]);
}

#[test]
fn draft_mr_is_decided_like_a_ready_one() {
    let world = World::lava().db_change_in(7, M2026_12);
    let ready = mr(1).with_migration();
    let mut draft = ready.clone();
    draft.draft = true;
    assert_eq!(world.decide(&draft), world.decide(&ready));
}

#[test]
fn comment_exists_only_when_there_is_something_to_say() {
    let world = World::lava();
    assert_eq!(world.decide(&mr(1)).comment, None);
    assert!(world.decide(&mr(1).with_migration()).comment.is_some());
    assert!(
        world
            .decide(&mr(1).person_milestone(M2026_12))
            .comment
            .is_some()
    );
}

#[test]
fn existing_comment_is_kept_current_after_the_migrations_are_gone() {
    let world = World::lava();
    let d = world.decide(&mr(1).bot_label().with_bot_comment());
    let comment = d.comment.expect("an existing comment is kept current");
    assert!(comment.contains("has **no database changes**: no migrations were found."));
    assert!(comment.contains("**Gate:** passing: no database changes."));
}

#[test]
fn second_identical_decision_has_empty_delta() {
    let scenarios: [(&str, World, ItemFacts); 5] = [
        (
            "db MR joins the batch",
            World::lava().db_change_in(7, M2026_12),
            mr(1).with_migration(),
        ),
        (
            "db MR starts a batch",
            World::lava(),
            mr(1).with_migration(),
        ),
        (
            "force-push removed the migration",
            World::lava(),
            mr(1).bot_label().bot_milestone(M2026_11),
        ),
        (
            "issue closed by a db MR",
            World::lava(),
            issue(3).reason(DbChangeReason::ClosedByMergeRequest {
                number: ItemNumber(1),
            }),
        ),
        ("person removed the label", World::lava(), {
            let mut item = mr(1).with_migration();
            item.ownership.bot_added_label = true;
            item
        }),
    ];
    for (name, mut world, item) in scenarios {
        let first = world.decide(&item);
        let after = world.apply(&item, &first);
        let second = world.decide(&after);
        assert!(
            second.labels_to_add.is_empty()
                && second.labels_to_remove.is_empty()
                && second.milestone_change.is_none(),
            "{name}: {second:?}"
        );
        assert_eq!(
            second.ownership, after.ownership,
            "{name}: record is stable"
        );
        assert_eq!(second.verdict, first.verdict, "{name}: same verdict");
        assert_eq!(second.comment, first.comment, "{name}: same comment text");
        let third = world.decide(&world.clone().apply(&after, &second));
        assert_eq!(third, second, "{name}: identical decisions from then on");
    }
}

#[test]
fn milestones_affected_are_where_the_change_was_and_where_it_goes() {
    let mut world = World::lava().db_change_in(7, M2026_12);
    let item = mr(1).with_migration();
    let d = world.decide(&item);
    assert_eq!(
        milestones_affected_by(&item, &world.project, &d),
        [M2026_12]
    );
    let after = world.apply(&item, &d);
    let again = world.decide(&after);
    assert!(milestones_affected_by(&after, &world.project, &again).is_empty());
    let gone = after.clone();
    let gone = ItemFacts {
        matches: Vec::new(),
        ..gone
    };
    let d = world.decide(&gone);
    assert_eq!(
        milestones_affected_by(&gone, &world.project, &d),
        [M2026_12]
    );
}

#[test]
fn renamed_db_mr_affects_its_milestone_block() {
    let mut world = World::lava();
    let item = mr(1).with_migration().person_milestone(M2026_11);
    let d = world.decide(&item);
    let mut after = world.apply(&item, &d);
    after.title = "Better title".into();
    let d = world.decide(&after);
    assert_eq!(
        milestones_affected_by(&after, &world.project, &d),
        [M2026_11]
    );
}

#[test]
fn issue_that_no_longer_needs_database_changes_keeps_a_current_comment() {
    let d = World::lava().decide(&issue(12).bot_label().with_bot_comment());
    let comment = d.comment.unwrap();
    assert!(
        comment.contains("This issue is not expected to require **database changes** any more.")
    );
}

#[test]
fn person_removing_the_propagated_label_from_an_issue_ends_its_database_change() {
    let world = World::lava().db_change_in(7, M2026_12);
    let mut item = issue(12).reason(DbChangeReason::ClosedByMergeRequest {
        number: ItemNumber(7),
    });
    item.ownership.bot_added_label = true; // the label is gone now
    let d = world.decide(&item);
    assert!(!d.is_db_change);
    assert!(d.labels_to_add.is_empty());
    assert_eq!(d.milestone_change, None);
    assert!(d.ownership.label_removed_by_person);
}

#[test]
fn closed_issue_gets_no_writes() {
    let world = World::lava().db_change_in(7, M2026_12);
    let item = issue(12)
        .reason(DbChangeReason::ClosedByMergeRequest {
            number: ItemNumber(7),
        })
        .with_bot_comment()
        .state(ItemState::Closed);
    let d = world.decide(&item);
    d.no_label_or_milestone_writes();
    assert_eq!(d.comment, None);
    assert_eq!(d.verdict, None);
}
