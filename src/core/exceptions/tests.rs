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

mod steering {
    use super::*;
    use crate::core::commands::parse_commands;
    use crate::core::ids::{ItemKind, ItemState};

    fn at() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 11, 0, 0).unwrap()
    }

    fn open_mr(files: &[CoveredFile]) -> Item<'_> {
        Item {
            kind: ItemKind::MergeRequest,
            state: ItemState::Open,
            reference: "!5",
            migration_files: files,
        }
    }

    fn run(
        steering: &mut Steering,
        author: &str,
        body: &str,
        right: Option<Right>,
        item: &Item,
    ) -> Vec<Steered> {
        parse_commands(body)
            .iter()
            .map(|parsed| {
                let asked = Asked {
                    author,
                    parsed,
                    at: at(),
                    comment: Some(9),
                };
                let right = needs_right(parsed).then(|| right.clone()).flatten();
                let steered = steer(steering, &asked, right.as_ref(), item);
                apply(steering, &steered);
                steered
            })
            .collect()
    }

    #[test]
    fn an_approver_approves_bound_to_the_files_and_the_answer_says_so() {
        let files = [file("b.py", "2"), file("a.py", "1")];
        let mut steering = Steering::default();
        let done = run(
            &mut steering,
            "alice",
            "/schemagate approve CVE fix must ship now",
            Some(Right::Allowed),
            &open_mr(&files),
        );
        assert!(done[0].acted());
        let active = steering.active().unwrap();
        assert_eq!(active.reason, "CVE fix must ship now");
        assert_eq!(active.covers[0].path, "a.py", "sorted by path");
        assert_eq!(active.comment, Some(9));
        assert!(done[0].record.answer.contains("@alice approved"));
    }

    #[test]
    fn a_person_without_the_right_is_refused_and_nothing_changes() {
        let mut steering = Steering::default();
        let needs = Right::Refused {
            needs: "Maintainer on lava/lava".into(),
        };
        let done = run(
            &mut steering,
            "bob",
            "/schemagate approve CVE fix must ship now",
            Some(needs),
            &open_mr(&[]),
        );
        assert!(!done[0].acted());
        assert_eq!(done[0].effect, Effect::None);
        assert!(steering.active().is_none());
        assert_eq!(
            done[0].record.answer,
            "@bob asked to approve, but approving needs Maintainer on lava/lava"
        );
    }

    #[test]
    fn unapprove_withdraws_and_a_second_one_finds_nothing() {
        let mut steering = Steering::default();
        let item_files = [file("a.py", "1")];
        let item = open_mr(&item_files);
        run(
            &mut steering,
            "alice",
            "/schemagate approve x",
            Some(Right::Allowed),
            &item,
        );
        let done = run(
            &mut steering,
            "carol",
            "/schemagate unapprove\n/schemagate unapprove",
            Some(Right::Allowed),
            &item,
        );
        assert!(matches!(done[0].effect, Effect::Withdraw(_)));
        assert_eq!(done[1].effect, Effect::None);
        assert!(done[1].record.answer.contains("no exception to withdraw"));
        assert!(steering.active().is_none());
        let ended = steering.exceptions[0].ended.as_ref().unwrap();
        assert_eq!(ended.how, EndKind::Withdrawn { by: "carol".into() });
    }

    #[test]
    fn issues_and_merged_requests_cannot_be_approved() {
        let mut steering = Steering::default();
        let issue = Item {
            kind: ItemKind::Issue,
            ..open_mr(&[])
        };
        let done = run(
            &mut steering,
            "alice",
            "/schemagate approve x",
            Some(Right::Allowed),
            &issue,
        );
        assert!(
            done[0]
                .record
                .answer
                .contains("exceptions are for merge requests")
        );
        let merged = Item {
            state: ItemState::Merged,
            ..open_mr(&[])
        };
        let done = run(
            &mut steering,
            "alice",
            "/schemagate approve x",
            None,
            &merged,
        );
        assert!(
            done[0].record.answer.contains("!5 is merged"),
            "{:?}",
            done[0]
        );
        assert!(steering.active().is_none());
    }

    #[test]
    fn typos_and_missing_reasons_are_answered_not_ignored() {
        let mut steering = Steering::default();
        let done = run(
            &mut steering,
            "bob",
            "/schemagate aprove x\n/schemagate approve",
            Some(Right::Allowed),
            &open_mr(&[]),
        );
        assert_eq!(done.len(), 2);
        assert!(done.iter().all(|s| s.record.outcome == Outcome::Invalid));
        assert!(steering.active().is_none());
    }

    #[test]
    fn recheck_and_help_need_no_right() {
        let mut steering = Steering::default();
        let done = run(
            &mut steering,
            "anyone",
            "/schemagate recheck\n/schemagate help",
            None,
            &open_mr(&[]),
        );
        assert_eq!(done[0].effect, Effect::Recheck);
        assert!(done.iter().all(Steered::acted));
    }

    #[test]
    fn the_hidden_record_reads_back_and_nothing_in_it_ends_the_html_comment() {
        let mut steering = Steering::default();
        let files = [file("db/--> evil.sql", "1")];
        run(
            &mut steering,
            "alice",
            "/schemagate approve a --> b <!-- c",
            Some(Right::Allowed),
            &open_mr(&files),
        );
        steering.handled.push("9:abc".into());
        let line = render_record(&steering);
        let inner = line
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->");
        assert!(!inner.contains("-->") && !inner.contains("<!--"), "{line}");
        let body = format!("<!-- schemagate:comment -->\ntext{line}more");
        assert_eq!(read_record(&body), Some(steering));
        assert_eq!(read_record("no record"), None);
        assert_eq!(render_record(&Steering::default()), "");
    }

    #[test]
    fn a_comment_version_key_changes_with_an_edit_only() {
        let a = comment_key(Some(9), "bob", "/schemagate recheck");
        assert_eq!(a, comment_key(Some(9), "bob", "/schemagate recheck"));
        assert_ne!(a, comment_key(Some(9), "bob", "/schemagate help"));
        assert_ne!(a, comment_key(Some(10), "bob", "/schemagate recheck"));
    }

    #[test]
    fn inline_code_cannot_be_broken_out_of() {
        assert_eq!(inline_code("plain"), "`plain`");
        assert_eq!(inline_code("a `b` c"), "``a `b` c``");
        assert_eq!(inline_code("line\nbreak"), "`line break`");
        assert_eq!(handle("al<b>ice"), "albice");
        assert_eq!(handle(""), "ghost");
    }
}
