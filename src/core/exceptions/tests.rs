use super::*;
use chrono::TimeZone;

fn file(path: &str, digest: &str) -> CoveredFile {
    CoveredFile {
        path: path.into(),
        digest: digest.into(),
    }
}

fn approved(covers: Vec<CoveredFile>) -> Exception {
    Exception {
        approver: "alice".into(),
        reason: "CVE fix".into(),
        approved_at: Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap(),
        covers,
        comment: Some(7),
        ended: None,
    }
}

#[test]
fn an_exception_holds_while_the_migration_files_are_the_same_in_any_order() {
    let e = approved(vec![file("a.py", "1"), file("b.py", "2")]);
    assert_eq!(
        binding(&e, &[file("b.py", "2"), file("a.py", "1")]),
        Binding::Holds
    );
}

#[test]
fn an_added_removed_or_edited_migration_lapses_it_and_says_which() {
    let e = approved(vec![file("a.py", "1"), file("b.py", "2")]);
    let Binding::Lapsed { why } = binding(&e, &[file("a.py", "9"), file("c.py", "3")]) else {
        panic!("lapsed");
    };
    assert!(why.contains("added c.py"), "{why}");
    assert!(why.contains("removed b.py"), "{why}");
    assert!(why.contains("edited a.py"), "{why}");
}

#[test]
fn content_digests_differ_with_content_and_change_and_not_otherwise() {
    let base = covered_files_digest("added", None, Some("CREATE TABLE t ();"), None);
    assert_eq!(
        base,
        covered_files_digest("added", None, Some("CREATE TABLE t ();"), None)
    );
    assert_ne!(
        base,
        covered_files_digest("added", None, Some("CREATE TABLE u ();"), None)
    );
    assert_ne!(
        base,
        covered_files_digest("modified", None, Some("CREATE TABLE t ();"), None)
    );
    // The boundaries between the parts are kept: no two splits collide.
    assert_ne!(
        covered_files_digest("ab", None, Some("c"), None),
        covered_files_digest("a", None, Some("bc"), None)
    );
}

#[test]
fn the_active_exception_is_the_latest_not_ended() {
    let mut old = approved(vec![]);
    old.ended = Some(Ending {
        at: old.approved_at,
        how: EndKind::Replaced,
    });
    let steering = Steering {
        exceptions: vec![old, approved(vec![file("a.py", "1")])],
        answers: Vec::new(),
        handled: Vec::new(),
    };
    assert_eq!(steering.active().unwrap().covers.len(), 1);
    assert!(Steering::default().active().is_none());
}
