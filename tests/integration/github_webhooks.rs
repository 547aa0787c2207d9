//! GitHub webhook translation: every event and action the bot acts on, on
//! this project's fixtures, and a conformance run over the community corpus
//! `@octokit/webhooks-examples` (every payload parses; none is an error).

use schemagate::core::types::MilestoneId;
use schemagate::forge::event::{
    Event, IssueAction, MergeRequestAction, MilestoneAction, MilestoneScope,
};
use schemagate::forge::github::parse_event;
use schemagate::forge::{CommitSha, ItemKind, ItemNumber, ProjectPath};
use std::path::PathBuf;

const FIXTURES: &str = "tests/data/webhooks/github";
const SHA: &str = "9f2c4e1b7a3d5c6e8f0a1b2c3d4e5f60718293a4";

fn project() -> ProjectPath {
    ProjectPath("lava-ci/schemagate-demo".into())
}

/// Parses fixture `{event}.{variant}.json` with `event` as the header.
fn parse_fixture(event: &str, variant: &str) -> Event {
    let path = PathBuf::from(FIXTURES).join(format!("{event}.{variant}.json"));
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_event(event, &body).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn pr_changed(action: MergeRequestAction, code_changed: bool) -> Event {
    Event::MergeRequestChanged {
        project: project(),
        number: ItemNumber(42),
        action,
        code_changed,
        head_sha: Some(CommitSha(SHA.into())),
    }
}

#[test]
fn pull_request_opened_reopened_and_synchronize_mean_new_code() {
    assert_eq!(
        parse_fixture("pull_request", "opened"),
        pr_changed(MergeRequestAction::Opened, true)
    );
    assert_eq!(
        parse_fixture("pull_request", "reopened"),
        pr_changed(MergeRequestAction::Reopened, true)
    );
    assert_eq!(
        parse_fixture("pull_request", "synchronize"),
        pr_changed(MergeRequestAction::Updated, true)
    );
}

#[test]
fn pull_request_edits_labels_milestones_and_draft_state_are_updates_without_new_code() {
    for action in [
        "edited",
        "labeled",
        "unlabeled",
        "milestoned",
        "demilestoned",
        "ready_for_review",
        "converted_to_draft",
    ] {
        assert_eq!(
            parse_fixture("pull_request", action),
            pr_changed(MergeRequestAction::Updated, false),
            "pull_request.{action}"
        );
    }
}

#[test]
fn pull_request_closed_says_whether_it_was_merged() {
    let closed = |merged| Event::MergeRequestClosed {
        project: project(),
        number: ItemNumber(42),
        merged,
    };
    assert_eq!(parse_fixture("pull_request", "closed"), closed(false));
    assert_eq!(parse_fixture("pull_request", "closed.merged"), closed(true));
}

#[test]
fn pull_request_actions_the_bot_ignores_are_ignored() {
    assert!(matches!(
        parse_fixture("pull_request", "assigned"),
        Event::Ignored { .. }
    ));
}

#[test]
fn issues_actions_map_to_issue_changes() {
    let changed = |action| Event::IssueChanged {
        project: project(),
        number: ItemNumber(12),
        action,
    };
    assert_eq!(
        parse_fixture("issues", "opened"),
        changed(IssueAction::Opened)
    );
    assert_eq!(
        parse_fixture("issues", "closed"),
        changed(IssueAction::Closed)
    );
    assert_eq!(
        parse_fixture("issues", "reopened"),
        changed(IssueAction::Reopened)
    );
    for action in [
        "edited",
        "labeled",
        "unlabeled",
        "milestoned",
        "demilestoned",
    ] {
        assert_eq!(
            parse_fixture("issues", action),
            changed(IssueAction::Updated),
            "issues.{action}"
        );
    }
    assert!(matches!(
        parse_fixture("issues", "pinned"),
        Event::Ignored { .. }
    ));
}

#[test]
fn milestone_actions_map_with_number_and_title() {
    let changed = |action| Event::MilestoneChanged {
        scope: MilestoneScope::Project(project()),
        milestone: MilestoneId(3),
        title: "2026.11".into(),
        action,
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
        Event::CommentAdded {
            project: project(),
            kind: ItemKind::MergeRequest,
            number: ItemNumber(42),
            author: "alice-dev".into(),
            body: "Could this wait for 2026.12?".into(),
            edited: false,
        }
    );
    assert_eq!(
        parse_fixture("issue_comment", "edited"),
        Event::CommentAdded {
            project: project(),
            kind: ItemKind::Issue,
            number: ItemNumber(12),
            author: "alice-dev".into(),
            body: "Edited: this needs downtime.".into(),
            edited: true,
        }
    );
    assert!(matches!(
        parse_fixture("issue_comment", "deleted"),
        Event::Ignored { .. }
    ));
}

#[test]
fn ping_names_the_repository_when_the_hook_has_one() {
    let body = std::fs::read(format!("{FIXTURES}/ping.json")).unwrap();
    assert_eq!(
        parse_event("ping", &body).unwrap(),
        Event::Ping {
            project: Some(project())
        }
    );
    assert_eq!(
        parse_fixture("ping", "organization"),
        Event::Ping { project: None }
    );
}

#[test]
fn installation_events_list_the_repositories() {
    assert_eq!(
        parse_fixture("installation", "created"),
        Event::Installation {
            action: "created".into(),
            projects: vec![project()],
        }
    );
    assert_eq!(
        parse_fixture("installation_repositories", "added"),
        Event::Installation {
            action: "added".into(),
            projects: vec![ProjectPath("lava-ci/lab-server".into())],
        }
    );
}

#[test]
fn unknown_events_are_ignored_not_errors() {
    let body = std::fs::read(format!("{FIXTURES}/push.json")).unwrap();
    assert!(matches!(
        parse_event("push", &body),
        Ok(Event::Ignored { .. })
    ));
    assert!(matches!(
        parse_event("check_run", b"{}"),
        Ok(Event::Ignored { .. })
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

const RELEVANT: [&str; 7] = [
    "pull_request",
    "issues",
    "milestone",
    "issue_comment",
    "ping",
    "installation",
    "installation_repositories",
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
                Ok(Event::Ignored { .. }) => {
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
        "installation" => &[
            "created",
            "deleted",
            "new_permissions_accepted",
            "suspend",
            "unsuspend",
        ],
        "installation_repositories" => &["added", "removed"],
        _ => &[],
    };
    acts.contains(&action)
}
