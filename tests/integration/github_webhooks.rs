//! GitHub webhook translation: every event and action the bot acts on, on
//! this project's fixtures, and a conformance run over the community corpus
//! `@octokit/webhooks-examples` (every payload parses; none is an error).

use schemagate::forge::github::parse_event;
use schemagate::forge::{CommentId, ForgeKind, ItemKind, ItemNumber, ProjectPath};
use schemagate::work::{MilestoneAction, MilestoneScope, Translated, Work};
use std::path::PathBuf;

const FIXTURES: &str = "tests/data/webhooks/github";

fn project() -> ProjectPath {
    ProjectPath("lava-ci/schemagate-demo".into())
}

/// Parses fixture `{event}.{variant}.json` with `event` as the header.
fn parse_fixture(event: &str, variant: &str) -> Translated {
    let path = PathBuf::from(FIXTURES).join(format!("{event}.{variant}.json"));
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_event(event, &body).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn evaluate(kind: ItemKind, number: u64) -> Translated {
    Translated::Queue(Work::Evaluate {
        forge: ForgeKind::GitHub,
        project: project(),
        kind,
        number: ItemNumber(number),
    })
}

#[test]
fn every_pull_request_change_re_evaluates_it() {
    for action in [
        "opened",
        "reopened",
        "synchronize",
        "edited",
        "labeled",
        "unlabeled",
        "milestoned",
        "demilestoned",
        "ready_for_review",
        "converted_to_draft",
        "closed",
        "closed.merged",
    ] {
        assert_eq!(
            parse_fixture("pull_request", action),
            evaluate(ItemKind::MergeRequest, 42),
            "pull_request.{action}"
        );
    }
}

#[test]
fn pull_request_actions_the_bot_ignores_are_ignored() {
    assert!(matches!(
        parse_fixture("pull_request", "assigned"),
        Translated::Ignore(_)
    ));
}

#[test]
fn issues_actions_re_evaluate_the_issue() {
    for action in [
        "opened",
        "closed",
        "reopened",
        "edited",
        "labeled",
        "unlabeled",
        "milestoned",
        "demilestoned",
    ] {
        assert_eq!(
            parse_fixture("issues", action),
            evaluate(ItemKind::Issue, 12),
            "issues.{action}"
        );
    }
    assert!(matches!(
        parse_fixture("issues", "pinned"),
        Translated::Ignore(_)
    ));
}

#[test]
fn milestone_actions_map_with_their_title() {
    let changed = |action| {
        Translated::Queue(Work::MilestoneChanged {
            forge: ForgeKind::GitHub,
            scope: MilestoneScope::Project(project()),
            title: "2026.11".into(),
            action,
        })
    };
    assert_eq!(
        parse_fixture("milestone", "created"),
        changed(MilestoneAction::Created)
    );
    assert_eq!(
        parse_fixture("milestone", "opened"),
        changed(MilestoneAction::Reopened)
    );
    assert_eq!(
        parse_fixture("milestone", "edited"),
        changed(MilestoneAction::Edited)
    );
    assert_eq!(
        parse_fixture("milestone", "closed"),
        changed(MilestoneAction::Closed)
    );
    assert_eq!(
        parse_fixture("milestone", "deleted"),
        changed(MilestoneAction::Deleted)
    );
}

#[test]
fn issue_comment_knows_pull_requests_from_issues_and_edits_from_new_comments() {
    assert_eq!(
        parse_fixture("issue_comment", "created"),
        Translated::Queue(Work::Comment {
            forge: ForgeKind::GitHub,
            project: project(),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(42),
            author: "alice-dev".into(),
            body: "Could this wait for 2026.12?".into(),
            edited: false,
            comment_id: Some(CommentId(333001)),
        })
    );
    assert_eq!(
        parse_fixture("issue_comment", "edited"),
        Translated::Queue(Work::Comment {
            forge: ForgeKind::GitHub,
            project: project(),
            kind: ItemKind::Issue,
            number: ItemNumber(12),
            author: "alice-dev".into(),
            body: "Edited: this needs downtime.".into(),
            edited: true,
            comment_id: Some(CommentId(333002)),
        })
    );
    assert!(matches!(
        parse_fixture("issue_comment", "deleted"),
        Translated::Ignore(_)
    ));
}

#[test]
fn a_ping_is_answered_with_or_without_a_repository() {
    let body = std::fs::read(format!("{FIXTURES}/ping.json")).unwrap();
    assert_eq!(parse_event("ping", &body).unwrap(), Translated::Pong);
    assert_eq!(parse_fixture("ping", "organization"), Translated::Pong);
}

#[test]
fn installation_changes_need_no_work() {
    for (event, variant) in [
        ("installation", "created"),
        ("installation_repositories", "added"),
    ] {
        let got = parse_fixture(event, variant);
        assert!(matches!(got, Translated::Ignore(_)), "{event}: {got:?}");
    }
}

#[test]
fn unknown_events_are_ignored_not_errors() {
    let body = std::fs::read(format!("{FIXTURES}/push.json")).unwrap();
    assert!(matches!(
        parse_event("push", &body),
        Ok(Translated::Ignore(_))
    ));
    assert!(matches!(
        parse_event("check_run", b"{}"),
        Ok(Translated::Ignore(_))
    ));
}

#[test]
fn malformed_json_is_a_parse_error_naming_the_event() {
    let error = parse_event("pull_request", b"{\"action\": \"opened\",").unwrap_err();
    assert_eq!(error.event, "pull_request");
    assert!(error.reason.contains("not JSON"), "{}", error.reason);
    assert!(parse_event("push", b"[1, 2").is_err());
}

#[test]
fn relevant_event_missing_its_fields_is_a_parse_error() {
    let error = parse_event("pull_request", br#"{"action": "opened", "number": 1}"#).unwrap_err();
    assert_eq!(error.event, "pull_request");
    assert!(parse_event("issues", br#"{"action": "opened"}"#).is_err());
    assert!(parse_event("milestone", br#"[]"#).is_err());
}

/// Where the npm package lives (see `.ci/run`).
fn examples_dir() -> PathBuf {
    std::env::var_os("SCHEMAGATE_WEBHOOK_EXAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/npm/node_modules/@octokit/webhooks-examples"))
}

const RELEVANT: [&str; 5] = [
    "pull_request",
    "issues",
    "milestone",
    "issue_comment",
    "ping",
];

#[test]
fn every_octokit_example_payload_parses_and_relevant_ones_become_events() {
    let dir = examples_dir();
    let index = dir.join("api.github.com/index.json");
    let text = std::fs::read_to_string(&index).unwrap_or_else(|_| {
        panic!(
            "{} is missing; install the corpus with: npm install --no-save --prefix target/npm @octokit/webhooks-examples \
             (or point SCHEMAGATE_WEBHOOK_EXAMPLES at the package)",
            index.display()
        )
    });
    let events: Vec<serde_json::Value> = serde_json::from_str(&text).expect("index.json is a list");
    let (mut total, mut acted_on, mut ignored) = (0, 0, 0);
    let mut failures = Vec::new();
    for entry in &events {
        let name = entry["name"].as_str().expect("event name");
        for example in entry["examples"].as_array().expect("examples") {
            total += 1;
            let action = example["action"].as_str().unwrap_or("-");
            match parse_event(name, example.to_string().as_bytes()) {
                Err(error) => failures.push(format!("{name}.{action}: {error}")),
                Ok(Translated::Ignore(_)) => {
                    ignored += 1;
                    if expected_to_act(name, action) {
                        failures.push(format!("{name}.{action} was ignored"));
                    }
                }
                Ok(_) => {
                    acted_on += 1;
                    if !RELEVANT.contains(&name) {
                        failures.push(format!("{name}.{action} became an event"));
                    }
                }
            }
        }
    }
    println!(
        "octokit webhook examples: {total} payloads, {acted_on} events, {ignored} ignored, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        total > 300,
        "only {total} examples found in {}",
        index.display()
    );
    assert!(acted_on > 50, "only {acted_on} examples became events");
}

fn expected_to_act(event: &str, action: &str) -> bool {
    let acts: &[&str] = match event {
        "pull_request" => &[
            "opened",
            "reopened",
            "synchronize",
            "edited",
            "labeled",
            "unlabeled",
            "milestoned",
            "demilestoned",
            "ready_for_review",
            "converted_to_draft",
            "closed",
        ],
        "issues" => &[
            "opened",
            "closed",
            "reopened",
            "edited",
            "labeled",
            "unlabeled",
            "milestoned",
            "demilestoned",
        ],
        "milestone" => &["created", "opened", "edited", "closed", "deleted"],
        "issue_comment" => &["created", "edited"],
        "ping" => &["-"],
        _ => &[],
    };
    acts.contains(&action)
}
