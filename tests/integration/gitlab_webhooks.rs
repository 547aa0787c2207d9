//! GitLab webhook deliveries, from fixtures shaped like GitLab's documented
//! payloads, through the parser into the work they ask for.

use schemagate::forge::gitlab::webhook::{parse, token_matches};
use schemagate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use schemagate::work::{MilestoneAction, MilestoneScope, Translated, Work};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/webhooks/gitlab/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn event(header: &str, name: &str) -> Translated {
    parse(header, &fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn lava() -> ProjectPath {
    ProjectPath("lava/lava".into())
}

fn evaluate(kind: ItemKind, number: u64) -> Translated {
    Translated::Queue(Work::Evaluate {
        forge: ForgeKind::GitLab,
        project: lava(),
        kind,
        number: ItemNumber(number),
    })
}

fn milestone(scope: MilestoneScope, action: MilestoneAction) -> Translated {
    Translated::Queue(Work::MilestoneChanged {
        forge: ForgeKind::GitLab,
        scope,
        title: "2026.11".into(),
        action,
    })
}

#[test]
fn every_merge_request_change_re_evaluates_it() {
    for name in [
        "merge_request_open.json",
        "merge_request_reopen.json",
        "merge_request_update_push.json",
        "merge_request_update_labels.json",
        "merge_request_update_empty_changes.json",
        "merge_request_close.json",
        "merge_request_merge.json",
    ] {
        assert_eq!(
            event("Merge Request Hook", name),
            evaluate(ItemKind::MergeRequest, 2417),
            "{name}"
        );
    }
}

#[test]
fn approvals_are_ignored() {
    let got = event("Merge Request Hook", "merge_request_approved.json");
    assert!(matches!(got, Translated::Ignore(_)), "{got:?}");
}

#[test]
fn issue_actions_re_evaluate_the_issue() {
    for name in [
        "issue_open.json",
        "issue_close.json",
        "issue_reopen.json",
        "issue_update.json",
        "work_item_update.json",
    ] {
        assert_eq!(
            event("Issue Hook", name),
            evaluate(ItemKind::Issue, 812),
            "{name}"
        );
    }
}

#[test]
fn a_work_item_outside_any_project_is_ignored() {
    let got = event("Issue Hook", "work_item_group_epic.json");
    assert!(matches!(got, Translated::Ignore(_)), "{got:?}");
}

#[test]
fn a_comment_on_a_merge_request_names_it_and_its_author() {
    assert_eq!(
        event("Note Hook", "note_merge_request_create.json"),
        Translated::Queue(Work::Comment {
            forge: ForgeKind::GitLab,
            project: lava(),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(2417),
            author: "terceiro".into(),
            body: "Please rebase, the migration number clashes with !2401.".into(),
            edited: false,
            comment_id: Some(CommentId(88123)),
        })
    );
}

#[test]
fn an_edited_comment_is_marked_edited() {
    let got = event("Note Hook", "note_merge_request_update.json");
    assert!(
        matches!(got, Translated::Queue(Work::Comment { edited: true, .. })),
        "{got:?}"
    );
}

#[test]
fn a_comment_from_before_gitlab_16_11_without_action_is_a_new_comment() {
    let got = event("Note Hook", "note_issue_without_action.json");
    assert!(
        matches!(
            got,
            Translated::Queue(Work::Comment {
                kind: ItemKind::Issue,
                number: ItemNumber(812),
                edited: false,
                ..
            })
        ),
        "{got:?}"
    );
}

#[test]
fn a_comment_on_a_commit_is_ignored() {
    let got = event("Note Hook", "note_commit.json");
    assert!(matches!(got, Translated::Ignore(_)), "{got:?}");
}

#[test]
fn project_milestone_actions_come_from_the_top_level_action() {
    for (name, action) in [
        ("milestone_project_create.json", MilestoneAction::Created),
        ("milestone_project_close.json", MilestoneAction::Closed),
        ("milestone_project_reopen.json", MilestoneAction::Reopened),
    ] {
        assert_eq!(
            event("Milestone Hook", name),
            milestone(MilestoneScope::Project(lava()), action),
            "{name}"
        );
    }
}

#[test]
fn group_milestones_are_scoped_to_their_group() {
    for (name, action) in [
        ("milestone_group_create.json", MilestoneAction::Created),
        ("milestone_group_close.json", MilestoneAction::Closed),
    ] {
        let got = event("Milestone Hook", name);
        assert_eq!(
            got,
            milestone(MilestoneScope::Group("lava".into()), action),
            "{name}"
        );
    }
}

#[test]
fn a_milestone_action_inside_object_attributes_is_also_read() {
    let mut body: serde_json::Value =
        serde_json::from_slice(&fixture("milestone_project_close.json")).unwrap();
    let action = body.as_object_mut().unwrap().remove("action").unwrap();
    body["object_attributes"]["action"] = action;
    let got = parse("Milestone Hook", body.to_string().as_bytes()).unwrap();
    assert!(matches!(
        got,
        Translated::Queue(Work::MilestoneChanged {
            action: MilestoneAction::Closed,
            ..
        })
    ));
}

#[test]
fn events_the_bot_does_not_use_are_ignored() {
    let got = event("Push Hook", "push.json");
    assert!(matches!(got, Translated::Ignore(_)), "{got:?}");
    let got = parse("Pipeline Hook", br#"{"object_kind":"pipeline"}"#).unwrap();
    assert!(matches!(got, Translated::Ignore(_)));
}

#[test]
fn malformed_json_is_a_parse_error_naming_the_event() {
    let error = parse(
        "Merge Request Hook",
        b"{\"object_kind\": \"merge_request\",",
    )
    .unwrap_err();
    assert_eq!(error.event, "Merge Request Hook");
    assert!(
        error
            .to_string()
            .starts_with("malformed Merge Request Hook payload")
    );
}

#[test]
fn json_missing_required_fields_is_a_parse_error() {
    let error = parse(
        "Issue Hook",
        br#"{"object_kind":"issue","object_attributes":{}}"#,
    )
    .unwrap_err();
    assert!(error.reason.contains("iid"), "{error}");
    assert!(parse("Note Hook", br#"{"object_kind":"note"}"#).is_err());
}

#[test]
fn the_webhook_token_must_match_exactly() {
    assert!(token_matches("hook-secret", Some("hook-secret")));
    assert!(!token_matches("hook-secret", Some("hook-secreT")));
    assert!(!token_matches("hook-secret", Some("hook-secret-and-more")));
    assert!(!token_matches("hook-secret", None));
}
