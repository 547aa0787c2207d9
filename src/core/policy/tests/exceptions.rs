//! Scenarios: an approved exception waives the placement rules for one MR,
//! keeps the downtime honest, and lapses when the migration files change.

use super::*;
use crate::core::exceptions::{CoveredFile, Exception, Steering};

fn file(path: &str, digest: &str) -> CoveredFile {
    CoveredFile {
        path: path.into(),
        digest: digest.into(),
    }
}

fn approved_for(files: Vec<CoveredFile>) -> Steering {
    Steering {
        exceptions: vec![Exception {
            approver: "alice".into(),
            reason: "CVE fix must ship now".into(),
            approved_at: Utc.with_ymd_and_hms(2026, 11, 3, 10, 0, 0).unwrap(),
            covers: files,
            comment: Some(41),
            ended: None,
        }],
        answers: Vec::new(),
        handled: Vec::new(),
    }
}

/// The hotfix of the story: a database change a person put in 2026.11
/// while the batch is 2026.12.
fn hotfix() -> ItemFacts {
    let mut mr = mr(5).with_migration().person_milestone(M2026_11);
    mr.migration_files = vec![file("0042_device_health.py", "d1")];
    mr
}

#[test]
fn without_an_exception_the_hotfix_fails_outside_the_batch() {
    let world = World::lava().db_change_in(7, M2026_12);
    let d = world.decide(&hotfix());
    let verdict = d.verdict.unwrap();
    assert!(!verdict.passed());
    assert!(
        verdict.summary.contains("batched in 2026.12"),
        "{}",
        verdict.summary
    );
    assert_eq!(d.exception, None);
}

#[test]
fn an_exception_passes_the_placement_rules_and_says_who_and_why() {
    let world = World::lava().db_change_in(7, M2026_12);
    let mut mr = hotfix();
    mr.steering = approved_for(mr.migration_files.clone());
    let d = world.decide(&mr);
    let verdict = d.verdict.unwrap();
    assert!(verdict.passed(), "{verdict:?}");
    assert_eq!(
        verdict.summary,
        "exception approved by @alice: CVE fix must ship now"
    );
    assert_eq!(d.exception.as_ref().unwrap().approver, "alice");
    let comment = d.comment.unwrap();
    assert!(
        comment.contains("**Exception:** approved by @alice"),
        "{comment}"
    );
    assert!(comment.contains("`CVE fix must ship now`"), "{comment}");
    assert!(comment.contains("`0042_device_health.py`"), "{comment}");
}

#[test]
fn an_exception_also_waives_ahead_of_the_next_release_and_not_announced() {
    let world = World::lava();
    let mut mr = mr(6).with_migration().person_milestone(M2027_01);
    mr.migration_files = vec![file("a.py", "1")];
    assert!(!world.decide(&mr).verdict.unwrap().passed());
    mr.steering = approved_for(mr.migration_files.clone());
    assert!(world.decide(&mr).verdict.unwrap().passed());
}

#[test]
fn the_excepted_release_needs_downtime_and_its_warning_is_due_and_said_owed() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .policy(|p| p.announce_trigger = AnnounceTrigger::Manual);
    let mut hot = hotfix();
    hot.steering = approved_for(hot.migration_files.clone());
    let d = world.decide(&hot);
    let comment = d.comment.unwrap();
    assert!(
        comment.contains("2026.11 still owes its downtime warning"),
        "{comment}"
    );
    // The recorded entry carries the exception, so 2026.11 needs downtime
    // for every reader of the project state.
    let mut world = World::lava().db_change_in(7, M2026_12);
    let d = world.decide(&hot);
    assert_eq!(
        d.announcement_due,
        Some(M2026_11),
        "work-starts: 2026.11 is next"
    );
    world.apply(&hot, &d);
    assert!(world.announcement_due(M2026_11));
    assert_eq!(
        crate::core::policy::downtime_milestones(&world.milestones, &world.project, &world.policy),
        vec![M2026_12, M2026_11]
    );
    // The batch does not move: other changes still go to 2026.12.
    let other = world.decide(&mr(8).with_migration());
    assert_eq!(other.milestone_change, Some(MilestoneChange::Set(M2026_12)));
}

#[test]
fn once_the_warning_went_out_it_is_no_longer_owed_or_due() {
    let world = World::lava()
        .db_change_in(7, M2026_12)
        .warning_sent(M2026_11, "2026-11-02");
    let mut mr = hotfix();
    mr.steering = approved_for(mr.migration_files.clone());
    let d = world.decide(&mr);
    assert_eq!(d.announcement_due, None);
    assert!(!d.comment.unwrap().contains("still owes"));
}

#[test]
fn a_changed_migration_file_lapses_the_exception_and_the_gate_decides_again() {
    let world = World::lava().db_change_in(7, M2026_12);
    let mut mr = hotfix();
    mr.steering = approved_for(mr.migration_files.clone());
    mr.migration_files.push(file("0043_more.py", "d2"));
    let d = world.decide(&mr);
    assert!(!d.verdict.unwrap().passed());
    assert_eq!(d.exception, None);
    let why = d.lapsed.unwrap();
    assert!(why.contains("added 0043_more.py"), "{why}");
    let comment = d.comment.unwrap();
    assert!(comment.contains("**Exception lapsed:**"), "{comment}");
    assert!(!comment.contains("**Exception:** approved"), "{comment}");
}

#[test]
fn a_push_that_touches_no_migration_keeps_it() {
    let world = World::lava().db_change_in(7, M2026_12);
    let mut mr = hotfix();
    mr.steering = approved_for(mr.migration_files.clone());
    mr.title = "A new title after a push".into();
    assert!(world.decide(&mr).verdict.unwrap().passed());
}

#[test]
fn a_merged_excepted_mr_keeps_its_release_needing_downtime() {
    let mut world = World::lava().db_change_in(7, M2026_12);
    let mut mr = hotfix();
    mr.steering = approved_for(mr.migration_files.clone());
    let d = world.decide(&mr);
    let merged = world.apply(&mr, &d).state(ItemState::Merged);
    let d = world.decide(&merged);
    assert!(d.exception.is_some());
    world.apply(&merged, &d);
    assert!(world.announcement_due(M2026_11));
}

#[test]
fn a_reason_with_markup_is_shown_as_code_and_mentions_no_one() {
    let world = World::lava().db_change_in(7, M2026_12);
    let mut mr = hotfix();
    mr.steering = approved_for(mr.migration_files.clone());
    mr.steering.exceptions[0].reason = "ping @all <img src=x> `rm`".into();
    let comment = world.decide(&mr).comment.unwrap();
    assert!(
        comment.contains("`` ping @all <img src=x> `rm` ``"),
        "{comment}"
    );
}
