//! Scenarios: the database-changes label and who owns it.

use super::*;

#[test]
fn db_mr_gets_the_label_and_the_bot_records_adding_it() {
    let world = World::lava().db_change_in(7, M2026_11);
    let d = world.decide(&mr(1).with_migration());
    assert_eq!(d.labels_to_add, [LABEL]);
    assert!(d.labels_to_remove.is_empty());
    assert!(d.ownership.bot_added_label);
    assert!(d.is_db_change);
    assert_eq!(d.db_change_reason, Some(DbChangeReason::Migrations));
}

#[test]
fn label_already_present_in_other_case_is_not_added_again() {
    let world = World::lava();
    let d = world.decide(&mr(1).with_migration().person_label("database changes"));
    assert!(d.labels_to_add.is_empty());
    assert!(
        !d.ownership.bot_added_label,
        "a person's label stays a person's"
    );
}

#[test]
fn person_removed_label_is_not_re_added_but_the_mr_is_still_gated() {
    let world = World::lava().db_change_in(7, M2026_11);
    let mut item = mr(1).with_migration().person_milestone(M2026_11);
    item.ownership.bot_added_label = true; // the bot added it; the label is gone now
    let d = world.decide(&item);
    assert!(d.labels_to_add.is_empty());
    assert!(d.ownership.label_removed_by_person);
    assert!(!d.ownership.bot_added_label);
    assert!(d.is_db_change);
    d.fails_with(&[NOT_SENT_2026_11]);
    let comment = d.comment.expect("comment explains the missing label");
    assert!(
        comment.contains("a person removed \"Database changes\"; schemagate will not add it again")
    );
}

#[test]
fn person_removed_label_stays_removed_on_later_events() {
    let world = World::lava();
    let mut item = mr(1).with_migration();
    item.ownership.label_removed_by_person = true;
    let d = world.decide(&item);
    assert!(d.labels_to_add.is_empty());
    assert!(d.ownership.label_removed_by_person);
}

#[test]
fn force_push_removing_the_migration_removes_the_bots_label() {
    let world = World::lava();
    let item = mr(1).bot_label().bot_milestone(M2026_11).with_bot_comment();
    let d = world.decide(&item);
    assert_eq!(d.labels_to_remove, [LABEL]);
    assert!(!d.ownership.bot_added_label);
    assert!(!d.is_db_change);
    assert_eq!(d.milestone_change, None, "the bot never clears a milestone");
    d.passes_with("no database changes");
}

#[test]
fn bot_removes_its_label_under_the_spelling_the_forge_has() {
    let world = World::lava();
    let mut item = mr(1).person_label("DATABASE CHANGES");
    item.ownership.bot_added_label = true;
    let d = world.decide(&item);
    assert_eq!(d.labels_to_remove, ["DATABASE CHANGES"]);
}

#[test]
fn person_label_on_a_non_db_mr_is_left_alone() {
    let world = World::lava();
    let d = world.decide(&mr(1).person_label(LABEL).person_label("backend"));
    assert!(d.labels_to_add.is_empty());
    assert!(d.labels_to_remove.is_empty());
    assert!(
        !d.is_db_change,
        "on an MR only migrations make a database change"
    );
    d.passes_with("no database changes");
    assert_eq!(d.comment, None);
}

#[test]
fn squash_and_edit_alone_are_not_a_database_change_but_are_mentioned() {
    let world = World::lava();
    let item = mr(1)
        .found(
            "app/migrations/0001_squashed_0040.py",
            ChangeKind::Added,
            MigrationKind::Squash,
        )
        .found(
            "app/migrations/0012_old.py",
            ChangeKind::Modified,
            MigrationKind::Edit,
        );
    let d = world.decide(&item);
    assert!(!d.is_db_change);
    assert!(d.labels_to_add.is_empty());
    assert_eq!(d.milestone_change, None);
    d.passes_with("no database changes");
    let comment = d.comment.expect("squash and edit are worth a comment");
    assert!(comment.contains("`app/migrations/0001_squashed_0040.py` (django, added): **squash**"));
    assert!(comment.contains("`app/migrations/0012_old.py` (django, modified): **edit**"));
}

#[test]
fn data_migration_is_a_database_change() {
    let world = World::lava();
    let item = mr(1).found(
        "app/migrations/0043_fill.py",
        ChangeKind::Added,
        MigrationKind::Data,
    );
    let d = world.decide(&item);
    assert!(d.is_db_change);
    assert_eq!(d.labels_to_add, [LABEL]);
}
