//! The queue's contract: serial keys, the stored JSON, and payloads queued
//! by earlier releases.

use super::*;

fn evaluate(project: &str, kind: ItemKind, number: u64) -> Work {
    Work::Evaluate {
        forge: ForgeKind::GitLab,
        project: ProjectPath(project.into()),
        kind,
        number: ItemNumber(number),
    }
}

#[test]
fn an_mr_its_comments_and_its_re_evaluation_share_one_serial_key() {
    let comment = Work::Comment {
        forge: ForgeKind::GitLab,
        project: ProjectPath("Lava/Lava".into()),
        kind: ItemKind::MergeRequest,
        number: ItemNumber(7),
        author: "alice".into(),
        body: "hello".into(),
        edited: false,
        comment_id: Some(CommentId(88123)),
    };
    let evaluate = evaluate("lava/lava", ItemKind::MergeRequest, 7);
    assert_eq!(comment.serial_key(), evaluate.serial_key());
    assert_eq!(evaluate.serial_key(), "gitlab:lava/lava:mr:7");
}

#[test]
fn the_same_number_on_two_forges_or_kinds_gets_different_keys() {
    let work = |forge, kind| Work::Evaluate {
        forge,
        project: ProjectPath("o/r".into()),
        kind,
        number: ItemNumber(1),
    };
    let keys = [
        work(ForgeKind::GitLab, ItemKind::MergeRequest).serial_key(),
        work(ForgeKind::GitHub, ItemKind::MergeRequest).serial_key(),
        work(ForgeKind::GitLab, ItemKind::Issue).serial_key(),
    ];
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[0], keys[2]);
}

#[test]
fn milestone_events_are_serialised_per_project_or_group() {
    let changed = |scope| Work::MilestoneChanged {
        forge: ForgeKind::GitLab,
        scope,
        title: "2026.11".into(),
        action: MilestoneAction::Closed,
    };
    let project = changed(MilestoneScope::Project(ProjectPath("Lava/Lava".into())));
    assert_eq!(project.serial_key(), "gitlab:lava/lava:milestones");
    let group = changed(MilestoneScope::Group("Lava".into()));
    assert_eq!(group.serial_key(), "gitlab:group:lava:milestones");
    assert_eq!(group.subject().as_deref(), Some("milestone 2026.11"));
}

#[test]
fn work_round_trips_through_json_with_its_origin() {
    let work = Work::RenderBlock {
        forge: ForgeKind::GitHub,
        project: ProjectPath("o/r".into()),
        milestone: MilestoneId(3),
    };
    assert_eq!(Work::from_json(&work.to_json()).unwrap(), work);
    for from_webhook in [true, false] {
        let queued = QueuedWork {
            work: work.clone(),
            from_webhook,
        };
        assert_eq!(QueuedWork::from_json(&queued.to_json()).unwrap(), queued);
    }
    // Work queued without an origin (by a job or the sync) reads as such.
    let plain = QueuedWork::from_json(&work.to_json()).unwrap();
    assert!(!plain.from_webhook);
}

#[test]
fn events_queued_by_an_earlier_release_run_as_the_work_they_meant() {
    let merged = r#"{"work":"event","forge":"GitLab","event":{"MergeRequestClosed":
        {"project":"lava/lava","number":7,"merged":true}}}"#;
    let queued = QueuedWork::from_json(merged).unwrap();
    assert!(queued.from_webhook);
    assert_eq!(
        queued.work,
        evaluate("lava/lava", ItemKind::MergeRequest, 7)
    );

    let pushed = r#"{"work":"event","forge":"GitLab","event":{"MergeRequestChanged":
        {"project":"lava/lava","number":8,"action":"Updated","code_changed":true,"head_sha":null}}}"#;
    let queued = QueuedWork::from_json(pushed).unwrap();
    assert_eq!(
        queued.work,
        evaluate("lava/lava", ItemKind::MergeRequest, 8)
    );

    let group = r#"{"work":"event","forge":"GitLab","event":{"MilestoneChanged":
        {"scope":{"Group":"lava"},"milestone":4,"title":"2026.11","action":"Closed"}}}"#;
    let queued = QueuedWork::from_json(group).unwrap();
    assert_eq!(
        queued.work,
        Work::MilestoneChanged {
            forge: ForgeKind::GitLab,
            scope: MilestoneScope::Group("lava".into()),
            title: "2026.11".into(),
            action: MilestoneAction::Closed,
        }
    );

    let installation = r#"{"work":"event","forge":"GitHub","event":{"Installation":
        {"action":"created","projects":["o/r"]}}}"#;
    assert!(QueuedWork::from_json(installation).is_err());
}

#[test]
fn a_comment_queued_by_an_earlier_release_keeps_its_author_and_body() {
    let comment = r#"{"work":"event","forge":"GitHub","event":{"CommentAdded":
        {"project":"o/r","kind":"issue","number":3,"author":"alice","body":"hi","edited":true}}}"#;
    let queued = QueuedWork::from_json(comment).unwrap();
    assert_eq!(
        queued.work,
        Work::Comment {
            forge: ForgeKind::GitHub,
            project: ProjectPath("o/r".into()),
            kind: ItemKind::Issue,
            number: ItemNumber(3),
            author: "alice".into(),
            body: "hi".into(),
            edited: true,
            comment_id: None,
        }
    );
}

#[test]
fn a_comment_queued_without_its_id_runs_with_none_and_one_with_it_keeps_it() {
    let before = r#"{"work":"comment","forge":"GitLab","project":"lava/lava","kind":"merge_request",
        "number":7,"author":"alice","body":"/schemagate recheck","edited":false,"webhook":true}"#;
    let queued = QueuedWork::from_json(before).unwrap();
    assert!(matches!(
        queued.work,
        Work::Comment {
            comment_id: None,
            ..
        }
    ));
    let with_id = Work::Comment {
        forge: ForgeKind::GitHub,
        project: ProjectPath("o/r".into()),
        kind: ItemKind::Issue,
        number: ItemNumber(3),
        author: "alice".into(),
        body: "hi".into(),
        edited: false,
        comment_id: Some(CommentId(333001)),
    };
    assert_eq!(Work::from_json(&with_id.to_json()).unwrap(), with_id);
    assert!(with_id.to_json().contains(r#""comment_id":333001"#));
}
